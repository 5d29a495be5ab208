-- +goose Up
-- Duplicate search (internal/dedup). The blocking keys are computed by the database from
-- name_folded, so every writer keeps them right: block_given is the given name (the last word),
-- block_rest the family and middle names with the given name's initial ("nguyen van h"), which
-- survives a typo in the given name. The expressions avoid regular expressions so that both
-- databases compute the same keys (dedup.GivenKey and dedup.RestKey say the same in Go).
ALTER TABLE persons ADD COLUMN block_given TEXT GENERATED ALWAYS AS
    (replace(name_folded, rtrim(name_folded, replace(name_folded, ' ', '')), '')) VIRTUAL;
ALTER TABLE persons ADD COLUMN block_rest TEXT GENERATED ALWAYS AS
    (rtrim(rtrim(name_folded, replace(name_folded, ' ', '')), ' ') || ' ' ||
     substr(replace(name_folded, rtrim(name_folded, replace(name_folded, ' ', '')), ''), 1, 1)) VIRTUAL;
CREATE INDEX persons_block_given_idx ON persons (block_given, birth_year);
CREATE INDEX persons_block_rest_idx ON persons (block_rest, birth_year);
CREATE INDEX persons_name_year_idx ON persons (name_folded, birth_year);
CREATE INDEX persons_address_year_idx ON persons (address, birth_year);
-- partial: "merged_into IS NULL" (almost every row) must never look selective to a planner;
-- SQLite, which keeps no statistics, otherwise reads every unmerged case through the full one
-- and sorts them to list a page
CREATE INDEX persons_merged_into_idx ON persons (merged_into) WHERE merged_into IS NOT NULL;
DROP INDEX cases_merged_into_idx;
CREATE INDEX cases_merged_into_idx ON cases (merged_into) WHERE merged_into IS NOT NULL;

-- Every merge, and its undoing: who merged which record into which (as asked, and the survivor
-- it went to), so that an unmerge undoes exactly the merge still in force.
CREATE TABLE merge_history (
    seq            INTEGER PRIMARY KEY,
    entity         TEXT NOT NULL CHECK (entity IN ('person', 'case')),
    record_id      TEXT NOT NULL,
    requested_into TEXT NOT NULL,
    merged_into    TEXT NOT NULL,
    merged_at      TIMESTAMP NOT NULL,
    merged_by      TEXT NOT NULL,
    unmerged_at    TIMESTAMP,
    unmerged_by    TEXT
);
CREATE INDEX merge_history_record_idx ON merge_history (entity, record_id, seq);

-- Pairs staff declared distinct: never suggested again. The pair is stored once, the lower id
-- first (in Go's byte order; the service orders them, not the collation).
CREATE TABLE dedup_decisions (
    seq        INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('person', 'case')),
    low_id     TEXT NOT NULL,
    high_id    TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    decided_by TEXT NOT NULL
);
CREATE UNIQUE INDEX dedup_decisions_pair_uniq ON dedup_decisions (entity, low_id, high_id);
CREATE INDEX dedup_decisions_high_idx ON dedup_decisions (entity, high_id);

-- The latest whole-register scan per kind of record, best pair first (highest rank), for
-- review page by page.
CREATE TABLE dedup_scans (
    entity     TEXT PRIMARY KEY CHECK (entity IN ('person', 'case')),
    scanned_at TIMESTAMP NOT NULL,
    records    INTEGER NOT NULL,
    pairs      INTEGER NOT NULL
);
CREATE TABLE dedup_candidates (
    entity  TEXT NOT NULL CHECK (entity IN ('person', 'case')),
    rank    INTEGER NOT NULL,
    low_id  TEXT NOT NULL,
    high_id TEXT NOT NULL,
    score   REAL NOT NULL,
    reasons TEXT NOT NULL,
    PRIMARY KEY (entity, rank)
);

-- +goose Down
DROP TABLE dedup_candidates;
DROP TABLE dedup_scans;
DROP TABLE dedup_decisions;
DROP TABLE merge_history;
DROP INDEX cases_merged_into_idx;
CREATE INDEX cases_merged_into_idx ON cases (merged_into);
DROP INDEX persons_merged_into_idx;
DROP INDEX persons_address_year_idx;
DROP INDEX persons_name_year_idx;
DROP INDEX persons_block_rest_idx;
DROP INDEX persons_block_given_idx;
ALTER TABLE persons DROP COLUMN block_rest;
ALTER TABLE persons DROP COLUMN block_given;
