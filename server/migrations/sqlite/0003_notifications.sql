-- Notifications (SQLite flavour; kept column-for-column equal to ../postgres/0003_notifications.sql).

-- Who to tell: each channel a contact has is used (empty = none).
CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    phone      TEXT NOT NULL,
    webhook    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE contact_groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE contact_group_members (
    group_id   INTEGER NOT NULL REFERENCES contact_groups(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, contact_id)
);

-- The contacts and groups a domain notifies.
CREATE TABLE domain_contacts (
    domain_id  INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (domain_id, contact_id)
);
CREATE TABLE domain_contact_groups (
    domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    group_id  INTEGER NOT NULL REFERENCES contact_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (domain_id, group_id)
);

-- Every message: pending (waiting for its next attempt), sent, failed (gave up), suppressed
-- (flapping: folded into a later summary) or summarized (that summary was queued).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    domain_id       INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    subject_key     TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_key ON deliveries (contact_id, channel, subject_key, created_at);
CREATE INDEX deliveries_account ON deliveries (account_id, created_at);
