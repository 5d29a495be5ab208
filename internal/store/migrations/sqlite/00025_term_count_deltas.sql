-- +goose Up
-- Every person or case written used to add to the shared term counts in place, mid-transaction:
-- the row of the total and of common words (a frequent family name, this year) were locked by one
-- writer until its commit, and concurrent visit creates queued on them (at a national register,
-- most of 50 creates a second timed out). Writers now append what they change here, which locks
-- nothing another writer needs; readers add the pending changes to the counts, and tcd serve folds
-- them into the counts every second (internal/registry term_counts.go).
CREATE TABLE person_term_deltas (
    seq     INTEGER PRIMARY KEY,
    term    TEXT NOT NULL,
    persons BIGINT NOT NULL
);
CREATE INDEX person_term_deltas_term_idx ON person_term_deltas (term);
CREATE TABLE case_term_deltas (
    seq   INTEGER PRIMARY KEY,
    term  TEXT NOT NULL,
    cases BIGINT NOT NULL
);
CREATE INDEX case_term_deltas_term_idx ON case_term_deltas (term);

-- +goose Down
-- the pending changes are folded into the counts before the tables go
INSERT INTO person_term_counts (term, persons)
    SELECT term, SUM(persons) FROM person_term_deltas WHERE true GROUP BY term
    ON CONFLICT (term) DO UPDATE SET persons = person_term_counts.persons + excluded.persons;
INSERT INTO case_term_counts (term, cases)
    SELECT term, SUM(cases) FROM case_term_deltas WHERE true GROUP BY term
    ON CONFLICT (term) DO UPDATE SET cases = case_term_counts.cases + excluded.cases;
DROP TABLE case_term_deltas;
DROP TABLE person_term_deltas;
