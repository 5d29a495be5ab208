-- +goose Up
-- PostgreSQL's migration 00021 tunes autovacuum on the statistics queues. SQLite has no
-- autovacuum of dead rows to tune: a deleted row's space is reused at once, and the service runs
-- PRAGMA optimize after a rebuild. The version is kept so that both databases list the same
-- migrations.

-- +goose Down
