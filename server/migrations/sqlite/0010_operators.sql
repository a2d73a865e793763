-- Installation operators: accounts that see installation-wide state (the nodes, /healthz
-- details). The first account is one; others are made with `itm account create --operator`.
ALTER TABLE accounts ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET operator = 1 WHERE id = (SELECT MIN(id) FROM accounts);
