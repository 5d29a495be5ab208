package stats_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// slowdown is how much slower a read may be with the queue's statistics stale than over tidied
// tables, fastest against fastest (the fastest of a series is what a busy machine or the race
// detector disturbs least). Looking the queued visits up by key costs the same either way, but
// for passing over the dead rows the queue keeps. The plans are checked besides: at this size a
// read that joined the whole queue scanned the visits even over tidied tables, ten times slower.
const slowdown = 3

// After a bulk load, the first statistics read rebuilds the roll-ups and the service tidies the
// tables the rebuild emptied and rewrote. The read path must not depend on that tidying: with
// the queue's statistics and dead rows as a copy of an untidied database brings them, reads
// that add queued new visits look the visits and their cases up by key, never hash nor scan the
// register, and take no longer than over tidied tables.
func TestReadAfterBulkLoad(t *testing.T) {
	// SQLite's twin loads a tenth as many visits (its engine is Go code, which the race detector
	// slows tens of times); the threshold is lowered so that they still take the rebuild.
	defer stats.SetFullRebuildAt(2_000)()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		st := openStore(t, backend, 2)
		org, err := orgs.NewService(st).Create(ctx, auth.System, orgs.NewOrg{Code: "P", Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		// PostgreSQL: 30,000 visits about 20,000 cases, each visit queued
		days, visitsPerDay, casesPerDay := 100, 300, 200
		if backend == "sqlite" {
			visitsPerDay, casesPerDay = 30, 20
		}
		loaded := days * visitsPerDay
		loadYear(t, st, org.ID, days, visitsPerDay, casesPerDay)
		// the planner statistics a maintenance job or autovacuum takes after an import, while
		// the queue still holds every visit
		if err := st.DB.Exec("ANALYZE").Error; err != nil {
			t.Fatal(err)
		}
		svc := stats.NewService(st, stats.Config{DefaultOrgID: org.ID})
		year := mustPeriod(t, "2023", period.Calendar)
		added := 0
		// read times n reads, each after one more visit is recorded, as under a stream of creates
		read := func(n int, rec *recorder) []time.Duration {
			t.Helper()
			times := make([]time.Duration, n)
			for i := range times {
				added++
				addVisit(t, st, org.ID, added)
				rec.during(func() {
					start := time.Now()
					s, err := svc.Summary(ctx, auth.System, stats.Query{Range: year})
					times[i] = time.Since(start)
					if err != nil {
						t.Fatal(err)
					}
					if s.Visits != loaded+added {
						t.Fatalf("%d visits counted, %d recorded", s.Visits, loaded+added)
					}
				})
			}
			return times
		}
		read(1, nil) // the rebuild, and the tidying after it
		assertTidied(t, st)
		tidied := slices.Min(read(15, nil))

		// the queue as a copy of the database taken before any tidying brings it
		spoilQueueStatistics(t, st, loaded)
		rec := recordStatements(t, st)
		stale := slices.Min(read(15, rec))
		if stale > slowdown*tidied {
			t.Errorf("with the queue's statistics stale a read takes %s, over %d times the %s it takes over tidied tables (fastest of 15)",
				stale, slowdown, tidied)
		}
		t.Logf("a read that adds a queued visit takes %s over tidied tables, %s with the queue's statistics stale (fastest of 15)", tidied, stale)
		var want [3]int
		if err := st.DB.Raw(plainAggregate, year.FromDate(), year.ToDate()).Row().Scan(&want[0], &want[1], &want[2]); err != nil {
			t.Fatal(err)
		}
		s, err := svc.Summary(ctx, auth.System, stats.Query{Range: year})
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]int{s.Visits, s.Persons, s.Cases}; got != want {
			t.Errorf("visits, persons, cases %v; the rows say %v", got, want)
		}

		readRegister := 0
		for _, stmt := range rec.statements() {
			if !mentionsRegister.MatchString(stmt.sql) {
				continue
			}
			readRegister++
			if problem := planProblem(t, st, stmt); problem != "" {
				t.Errorf("%s\n%s", problem, stmt.sql)
			}
		}
		if readRegister == 0 {
			t.Fatal("no statement of the reads touched visits or cases: the queued visits were not read")
		}
	})
}

