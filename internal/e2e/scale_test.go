package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/e2e"
	"github.com/tcd-registry/tcd/internal/store"
)

// BenchmarkReadScale (make bench-scale) measures, on loopback, statistics reads per second
// through tcd serve against a PostgreSQL primary alone (the baseline), then with 1 and 2 tcd
// reading from a streaming replica, all in one run on one register; then the replica's lag
// while clients create visits. BENCH_SCALE_VISITS (default 3000) visits are created first,
// BENCH_SCALE_SECONDS (default 10) is each measurement's length, BENCH_SCALE_CLIENTS (default
// 16) the concurrent readers, each sending its next request when the last is answered.
func BenchmarkReadScale(b *testing.B) {
	visits := envInt(b, "BENCH_SCALE_VISITS", 3000)
	length := time.Duration(envInt(b, "BENCH_SCALE_SECONDS", 10)) * time.Second
	clients := envInt(b, "BENCH_SCALE_CLIENTS", 16)
	for range b.N {
		primary := startCluster(b)
		bin := binary(b)
		env := e2e.Env("TCD_DATABASE_URL="+primary.URL(), "TCD_DB_MAX_CONNS=20")
		writerSecret := token(b, bin, env, "staff", "writer")
		readerSecret := token(b, bin, env, "staff", "reader")
		replica := startReplica(b, primary)
		withReplica := append(slices.Clone(env), "TCD_DATABASE_REPLICA_URLS="+replica.URL())

		alone := serve(b, bin, env)
		writer := e2e.NewClient(alone.BaseURL, writerSecret, 30*time.Second)
		session := create(b, writer, "/api/v1/sessions", map[string]any{"kind": "regular", "date": time.Now().Format(time.DateOnly)})
		seeded := time.Now()
		created := writeLoad(b, writer, visitKind(session), 8, func(n int) bool { return n >= visits })
		b.Logf("%d visits created in %s", created, time.Since(seeded).Round(time.Millisecond))

		statsPath := fmt.Sprintf("/api/v1/stats/summary?period=%d", time.Now().Year())
		var rows []readRow
		// what each server spent on the reads: what a replica takes off the primary
		measure := func(setup string, bases ...string) {
			primaryBefore, replicaBefore := primary.cpu(), replica.cpu()
			row := readRate(b, setup, bases, readerSecret, statsPath, clients, length)
			row.primaryCPU, row.replicaCPU = primary.cpu()-primaryBefore, replica.cpu()-replicaBefore
			rows = append(rows, row)
		}
		measure("primary alone, 1 tcd", alone.BaseURL)
		first := serve(b, bin, withReplica)
		awaitReplica(b, first.BaseURL, store.ReplicaInUse, 10*time.Second)
		measure("replica, 1 tcd", first.BaseURL)
		second := serve(b, bin, withReplica)
		awaitReplica(b, second.BaseURL, store.ReplicaInUse, 10*time.Second)
		measure("replica, 2 tcd", first.BaseURL, second.BaseURL)
		for _, srv := range []*e2e.Server{first, second} {
			if routedReads(b, srv.BaseURL, "replica") == 0 {
				b.Fatalf("no statistics read went to the replica through %s", srv.BaseURL)
			}
		}

		// The lag while visits are created through the tcd that reads from the replica.
		var lags lagSamples
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() { defer close(sampled); lags = sampleLag(b, primary.URL(), first.BaseURL, stop) }()
		writer = e2e.NewClient(first.BaseURL, writerSecret, 30*time.Second)
		loadStart := time.Now()
		n := writeLoad(b, writer, visitKind(session), 8, func(int) bool { return time.Since(loadStart) >= length })
		close(stop)
		<-sampled
		printScale(b, visits, clients, length, rows, float64(n)/time.Since(loadStart).Seconds(), lags)
	}
}

// readRow is one read measurement.
type readRow struct {
	setup                  string
	perSecond              float64
	p50, p99               time.Duration
	errs, answers          int
	primaryCPU, replicaCPU time.Duration // the servers' processor time during the reads
}

