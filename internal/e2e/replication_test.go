package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/e2e"
	"github.com/tcd-registry/tcd/internal/store"
)

// replicaMaxLag is the lag past which the test's tcd leaves its replica out: short, so that the
// test sees it happen, long enough that a paused replica is still read for a while first, even
// when a loaded CI machine stalls between a write and the read after it.
const replicaMaxLag = 5 * time.Second

// TestReadReplicas runs what a national deployment runs, on loopback: a PostgreSQL primary and a
// streaming replica (initdb, pg_basebackup), two tcd serve reading from that replica, and a
// reverse proxy that sends writes to one tcd and reads to the other. A client reads its own
// writes at once through the other tcd; another client reads the replica (its replay paused, it
// does not see the new write) until the replica lags too far and is left out; the replica
// stopped, reads go on from the primary, and it rejoins when started; every acknowledged write
// is on the primary, and on the replica once it has caught up.
func TestReadReplicas(t *testing.T) {
	start := time.Now()
	phase := func(what string) { t.Logf("%6.1f s  %s", time.Since(start).Seconds(), what) }
	primary := startCluster(t)
	bin := binary(t)
	phase("primary started, tcd built")
	env := e2e.Env("TCD_DATABASE_URL=" + primary.URL())
	writerSecret := token(t, bin, env, "staff", "writer") // migrates the primary, which the replica then copies
	readerSecret := token(t, bin, env, "staff", "reader")
	auditorSecret := token(t, bin, env, "auditor", "auditor")
	replica := startReplica(t, primary)
	env = append(env, "TCD_DATABASE_REPLICA_URLS="+replica.URL(), "TCD_REPLICA_MAX_LAG="+replicaMaxLag.String(),
		"TCD_READ_YOUR_WRITES=5s")
	writes, reads := serve(t, bin, env), serve(t, bin, env)
	proxy := httptest.NewServer(splitProxy(t, writes.BaseURL, reads.BaseURL))
	defer proxy.Close()
	writer := e2e.NewClient(proxy.URL, writerSecret, 10*time.Second)
	reader := e2e.NewClient(proxy.URL, readerSecret, 10*time.Second)
	for _, srv := range []*e2e.Server{writes, reads} {
		awaitReplica(t, srv.BaseURL, store.ReplicaInUse, 10*time.Second)
	}
	phase("replica made, two tcd serve reading from it")

	acked := 0
	write := func() {
		t.Helper()
		create(t, writer, "/api/v1/persons", map[string]any{"full_name": fmt.Sprintf("Nguyễn Văn Bản Sao %d", acked)})
		acked++
	}
	write()
	if n := personCount(t, writer); n != acked {
		t.Fatalf("the writer reads its write at once through the other tcd: %d persons, want %d", n, acked)
	}
	awaitCount(t, reader, acked, 5*time.Second, "the reader, once the replica has replayed the write")
	if n := routedReads(t, reads.BaseURL, "replica"); n == 0 {
		t.Fatal("no read went to the replica")
	}
	everyReplicaRoute(t, writer, e2e.NewClient(proxy.URL, auditorSecret, 10*time.Second), reads.BaseURL)
	acked += 2 // the visit's two persons

	phase("read-your-writes through the other tcd; the reader reads the replica")
	// Replay paused: the reader reads the replica as it stood, the writer its own write.
	execOn(t, replica.URL(), "SELECT pg_wal_replay_pause()")
	write()
	if n := personCount(t, reader); n != acked-1 {
		t.Fatalf("replay paused, the reader should read the replica without the new write: %d persons, want %d", n, acked-1)
	}
	if n := personCount(t, writer); n != acked {
		t.Fatalf("replay paused, the writer still reads its own write (from the primary): %d persons, want %d", n, acked)
	}
	// Past the allowed lag the replica is left out and the reader reads the primary.
	awaitReplica(t, reads.BaseURL, store.ReplicaLagging, replicaMaxLag+5*time.Second)
	if n := personCount(t, reader); n != acked {
		t.Fatalf("the replica left out for its lag, the reader reads the primary: %d persons, want %d", n, acked)
	}
	execOn(t, replica.URL(), "SELECT pg_wal_replay_resume()")
	awaitReplica(t, reads.BaseURL, store.ReplicaInUse, 5*time.Second)

	phase("replay paused: read as of the replica, then left out for its lag")
	// The replica stopped: reads go on from the primary, and writes go on.
	replica.stop()
	for range 3 {
		write()
		if n := personCount(t, reader); n != acked {
			t.Fatalf("the replica stopped, the reader reads the primary: %d persons, want %d", n, acked)
		}
	}
	awaitReplica(t, reads.BaseURL, store.ReplicaUnreachable, 5*time.Second)
	phase("replica stopped: reads from the primary")
	replica.start()
	awaitReplica(t, reads.BaseURL, store.ReplicaInUse, 15*time.Second)
	phase("replica started: in use again")
	before := routedReads(t, reads.BaseURL, "replica")
	awaitCount(t, reader, acked, 5*time.Second, "the reader, the replica back")
	if routedReads(t, reads.BaseURL, "replica") == before {
		t.Fatal("the replica back in use, reads should go to it again")
	}

	for name, c := range map[string]*pgCluster{"primary": primary, "replica": replica} {
		var n int
		queryOne(t, c.URL(), "SELECT count(*) FROM persons", &n)
		if n != acked {
			t.Errorf("the %s holds %d persons, %d were acknowledged", name, n, acked)
		}
	}
}

