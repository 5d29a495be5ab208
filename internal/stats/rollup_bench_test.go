package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// BenchmarkRefresh times the refresh a statistics read pays under steady writing: a year of
// 150 visits a day (three sessions of different kinds, 50 cases first received that day), then
// per iteration 100 visits on 40 distinct days are changed (which queues 100 day marks and 100
// roots) or recorded anew (100 queued visits). It reports the statements one refresh issues as
// stmts/op.
//
//	TCD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	  go test -run '^$' -bench Refresh -benchtime 50x ./internal/stats/
func BenchmarkRefresh(b *testing.B) {
	for _, backend := range testenv.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, testenv.MigratedDatabaseURL(b, backend), store.Options{MaxOpenConns: 2})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			if _, err := st.MigrateUp(ctx); err != nil {
				b.Fatal(err)
			}
			org, err := orgs.NewService(st).Create(ctx, auth.System, orgs.NewOrg{Code: "P", Name: "P"})
			if err != nil {
				b.Fatal(err)
			}
			const daysLoaded, visitsPerDay, casesPerDay = 365, 150, 50
			loadYear(b, st, org.ID, daysLoaded, visitsPerDay, casesPerDay)
			if st.Dialect == store.Postgres { // the loader chose the seqs: new visits take the next
				if err := st.DB.Exec("SELECT setval(pg_get_serial_sequence('visits', 'seq'), (SELECT MAX(seq) FROM visits))").Error; err != nil {
					b.Fatal(err)
				}
			}
			svc := stats.NewService(st, stats.Config{DefaultOrgID: org.ID})
			if err := svc.Refresh(ctx); err != nil { // the initial (whole-register) roll-up
				b.Fatal(err)
			}
			// planner statistics as autovacuum would keep them on a live register
			if err := st.DB.Exec("ANALYZE").Error; err != nil {
				b.Fatal(err)
			}

			// 100 visits on 40 distinct days, fixed for the run so that every iteration does the
			// same work
			rng := rand.New(rand.NewPCG(1, 2))
			days := rng.Perm(daysLoaded)[:40]
			touched := make([]int, 100)
			for i := range touched {
				touched[i] = 1 + days[i%len(days)]*visitsPerDay + rng.IntN(visitsPerDay)
			}
			var statements atomic.Int64
			count := func(*gorm.DB) { statements.Add(1) }
			cb := st.DB.Callback()
			for _, err := range []error{cb.Query().After("*").Register("bench:count", count),
				cb.Row().After("*").Register("bench:count", count), cb.Raw().After("*").Register("bench:count", count)} {
				if err != nil {
					b.Fatal(err)
				}
			}
			// 100 visits changed (their days are recomputed whole) against 100 visits recorded
			// on the same days (added to the days' roll-ups): the second is what a refresh does
			// under a steady stream of new visits
			added := 0
			for _, scenario := range []struct {
				name  string
				write func() error
			}{
				{"changed", func() error {
					return st.DB.Exec("UPDATE visits SET headcount = headcount WHERE seq IN ?", touched).Error
				}},
				{"added", func() error {
					return st.DB.Exec(`INSERT INTO visits (id, org_id, session_id, kind, date, case_id, case_seq, headcount, created_at, updated_at)
						SELECT 'new-' || CAST(? + seq AS TEXT), org_id, session_id, kind, date, case_id, case_seq, headcount, created_at, updated_at
						FROM visits WHERE seq IN ?`, 1_000_000*added, touched).Error
				}},
			} {
				b.Run(scenario.name, func(b *testing.B) {
					statements.Store(0)
					b.ResetTimer()
					for range b.N {
						b.StopTimer()
						added++
						if err := scenario.write(); err != nil {
							b.Fatal(err)
						}
						before := statements.Load()
						b.StartTimer()
						if err := svc.Refresh(ctx); err != nil {
							b.Fatal(err)
						}
						b.StopTimer()
						b.ReportMetric(float64(statements.Load()-before), "stmts/op")
						b.StartTimer()
					}
				})
			}
		})
	}
}

// loadYear writes days of sessions and visits from 2023-01-01 on, in multi-row statements.
func loadYear(b *testing.B, st *store.Store, org string, days, visitsPerDay, casesPerDay int) {
	b.Helper()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	sessionKinds := [][2]any{{"regular", nil}, {"periodic", "head"}, {"urgent", "authorized"}}
	err := st.Tx(context.Background(), func(tx *gorm.DB) error {
		insert := func(head string, n int, row func(i int) []any) error {
			width := strings.Count(head, ",") + 1
			for start := 0; start < n; start += 50 {
				end := min(start+50, n)
				var args []any
				for i := start; i < end; i++ {
					args = append(args, row(i)...)
				}
				tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
				values := strings.TrimSuffix(strings.Repeat(tuple+", ", end-start), ", ")
				if err := tx.Exec("INSERT INTO "+head+" VALUES "+values, args...).Error; err != nil {
					return err
				}
			}
			return nil
		}
		date := func(d int) string { return time.Date(2023, 1, 1+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly) }
		if err := insert("sessions (seq, id, org_id, kind, date, host_role, created_at, updated_at)", days*len(sessionKinds), func(i int) []any {
			k := sessionKinds[i%len(sessionKinds)]
			return []any{i + 1, fmt.Sprintf("s-%d", i+1), org, k[0], date(i / len(sessionKinds)), k[1], now, now}
		}); err != nil {
			return err
		}
		if err := insert("cases (seq, id, org_id, code, title, title_folded, category, field, root_seq, created_at, updated_at)", days*casesPerDay, func(i int) []any {
			return []any{i + 1, fmt.Sprintf("c-%d", i+1), org, fmt.Sprintf("c-%d", i+1), "x", "x", "complaint", "land", i + 1, now, now}
		}); err != nil {
			return err
		}
		// visit i is on day i/visitsPerDay, in one of that day's sessions, about one of the cases
		// first received that day, of one person or, one visit in twenty, a group of three (group
		// visits are a few percent of a real register, and their size is what stats_months rows
		// mostly hold)
		return insert("visits (seq, id, org_id, session_id, kind, date, case_id, case_seq, headcount, created_at, updated_at)", days*visitsPerDay, func(i int) []any {
			d, j := i/visitsPerDay, i%visitsPerDay
			s := d*len(sessionKinds) + j%len(sessionKinds)
			c := d*casesPerDay + j%casesPerDay + 1
			headcount := 1
			if j%20 == 0 {
				headcount = 3
			}
			return []any{i + 1, fmt.Sprintf("v-%d", i+1), org, fmt.Sprintf("s-%d", s+1), sessionKinds[s%len(sessionKinds)][0], date(d),
				fmt.Sprintf("c-%d", c), c, headcount, now, now}
		})
	})
	if err != nil {
		b.Fatal(err)
	}
}
