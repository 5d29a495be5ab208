// Command tcd-bench-import measures the import of an existing register (tcd import register) at
// scale: it writes a register of BENCH_IMPORT_ROWS rows as GET /exports/register writes one
// (XLSX, Form 03), imports it with the tcd binary into an empty register on SQLite and on
// PostgreSQL, and reports the rows per second, the importing process's peak RSS and its total
// time, then the first GET /stats/summary of the imported year right after (and a second one),
// on a server that has answered the summary of another year, as a running one would have.
// In the same run, a register of BENCH_IMPORT_BASELINE rows is imported the same way first: its
// rows per second are the baseline the large import's are compared with, so that the table shows
// whether the import slows down as the register grows.
//
//	go build -o bin/tcd ./cmd/tcd && go run ./cmd/tcd-bench-import -tcd bin/tcd
//
// make bench-import does both. PostgreSQL is the server of BENCH_PG (default
// TCD_TEST_DATABASE_URL; empty skips it), where a throwaway database is created and dropped.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tcd-registry/tcd/internal/app"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/e2e"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/store"
)

// The targets of issue 17 for a 100,000-row register.
const (
	targetTime  = 60 * time.Second
	targetRSS   = 200 << 20
	targetFirst = 10 * time.Millisecond
)

const orgCode = "BENCH"

func main() {
	rows := flag.Int("rows", envInt("BENCH_IMPORT_ROWS", 100_000), "rows of the register imported (BENCH_IMPORT_ROWS)")
	baseline := flag.Int("baseline", envInt("BENCH_IMPORT_BASELINE", 10_000), "rows of the baseline import (BENCH_IMPORT_BASELINE)")
	tcd := flag.String("tcd", "bin/tcd", "the tcd binary that imports")
	pg := flag.String("pg", envStr("BENCH_PG", os.Getenv("TCD_TEST_DATABASE_URL")), "PostgreSQL server URL; empty skips PostgreSQL (BENCH_PG)")
	sqliteOnly := flag.Bool("sqlite-only", false, "measure SQLite alone")
	dir := flag.String("dir", "", "where the register files and SQLite databases are written and kept (default a temporary folder, removed)")
	flag.Parse()

	if *dir == "" {
		tmp, err := os.MkdirTemp("", "tcd-bench-import-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	} else if err := os.MkdirAll(*dir, 0o750); err != nil {
		log.Fatal(err)
	}
	files := map[int]string{}
	for _, n := range []int{*baseline, *rows} {
		files[n] = filepath.Join(*dir, fmt.Sprintf("register-%d.xlsx", n))
		start := time.Now()
		if err := writeRegister(files[n], n); err != nil {
			log.Fatal(err)
		}
		info, _ := os.Stat(files[n])
		log.Printf("wrote %s (%d rows, %.1f MB) in %s", files[n], n, float64(info.Size())/1e6, time.Since(start).Round(time.Millisecond))
	}

	backends := []string{"sqlite"}
	if *pg != "" && !*sqliteOnly {
		backends = append(backends, "postgres")
	}
	var results []result
	for _, backend := range backends {
		for _, n := range []int{*baseline, *rows} {
			r, err := measure(backend, *pg, *dir, *tcd, files[n], n)
			if err != nil {
				log.Fatalf("%s, %d rows: %v", backend, n, err)
			}
			results = append(results, r)
			log.Printf("%s, %d rows: %s, %.0f rows/s, peak RSS %.0f MB; first summary %s, second %s", backend, n,
				r.elapsed.Round(time.Millisecond), r.rate(), float64(r.rss)/(1<<20), r.first, r.second)
		}
	}
	printTable(os.Stdout, results, *baseline)
}

// result is one import and the statistics read after it.
type result struct {
	backend       string
	rows          int
	elapsed       time.Duration
	rss           int64 // the importing process's peak resident set, bytes
	totals        string
	first, second time.Duration
}

func (r result) rate() float64 { return float64(r.rows) / r.elapsed.Seconds() }

// measure imports file into an empty register on backend with the tcd binary, then reads the
// summary of 2023 through HTTP as a statistics consumer.
func measure(backend, pg, dir, tcd, file string, rows int) (result, error) {
	ctx := context.Background()
	r := result{backend: backend, rows: rows}
	dbURL := "sqlite:" + filepath.Join(dir, fmt.Sprintf("import-%d.db", rows))
	for _, suffix := range []string{"", "-wal", "-shm"} { // a kept folder's earlier run
		os.Remove(strings.TrimPrefix(dbURL, "sqlite:") + suffix)
	}
	if backend == "postgres" {
		name := fmt.Sprintf("tcd_bench_import_%d_%d", rows, os.Getpid())
		u, drop, err := createDatabase(ctx, pg, name)
		if err != nil {
			return r, err
		}
		defer drop()
		dbURL = u
	}
	env := append(os.Environ(), "TCD_DATABASE_URL="+dbURL, "TCD_ORG_CODE="+orgCode, "TCD_LOG_LEVEL=warn")
	// the empty register is made first, so that the import's time is the import's alone
	if out, err := run(env, tcd, "migrate", "up"); err != nil {
		return r, fmt.Errorf("tcd migrate: %v: %s", err, out)
	}
	cmd := exec.Command(tcd, "import", "register", file, "--org", orgCode, "--failures", filepath.Join(dir, "failed.xlsx"))
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	// a line per row; the last ones are the totals
	var last []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "row ") {
			last = append(last, sc.Text())
		}
	}
	if err := cmd.Wait(); err != nil {
		return r, fmt.Errorf("tcd import: %v: %s", err, tail(stderr.String()))
	}
	r.elapsed = time.Since(start)
	r.rss = peak()
	r.totals = strings.Join(last, "; ")
	if !strings.Contains(r.totals, "; 0 with errors") || !strings.HasPrefix(r.totals, strconv.Itoa(rows)+" rows") {
		return r, fmt.Errorf("the import did not take every row: %s", r.totals)
	}
	r.first, r.second, err = firstReads(ctx, dbURL)
	return r, err
}

