package store

import (
	"context"
	"fmt"
)

// A bulk write (the import of a register) outruns what keeps PostgreSQL's plans and tables
// sound. The planner plans with the row counts and value distributions of a table's last
// ANALYZE, or with fixed guesses for a table never analysed: into an empty register, the check
// of a batch's fingerprints against import_rows was planned as if an organisation held a
// two-hundredth of the rows, walked all of them instead (80 ms a batch at 50,000 rows, and
// rising), and the import's rate fell from 821 rows a second at 10,000 rows to 311 at 100,000
// (make bench-import). The term counts' pending changes are inserted and folded away a batch at
// a time, and their dead versions stay until VACUUM. Autovacuum looks every minute where it
// runs (a long time at a thousand rows a second), and it can be off. So a bulk writer tidies
// after itself, as autovacuum would, only sooner.

// TidyAfterBulkWrite analyses the tables of the current schema that changed much since their
// last ANALYZE and vacuums those with many dead rows (PostgreSQL; SQLite has neither dead rows
// nor statistics it was not asked for). Outside any transaction, as VACUUM
// must be; SKIP_LOCKED passes over a table autovacuum or another writer is tidying. PostgreSQL
// counts a backend's changes at its commits at most once a second, so a table is seen a
// second or so late.
func (s *Store) TidyAfterBulkWrite(ctx context.Context) error {
	if s.Dialect != Postgres {
		return nil
	}
	db := s.DB.WithContext(ctx)
	var tables []struct {
		Name            string
		Analyse, Vacuum bool
	}
	// A table is analysed once the rows changed since its last ANALYZE reach a thousand and
	// half of those it holds (it doubled: a hundred thousand rows imported into an empty register
	// analyse a table about seven times), and vacuumed once its dead rows reach a thousand and a
	// fifth of its live ones (the pending changes after every fold, a table rewritten in place
	// every few batches).
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
