-- Monitoring (SQLite flavour; kept column-for-column equal to ../postgres/0002_monitoring.sql).
-- Endpoints are named by (domain_id, value), as the health book and the API name them.

-- Registered monitor points (agents) of an account; the built-in `local` point is not stored.
CREATE TABLE monitor_points (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    area         TEXT NOT NULL,
    isp          TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER,
    UNIQUE (account_id, name)
);

-- Every probe: which point probed which endpoint when, and what it saw.
CREATE TABLE probe_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id   INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    endpoint    TEXT NOT NULL,
    point       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    latency_ms  INTEGER,
    http_status INTEGER,
    failure     TEXT
);
CREATE INDEX probe_results_endpoint ON probe_results (domain_id, endpoint, at);
CREATE INDEX probe_results_at ON probe_results (at);

-- The decided state of each monitored endpoint (`up` / `down`); absent = unknown.
CREATE TABLE endpoint_health (
    domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    endpoint  TEXT NOT NULL,
    state     TEXT NOT NULL,
    since     INTEGER NOT NULL,
    PRIMARY KEY (domain_id, endpoint)
);

-- Every state change with its evidence (JSON): endpoint changes, and the domain's monitorStatus
-- (endpoint = '').
CREATE TABLE health_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id  INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    at         INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    evidence   TEXT NOT NULL
);
CREATE INDEX health_events_domain ON health_events (domain_id, at);
