package e2e_test

import (
	"bytes"
	"net/http"
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
// back the service must resume by itself, without a restart of tcd.
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
	before := createPerson(t, c, "Trần Thị Trước")

	pg.stop()
	person := "/api/v1/persons/" + before
	requests := []struct{ method, path string }{
		{http.MethodGet, "/readyz"},
		{http.MethodPost, "/api/v1/persons"},
		{http.MethodGet, "/api/v1/persons"},
		{http.MethodGet, person},
		{http.MethodPatch, person},
		{http.MethodDelete, person + "?reason=thử"},
		{http.MethodGet, "/api/v1/orgs"},
	}
	var slowest time.Duration
	// twice: first on pooled connections that PostgreSQL has just cut, then on fresh dials
	for pass := 1; pass <= 2; pass++ {
		for _, q := range requests {
			var body any
			switch q.method {
			case http.MethodPost:
				body = map[string]any{"full_name": "Lê Văn Trong"}
			case http.MethodPatch:
				body = map[string]any{"phone": "0912345678"}
			}
			start := time.Now()
			r, err := c.Do(q.method, q.path, body)
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

	t.Logf("during the outage: %d requests, slowest 503 in %s", 2*len(requests), slowest.Round(time.Millisecond))

	pg.start()
	back := time.Now()
	deadline := back.Add(outageMaxResume)
	var after string
	for after == "" {
		r, err := c.Do(http.MethodPost, "/api/v1/persons", map[string]any{"full_name": "Phạm Văn Sau"})
		switch {
		case err == nil && r.Status == http.StatusCreated:
			after = idOf(r)
		case time.Now().After(deadline):
			t.Fatalf("PostgreSQL is back but tcd still fails writes after %s: %v %v", outageMaxResume, r, err)
		case err == nil && r.Status != http.StatusServiceUnavailable:
			t.Fatalf("while PostgreSQL comes back: want 201 or 503, got %s", r)
		default:
			time.Sleep(200 * time.Millisecond)
		}
	}
	t.Logf("first write succeeded %s after PostgreSQL was back", time.Since(back).Round(time.Millisecond))
	if r, err := c.Do(http.MethodGet, "/readyz", nil); err != nil || r.Status != http.StatusOK {
		t.Fatalf("after the outage: /readyz: %v %v", r, err)
	}
	for _, id := range []string{before, after} {
		if err := expectField(c, "/api/v1/persons/"+id, "id", id); err != nil {
			t.Errorf("after the outage: %v", err)
		}
	}
}

func createPerson(t *testing.T, c *e2e.Client, name string) string {
	t.Helper()
	r, err := c.Do(http.MethodPost, "/api/v1/persons", map[string]any{"full_name": name})
	if err != nil || r.Status != http.StatusCreated || idOf(r) == "" {
		t.Fatalf("POST /api/v1/persons: want 201, got %v %v", r, err)
	}
	return idOf(r)
}
