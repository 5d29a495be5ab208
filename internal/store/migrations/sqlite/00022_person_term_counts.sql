-- +goose Up
-- How many live, unmerged persons hold each term duplicate search weighs persons by
-- (internal/dedup CountedTerms: name words, address terms, birth years; term '' counts the
-- persons themselves). Written with the person writes that change them, in the same
-- transaction, so that a lookup reads them instead of counting the register, and the same data
-- always gives the same scores. Derived: the service fills the table on start when it was made
-- another way (dedup_state 'person_counts') or when it holds no count of the persons.
CREATE TABLE person_term_counts (
    term    TEXT PRIMARY KEY,
    persons INTEGER NOT NULL
);

-- +goose Down
DROP TABLE person_term_counts;
