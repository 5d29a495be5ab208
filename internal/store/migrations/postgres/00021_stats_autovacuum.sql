-- +goose Up
-- The statistics queues take a row for every write and lose it at the next fold, a second later,
-- and a rebuild after a bulk load empties them of millions at once. Autovacuum's defaults scale
-- with the row count the planner last saw (a fifth of it), which for a queue is whatever it held
-- at the last ANALYZE; here a queue is vacuumed and analysed after a thousand changes whatever
-- it held, and without the cost-based pauses (a queue is a few pages once vacuumed). The service
-- vacuums these tables itself as well (after a rebuild, and from the background fold), for
-- servers that run without autovacuum.
ALTER TABLE stats_new_visits SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
    autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE stats_dirty_days SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
    autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE stats_dirty_roots SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
    autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0, autovacuum_vacuum_cost_delay = 0);

-- +goose Down
ALTER TABLE stats_new_visits RESET (autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor,
    autovacuum_analyze_threshold, autovacuum_analyze_scale_factor, autovacuum_vacuum_cost_delay);
ALTER TABLE stats_dirty_days RESET (autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor,
    autovacuum_analyze_threshold, autovacuum_analyze_scale_factor, autovacuum_vacuum_cost_delay);
ALTER TABLE stats_dirty_roots RESET (autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor,
    autovacuum_analyze_threshold, autovacuum_analyze_scale_factor, autovacuum_vacuum_cost_delay);
