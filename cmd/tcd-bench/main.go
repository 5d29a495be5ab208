// Command tcd-bench measures the statistics at national scale: it bulk-loads a synthetic register
// (34 provinces, 10 years) into PostgreSQL and SQLite, then times GET /stats/summary through
// HTTP beside the plain SQL aggregate on the same database, and prints the ratios, in three
// states: the first reads straight after the roll-ups are rebuilt from the loaded register,
// right after a stream of visit creates, and steady, once the register is vacuumed and analysed
// as autovacuum would leave it.
//
//	BENCH_VISITS=5000000 BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres go run ./cmd/tcd-bench
//
// The loaded register is kept (named after its size) as a bulk load leaves it, every visit still
// queued for the roll-ups, and each run measures a copy of it, so that every run starts from the
// same state.
package main

import (
	"context"
	"errors"
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
	"github.com/tcd-registry/tcd/internal/e2e"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
)

func main() {
	var o options
	flag.IntVar(&o.visits, "visits", fromEnv("BENCH_VISITS", 1_000_000, strconv.Atoi), "visits to generate (BENCH_VISITS)")
	pgURL := flag.String("pg", os.Getenv("BENCH_PG"), "PostgreSQL server URL; empty skips PostgreSQL (BENCH_PG)")
	sqliteDir := flag.String("sqlite-dir", envStr("BENCH_SQLITE_DIR", "data/bench"), "where the SQLite file is kept; empty skips SQLite (BENCH_SQLITE_DIR)")
	flag.IntVar(&o.runs, "runs", fromEnv("BENCH_RUNS", 30, strconv.Atoi), "timed requests per measurement (BENCH_RUNS)")
	flag.DurationVar(&o.createFor, "create-for", fromEnv("BENCH_CREATE_FOR", 10*time.Minute, time.ParseDuration),
		"how long visits are created before the second measurement (BENCH_CREATE_FOR)")
	flag.IntVar(&o.createRate, "create-rate", fromEnv("BENCH_CREATE_RATE", 50, strconv.Atoi), "visit creates per second meanwhile (BENCH_CREATE_RATE)")
	reload := flag.Bool("reload", false, "generate the register again even if a loaded one exists")
	loadOnly := flag.Bool("load-only", false, "load the register (if needed) and stop: a national one takes a while to load")
	flag.Parse()

	ctx := context.Background()
	var results []result
	if *pgURL != "" {
		loaded := fmt.Sprintf("tcd_bench_%d", o.visits)
		if err := ensurePostgres(ctx, *pgURL, loaded, *reload); err != nil {
			log.Fatal(err)
		}
		prepare(ctx, "postgres", withDatabase(*pgURL, loaded), o.visits)
		if !*loadOnly {
			run, drop, err := copyPostgres(ctx, *pgURL, loaded)
			if err != nil {
				log.Fatal(err)
			}
			results = append(results, measure(ctx, "postgres", run, o)...)
			drop()
		}
	}
	if *sqliteDir != "" {
		path := filepath.Join(*sqliteDir, fmt.Sprintf("bench_%d.db", o.visits))
		if *reload {
			removeSQLite(path)
		}
		prepare(ctx, "sqlite", "sqlite:"+path, o.visits)
		if !*loadOnly {
			run := strings.TrimSuffix(path, ".db") + ".run.db"
			if err := copySQLite(path, run); err != nil {
				log.Fatal(err)
			}
			results = append(results, measure(ctx, "sqlite", "sqlite:"+run, o)...)
			removeSQLite(run)
		}
	}
	if !*loadOnly {
		printTable(os.Stdout, o, results)
	}
}

type options struct {
	visits, runs int
	createFor    time.Duration
	createRate   int
}

// result is one scope's timings on one backend in one state.
type result struct {
	backend, state, scope string
	first                 time.Duration // the first request of the state
	http, plain           timing
	failed                int // requests not answered 200 (an overloaded server answers 503)
	visits, persons       int
}

type timing struct{ p50, p95 time.Duration }

// openOwn opens the bench's own connection, which loads, vacuums and runs the plain aggregate:
// none of it is a request, so it goes without the store's statement timeout. The server keeps it.
func openOwn(ctx context.Context, dbURL string) *store.Store {
	if strings.HasPrefix(dbURL, "postgres") {
		sep := "?"
		if strings.Contains(dbURL, "?") {
			sep = "&"
		}
		dbURL += sep + "statement_timeout=0&idle_in_transaction_session_timeout=0"
	}
	st, err := store.Open(ctx, dbURL, store.Options{MaxOpenConns: 4})
	if err != nil {
		log.Fatal(err)
	}
	return st
}

