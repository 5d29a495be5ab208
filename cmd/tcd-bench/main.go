// Command tcd-bench measures the statistics at national scale: it bulk-loads a synthetic register
// (34 provinces, 10 years) into PostgreSQL and SQLite, then times GET /stats/summary through
// HTTP beside the plain SQL aggregate on the same database, and prints the ratios.
//
//	BENCH_VISITS=5000000 BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres go run ./cmd/tcd-bench
//
// A loaded database is kept (named after its size) and reused by the next run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tcd-registry/tcd/internal/app"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
)

func main() {
	visits := flag.Int("visits", envInt("BENCH_VISITS", 1_000_000), "visits to generate (BENCH_VISITS)")
	pgURL := flag.String("pg", os.Getenv("BENCH_PG"), "PostgreSQL server URL; empty skips PostgreSQL (BENCH_PG)")
	sqliteDir := flag.String("sqlite-dir", envStr("BENCH_SQLITE_DIR", "data/bench"), "where the SQLite file is kept; empty skips SQLite (BENCH_SQLITE_DIR)")
	runs := flag.Int("runs", envInt("BENCH_RUNS", 30), "timed requests per measurement (BENCH_RUNS)")
	reload := flag.Bool("reload", false, "generate the register again even if a loaded one exists")
	flag.Parse()

	ctx := context.Background()
	var results []result
	if *pgURL != "" {
		name := fmt.Sprintf("tcd_bench_%d", *visits)
		if err := ensurePostgres(ctx, *pgURL, name, *reload); err != nil {
			log.Fatal(err)
		}
		results = append(results, measure(ctx, "postgres", withDatabase(*pgURL, name), *visits, *reload, *runs)...)
	}
	if *sqliteDir != "" {
		path := filepath.Join(*sqliteDir, fmt.Sprintf("bench_%d.db", *visits))
		if *reload {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
		results = append(results, measure(ctx, "sqlite", "sqlite:"+path, *visits, *reload, *runs)...)
	}
	printTable(os.Stdout, *visits, results)
}

// result is one scope's timings on one backend.
type result struct {
	backend, scope  string
	http, plain     timing
	visits, persons int
}

type timing struct{ p50, p95 time.Duration }

// measure loads the register if needed, serves it and times every scope.
func measure(ctx context.Context, backend, dbURL string, visits int, reload bool, runs int) []result {
	// The bench's own connection loads, vacuums and runs the plain aggregate: none of it is a
	// request, so it goes without the store's statement timeout. The server keeps it.
	ownURL := dbURL
	if strings.HasPrefix(dbURL, "postgres") {
		sep := "?"
		if strings.Contains(dbURL, "?") {
			sep = "&"
		}
		ownURL += sep + "statement_timeout=0&idle_in_transaction_session_timeout=0"
	}
	st, err := store.Open(ctx, ownURL, store.Options{MaxOpenConns: 4})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if _, err := st.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	var loaded int
	st.DB.Raw("SELECT COUNT(*) FROM visits").Scan(&loaded)
	if loaded == 0 {
		start := time.Now()
		if err := load(ctx, st, visits); err != nil {
			log.Fatal(err)
		}
		log.Printf("%s: loaded %d visits in %s", backend, visits, time.Since(start).Round(time.Second))
	}
	// fresh planner statistics (and, on PostgreSQL, a visibility map for index-only scans), as
	// autovacuum or a maintenance job would leave them in production
	analyze := "ANALYZE"
	if st.Dialect == store.Postgres {
		analyze = "VACUUM ANALYZE"
	}
	if err := st.DB.Exec(analyze).Error; err != nil {
		log.Fatal(err)
	}

	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}
	cfg.DatabaseURL, cfg.OrgCode, cfg.RateLimit = dbURL, nationalCode, 0
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	go a.Serve(srvCtx, ln)
	token, _, err := a.Tokens.Create(ctx, auth.System, auth.NewToken{Name: "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36), Role: auth.Agency})
	if err != nil {
		log.Fatal(err)
	}
	// The first statistics request after a bulk load builds the roll-ups from the whole register.
	start := time.Now()
	if _, err := a.Stats.Summary(ctx, auth.System, stats.Query{Range: mustPeriod("2023")}); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: roll-ups up to date in %s", backend, time.Since(start).Round(time.Millisecond))
	// the emptied queues and rewritten roll-ups leave dead rows behind, which autovacuum would
	// clear within a minute in production
	if st.Dialect == store.Postgres {
		if err := st.DB.Exec("VACUUM ANALYZE stats_dirty_days, stats_dirty_roots, stats_days, stats_firsts").Error; err != nil {
			log.Fatal(err)
		}
	}
	var province string
	st.DB.Raw("SELECT id FROM orgs WHERE code = ?", provinceCode(0)).Scan(&province)
	var national string
	st.DB.Raw("SELECT id FROM orgs WHERE code = ?", nationalCode).Scan(&national)

	scopes := []struct {
		name, org, period, from, to string
	}{
		{"province-quarter", province, "2023-Q3", "2023-07-01", "2023-09-30"},
		{"province-year", province, "2023", "2023-01-01", "2023-12-31"},
		{"national-year", national, "2023", "2023-01-01", "2023-12-31"},
	}
	client := &http.Client{Timeout: time.Minute}
	var out []result
	for _, sc := range scopes {
		url := "http://" + ln.Addr().String() + "/api/v1/stats/summary?period=" + sc.period + "&org=" + sc.org
		r := result{backend: backend, scope: sc.name}
		r.http = timeRuns(runs, func() {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				log.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				log.Fatalf("%s: %s", url, resp.Status)
			}
		})
		var path string
		st.DB.Raw("SELECT path FROM orgs WHERE id = ?", sc.org).Scan(&path)
		r.plain = timeRuns(runs, func() {
			row := st.DB.Raw(plainAggregate, path+"%", sc.from, sc.to).Row()
			var cases int
			if err := row.Scan(&r.visits, &r.persons, &cases); err != nil {
				log.Fatal(err)
			}
		})
		out = append(out, r)
	}
	return out
}

// plainAggregate is what one would write without this service: visits, persons and distinct
// surviving cases of a subtree and period, joined through the organisation tree and the cases.
const plainAggregate = `SELECT COUNT(*), COALESCE(SUM(v.headcount), 0), COUNT(DISTINCT c.root_seq)
FROM visits v JOIN cases c ON c.seq = v.case_seq JOIN orgs o ON o.id = v.org_id
WHERE o.path LIKE ? AND v.date >= ? AND v.date <= ? AND v.voided_at IS NULL`

// timeRuns runs fn once to warm caches, then runs times and returns the percentiles.
func timeRuns(runs int, fn func()) timing {
	fn()
	d := make([]time.Duration, runs)
	for i := range d {
		start := time.Now()
		fn()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return timing{p50: d[len(d)/2], p95: d[(len(d)*95)/100]}
}

func printTable(w io.Writer, visits int, results []result) {
	fmt.Fprintf(w, "\nstats summary over HTTP vs the plain SQL aggregate, %d visits (p50 / p95 over the runs)\n\n", visits)
	fmt.Fprintf(w, "%-9s %-17s %9s %21s %21s %12s\n", "backend", "scope", "visits", "HTTP summary", "plain SQL", "HTTP/plain")
	for _, r := range results {
		fmt.Fprintf(w, "%-9s %-17s %9d %9s / %9s %9s / %9s %11.2fx\n", r.backend, r.scope, r.visits,
			ms(r.http.p50), ms(r.http.p95), ms(r.plain.p50), ms(r.plain.p95),
			float64(r.http.p50)/float64(r.plain.p50))
	}
	fmt.Fprintln(w)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + "ms"
}

func ensurePostgres(ctx context.Context, serverURL, name string, reload bool) error {
	admin, err := store.Open(ctx, serverURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer admin.Close()
	if reload {
		if err := admin.DB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			return err
		}
	}
	var exists bool
	if err := admin.DB.Raw("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists).Error; err != nil {
		return err
	}
	if exists {
		return nil
	}
	return admin.DB.Exec("CREATE DATABASE " + name).Error
}

// withDatabase replaces the database of a postgres:// URL.
func withDatabase(rawURL, name string) string {
	scheme, rest, _ := strings.Cut(rawURL, "://")
	hostPart, query, hasQuery := strings.Cut(rest, "?")
	host, _, _ := strings.Cut(hostPart, "/")
	out := scheme + "://" + host + "/" + name
	if hasQuery {
		out += "?" + query
	}
	return out
}

func envStr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		return n
	}
	return def
}

func mustPeriod(spec string) period.Range {
	r, err := period.Parse(spec, period.Calendar)
	if err != nil {
		log.Fatal(err)
	}
	return r
}
