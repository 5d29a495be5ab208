-- +goose Up
-- Documents issued to citizens (receipts, slips, notices): numbered per organisation, year and
-- series (the symbol of the document type; both notices share TB), immutable once issued. A
-- correction is a new document naming the one it replaces, which is voided in the same
-- transaction; a voided document keeps its number, so a series never has a gap.
CREATE TABLE document_series (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    year   INTEGER NOT NULL,
    series TEXT NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (org_id, year, series)
);

CREATE TABLE documents (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    kind        TEXT NOT NULL CHECK (kind IN ('receipt', 'appointment', 'guidance', 'transfer', 'refusal', 'acceptance')),
    year        INTEGER NOT NULL,
    series      TEXT NOT NULL,
    number      INTEGER NOT NULL,
    reference   TEXT NOT NULL,
    issued_on   TEXT NOT NULL,
    visit_id    TEXT REFERENCES visits(id),
    case_id     TEXT REFERENCES cases(id),
    person_id   TEXT NOT NULL REFERENCES persons(id),
    replaces    TEXT REFERENCES documents(id),
    -- what the document says beyond the records it names, as the request gave it (JSON)
    details     TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    voided_at   TIMESTAMP,
    void_reason TEXT
);
CREATE UNIQUE INDEX documents_number_uniq ON documents (org_id, year, series, number);
CREATE INDEX documents_org_idx ON documents (org_id, seq);
CREATE INDEX documents_case_idx ON documents (case_id);
CREATE INDEX documents_visit_idx ON documents (visit_id);
CREATE INDEX documents_person_idx ON documents (person_id);

-- the PDF as issued, apart from the metadata so that lists never read it
CREATE TABLE document_files (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    pdf         BLOB NOT NULL
);

-- +goose Down
DROP TABLE document_files;
DROP TABLE documents;
DROP TABLE document_series;