// watchPeakRSS reads the peak resident set of process pid (VmHWM, Linux) every 20 ms until it
// ends; the function returned waits for that and gives the last peak read, in bytes. The
// rusage of the ended process would not do: Linux carries a process's peak across exec, so a
// child forked while this process held a generated register reports this process's peak.
func watchPeakRSS(pid int) func() int64 {
	var peak int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err != nil {
				return // ended (or not Linux)
			}
			for line := range strings.Lines(string(b)) {
				if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					if n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), 10, 64); err == nil && n<<10 > peak {
						peak = n << 10
					}
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() int64 {
		<-done
		return peak
	}
}

// firstReads serves the imported register and times the first GET /stats/summary of the year
// imported, then a second one, after the summary of a year the import did not touch.
func firstReads(ctx context.Context, dbURL string) (first, second time.Duration, err error) {
	cfg, err := config.Load()
	if err != nil {
		return 0, 0, err
	}
	cfg.DatabaseURL, cfg.OrgCode, cfg.RateLimit = dbURL, orgCode, 0
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return 0, 0, err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	go a.Serve(srvCtx, ln)
	secret, _, err := a.Tokens.Create(ctx, auth.System, auth.NewToken{Name: "bench-import", Role: auth.Agency})
	if err != nil {
		return 0, 0, err
	}
	c := e2e.NewClient("http://"+ln.Addr().String(), secret, time.Minute)
	// The summary of a year the import did not touch first: a new process's first statistics
	// request pays for preparing and planning its statements on a fresh connection (on
	// PostgreSQL 25-60 ms under load, whatever the register holds), which a running tcd serve
	// paid long before an import; what is measured is what the import leaves to the statistics.
	warm := time.Now()
	if resp, err := c.Do(http.MethodGet, "/api/v1/stats/summary?period=2022", nil); err != nil || resp.Status != http.StatusOK {
		return 0, 0, fmt.Errorf("GET /stats/summary of 2022: %v %v", resp, err)
	}
	log.Printf("the server's first request (the summary of 2022, not imported): %s", time.Since(warm).Round(10*time.Microsecond))
	var times [2]time.Duration
	for i := range times {
		start := time.Now()
		resp, err := c.Do(http.MethodGet, "/api/v1/stats/summary?period=2023", nil)
		times[i] = time.Since(start)
		if err != nil {
			return 0, 0, err
		}
		if resp.Status != http.StatusOK {
			return 0, 0, fmt.Errorf("GET /stats/summary: %s", resp)
		}
	}
	return times[0], times[1], nil
}

