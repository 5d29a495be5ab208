-- +goose Up
-- Staff accounts (internal/accounts): people who sign in with a password, beside the bearer
-- tokens. A user has a role and may be scoped to an organisation's subtree exactly as a token.
CREATE TABLE users (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    username             TEXT NOT NULL UNIQUE, -- lower case
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'auditor', 'agency')),
    org_id               TEXT REFERENCES orgs(id),
    -- PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash, so parameters can be raised later
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    active               BOOLEAN NOT NULL,
    version              INTEGER NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    last_login_at        TIMESTAMP
);
CREATE INDEX users_org_idx ON users (org_id);

-- A signed-in browser: only the SHA-256 of the cookie's secret is kept. A session ends when
-- ended_at is set (logout, ended by its user, the user disabled or its password reset), or by
-- itself after its idle or absolute time.
CREATE TABLE login_sessions (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL, -- the absolute end
    ended_at     TIMESTAMP,
    client_addr  TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX login_sessions_user_idx ON login_sessions (user_id, seq) WHERE ended_at IS NULL;

-- Failed sign-ins of the last window, per username and per client address: the brute-force
-- windows every replica of the service reads. Rows older than the window are removed; the
-- audit log keeps every failure.
CREATE TABLE login_failures (
    seq         INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    username    TEXT NOT NULL,
    client_addr TEXT NOT NULL
);
CREATE INDEX login_failures_username_idx ON login_failures (username, at);
CREATE INDEX login_failures_addr_idx ON login_failures (client_addr, at);
CREATE INDEX login_failures_at_idx ON login_failures (at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE login_sessions;
DROP TABLE users;
