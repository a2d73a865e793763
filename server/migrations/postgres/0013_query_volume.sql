-- DNS query volume (PostgreSQL flavour; kept column-for-column equal to
-- ../sqlite/0013_query_volume.sql, which says why there are two tables).
CREATE TABLE query_volume (
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    minute    BIGINT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (domain_id, minute)
);
CREATE INDEX query_volume_minute ON query_volume (minute);
CREATE TABLE query_volume_groups (
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    hour      BIGINT NOT NULL,
    area      TEXT NOT NULL,
    isp       TEXT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (domain_id, hour, area, isp)
);
CREATE INDEX query_volume_groups_hour ON query_volume_groups (hour);
