-- +goose Up
-- Petitions (đơn): written submissions the board received, by post, online, in person or
-- forwarded by another body, each about a case and sent by persons (none when anonymous). A
-- petition's due_on is derived from the deadline rules and the working-day calendar and stored
-- so that lists and the deadlines report can select on it; the service writes it again whenever
-- the calendar or a rule changes. Its status is derived on every read.
CREATE TABLE petition_counters (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);
CREATE TABLE petitions (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    code            TEXT NOT NULL,
    received_on     TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('in_person', 'post', 'online', 'forwarded')),
    case_id         TEXT NOT NULL REFERENCES cases(id),
    case_seq        BIGINT NOT NULL,
    sender_count    INTEGER NOT NULL CHECK (sender_count >= 0),
    document_date   TEXT,
    content         TEXT,
    forwarded_from  TEXT,
    decision        TEXT CHECK (decision IN ('accepted', 'guided', 'transferred', 'stored', 'returned')),
    decided_on      TEXT,
    decision_number TEXT,
    transferred_to  TEXT,
    guidance        TEXT,
    due_on          TEXT NOT NULL,
    note            TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    voided_at       TIMESTAMP,
    void_reason     TEXT
);
CREATE UNIQUE INDEX petitions_org_code_idx ON petitions (org_id, code);
CREATE INDEX petitions_org_received_idx ON petitions (org_id, received_on) WHERE voided_at IS NULL;
-- the deadlines report: the undecided petitions by due date
CREATE INDEX petitions_undecided_due_idx ON petitions (due_on) WHERE voided_at IS NULL AND decided_on IS NULL;
CREATE INDEX petitions_case_idx ON petitions (case_seq);
CREATE TABLE petition_persons (
    petition_id TEXT NOT NULL REFERENCES petitions(id),
    person_id   TEXT NOT NULL REFERENCES persons(id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (petition_id, person_id)
);
CREATE INDEX petition_persons_person_idx ON petition_persons (person_id);

-- The working-day calendar's administrator days (official swaps, extra days off) and the
-- deadline rules an administrator changed; the rules not here are the shipped defaults.
CREATE TABLE calendar_days (
    date       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('off', 'working')),
    reason     TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE deadline_rules (
    name           TEXT PRIMARY KEY,
    days           INTEGER NOT NULL,
    unit           TEXT NOT NULL CHECK (unit IN ('working_days', 'calendar_days')),
    from_event     TEXT NOT NULL,
    complex_days   INTEGER NOT NULL DEFAULT 0,
    extension_days INTEGER NOT NULL DEFAULT 0,
    max_extensions INTEGER NOT NULL DEFAULT 0,
    updated_at     TIMESTAMP NOT NULL
);
-- Bumped with every change of the two tables above, in the same transaction: each replica of
-- the service compares it with the calendar it holds and reloads when it moved.
CREATE TABLE calendar_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO calendar_version (id, version) VALUES (1, 0);

-- A case under resolution: the day it was accepted (thụ lý), whether it is complex, how many
-- times a denunciation's period was extended, and the resolution's due date derived from them.
ALTER TABLE cases ADD COLUMN accepted_on TEXT;
ALTER TABLE cases ADD COLUMN complex BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN resolution_due_on TEXT;
CREATE INDEX cases_resolution_due_idx ON cases (resolution_due_on) WHERE resolution_due_on IS NOT NULL AND voided_at IS NULL;

-- An organisation's tier of government, which sets how often its head must receive citizens.
ALTER TABLE orgs ADD COLUMN level TEXT NOT NULL DEFAULT 'other' CHECK (level IN ('province', 'district', 'commune', 'other'));

-- +goose Down
ALTER TABLE orgs DROP COLUMN level;
DROP INDEX cases_resolution_due_idx;
ALTER TABLE cases DROP COLUMN resolution_due_on;
ALTER TABLE cases DROP COLUMN extensions;
ALTER TABLE cases DROP COLUMN complex;
ALTER TABLE cases DROP COLUMN accepted_on;
DROP TABLE calendar_version;
DROP TABLE deadline_rules;
DROP TABLE calendar_days;
DROP TABLE petition_persons;
DROP TABLE petitions;
DROP TABLE petition_counters;
