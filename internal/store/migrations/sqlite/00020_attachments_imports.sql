-- +goose Up
-- Files attached to a case (scans of petitions, evidence). The bytes are in the attachment store
-- (TCD_BLOB_URL) under blob_key, written once and never overwritten; the record says what they
-- are. An attachment is voided, never deleted, and its bytes stay.
CREATE TABLE attachments (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    case_id      TEXT NOT NULL REFERENCES cases(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    voided_at    TIMESTAMP,
    void_reason  TEXT
);
CREATE INDEX attachments_case_idx ON attachments (case_id, seq);
CREATE INDEX attachments_org_idx ON attachments (org_id, seq);

-- The rows of register files already imported, by their fingerprint (a hash of the row's
-- content, internal/imports): importing a file again skips them, so a re-run creates nothing.
CREATE TABLE import_rows (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    fingerprint TEXT NOT NULL,
    visit_id    TEXT NOT NULL REFERENCES visits(id),
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, fingerprint)
);

-- +goose Down
DROP TABLE import_rows;
DROP TABLE attachments;
