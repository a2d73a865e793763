-- One working draft of a strategy per domain (the console's editor saves it; enabling stores a
-- version and removes the draft).
CREATE TABLE strategy_drafts (
    domain_id  BIGINT PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
    document   TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
