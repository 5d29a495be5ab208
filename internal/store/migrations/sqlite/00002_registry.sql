-- +goose Up
-- Registry records are official: they are voided (voided_at, void_reason), never deleted.
-- version is bumped on every change and is the ETag clients send back in If-Match.

CREATE TABLE persons (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    full_name   TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    gender      TEXT NOT NULL DEFAULT 'unknown',
    birth_year  INTEGER,
    id_number   TEXT,
    id_kind     TEXT,
    phone       TEXT,
    address     TEXT,
    merged_into TEXT REFERENCES persons(id),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    voided_at   TIMESTAMP,
    void_reason TEXT
);
CREATE INDEX persons_org_idx ON persons (org_id, seq);
CREATE INDEX persons_id_number_idx ON persons (id_number);
CREATE INDEX persons_phone_idx ON persons (phone);
CREATE INDEX persons_name_folded_idx ON persons (name_folded);

CREATE TABLE sessions (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    kind        TEXT NOT NULL CHECK (kind IN ('regular', 'periodic', 'urgent')),
    date        TEXT NOT NULL,
    host_name   TEXT,
    host_title  TEXT,
    host_role   TEXT CHECK (host_role IN ('head', 'authorized')),
    location    TEXT,
    note        TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    voided_at   TIMESTAMP,
    void_reason TEXT
);
CREATE INDEX sessions_org_date_idx ON sessions (org_id, date, kind);
CREATE INDEX sessions_date_idx ON sessions (date);

CREATE TABLE case_counters (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE cases (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    code         TEXT NOT NULL,
    title        TEXT NOT NULL,
    title_folded TEXT NOT NULL,
    summary      TEXT,
    category     TEXT NOT NULL CHECK (category IN ('complaint', 'denunciation', 'petition', 'feedback')),
    field        TEXT NOT NULL CHECK (field IN ('land', 'housing', 'policy', 'civil_service', 'judicial', 'party', 'corruption', 'other')),
    respondent   TEXT,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'closed')),
    merged_into  TEXT REFERENCES cases(id),
    -- root_seq: the surviving case after following merged_into to its end (itself when not
    -- merged). Statistics count distinct root_seq, so merges never need a chain walk at read time.
    root_seq     INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    voided_at    TIMESTAMP,
    void_reason  TEXT
);
CREATE INDEX cases_org_idx ON cases (org_id, seq);
CREATE UNIQUE INDEX cases_code_uniq ON cases (org_id, code);
CREATE INDEX cases_root_idx ON cases (root_seq);
CREATE INDEX cases_merged_into_idx ON cases (merged_into);

CREATE TABLE delegations (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    name         TEXT NOT NULL,
    member_count INTEGER NOT NULL CHECK (member_count >= 2),
    case_id      TEXT REFERENCES cases(id),
    note         TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    voided_at    TIMESTAMP,
    void_reason  TEXT
);
CREATE INDEX delegations_org_idx ON delegations (org_id, seq);
CREATE INDEX delegations_case_idx ON delegations (case_id);

CREATE TABLE delegation_representatives (
    delegation_id TEXT NOT NULL REFERENCES delegations(id),
    person_id     TEXT NOT NULL REFERENCES persons(id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (delegation_id, person_id)
);
CREATE INDEX delegation_representatives_person_idx ON delegation_representatives (person_id);

CREATE TABLE visits (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    session_id    TEXT NOT NULL REFERENCES sessions(id),
    -- kind and date are copied from the session so that statistics read one table
    kind          TEXT NOT NULL,
    date          TEXT NOT NULL,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    case_seq      INTEGER NOT NULL,
    headcount     INTEGER NOT NULL CHECK (headcount >= 1),
    delegation_id TEXT REFERENCES delegations(id),
    content       TEXT,
    outcome       TEXT CHECK (outcome IN ('accepted', 'guided', 'transferred', 'urged', 'answered', 'refused')),
    note          TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    voided_at     TIMESTAMP,
    void_reason   TEXT
);
-- covering index for period statistics: one range scan per organisation
CREATE INDEX visits_org_date_idx ON visits (org_id, date, kind, headcount, case_seq) WHERE voided_at IS NULL;
CREATE INDEX visits_session_idx ON visits (session_id, seq);
CREATE INDEX visits_case_idx ON visits (case_id, seq);
CREATE INDEX visits_case_seq_date_idx ON visits (case_seq, date);
CREATE INDEX visits_org_seq_idx ON visits (org_id, seq);
CREATE INDEX visits_delegation_idx ON visits (delegation_id);

CREATE TABLE visit_persons (
    visit_id  TEXT NOT NULL REFERENCES visits(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (visit_id, person_id)
);
CREATE INDEX visit_persons_person_idx ON visit_persons (person_id);

CREATE TABLE notices (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    number      TEXT NOT NULL,
    issued_on   TEXT NOT NULL,
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    signer      TEXT,
    summary     TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    voided_at   TIMESTAMP,
    void_reason TEXT
);
CREATE UNIQUE INDEX notices_number_uniq ON notices (org_id, number) WHERE voided_at IS NULL;
CREATE INDEX notices_org_issued_idx ON notices (org_id, issued_on);
CREATE INDEX notices_session_idx ON notices (session_id);

CREATE TABLE notice_cases (
    notice_id TEXT NOT NULL REFERENCES notices(id),
    case_id   TEXT NOT NULL REFERENCES cases(id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (notice_id, case_id)
);
CREATE INDEX notice_cases_case_idx ON notice_cases (case_id);

CREATE TABLE directives (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    number        TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    recipient_folded TEXT NOT NULL,
    case_id       TEXT REFERENCES cases(id),
    session_id    TEXT REFERENCES sessions(id),
    request       TEXT,
    due_on        TEXT,
    replied_on    TEXT,
    reply_summary TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    voided_at     TIMESTAMP,
    void_reason   TEXT
);
CREATE UNIQUE INDEX directives_number_uniq ON directives (org_id, number) WHERE voided_at IS NULL;
CREATE INDEX directives_org_issued_idx ON directives (org_id, issued_on);
CREATE INDEX directives_due_idx ON directives (org_id, replied_on, due_on);
CREATE INDEX directives_case_idx ON directives (case_id);

-- +goose Down
DROP TABLE directives;
DROP TABLE notice_cases;
DROP TABLE notices;
DROP TABLE visit_persons;
DROP TABLE visits;
DROP TABLE delegation_representatives;
DROP TABLE delegations;
DROP TABLE cases;
DROP TABLE case_counters;
DROP TABLE sessions;
DROP TABLE persons;
