package stats

import (
	"context"
	"time"

	"github.com/tcd-registry/tcd/internal/store"
)

// The statistics' own tables churn. Every new visit adds a queue entry that the fold takes a
// second later, every fold rewrites the roll-up rows of the days and months it touched, and a
// rebuild empties the queues and rewrites every roll-up at once. On PostgreSQL each row deleted
// or rewritten stays behind as a dead version until VACUUM, and the planner goes on with the
// row counts of the last ANALYZE: after a bulk load, the queue the rebuild emptied still read
// as a million entries over thousands of pages of dead ones. Autovacuum catches up within a
// minute or two where it runs (migration 00021 makes it prompt on the queues), but it can be
// off, and a restored or copied database brings its source's dead rows and statistics along.
// So the service tidies its own tables: it vacuums and analyses all of them as soon as a rebuild
// commits, and, from the background fold, vacuums any whose dead rows pass a threshold (VACUUM
// alone also brings the planner's row count up to date; ANALYZE, which samples the rows, is
// where the time goes on a roll-up table, and a fold does not change what its rows look like).
//
// SQLite reuses a deleted row's space at once. What a bulk load leaves stale there is
// sqlite_stat1, when ANALYZE was ever run; after a rebuild, PRAGMA optimize analyses again the
// tables whose size changed by a large factor since.

// tidyEvery is how often the background fold looks for statistics tables to vacuum.
var tidyEvery = 10 * time.Second

// tidyDeadRows is the dead rows from which a statistics table is vacuumed, plus a tenth of its
// live rows: a queue (almost empty when live) every thousand entries taken, which at 50 new
// visits a second is every 20 s and a few milliseconds' work; a roll-up table when a tenth of it
// was rewritten.
const tidyDeadRows = 1000

// statsTables lists the tables this package keeps (stats_…), read from the catalogue so that a
// table a later migration adds is never left out.
const statsTables = `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'stats\_%' ESCAPE '\'`

// untidyTables lists those whose dead rows passed the threshold.
const untidyTables = `SELECT quote_ident(relname) FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname LIKE 'stats\_%' ESCAPE '\'
	AND n_dead_tup >= ? + n_live_tup / 10`

// tidyAfterRebuild tidies every statistics table once a rebuild has committed. The roll-ups are
// good whatever happens here: a failure is left for the background fold to try again. Called
// with refreshMu held.
func (s *Service) tidyAfterRebuild(ctx context.Context) {
	s.tidyAll = s.tidy(context.WithoutCancel(ctx), true) != nil
}

// tidyIfDue is the background fold's tidying: at most every tidyEvery, the statistics tables
// with many dead rows (every one, after a rebuild whose own tidying failed).
func (s *Service) tidyIfDue(ctx context.Context) error {
	s.refreshMu.Lock() // a VACUUM of stats_days and a refresh's lock on it would wait on each other
	defer s.refreshMu.Unlock()
	if !s.tidyAll && time.Since(s.tidied) < tidyEvery {
		return nil
	}
	s.tidied = time.Now()
	if err := s.tidy(ctx, s.tidyAll); err != nil {
		return err
	}
	s.tidyAll = false
	return nil
}

// tidy vacuums and analyses every statistics table (all), or vacuums those past the threshold
// (PostgreSQL); on SQLite, where only a rebuild changes a table's size by a large factor, it runs
// PRAGMA optimize when all are asked.
func (s *Service) tidy(ctx context.Context, all bool) error {
	db := s.store.DB.WithContext(ctx)
	if s.store.Dialect != store.Postgres {
		if !all {
			return nil
		}
		// 0x10000: check every table, not only those this connection used; 0x10: bound each
		// ANALYZE to a sample; 0x2: analyse where the statistics no longer hold
		return db.Exec("PRAGMA optimize = 0x10012").Error
	}
	var tables []string
	query, args, options := untidyTables, []any{tidyDeadRows}, "SKIP_LOCKED"
	if all {
		query, args, options = statsTables, nil, "ANALYZE, SKIP_LOCKED"
	}
	if err := db.Raw(query, args...).Scan(&tables).Error; err != nil {
		return err
	}
	// One statement a table, outside any transaction as VACUUM must be, each within the
	// statement timeout; SKIP_LOCKED passes over a table another replica is vacuuming.
	for _, t := range tables {
		if err := db.Exec("VACUUM (" + options + ") " + t).Error; err != nil {
			return err
		}
	}
	return nil
}
