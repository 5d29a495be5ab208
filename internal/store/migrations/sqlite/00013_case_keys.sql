-- +goose Up
-- What finds and weighs a case's likely duplicates (internal/dedup): the keys each case is
-- found by (its citizens, households and delegations; the document numbers, parcels and names
-- its text names; its respondent and title words) and, per key or word, how many live cases
-- hold it. Both are written with the cases and visits they come from, in the same transaction,
-- so that two lookups of the same data always give the same scores. They are derived: the
-- service fills them for the cases already registered on start (dedup_state says for which
-- version of the vocabulary they were made) and whenever that version changes.
DROP TABLE case_tokens;
CREATE TABLE case_keys (
    case_seq INTEGER NOT NULL REFERENCES cases(seq),
    org_id   TEXT NOT NULL,
    key      TEXT NOT NULL,
    PRIMARY KEY (case_seq, key)
);
CREATE INDEX case_keys_org_key_idx ON case_keys (org_id, key, case_seq);
-- term '' counts the live cases themselves
CREATE TABLE case_term_counts (
    term  TEXT PRIMARY KEY,
    cases INTEGER NOT NULL
);
CREATE TABLE dedup_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- The parameters of the case score the latest scan estimated from the register and staff's
-- decisions (without one, the defaults of the code).
CREATE TABLE dedup_models (
    entity     TEXT PRIMARY KEY, -- 'case'
    trained_at TIMESTAMP NOT NULL,
    params     TEXT NOT NULL
);

-- +goose Down
DROP TABLE dedup_models;
DROP TABLE dedup_state;
DROP TABLE case_term_counts;
DROP TABLE case_keys;
-- the title words of 00005, derived: empty until cases are written again
CREATE TABLE case_tokens (
    case_seq INTEGER NOT NULL REFERENCES cases(seq),
    org_id   TEXT NOT NULL,
    token    TEXT NOT NULL,
    PRIMARY KEY (case_seq, token)
);
CREATE INDEX case_tokens_org_token_idx ON case_tokens (org_id, token, case_seq);