// everyReplicaRoute reads every route that may read from a replica, as a client that never
// writes (so from the replica): each answers 200, i.e. none of them writes (a hot standby refuses
// writes) nor needs the primary, and each was counted as read from the replica. A visit recorded
// first gives the statistics and exports something to count.
func everyReplicaRoute(t *testing.T, writer, auditor *e2e.Client, readsBase string) {
	t.Helper()
	session := create(t, writer, "/api/v1/sessions", map[string]any{"kind": "regular", "date": time.Now().Format(time.DateOnly)})
	create(t, writer, "/api/v1/visits", visitKind(session).body(1))
	year := strconv.Itoa(time.Now().Year())
	paths := []string{"/cases", "/visits", "/persons", "/sessions", "/delegations", "/directives", "/notices", "/petitions",
		"/documents", "/deadlines", "/dedup/candidates?type=person", "/audit", "/stats/summary?period=" + year,
		"/stats/form-01?period=" + year, "/stats/breakdown?by=category&period=" + year, "/compliance?period=" + year,
		"/exports/report?format=csv&period=" + year, "/exports/register?format=csv&period=" + year}
	time.Sleep(time.Second) // the replica replays the visit
	before := routedReads(t, readsBase, "replica")
	for _, path := range paths {
		if r, err := auditor.Do(http.MethodGet, "/api/v1"+path, nil); err != nil || r.Status != http.StatusOK {
			t.Errorf("GET %s from the replica: %v %v", path, r, err)
		}
	}
	if n := routedReads(t, readsBase, "replica") - before; n != float64(len(paths)) {
		t.Errorf("%d of the %d replica-readable routes read from the replica", int(n), len(paths))
	}
}

// splitProxy sends GET requests to reads and every other to writes.
func splitProxy(t testing.TB, writes, reads string) http.Handler {
	t.Helper()
	w, err := url.Parse(writes)
	if err != nil {
		t.Fatal(err)
	}
	r, err := url.Parse(reads)
	if err != nil {
		t.Fatal(err)
	}
	toWrites, toReads := httputil.NewSingleHostReverseProxy(w), httputil.NewSingleHostReverseProxy(r)
	return http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet {
			toReads.ServeHTTP(rw, req)
			return
		}
		toWrites.ServeHTTP(rw, req)
	})
}

// personCount is the number of persons the client reads in the list (served by the reading tcd).
func personCount(t *testing.T, c *e2e.Client) int {
	t.Helper()
	r, err := c.Do(http.MethodGet, "/api/v1/persons?count=true&limit=1", nil)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/persons: %v %v", r, err)
	}
	var page struct {
		Total *int `json:"total"`
	}
	if err := r.Decode(&page); err != nil || page.Total == nil {
		t.Fatalf("GET /api/v1/persons?count=true: no total in %s (%v)", r, err)
	}
	return *page.Total
}

func awaitCount(t *testing.T, c *e2e.Client, want int, within time.Duration, who string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n := personCount(t, c)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d persons after %s, want %d", who, n, within, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// awaitReplica waits until the tcd at base reports its replica in the given state on /readyz.
func awaitReplica(t testing.TB, base, state string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last string
	for {
		r, err := e2e.NewClient(base, "", 5*time.Second).Do(http.MethodGet, "/readyz", nil)
		if err == nil && r.Status == http.StatusOK {
			var body struct {
				Replicas []struct {
					State      string  `json:"state"`
					LagSeconds float64 `json:"lag_seconds"`
				} `json:"replicas"`
			}
			if r.Decode(&body) == nil && len(body.Replicas) == 1 {
				if body.Replicas[0].State == state {
					return
				}
			}
			last = string(r.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica not %s within %s: /readyz said %s", state, within, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// routedReads is the tcd's count of list, statistics and export reads served from source.
func routedReads(t testing.TB, base, source string) float64 {
	t.Helper()
	r, err := e2e.NewClient(base, "", 5*time.Second).Do(http.MethodGet, "/metrics", nil)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("GET /metrics: %v %v", r, err)
	}
	prefix := `tcd_replica_routed_reads_total{source="` + source + `"} `
	for _, line := range strings.Split(string(r.Body), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			var n float64
			if err := json.Unmarshal([]byte(v), &n); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return n
		}
	}
	return 0
}

func execOn(t *testing.T, dbURL, statement string) {
	t.Helper()
	var ignored any
	queryOne(t, dbURL, statement, &ignored)
}

// queryOne runs a query of one value on the database at dbURL and scans it into dest.
func queryOne(t testing.TB, dbURL, query string, dest any) {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SQL().QueryRow(query).Scan(dest); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