// The background fold vacuums a statistics table once its dead rows pass the threshold, and
// only then: a queue that visits pass through is vacuumed, the roll-ups they barely touched
// are not. (PostgreSQL's alone: SQLite reuses a deleted row's space at once.)
func TestFoldVacuumsTheQueue(t *testing.T) {
	if !slices.Contains(testenv.Backends(t), "postgres") {
		t.Skip("dead rows and VACUUM are PostgreSQL's: set TCD_TEST_DATABASE_URL")
	}
	defer stats.SetTidyEvery(0)()
	ctx := context.Background()
	st := openStore(t, "postgres", 2)
	org, err := orgs.NewService(st).Create(ctx, auth.System, orgs.NewOrg{Code: "P", Name: "P"})
	if err != nil {
		t.Fatal(err)
	}
	svc := stats.NewService(st, stats.Config{DefaultOrgID: org.ID})
	// 1,500 new visits on 5 days, folded into the roll-ups one by one (below the rebuild
	// threshold): 1,500 queue entries taken, a few dozen roll-up rows rewritten
	loadYear(t, st, org.ID, 5, 300, 10)
	vacuums := func() map[string]int {
		t.Helper()
		var rows []struct {
			Relname     string
			VacuumCount int
		}
		if err := st.DB.Raw(`SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname LIKE 'stats\_%'`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, r := range rows {
			out[r.Relname] = r.VacuumCount
		}
		return out
	}
	// the dead rows reach the server's statistics within a second or two of the commit
	deadline := time.Now().Add(20 * time.Second)
	for vacuums()["stats_new_visits"] == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the queue of new visits was not vacuumed after 1,500 entries were taken: %v", vacuums())
		}
		if err := svc.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v := vacuums(); v["stats_firsts"] != 0 || v["stats_months"] != 0 {
		t.Errorf("roll-ups with few dead rows were vacuumed too: %v", v)
	}
}

// plainAggregate counts a period's live visits, persons and surviving cases from the rows, as one
// would without the roll-ups.
const plainAggregate = `SELECT COUNT(*), COALESCE(SUM(v.headcount), 0), COUNT(DISTINCT c.root_seq)
FROM visits v JOIN cases c ON c.seq = v.case_seq WHERE v.date >= ? AND v.date <= ? AND v.voided_at IS NULL`

// openStore opens a fresh, migrated database of backend for the test, with conns connections.
func openStore(t testing.TB, backend string, conns int) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.MigratedDatabaseURL(t, backend), store.Options{MaxOpenConns: conns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// assertTidied checks what the rebuild left for the planner: on PostgreSQL every statistics
// table vacuumed and analysed, the queues known empty; on SQLite no statistics that still count
// the queued marks.
func assertTidied(t *testing.T, st *store.Store) {
	t.Helper()
	if st.Dialect == store.Postgres {
		var tables []struct {
			Relname     string
			VacuumCount int
			Reltuples   float64
		}
		if err := st.DB.Raw(`SELECT s.relname, s.vacuum_count, c.reltuples
			FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname LIKE 'stats\_%' ORDER BY 1`).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
		if len(tables) < 6 {
			t.Fatalf("statistics tables: %+v", tables)
		}
		for _, tb := range tables {
			if tb.VacuumCount == 0 {
				t.Errorf("%s not vacuumed after the rebuild", tb.Relname)
			}
			queue := strings.HasPrefix(tb.Relname, "stats_dirty_") || tb.Relname == "stats_new_visits"
			if queue && tb.Reltuples != 0 {
				t.Errorf("the planner believes the emptied queue %s holds %.0f rows", tb.Relname, tb.Reltuples)
			}
		}
		return
	}
	var stale []string
	if err := st.DB.Raw(`SELECT tbl || ' ' || stat FROM sqlite_stat1 WHERE tbl IN ('stats_new_visits', 'stats_dirty_days', 'stats_dirty_roots')`).
		Scan(&stale).Error; err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("statistics of the emptied queues still count their marks: %v", stale)
	}
}

