-- The nodes serving from this store: each writes its row every few seconds (GET /v1/nodes).
CREATE TABLE nodes (
    name           TEXT PRIMARY KEY,
    version        TEXT NOT NULL,
    http           TEXT NOT NULL,
    dns            TEXT NOT NULL,
    area           TEXT NOT NULL,
    isp            TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    last_seen      BIGINT NOT NULL,
    -- The configuration version the node's DNS snapshot holds.
    config_version BIGINT NOT NULL,
    -- When that snapshot was built (ms).
    snapshot_at    BIGINT NOT NULL
);