// writeRegister writes a register of n visits of 2023 in date order as the export writes one:
// about 0.6 persons per row in the register (repeat visitors are linked by ID number), a tenth
// of them without an ID number (matched by the duplicate matcher), a case per four rows, small
// groups now and then.
func writeRegister(path string, n int) error {
	rng := rand.New(rand.NewPCG(17, 1717))
	var days []string
	for d := time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC); d.Year() == 2023; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			days = append(days, d.Format(time.DateOnly))
		}
	}
	families := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"}
	middles := []string{"Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu"}
	givens := []string{"An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương",
		"Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vân"}
	person := func(k int) export.RegisterPerson {
		p := export.RegisterPerson{
			FullName: families[k%len(families)] + " " + middles[k/len(families)%len(middles)] + " " + givens[k/7%len(givens)],
			Address:  fmt.Sprintf("Thôn %d, xã %d, huyện Gio Linh", k%30+1, k/30%40+1),
		}
		if k%10 != 0 {
			// a CCCD: Quảng Trị's code, century and sex, year of birth, then the person's number
			p.IDNumber = fmt.Sprintf("045%d%02d%06d", k%2, 40+k%60, k)
		}
		return p
	}
	categories := []string{"complaint", "denunciation", "petition", "feedback"}
	outcomes := []string{"accepted", "guided", "transferred", "answered"}
	persons, cases := n*6/10+1, n/4+1
	visits := make([]export.RegisterVisit, n)
	for i := range visits {
		c := rng.IntN(cases)
		v := export.RegisterVisit{Date: days[i*len(days)/n], Headcount: 1,
			Title:    fmt.Sprintf("Tranh chấp quyền sử dụng đất thửa số %d, tờ bản đồ số %d", c, c%40),
			Category: categories[c%len(categories)], Outcome: outcomes[i%len(outcomes)], Status: "open",
			Persons: []export.RegisterPerson{person(rng.IntN(persons))}}
		if v.Outcome == "transferred" {
			v.TransferredTo = "UBND huyện Gio Linh"
		}
		if i%20 == 0 { // a family comes together
			// two people, never the same one twice (the register refuses a visit naming a
			// person twice)
			k := rng.IntN(persons)
			if person(k) == v.Persons[0] {
				k = (k + 1) % persons
			}
			v.Persons = append(v.Persons, person(k))
			v.Headcount = 3
		}
		visits[i] = v
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	year, _ := period.Parse("2023", period.Calendar)
	w := bufio.NewWriter(f)
	if err := export.WriteRegister(w, export.XLSX, year, visits); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// createDatabase creates an empty database on the PostgreSQL server at server and returns its
// URL and what drops it.
func createDatabase(ctx context.Context, server, name string) (string, func(), error) {
	admin, err := store.Open(ctx, server, store.Options{MaxOpenConns: 1})
	if err != nil {
		return "", nil, err
	}
	drop := func() {
		if err := admin.DB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			log.Printf("drop %s: %v", name, err)
		}
	}
	drop()
	if err := admin.DB.WithContext(ctx).Exec("CREATE DATABASE " + name).Error; err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(server)
	if err != nil {
		drop()
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() { drop(); admin.Close() }, nil
}

func run(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return tail(string(out)), err
}

// tail is the end of a command's output, enough to say why it failed.
func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

func printTable(w io.Writer, results []result, baseline int) {
	fmt.Fprintf(w, "\nImport of a register (tcd import register, XLSX in the export's layout) into an empty one\n")
	fmt.Fprintf(w, "%-9s %8s %10s %9s %9s %9s %12s %12s  %s\n", "backend", "rows", "time", "rows/s", "vs base", "peak RSS", "1st summary", "2nd summary", "targets")
	base := map[string]float64{}
	for _, r := range results {
		if r.rows == baseline {
			base[r.backend] = r.rate()
		}
	}
	for _, r := range results {
		verdict := "baseline"
		if r.rows != baseline {
			var missed []string
			if r.elapsed > targetTime {
				missed = append(missed, "time > "+targetTime.String())
			}
			if r.rss > targetRSS {
				missed = append(missed, fmt.Sprintf("RSS > %d MB", targetRSS>>20))
			}
			if r.first > targetFirst {
				missed = append(missed, "1st summary > "+targetFirst.String())
			}
			verdict = "met"
			if len(missed) > 0 {
				verdict = "MISSED: " + strings.Join(missed, ", ")
			}
		}
		fmt.Fprintf(w, "%-9s %8d %10s %9.0f %8.2fx %6.0f MB %12s %12s  %s\n", r.backend, r.rows, r.elapsed.Round(time.Millisecond),
			r.rate(), r.rate()/base[r.backend], float64(r.rss)/(1<<20), r.first.Round(10*time.Microsecond), r.second.Round(10*time.Microsecond), verdict)
	}
	for _, r := range results {
		fmt.Fprintf(w, "%s, %d rows: %s\n", r.backend, r.rows, r.totals)
	}
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

func envStr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
