-- ITM schema, SQLite flavour. Kept column-for-column equal to ../postgres/0001_init.sql:
-- integers are 64-bit, booleans are 0/1 integers, times are unix milliseconds, so the store's
-- queries (sqlx Any driver) read both backends the same way.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
-- Bumped by every write that changes what DNS answers (domains, endpoints, strategies, status).
INSERT INTO meta (key, value) VALUES ('config_version', 1);

CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_main       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (account_id, username)
);
-- A main account's user name is its login name on /login, so it is unique installation-wide.
CREATE UNIQUE INDEX users_main_username ON users (username) WHERE is_main = 1;

CREATE TABLE user_policies (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    policy  TEXT NOT NULL,
    PRIMARY KEY (user_id, policy)
);

CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE domains (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name            TEXT NOT NULL UNIQUE,
    is_itm          INTEGER NOT NULL,
    status          TEXT NOT NULL,
    ttl             INTEGER NOT NULL,
    strategy_version INTEGER,
    monitor         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX domains_account ON domains (account_id, name);

CREATE TABLE endpoints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id  INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    value      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    area       TEXT NOT NULL,
    isp        TEXT NOT NULL,
    tag        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (domain_id, value)
);

CREATE TABLE strategy_versions (
    domain_id  INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (domain_id, version)
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    username   TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    source     TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX audit_account_time ON audit_log (account_id, id);
