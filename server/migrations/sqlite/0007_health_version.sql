-- Bumped by every write to endpoint_health: nodes compare it before reading all the states.
INSERT INTO meta (key, value) VALUES ('health_version', 1);
-- Whether a node runs monitoring (1) or was started with --no-monitor (0): only the former are
-- given domains to monitor.
ALTER TABLE nodes ADD COLUMN monitoring INTEGER NOT NULL DEFAULT 1;
