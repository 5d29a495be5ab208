package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/testenv"
)

// After a bulk write the tables it grew are analysed and those it left dead rows in are
// vacuumed, once each, and a table that changed little is left alone. (PostgreSQL's alone:
// SQLite has no dead rows, and its statistics are what ANALYZE was asked for.)
func TestTidyAfterBulkWriteAnalysesGrownTablesAndVacuumsDeadRows(t *testing.T) {
	if !slices.Contains(testenv.Backends(t), "postgres") {
		t.Skip("planner statistics and dead rows are PostgreSQL's: set TCD_TEST_DATABASE_URL")
	}
	ctx := t.Context()
	s := openFresh(t, "postgres")
	for _, stmt := range []string{
		"CREATE TABLE grown (n int)", "CREATE TABLE churned (n int)", "CREATE TABLE quiet (n int)",
		"INSERT INTO grown SELECT generate_series(1, 5000)",
		"INSERT INTO churned SELECT generate_series(1, 5000)", "DELETE FROM churned WHERE n > 500",
		"INSERT INTO quiet SELECT generate_series(1, 10)",
	} {
		if err := s.DB.WithContext(ctx).Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	type counts struct {
		Relname                                    string
		Analyses, Vacuums, NModSinceAnalyze, NDead int64
	}
	read := func() map[string]counts {
		t.Helper()
		var rows []counts
		if err := s.DB.WithContext(ctx).Raw(`SELECT relname, analyze_count AS analyses, vacuum_count AS vacuums,
			n_mod_since_analyze, n_dead_tup AS n_dead FROM pg_stat_user_tables WHERE relname IN ('grown', 'churned', 'quiet')`).
			Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		out := map[string]counts{}
		for _, r := range rows {
			out[r.Relname] = r
		}
		return out
	}
	// the writes reach the server's statistics within a second or two of their commits
	deadline := time.Now().Add(20 * time.Second)
	for c := read(); c["grown"].NModSinceAnalyze < 5000 || c["churned"].NDead < 4500; c = read() {
		if time.Now().After(deadline) {
			t.Fatalf("the writes never reached pg_stat_user_tables: %+v", c)
		}
		time.Sleep(100 * time.Millisecond)
	}
	tidy := func() {
		t.Helper()
		if err := s.TidyAfterBulkWrite(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tidy()
	c := read()
	if c["grown"].Analyses != 1 || c["churned"].Vacuums != 1 || c["quiet"].Analyses+c["quiet"].Vacuums != 0 {
		t.Fatalf("after the first tidying: %+v, want grown analysed and churned vacuumed once, quiet untouched", c)
	}
	// a tenth more rows is not the doubling that makes the statistics wrong
	if err := s.DB.WithContext(ctx).Exec("INSERT INTO grown SELECT generate_series(1, 1500)").Error; err != nil {
		t.Fatal(err)
	}
	for c := read(); c["grown"].NModSinceAnalyze < 1500; c = read() {
		if time.Now().After(deadline) {
			t.Fatalf("the insert never reached pg_stat_user_tables: %+v", c)
		}
		time.Sleep(100 * time.Millisecond)
	}
	tidy()
	if c := read(); c["grown"].Analyses != 1 || c["churned"].Vacuums != 1 {
		t.Fatalf("after a small change: %+v, want nothing tidied again", c)
	}
}
