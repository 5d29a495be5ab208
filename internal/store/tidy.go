package store

import (
	"context"
	"fmt"
)

// A bulk write (the import of a register) outruns what keeps the planner's choices sound. Both
// databases plan with the statistics of a table's last ANALYZE, or with fixed guesses for a
// table never analysed, and a register migrated empty has none. Into it, SQLite looked a batch's
// persons up by ID number through the organisation's index of every person (its guesses rate
// one equality on a hundred values dearer than one on one value), and PostgreSQL checked a
// batch's fingerprints as if an organisation held a two-hundredth of import_rows, walking all of
// its rows instead: each batch read more than the one before, and 100,000 rows went at 758 and
// 311 rows a second against 1081 and 821 at 10,000 (make bench-import). On PostgreSQL the term
// counts' pending changes are also inserted and folded away a batch at a time, and their dead
// versions stay until VACUUM. Autovacuum looks every minute where it runs (a long time at a
// thousand rows a second), and it can be off. So a bulk writer tidies after itself, as
// autovacuum would, only sooner.

// TidyAfterBulkWrite brings the planner's statistics up to date where the tables changed much
// since their last ANALYZE, and on PostgreSQL vacuums the tables with many dead rows. Outside any
// transaction, as VACUUM must be.
func (s *Store) TidyAfterBulkWrite(ctx context.Context) error {
	if s.Dialect != Postgres {
		// 0x10000: every table, not only those this connection used; 0x10: each ANALYZE
		// bounded to a sample; 0x2: analyse a table with an index never analysed, or whose
		// size changed tenfold since (SQLite 3.46 and later)
		return s.DB.WithContext(ctx).Exec("PRAGMA optimize = 0x10012").Error
	}
	db := s.DB.WithContext(ctx)
	var tables []struct {
		Name            string
		Analyse, Vacuum bool
	}
	// SKIP_LOCKED passes over a table autovacuum or another writer is tidying. PostgreSQL
	// counts a backend's changes at its commits at most once a second, so a table is seen a
	// second or so late. A table is analysed once the rows changed since its last ANALYZE reach
	// a thousand and half of those it holds (it doubled: a hundred thousand rows imported into an
	// empty register analyse a table about seven times), and vacuumed once its dead rows reach a
	// thousand and a fifth of its live ones (the pending changes after every fold, a table
	// rewritten in place every few batches).
	err := db.Raw(`SELECT quote_ident(relname) AS name,
			n_mod_since_analyze >= 1000 AND 2 * n_mod_since_analyze >= n_live_tup AS analyse,
			n_dead_tup >= 1000 + n_live_tup / 5 AS vacuum
		FROM pg_stat_user_tables WHERE schemaname = current_schema()`).Scan(&tables).Error
	if err != nil {
		return err
	}
	for _, t := range tables {
		var stmt string
		switch {
		case t.Vacuum && t.Analyse:
			stmt = "VACUUM (ANALYZE, SKIP_LOCKED) "
		case t.Vacuum:
			stmt = "VACUUM (SKIP_LOCKED) "
		case t.Analyse:
			stmt = "ANALYZE (SKIP_LOCKED) "
		default:
			continue
		}
		if err := db.Exec(stmt + t.Name).Error; err != nil {
			return fmt.Errorf("%s%s: %w", stmt, t.Name, err)
		}
	}
	return nil
}
