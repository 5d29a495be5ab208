-- +goose Up
-- Directive letters name the session they follow: GET /directives?session_id= and the check
-- that refuses to void a session while live letters name it both look them up by it.
CREATE INDEX directives_session_idx ON directives (session_id);

-- +goose Down
DROP INDEX directives_session_idx;
