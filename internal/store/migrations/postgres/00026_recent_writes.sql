-- +goose Up
-- When each client (token or signed-in user) last wrote, so that its reads for a few seconds
-- after go to the primary rather than a replica that may not have replayed the write yet
-- (read-your-writes, with any number of tcd replicas: whichever one serves the read asks the
-- primary). Only the primary reads it, so it is UNLOGGED: no WAL, nothing replicated, and a
-- crash empties it, which costs at most a few seconds of reads from the primary's replicas that
-- could have been stale.
CREATE UNLOGGED TABLE recent_writes (
    caller_id  TEXT PRIMARY KEY,
    written_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE recent_writes;
