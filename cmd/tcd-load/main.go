// Command tcd-load measures tcd serve on PostgreSQL under a realistic mix (visit creates,
// person search and lists, statistics reads) from many concurrent clients, beside a pgbench
// single-row insert baseline on the same database in the same run. `make bench-load` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tcd-registry/tcd/internal/e2e"
)

// The targets of issue 6.
const (
	targetP99         = 100 * time.Millisecond
	targetRSSBytes    = 150 << 20
	targetInsertRatio = 0.25
)

// statsSettle is how long after the last write PostgreSQL's statistics include it: server
// processes publish their counts at the latest ten seconds after going idle.
const statsSettle = 11 * time.Second

type options struct {
	baseURL     string
	duration    time.Duration
	clients     int
	pgbenchTime time.Duration
	seedPersons int
	seedVisits  int
	tcdBinary   string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("tcd-load: ")
	var o options
	flag.StringVar(&o.baseURL, "database", firstEnv("BENCH_DATABASE_URL", "TCD_TEST_DATABASE_URL"),
		"PostgreSQL URL whose server hosts the throwaway benchmark database (BENCH_DATABASE_URL, else TCD_TEST_DATABASE_URL)")
	flag.DurationVar(&o.duration, "duration", envDuration("LOAD_DURATION", time.Minute), "length of the HTTP load (LOAD_DURATION)")
	flag.IntVar(&o.clients, "clients", 50, "concurrent clients, each sending its next request when the previous one is answered")
	flag.DurationVar(&o.pgbenchTime, "pgbench-duration", 15*time.Second, "length of the pgbench baseline")
	flag.IntVar(&o.seedPersons, "seed-persons", 3000, "persons created before the load")
	flag.IntVar(&o.seedVisits, "seed-visits", 2000, "visits created before the load (when the service has visits)")
	flag.StringVar(&o.tcdBinary, "tcd", "", "tcd binary to run (default: build ./cmd/tcd)")
	flag.Parse()
	if o.baseURL == "" {
		log.Fatal("set BENCH_DATABASE_URL (or TCD_TEST_DATABASE_URL) to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	missed, err := run(ctx, o)
	if err != nil {
		log.Fatal(err)
	}
	if len(missed) > 0 {
		log.Fatalf("missed: %s", strings.Join(missed, "; "))
	}
}

// run does the whole benchmark and returns the targets it missed.
func run(ctx context.Context, o options) ([]string, error) {
	db, err := createDatabase(ctx, o.baseURL)
	if err != nil {
		return nil, err
	}
	defer db.drop()

	bin := o.tcdBinary
	if bin == "" {
		if bin, err = e2e.Binary(); err != nil {
			return nil, err
		}
		defer e2e.RemoveBinary()
	}
	env := e2e.Env("TCD_DATABASE_URL=" + db.url)
	secret, err := e2e.Token(ctx, bin, env, "staff", "tcd-load")
	if err != nil {
		return nil, err
	}
	srv, err := e2e.Start(bin, env)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	if err := srv.Ready(30 * time.Second); err != nil {
		return nil, err
	}
	log.Printf("tcd serve (pid %d) on %s, database %s", srv.PID(), srv.BaseURL, db.name)

	stopAnalyze := db.analyzeEvery(5 * time.Second)
	defer stopAnalyze()
	client := e2e.NewClient(srv.BaseURL, secret, 30*time.Second)
	m, err := newMix(ctx, client, o)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}

	log.Printf("pgbench: single-row inserts, 50 clients, %s", o.pgbenchTime)
	tps, err := db.pgbenchInsertTPS(ctx, o.pgbenchTime)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// The mix from clients that never pause measures what the service can do at most, and the
	// latency of a saturated service (clients / throughput, by Little's law); creates alone
	// measure the write path against pgbench's, with the rows each one writes counted around
	// them; the mix at half that throughput, sent at a steady rate, measures the latency a
	// client sees when the service is busy, not saturated; the health check alone is the
	// ceiling the HTTP stack and the load generator leave on this machine.
	var runs []*results
	var before, after writes
	for i, p := range []phase{
		{name: "mix, closed loop", clients: o.clients, duration: o.duration, pick: m.pick},
		{name: "visit creates alone, closed loop", clients: o.clients, duration: max(10*time.Second, o.duration/4), pick: m.creates},
		{name: "mix at half the closed-loop throughput, open loop", clients: o.clients, duration: max(10*time.Second, o.duration/2), pick: m.pick},
		{name: "health check alone (no database), closed loop", clients: o.clients, duration: 10 * time.Second, pick: func() *kind { return healthCheck }},
	} {
		switch i {
		case 1:
			if before, err = db.writesSoFar(ctx, statsSettle); err != nil {
				return nil, err
			}
		case 2:
			if after, err = db.writesSoFar(ctx, statsSettle); err != nil {
				return nil, err
			}
			p.rate = runs[0].all.Throughput / 2
		}
		log.Printf("load: %s, %d clients for %s", p.name, p.clients, p.duration)
		runs = append(runs, m.attack(ctx, srv.BaseURL, secret, p))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	peak, err := peakRSS(srv.PID())
	if err != nil {
		return nil, err
	}
	if err := srv.Ready(5 * time.Second); err != nil {
		return nil, errors.New("tcd serve is not ready after the load: " + err.Error() + "\n" + srv.Log())
	}
	if !db.autovacuum {
		m.notes = append(m.notes, "autovacuum is off on this server: tcd-load ran ANALYZE every 5 s instead, as autovacuum would keep statistics fresh")
	}
	return report(os.Stdout, o, db.version, m, runs, peak, tps, writes{after.commits - before.commits, after.rows - before.rows}), nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		log.Fatalf("%s must be a duration such as 30s, got %q", name, v)
	}
	return d
}
