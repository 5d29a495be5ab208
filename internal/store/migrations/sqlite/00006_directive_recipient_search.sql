-- +goose Up
-- PostgreSQL gets a trigram index for GET /directives?recipient= in this version. SQLite has no
-- index that serves a substring match, and 10,000 letters (decades of one province's) scan in
-- about a millisecond, so this version only keeps the two dialects' numbering in step.

-- +goose Down
