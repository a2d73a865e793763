-- Served names: the fully qualified name DNS answers for a domain (lower-case, no trailing dot),
-- unique over the installation, so one account can never answer for another's name. Delegated
-- (non-ITM) domains are served under their own name; ITM domains under `<name>.<zone>`, which
-- depends on --zone and is filled in at every start (NULL until then; NULLs never collide).
ALTER TABLE domains ADD COLUMN served_name TEXT;
UPDATE domains SET served_name = name WHERE is_itm = 0;
CREATE UNIQUE INDEX domains_served_name ON domains (served_name);
-- Who may answer a delegated name: 'active' (served), 'pending' (until the account proves it
-- controls the name with a TXT record), 'conflict' (a stored name at or under a zone this server
-- serves for someone else, found at start: never served). ITM domains are always 'active'.
ALTER TABLE domains ADD COLUMN claim TEXT NOT NULL DEFAULT 'active';
