package e2e_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/e2e"
)

const (
	outageMaxAnswer = 6 * time.Second  // a request during the outage answers within this
	outageMaxResume = 15 * time.Second // writes succeed again within this after PostgreSQL returns
)

// TestDatabaseOutage stops PostgreSQL under a running tcd serve: every request must answer 503
// problem+json promptly (never hang, never 500), /readyz must say 503, and once PostgreSQL is
// back the service must resume by itself, without a restart of tcd. Once, or five times over
// in the long form.
func TestDatabaseOutage(t *testing.T) {
	pg := startCluster(t)
	bin := binary(t)
	env := e2e.Env("TCD_DATABASE_URL=" + pg.URL())
	secret := token(t, bin, env, "staff", "outage")
	srv := serve(t, bin, env)
	c := e2e.NewClient(srv.BaseURL, secret, 30*time.Second)
	if r, err := c.Do(http.MethodGet, "/readyz", nil); err != nil || r.Status != http.StatusOK {
		t.Fatalf("before the outage: /readyz: %v %v", r, err)
	}
	var written []string
	for cycle := 1; cycle <= scaled(1, 5); cycle++ {
		written = append(written, create(t, c, "/api/v1/persons", map[string]any{"full_name": "Trần Thị Trước"}))
		background := startWriters(c, 4)
		time.Sleep(200 * time.Millisecond) // so the stop cuts transactions in flight
		pg.stop()
		slowest := expectUnavailable(t, c, "/api/v1/persons/"+written[0])
		pg.start()
		resumed := time.Now()
		written = append(written, awaitWrite(t, c))
		for _, bad := range background.stop() {
			t.Errorf("outage %d, concurrent writer: want only 201 or 503 problem+json, got %s", cycle, bad)
		}
		t.Logf("outage %d: slowest 503 in %s; the first write succeeded %s after PostgreSQL was back; concurrent writers saw %v",
			cycle, slowest.Round(time.Millisecond), time.Since(resumed).Round(time.Millisecond), background.statuses)
		if r, err := c.Do(http.MethodGet, "/readyz", nil); err != nil || r.Status != http.StatusOK {
			t.Fatalf("after the outage: /readyz: %v %v", r, err)
		}
		for _, id := range written {
			if err := expectField(c, "/api/v1/persons/"+id, "id", id); err != nil {
				t.Errorf("after the outage: %v", err)
			}
		}
	}
}

// expectUnavailable sends reads and writes of every sort while the database is down and returns
// the slowest answer's time.
func expectUnavailable(t *testing.T, c *e2e.Client, person string) (slowest time.Duration) {
	t.Helper()
	requests := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/readyz", nil},
		{http.MethodPost, "/api/v1/persons", map[string]any{"full_name": "Lê Văn Trong"}},
		{http.MethodGet, "/api/v1/persons", nil},
		{http.MethodGet, person, nil},
		{http.MethodPatch, person, map[string]any{"phone": "0912345678"}},
		{http.MethodDelete, person + "?reason=thử", nil},
		{http.MethodGet, "/api/v1/orgs", nil},
	}
	// twice: first on pooled connections that PostgreSQL has just cut, then on fresh dials
	for pass := 1; pass <= 2; pass++ {
		for _, q := range requests {
			start := time.Now()
			r, err := c.Do(q.method, q.path, q.body)
			took := time.Since(start)
			slowest = max(slowest, took)
			switch {
			case err != nil:
				t.Errorf("outage, pass %d: %s %s: %v after %s", pass, q.method, q.path, err, took)
			case r.Status != http.StatusServiceUnavailable || !r.IsProblem() || !bytes.Contains(r.Body, []byte("urn:tcd:problem:unavailable")):
				t.Errorf("outage, pass %d: %s %s: want 503 problem+json, got %s", pass, q.method, q.path, r)
			case took > outageMaxAnswer:
				t.Errorf("outage, pass %d: %s %s answered 503 only after %s (limit %s)", pass, q.method, q.path, took, outageMaxAnswer)
			}
		}
	}
	return slowest
}

// awaitWrite retries a create until it succeeds, failing after outageMaxResume; meanwhile only
// 503 is an acceptable answer.
func awaitWrite(t *testing.T, c *e2e.Client) string {
	t.Helper()
	deadline := time.Now().Add(outageMaxResume)
	for {
		r, err := c.Do(http.MethodPost, "/api/v1/persons", map[string]any{"full_name": "Phạm Văn Sau"})
		switch {
		case err == nil && r.Status == http.StatusCreated:
			return idOf(r)
		case time.Now().After(deadline):
			t.Fatalf("PostgreSQL is back but tcd still fails writes after %s: %v %v", outageMaxResume, r, err)
		case err == nil && r.Status != http.StatusServiceUnavailable:
			t.Fatalf("while PostgreSQL comes back: want 201 or 503, got %s", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// writers keep creating persons while the database goes away and comes back, so that the
// outage cuts transactions in the middle, not only idle connections.
type writers struct {
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	statuses map[int]int
	bad      []string
}

func startWriters(c *e2e.Client, n int) *writers {
	w := &writers{done: make(chan struct{}), statuses: map[int]int{}}
	for range n {
		w.wg.Go(func() {
			for {
				select {
				case <-w.done:
					return
				default:
				}
				r, err := c.Do(http.MethodPost, "/api/v1/persons", map[string]any{"full_name": "Đỗ Thị Giữa"})
				w.mu.Lock()
				switch {
				case err != nil:
					w.bad = append(w.bad, err.Error())
				case r.Status == http.StatusCreated, r.Status == http.StatusServiceUnavailable && r.IsProblem():
					w.statuses[r.Status]++
				default:
					w.bad = append(w.bad, r.String())
				}
				w.mu.Unlock()
				if r != nil && r.Status == http.StatusServiceUnavailable {
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	return w
}

// stop ends the writers and returns the answers that were neither 201 nor 503.
func (w *writers) stop() []string {
	close(w.done)
	w.wg.Wait()
	return w.bad
}