// prepare makes the register at dbURL what a bulk load leaves: loaded (generated when empty),
// every visit queued for the roll-ups, and the planner statistics a maintenance job or
// autovacuum takes after the import, while the queue still holds every visit.
func prepare(ctx context.Context, backend, dbURL string, visits int) {
	st := openOwn(ctx, dbURL)
	defer st.Close()
	if _, err := st.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	var loaded, queued int64
	st.DB.Raw("SELECT COUNT(*) FROM visits").Scan(&loaded)
	st.DB.Raw("SELECT COUNT(*) FROM stats_new_visits").Scan(&queued)
	if loaded > 0 && queued == loaded {
		return
	}
	start := time.Now()
	if loaded == 0 {
		if err := load(ctx, st, visits); err != nil {
			log.Fatal(err)
		}
		log.Printf("%s: loaded %d visits in %s", backend, visits, time.Since(start).Round(time.Second))
	} else { // roll-ups built by an earlier version of this bench: every visit queued again
		for _, stmt := range []string{"DELETE FROM stats_new_visits", "INSERT INTO stats_new_visits (visit_seq) SELECT seq FROM visits"} {
			if err := st.DB.Exec(stmt).Error; err != nil {
				log.Fatal(err)
			}
		}
	}
	vacuumAll(ctx, st)
}

// vacuumAll vacuums and analyses every table of the register, listed from the catalogue so that
// none is forgotten (PostgreSQL), or analyses the whole database (SQLite).
func vacuumAll(ctx context.Context, st *store.Store) {
	start := time.Now()
	stmt := "ANALYZE"
	if st.Dialect == store.Postgres {
		var tables []string
		if err := st.DB.WithContext(ctx).Raw("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1").
			Scan(&tables).Error; err != nil {
			log.Fatal(err)
		}
		stmt = "VACUUM (ANALYZE) " + strings.Join(tables, ", ")
	}
	if err := st.DB.WithContext(ctx).Exec(stmt).Error; err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: vacuumed and analysed in %s", st.Dialect, time.Since(start).Round(time.Millisecond))
}

// scope is a query the table times.
type scope struct{ name, org, period, from, to string }

// measure serves the register at dbURL and times every scope in the three states.
func measure(ctx context.Context, backend, dbURL string, o options) []result {
	st := openOwn(ctx, dbURL)
	defer st.Close()
	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}
	cfg.DatabaseURL, cfg.OrgCode, cfg.RateLimit = dbURL, nationalCode, 0
	// the server's warnings and errors (a failed request says why), not its request log
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
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
	base := "http://" + ln.Addr().String()
	token := func(role auth.Role) string {
		secret, _, err := a.Tokens.Create(ctx, auth.System, auth.NewToken{Name: fmt.Sprintf("bench-%s-%d", role, time.Now().UnixNano()), Role: role})
		if err != nil {
			log.Fatal(err)
		}
		return secret
	}
	reader := e2e.NewClient(base, token(auth.Agency), time.Minute)

	var province, national string
	st.DB.Raw("SELECT id FROM orgs WHERE code = ?", provinceCode(0)).Scan(&province)
	st.DB.Raw("SELECT id FROM orgs WHERE code = ?", nationalCode).Scan(&national)
	scopes := []scope{
		{"province-quarter", province, "2023-Q3", "2023-07-01", "2023-09-30"},
		{"province-year", province, "2023", "2023-01-01", "2023-12-31"},
		{"national-year", national, "2023", "2023-01-01", "2023-12-31"},
	}
	var out []result
	timeScopes := func(state string) {
		log.Printf("%s, %s: %s", backend, state, deadRows(st))
		for _, sc := range scopes {
			out = append(out, timeScope(st, reader, backend, state, sc, o.runs))
		}
	}

	// The first statistics request after a bulk load builds the roll-ups from the whole register
	// (the service's background fold may have begun it already).
	start := time.Now()
	if _, err := a.Stats.Summary(ctx, auth.System, stats.Query{Range: mustPeriod("2023")}); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: roll-ups rebuilt from the loaded register in %s", backend, time.Since(start).Round(time.Millisecond))
	timeScopes("after rebuild")

	// after a period of creates: the dead rows they left and whatever the service's own upkeep
	// made of them, read as soon as the stream stops (what the fold has not taken yet, the read
	// adds)
	creating := startCreates(ctx, st, e2e.NewClient(base, token(auth.Staff), time.Minute), o.createRate)
	time.Sleep(o.createFor)
	log.Printf("%s: %s", backend, creating.stop())
	timeScopes("after " + o.createFor.String() + " of creates")

	// steady: the fold has taken what the creates queued, and the register is vacuumed and
	// analysed as autovacuum keeps a running one
	for queued := true; queued; time.Sleep(100 * time.Millisecond) {
		st.DB.Raw("SELECT EXISTS (SELECT 1 FROM stats_new_visits)").Scan(&queued)
	}
	vacuumAll(ctx, st)
	timeScopes("steady")
	return out
}

