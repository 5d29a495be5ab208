-- +goose Up
-- Roll-ups for the statistics; see the PostgreSQL migration of the same number for the design.
-- Per organisation and day: the sessions held, the visits, persons and the set of surviving cases
-- (a roaring bitmap of cases.root_seq) of each session kind and host role; per surviving case and organisation: the
-- day it was first received. Triggers mark what a write touches in the same transaction, and
-- the statistics service brings the roll-ups up to date from the marks before reading them.
CREATE TABLE stats_days (
    org_id   TEXT NOT NULL,
    date     TEXT NOT NULL,
    bucket   TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    visits   INTEGER NOT NULL,
    persons  INTEGER NOT NULL,
    roots    BLOB NOT NULL,
    -- the visits of two or more people as (headcount, root_seq) pairs of little-endian uint32,
    -- so that delegations at any threshold come from the roll-ups too
    group_visits BLOB NOT NULL,
    PRIMARY KEY (org_id, date, bucket)
) WITHOUT ROWID;

-- the same per calendar and per statutory month ("calendar:2023-01", "statutory:2023-01"): every
-- standard period is made of whole months
CREATE TABLE stats_months (
    org_id   TEXT NOT NULL,
    month    TEXT NOT NULL,
    bucket   TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    visits   INTEGER NOT NULL,
    persons  INTEGER NOT NULL,
    roots    BLOB NOT NULL,
    group_visits BLOB NOT NULL,
    PRIMARY KEY (org_id, month, bucket)
) WITHOUT ROWID;

CREATE TABLE stats_firsts (
    root_seq   INTEGER NOT NULL,
    org_id     TEXT NOT NULL,
    first_date TEXT NOT NULL,
    shared     BOOLEAN NOT NULL,
    PRIMARY KEY (root_seq, org_id)
) WITHOUT ROWID;
CREATE INDEX stats_firsts_day_idx ON stats_firsts (org_id, first_date);
CREATE INDEX stats_firsts_shared_idx ON stats_firsts (org_id, first_date, root_seq) WHERE shared;

CREATE TABLE stats_dirty_days (
    seq    INTEGER PRIMARY KEY,
    org_id TEXT NOT NULL,
    date   TEXT NOT NULL
);
CREATE TABLE stats_dirty_roots (
    seq      INTEGER PRIMARY KEY,
    root_seq INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER visits_stats_insert AFTER INSERT ON visits BEGIN
    INSERT INTO stats_dirty_days (org_id, date) VALUES (NEW.org_id, NEW.date);
    INSERT INTO stats_dirty_roots (root_seq) SELECT root_seq FROM cases WHERE seq = NEW.case_seq;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER visits_stats_update AFTER UPDATE OF org_id, date, kind, session_id, case_seq, headcount, voided_at ON visits BEGIN
    INSERT INTO stats_dirty_days (org_id, date) VALUES (OLD.org_id, OLD.date), (NEW.org_id, NEW.date);
    INSERT INTO stats_dirty_roots (root_seq) SELECT root_seq FROM cases WHERE seq IN (OLD.case_seq, NEW.case_seq);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER visits_stats_delete AFTER DELETE ON visits BEGIN
    INSERT INTO stats_dirty_days (org_id, date) VALUES (OLD.org_id, OLD.date);
    INSERT INTO stats_dirty_roots (root_seq) SELECT root_seq FROM cases WHERE seq = OLD.case_seq;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cases_stats AFTER UPDATE OF root_seq ON cases WHEN OLD.root_seq IS NOT NEW.root_seq BEGIN
    INSERT INTO stats_dirty_roots (root_seq) VALUES (OLD.root_seq), (NEW.root_seq);
    INSERT INTO stats_dirty_days (org_id, date) SELECT DISTINCT org_id, date FROM visits WHERE case_seq = NEW.seq;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sessions_stats_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO stats_dirty_days (org_id, date) VALUES (NEW.org_id, NEW.date);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sessions_stats_update AFTER UPDATE OF org_id, date, kind, host_role, voided_at ON sessions BEGIN
    INSERT INTO stats_dirty_days (org_id, date) VALUES (OLD.org_id, OLD.date), (NEW.org_id, NEW.date);
    INSERT INTO stats_dirty_days (org_id, date) SELECT DISTINCT org_id, date FROM visits WHERE session_id = NEW.id;
END;
-- +goose StatementEnd

INSERT INTO stats_dirty_days (org_id, date) SELECT DISTINCT org_id, date FROM visits;
INSERT INTO stats_dirty_days (org_id, date) SELECT DISTINCT org_id, date FROM sessions;
INSERT INTO stats_dirty_roots (root_seq) SELECT DISTINCT root_seq FROM cases;

-- +goose Down
DROP TRIGGER sessions_stats_update;
DROP TRIGGER sessions_stats_insert;
DROP TRIGGER cases_stats;
DROP TRIGGER visits_stats_delete;
DROP TRIGGER visits_stats_update;
DROP TRIGGER visits_stats_insert;
DROP TABLE stats_dirty_roots;
DROP TABLE stats_dirty_days;
DROP TABLE stats_firsts;
DROP TABLE stats_months;
DROP TABLE stats_days;