// readRate sends statistics reads from clients concurrent clients for length, spread over bases
// in turn, and counts the answers.
func readRate(b *testing.B, setup string, bases []string, secret, path string, clients int, length time.Duration) readRow {
	b.Helper()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      atomic.Int64
		wg        sync.WaitGroup
	)
	// a proxy in front of several tcd, as a deployment has; one tcd is reached directly
	target := bases[0]
	if len(bases) > 1 {
		var next atomic.Uint64
		proxies := make([]*httputil.ReverseProxy, len(bases))
		for i, base := range bases {
			u, err := url.Parse(base)
			if err != nil {
				b.Fatal(err)
			}
			proxies[i] = httputil.NewSingleHostReverseProxy(u)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			proxies[next.Add(1)%uint64(len(proxies))].ServeHTTP(w, r)
		}))
		defer srv.Close()
		target = srv.URL
	}
	c := e2e.NewClient(target, secret, 30*time.Second)
	if r, err := c.Do(http.MethodGet, path, nil); err != nil || r.Status != http.StatusOK {
		b.Fatalf("GET %s: %v %v", path, r, err)
	}
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var own []time.Duration
			for time.Since(start) < length {
				t0 := time.Now()
				r, err := c.Do(http.MethodGet, path, nil)
				if err != nil || r.Status != http.StatusOK {
					errs.Add(1)
					continue
				}
				own = append(own, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	row := readRow{setup: setup, answers: len(latencies), errs: int(errs.Load()), perSecond: float64(len(latencies)) / elapsed.Seconds()}
	if len(latencies) > 0 {
		row.p50, row.p99 = latencies[len(latencies)/2], latencies[len(latencies)*99/100]
	}
	return row
}

// writeLoad creates records of kind from writers concurrent clients until done says so (given
// the number created) and returns how many were created.
func writeLoad(b *testing.B, c *e2e.Client, kind *recordKind, writers int, done func(n int) bool) int {
	b.Helper()
	var (
		n    atomic.Int64
		seq  atomic.Int64
		wg   sync.WaitGroup
		fail atomic.Value
	)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done(int(n.Load())) {
				r, err := c.Do(http.MethodPost, kind.path, kind.body(int(seq.Add(1))))
				if err != nil || r.Status != http.StatusCreated {
					fail.Store(fmt.Sprintf("POST %s: %v %v", kind.path, r, err))
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if f := fail.Load(); f != nil {
		b.Fatal(f)
	}
	return int(n.Load())
}

// lagSamples is the replica's lag as PostgreSQL measures it (pg_stat_replication.replay_lag on
// the primary: how long ago the primary flushed what the replica has replayed, reported as the
// replica replays) and as tcd reports it (tcd_replica_lag_seconds, checked every second), with
// the WAL bytes the replica was behind.
type lagSamples struct {
	replay       []time.Duration
	tcd          []float64
	bytesBehind  []int64
	replayMissed int // samples without a replay_lag: the replica had replayed everything
}

func sampleLag(b *testing.B, primaryURL, tcdBase string, stop <-chan struct{}) lagSamples {
	st, err := store.Open(b.Context(), primaryURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		b.Error(err)
		return lagSamples{}
	}
	defer st.Close()
	var s lagSamples
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return s
		case <-tick.C:
		}
		var row struct {
			Lag    *float64
			Behind int64
		}
		err := st.DB.Raw(`SELECT EXTRACT(EPOCH FROM replay_lag)::float8 AS lag,
			pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS behind FROM pg_stat_replication LIMIT 1`).Scan(&row).Error
		if err != nil {
			b.Error(err)
			return s
		}
		if row.Lag == nil {
			s.replayMissed++
		} else {
			s.replay = append(s.replay, time.Duration(*row.Lag*float64(time.Second)))
		}
		s.bytesBehind = append(s.bytesBehind, row.Behind)
		if i%10 == 0 {
			s.tcd = append(s.tcd, tcdLag(b, tcdBase))
		}
	}
}

// tcdLag is the tcd_replica_lag_seconds the tcd at base reports.
func tcdLag(b *testing.B, base string) float64 {
	r, err := e2e.NewClient(base, "", 5*time.Second).Do(http.MethodGet, "/metrics", nil)
	if err != nil || r.Status != http.StatusOK {
		return -1
	}
	for _, line := range strings.Split(string(r.Body), "\n") {
		if rest, ok := strings.CutPrefix(line, "tcd_replica_lag_seconds{"); ok {
			if _, value, ok := strings.Cut(rest, "} "); ok {
				if v, err := strconv.ParseFloat(value, 64); err == nil {
					return v
				}
			}
		}
	}
	return -1
}

func printScale(b *testing.B, visits, clients int, length time.Duration, rows []readRow, writesPerSecond float64, lags lagSamples) {
	base := rows[0].perSecond
	fmt.Printf("\nStatistics reads (GET /stats/summary, this year, %d visits): %d clients, %s each, loopback\n\n", visits, clients, length)
	fmt.Printf("| setup | reads/s | ratio to the primary alone | p50 | p99 | errors | primary's CPU per 1000 reads | replica's |\n|---|---|---|---|---|---|---|---|\n")
	perThousand := func(d time.Duration, answers int) string {
		return (d * 1000 / time.Duration(max(answers, 1))).Round(time.Millisecond).String()
	}
	for _, r := range rows {
		fmt.Printf("| %s | %.0f | %.2f | %s | %s | %d | %s | %s |\n", r.setup, r.perSecond, r.perSecond/base,
			r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond), r.errs,
			perThousand(r.primaryCPU, r.answers), perThousand(r.replicaCPU, r.answers))
	}
	fmt.Printf("\n(one machine of %d processors runs the clients, every tcd and both servers: reads per second\n"+
		"measure how they share it; the processor time per read shows what a replica takes off the primary)\n", runtime.NumCPU())
	slices.Sort(lags.replay)
	slices.Sort(lags.bytesBehind)
	maxTCD := 0.0
	for _, v := range lags.tcd {
		maxTCD = max(maxTCD, v)
	}
	fmt.Printf("\nReplication lag while creating visits (8 clients, %s, %.0f visits/s through tcd):\n\n", length, writesPerSecond)
	fmt.Printf("| measure | p50 | p99 | max |\n|---|---|---|---|\n")
	if n := len(lags.replay); n > 0 {
		fmt.Printf("| replay_lag (pg_stat_replication; %d samples, %d fully replayed) | %s | %s | %s |\n", n, lags.replayMissed,
			lags.replay[n/2].Round(100*time.Microsecond), lags.replay[n*99/100].Round(100*time.Microsecond), lags.replay[n-1].Round(100*time.Microsecond))
	}
	if n := len(lags.bytesBehind); n > 0 {
		fmt.Printf("| WAL bytes not yet replayed | %d | %d | %d |\n", lags.bytesBehind[n/2], lags.bytesBehind[n*99/100], lags.bytesBehind[n-1])
	}
	fmt.Printf("| tcd_replica_lag_seconds (1 s resolution; %d scrapes) | | | %.1f s |\n\n", len(lags.tcd), maxTCD)
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s must be a positive integer, got %q", name, v)
	}
	return n
}
