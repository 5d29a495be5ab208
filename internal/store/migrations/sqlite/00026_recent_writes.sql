-- +goose Up
-- When each client last wrote, for read-your-writes with PostgreSQL replicas (the PostgreSQL
-- migration says more). The embedded database has no replicas and never fills it; the table
-- keeps the two schemas alike.
CREATE TABLE recent_writes (
    caller_id  TEXT PRIMARY KEY,
    written_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE recent_writes;