// spoilQueueStatistics gives PostgreSQL's queue of new visits the statistics of a queue holding
// n entries and the dead rows they leave once taken, as a database copied or restored before
// the rebuild's tidying brings them. (SQLite keeps no dead rows, and its statistics are what
// assertTidied checked.)
func spoilQueueStatistics(t *testing.T, st *store.Store, n int) {
	t.Helper()
	if st.Dialect != store.Postgres {
		return
	}
	// In one transaction, so no refresh ever takes these entries (negative: no visit has such a
	// seq, and the visits really queued stay): ANALYZE counts the rows its own transaction
	// inserted, and the entries are dead once it commits.
	err := st.Tx(context.Background(), func(tx *gorm.DB) error {
		for _, stmt := range []string{
			fmt.Sprintf("INSERT INTO stats_new_visits (visit_seq) SELECT -generate_series(1, %d)", n),
			"ANALYZE stats_new_visits",
			"DELETE FROM stats_new_visits WHERE visit_seq < 0",
		} {
			if err := tx.Exec(stmt).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// addVisit records the i-th visit after the load on the loaded register's first session, as
// POST /visits would: its trigger queues it for the roll-ups.
func addVisit(t *testing.T, st *store.Store, org string, i int) {
	t.Helper()
	if err := st.DB.Exec(`INSERT INTO visits (id, org_id, session_id, kind, date, case_id, case_seq, headcount, created_at, updated_at)
		VALUES (?, ?, 's-1', 'regular', '2023-01-01', 'c-1', 1, 1, ?, ?)`, fmt.Sprintf("added-%d", i), org, now, now).Error; err != nil {
		t.Fatal(err)
	}
}

// mentionsRegister finds statements that read the register's visits or cases (not the queue
// named after them).
var mentionsRegister = regexp.MustCompile(`\b(visits|cases)\b`)

type statement struct {
	sql  string
	vars []any
}

// recorder records the queries run through a store while its during runs, with their arguments.
type recorder struct {
	mu   sync.Mutex
	on   bool
	seen []statement
}

func recordStatements(t *testing.T, st *store.Store) *recorder {
	t.Helper()
	r := &recorder{}
	record := func(db *gorm.DB) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.on {
			r.seen = append(r.seen, statement{db.Statement.SQL.String(), slices.Clone(db.Statement.Vars)})
		}
	}
	cb := st.DB.Callback()
	for _, err := range []error{cb.Query().After("*").Register("test:record", record),
		cb.Row().After("*").Register("test:record", record), cb.Raw().After("*").Register("test:record", record)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// during runs fn, recording its queries; a nil recorder just runs it.
func (r *recorder) during(fn func()) {
	if r == nil {
		fn()
		return
	}
	r.mu.Lock()
	r.on = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.on = false
		r.mu.Unlock()
	}()
	fn()
}

func (r *recorder) statements() []statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// planProblem explains the statement's plan and says what in it reads the register otherwise
// than by key: a hash of cases, a scan of visits or cases. "" when there is none.
func planProblem(t *testing.T, st *store.Store, stmt statement) string {
	t.Helper()
	if st.Dialect == store.SQLite {
		rows, err := st.SQL().Query("EXPLAIN QUERY PLAN "+stmt.sql, stmt.vars...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		for _, step := range plan {
			if sqliteWholeRead.MatchString(step) {
				return fmt.Sprintf("%q reads the register whole: %v", step, plan)
			}
		}
		return ""
	}
	var raw string
	if err := st.SQL().QueryRow("EXPLAIN (FORMAT JSON) "+stmt.sql, stmt.vars...).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var plans []struct{ Plan planNode }
	if err := json.Unmarshal([]byte(raw), &plans); err != nil {
		t.Fatal(err)
	}
	if bad := plans[0].Plan.wholeRead(false); bad != "" {
		return bad + " in:\n" + raw
	}
	return ""
}

// sqliteWholeRead is a step of an SQLite plan that reads visits or cases (by name or by the
// statistics' aliases v and c) whole, or builds a temporary index or filter over them.
var sqliteWholeRead = regexp.MustCompile(`^SCAN (v|c|visits|cases)\b|(AUTOMATIC|BLOOM FILTER).*\b(v|c|visits|cases)\b`)

// planNode is a node of PostgreSQL's JSON plan.
type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	Plans        []planNode `json:"Plans"`
}

// wholeRead names the first node that scans visits or cases sequentially, or hashes cases
// (hashed: under a Hash node).
func (n planNode) wholeRead(hashed bool) string {
	if n.RelationName == "cases" && hashed {
		return "cases hashed"
	}
	if n.NodeType == "Seq Scan" && (n.RelationName == "cases" || n.RelationName == "visits") {
		return n.RelationName + " scanned whole"
	}
	for _, c := range n.Plans {
		if bad := c.wholeRead(hashed || n.NodeType == "Hash"); bad != "" {
			return bad
		}
	}
	return ""
}
