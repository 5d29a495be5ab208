-- +goose Up
-- Most writes are new visits, and under a steady stream of them every statistics read used to
-- recompute each day a visit landed on from all of that day's visits. A new visit is now queued
-- by itself: the refresh adds it to its day's roll-up (one more visit, its headcount, its case)
-- instead, and only updates, voids, merges and session changes still recompute whole days.
CREATE TABLE stats_new_visits (
    seq       INTEGER PRIMARY KEY,
    visit_seq INTEGER NOT NULL
);

DROP TRIGGER visits_stats_insert;
-- +goose StatementBegin
CREATE TRIGGER visits_stats_insert AFTER INSERT ON visits BEGIN
    INSERT INTO stats_new_visits (visit_seq) VALUES (NEW.seq);
END;
-- +goose StatementEnd

-- A new case is inserted with root 0 and given itself as root (its seq) at the end of its
-- transaction: nothing was ever counted under root 0, so that is no change for the roll-ups;
-- the visits recorded with it are queued as new visits and read with their final root.
DROP TRIGGER cases_stats;
-- +goose StatementBegin
CREATE TRIGGER cases_stats AFTER UPDATE OF root_seq ON cases WHEN OLD.root_seq IS NOT NEW.root_seq AND OLD.root_seq <> 0 BEGIN
    INSERT INTO stats_dirty_roots (root_seq) VALUES (OLD.root_seq), (NEW.root_seq);
    INSERT INTO stats_dirty_days (org_id, date) SELECT DISTINCT org_id, date FROM visits WHERE case_seq = NEW.seq;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER cases_stats;
-- +goose StatementBegin
CREATE TRIGGER cases_stats AFTER UPDATE OF root_seq ON cases WHEN OLD.root_seq IS NOT NEW.root_seq BEGIN
    INSERT INTO stats_dirty_roots (root_seq) VALUES (OLD.root_seq), (NEW.root_seq);
    INSERT INTO stats_dirty_days (org_id, date) SELECT DISTINCT org_id, date FROM visits WHERE case_seq = NEW.seq;
END;
-- +goose StatementEnd

DROP TRIGGER visits_stats_insert;
-- +goose StatementBegin
CREATE TRIGGER visits_stats_insert AFTER INSERT ON visits BEGIN
    INSERT INTO stats_dirty_days (org_id, date) VALUES (NEW.org_id, NEW.date);
    INSERT INTO stats_dirty_roots (root_seq) SELECT root_seq FROM cases WHERE seq = NEW.case_seq;
END;
-- +goose StatementEnd

-- queued new visits become the days they touched, as before
INSERT INTO stats_dirty_days (org_id, date) SELECT v.org_id, v.date FROM stats_new_visits n JOIN visits v ON v.seq = n.visit_seq;
INSERT INTO stats_dirty_roots (root_seq) SELECT c.root_seq FROM stats_new_visits n JOIN visits v ON v.seq = n.visit_seq JOIN cases c ON c.seq = v.case_seq;
DROP TABLE stats_new_visits;
