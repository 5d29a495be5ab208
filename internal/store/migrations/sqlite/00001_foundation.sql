-- +goose Up
-- Every table keeps a compact integer surrogate key (seq) for joins, keyset
-- pagination and bitmaps, beside the opaque public id the API exposes.
CREATE TABLE orgs (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    parent_id  TEXT REFERENCES orgs(id),
    -- materialised path "/root-id/child-id/": a subtree is one prefix match
    path       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX orgs_path_idx ON orgs (path);
CREATE INDEX orgs_parent_idx ON orgs (parent_id);

CREATE TABLE tokens (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'auditor', 'agency')),
    org_id       TEXT REFERENCES orgs(id),
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    revoked_at   TIMESTAMP,
    last_used_at TIMESTAMP
);

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    actor      TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    changes    TEXT,
    request_id TEXT
);
CREATE INDEX audit_entity_idx ON audit_log (entity, entity_id, seq);
CREATE INDEX audit_actor_idx ON audit_log (actor, seq);
CREATE INDEX audit_at_idx ON audit_log (at);

CREATE TABLE idempotency_keys (
    token_id    TEXT NOT NULL,
    key         TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    status      INTEGER NOT NULL,
    location    TEXT,
    body        BLOB,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_log;
DROP TABLE tokens;
DROP TABLE orgs;