// timeScope times GET /stats/summary for the scope and the plain SQL aggregate of the same.
func timeScope(st *store.Store, reader *e2e.Client, backend, state string, sc scope, runs int) result {
	r := result{backend: backend, state: state, scope: sc.name}
	path := "/api/v1/stats/summary?period=" + sc.period + "&org=" + sc.org
	r.first, r.http = timeRuns(runs, func() {
		resp, err := reader.Do(http.MethodGet, path, nil)
		if err != nil {
			log.Fatal(err)
		}
		if resp.Status != http.StatusOK {
			r.failed++
			log.Printf("%s %s: %s", backend, path, resp)
		}
	})
	var orgPath string
	st.DB.Raw("SELECT path FROM orgs WHERE id = ?", sc.org).Scan(&orgPath)
	_, r.plain = timeRuns(runs, func() {
		row := st.DB.Raw(plainAggregate, orgPath+"%", sc.from, sc.to).Row()
		var cases int
		if err := row.Scan(&r.visits, &r.persons, &cases); err != nil {
			log.Fatal(err)
		}
	})
	return r
}

// deadRows says how many dead rows the statistics tables hold (PostgreSQL), which the service's
// own vacuuming keeps in bounds.
func deadRows(st *store.Store) string {
	if st.Dialect != store.Postgres {
		return "no dead rows on SQLite"
	}
	var tables []struct {
		Relname  string
		NDeadTup int64
	}
	st.DB.Raw(`SELECT relname, n_dead_tup FROM pg_stat_user_tables WHERE relname LIKE 'stats\_%' ORDER BY 1`).Scan(&tables)
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = fmt.Sprintf("%s %d", t.Relname, t.NDeadTup)
	}
	return "dead rows " + strings.Join(parts, ", ")
}

// plainAggregate is what one would write without this service: visits, persons and distinct
// surviving cases of a subtree and period, joined through the organisation tree and the cases.
const plainAggregate = `SELECT COUNT(*), COALESCE(SUM(v.headcount), 0), COUNT(DISTINCT c.root_seq)
FROM visits v JOIN cases c ON c.seq = v.case_seq JOIN orgs o ON o.id = v.org_id
WHERE o.path LIKE ? AND v.date >= ? AND v.date <= ? AND v.voided_at IS NULL`

// timeRuns runs fn once, the first call (which also warms caches), then runs times, and returns
// the first call's time and the percentiles of the others.
func timeRuns(runs int, fn func()) (first time.Duration, t timing) {
	start := time.Now()
	fn()
	first = time.Since(start)
	d := make([]time.Duration, runs)
	for i := range d {
		start := time.Now()
		fn()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return first, timing{p50: d[len(d)/2], p95: d[(len(d)*95)/100]}
}

func printTable(w io.Writer, o options, results []result) {
	fmt.Fprintf(w, "\nstats summary over HTTP vs the plain SQL aggregate, %d visits loaded (first request; p50 / p95 over %d runs)\n\n", o.visits, o.runs)
	fmt.Fprintf(w, "%-9s %-25s %-17s %9s %9s %21s %21s %10s %6s\n", "backend", "state", "scope", "visits", "first", "HTTP summary", "plain SQL", "HTTP/plain", "failed")
	for _, r := range results {
		fmt.Fprintf(w, "%-9s %-25s %-17s %9d %9s %9s / %9s %9s / %9s %9.2fx %6d\n", r.backend, r.state, r.scope, r.visits, ms(r.first),
			ms(r.http.p50), ms(r.http.p95), ms(r.plain.p50), ms(r.plain.p95), float64(r.http.p50)/float64(r.plain.p50), r.failed)
	}
	fmt.Fprintln(w)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + "ms"
}

// ensurePostgres creates the database the loaded register is kept in, anew with reload.
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

// copyPostgres copies the loaded register into a database of its own for one run (a file copy,
// with its dead rows and planner statistics, as a physical backup would be), and returns its URL
// and a function that drops it.
func copyPostgres(ctx context.Context, serverURL, loaded string) (dbURL string, drop func(), err error) {
	admin, err := store.Open(ctx, serverURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		return "", nil, err
	}
	run := loaded + "_run"
	dropRun := func() error { return admin.DB.Exec("DROP DATABASE IF EXISTS " + run + " WITH (FORCE)").Error }
	start := time.Now()
	if err := dropRun(); err != nil {
		admin.Close()
		return "", nil, err
	}
	if err := admin.DB.Exec("CREATE DATABASE " + run + " TEMPLATE " + loaded + " STRATEGY FILE_COPY").Error; err != nil {
		admin.Close()
		return "", nil, err
	}
	log.Printf("postgres: copied %s in %s", loaded, time.Since(start).Round(time.Millisecond))
	return withDatabase(serverURL, run), func() {
		if err := dropRun(); err != nil {
			log.Print(err)
		}
		admin.Close()
	}, nil
}

// copySQLite copies the loaded register's file (closed, so whole, with its write-ahead log if
// one was left) for one run.
func copySQLite(from, to string) error {
	removeSQLite(to)
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(from + suffix)
		if suffix != "" && os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		out, err := os.Create(to + suffix)
		if err == nil {
			_, err = io.Copy(out, in)
			err = errors.Join(err, out.Close())
		}
		in.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
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

// fromEnv parses the environment variable name, or returns def when it is unset.
func fromEnv[T any](name string, def T, parse func(string) (T, error)) T {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	return x
}

func mustPeriod(spec string) period.Range {
	r, err := period.Parse(spec, period.Calendar)
	if err != nil {
		log.Fatal(err)
	}
	return r
}
