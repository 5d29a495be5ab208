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
			st := openStore(b, backend, 2)
			org, err := orgs.NewService(st).Create(ctx, auth.System, orgs.NewOrg{Code: "P", Name: "P"})
			if err != nil {
				b.Fatal(err)
			}
			const daysLoaded, visitsPerDay, casesPerDay = 365, 150, 50
			loadYear(b, st, org.ID, daysLoaded, visitsPerDay, casesPerDay)
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

// loadYear writes days of sessions and visits from 2023-01-01 on, as a bulk import would: cases
// and visits each in one statement over a generated series, every visit queued by its trigger.
// Visit i is on day i/visitsPerDay, in one of that day's three sessions (of different kinds),
// about one of the cases first received that day, of one person or, one visit in twenty, a group
// of three (group visits are a few percent of a real register, and their size is what
// stats_months rows mostly hold). Seqs are chosen here; on PostgreSQL the sequences then follow,
// so that visits inserted later without a seq take the next ones.
func loadYear(t testing.TB, st *store.Store, org string, days, visitsPerDay, casesPerDay int) {
	t.Helper()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	sessionKinds := [][2]any{{"regular", nil}, {"periodic", "head"}, {"urgent", "authorized"}}
	const series = "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < %d)"
	err := st.Tx(context.Background(), func(tx *gorm.DB) error {
		if st.Dialect == store.Postgres { // a national year takes longer than a request may
			if err := tx.Exec("SET LOCAL statement_timeout = 0").Error; err != nil {
				return err
			}
		}
		for start := 0; start < days*len(sessionKinds); start += 50 {
			var args []any
			end := min(start+50, days*len(sessionKinds))
			for i := start; i < end; i++ {
				k := sessionKinds[i%len(sessionKinds)]
				date := time.Date(2023, 1, 1+i/len(sessionKinds), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
				args = append(args, i+1, fmt.Sprintf("s-%d", i+1), org, k[0], date, k[1], now, now)
			}
			if err := tx.Exec("INSERT INTO sessions (seq, id, org_id, kind, date, host_role, created_at, updated_at) VALUES "+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", end-start), ", "), args...).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(fmt.Sprintf(series, days*casesPerDay)+`
			INSERT INTO cases (seq, id, org_id, code, title, title_folded, category, field, root_seq, created_at, updated_at)
			SELECT i + 1, 'c-' || (i + 1), ?, 'c-' || (i + 1), 'x', 'x', 'complaint', 'land', i + 1, ?, ? FROM n`, org, now, now).Error; err != nil {
			return err
		}
		return tx.Exec(fmt.Sprintf(series, days*visitsPerDay)+fmt.Sprintf(`, p (seq, d, j) AS (SELECT i + 1, i / %[1]d, i %% %[1]d FROM n)
			INSERT INTO visits (seq, id, org_id, session_id, kind, date, case_id, case_seq, headcount, created_at, updated_at)
			SELECT p.seq, 'v-' || p.seq, s.org_id, s.id, s.kind, s.date, 'c-' || (p.d * %[2]d + p.j %% %[2]d + 1), p.d * %[2]d + p.j %% %[2]d + 1,
				CASE WHEN p.j %% 20 = 0 THEN 3 ELSE 1 END, ?, ?
			FROM p JOIN sessions s ON s.seq = p.d * %[3]d + p.j %% %[3]d + 1`, visitsPerDay, casesPerDay, len(sessionKinds)), now, now).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Dialect == store.Postgres {
		for _, table := range []string{"sessions", "cases", "visits"} {
			if err := st.DB.Exec(fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'seq'), (SELECT MAX(seq) FROM %[1]s))", table)).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
}
