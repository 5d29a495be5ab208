-- +goose Up
-- The informative words of each case title (folded, common words left out), so that a new case
-- finds earlier cases sharing words through one index range per word instead of a scan of titles.
CREATE TABLE case_tokens (
    case_seq BIGINT NOT NULL REFERENCES cases(seq),
    org_id   TEXT NOT NULL,
    token    TEXT NOT NULL,
    PRIMARY KEY (case_seq, token)
);
CREATE INDEX case_tokens_org_token_idx ON case_tokens (org_id, token, case_seq);

-- q on /cases matches a code exactly whatever the organisation; visits filtered by date alone
-- (an unscoped token) range over the date.
CREATE INDEX cases_code_idx ON cases (code);
CREATE INDEX visits_date_idx ON visits (date, seq);

-- +goose Down
DROP INDEX visits_date_idx;
DROP INDEX cases_code_idx;
DROP TABLE case_tokens;
