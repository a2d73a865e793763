-- DNS query volume, summed over the nodes, kept 7 days, in two tables so that what a domain can
-- store is bounded by time alone, whatever clients claim to be (a client subnet is the client's
-- word): the queries per minute (at most 10,080 rows a domain a week) and per user group per
-- hour (at most 165 × 168). Groups are stored by code, not by index, so a new area never renames
-- old rows.
CREATE TABLE query_volume (
    domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    minute    INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (domain_id, minute)
);
CREATE INDEX query_volume_minute ON query_volume (minute);
CREATE TABLE query_volume_groups (
    domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    hour      INTEGER NOT NULL,
    area      TEXT NOT NULL,
    isp       TEXT NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (domain_id, hour, area, isp)
);
CREATE INDEX query_volume_groups_hour ON query_volume_groups (hour);
