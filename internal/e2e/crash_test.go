package e2e_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/e2e"
	"github.com/tcd-registry/tcd/internal/testenv"
)

const crashWriters = 8

// written is one create the server acknowledged with 201, or one it never answered.
type written struct {
	kind *recordKind
	key  string // Idempotency-Key
	body map[string]any
	id   string // empty when unanswered
}

// recordKind is one kind of record the writers create, with how to check it after a crash.
type recordKind struct {
	path  string
	body  func(n int) map[string]any
	check func(c *e2e.Client, w written) error
}

var personKind = &recordKind{
	path: "/api/v1/persons",
	body: func(n int) map[string]any {
		return map[string]any{"full_name": fmt.Sprintf("Nguyễn Văn Thử %d", n), "gender": "male", "birth_year": 1950 + n%50}
	},
	check: func(c *e2e.Client, w written) error {
		return expectField(c, "/api/v1/persons/"+w.id, "full_name", w.body["full_name"])
	},
}

// expectField GETs path and expects 200 with field equal to want.
func expectField(c *e2e.Client, path, field string, want any) error {
	r, err := c.Do(http.MethodGet, path, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %v", path, err)
	}
	if r.Status != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, r)
	}
	var got map[string]any
	if err := r.Decode(&got); err != nil || got[field] != want {
		return fmt.Errorf("GET %s: %s is %v, want %v", path, field, got[field], want)
	}
	return nil
}

// TestAcknowledgedWritesSurviveKill runs concurrent writers against tcd serve, kills it with
// SIGKILL mid-flight, restarts it on the same database and checks that every create it
// acknowledged is there, complete, three times over (twenty in the long form). Requests that were in flight at the kill
// are retried with their Idempotency-Key, as a careful client would.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	bin := binary(t)
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := e2e.Env("TCD_DATABASE_URL=" + testenv.MigratedDatabaseURL(t, backend))
		secret := token(t, bin, env, "staff", "crash-writer")
		var acked []written
		seq := 0
		for round := 1; round <= scaled(3, 20); round++ {
			srv := serve(t, bin, env)
			c := e2e.NewClient(srv.BaseURL, secret, 20*time.Second)
			if round > 1 {
				// everything acknowledged before every earlier kill, still there
				verify(t, c, acked)
			}
			got, unanswered := writeUntilKilled(t, srv, c, &seq)
			if len(got) == 0 {
				t.Fatalf("round %d: no write was acknowledged before the kill", round)
			}
			t.Logf("round %d: %d creates acknowledged, %d in flight at SIGKILL", round, len(got), len(unanswered))
			acked = append(acked, got...)

			srv = serve(t, bin, env)
			c = e2e.NewClient(srv.BaseURL, secret, 20*time.Second)
			retried, stuck := retry(t, c, unanswered)
			acked = append(acked, retried...)
			if stuck > 0 {
				t.Logf("round %d: %d retried create(s) refused with 409: their Idempotency-Key is stuck \"still being processed\"", round, stuck)
			}
			verify(t, c, acked)
			srv.Stop()
		}
	})
}

// writeUntilKilled runs the writers and kills the server after a random 1-2 s (1-6 s in the long
// form). Each writer stops
// at its first transport error: that request may or may not have been committed.
func writeUntilKilled(t *testing.T, srv *e2e.Server, c *e2e.Client, seq *int) (acked, unanswered []written) {
	t.Helper()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		bad  []string
		next = func() int { mu.Lock(); defer mu.Unlock(); *seq++; return *seq }
	)
	for range crashWriters {
		wg.Go(func() {
			for {
				n := next()
				w := written{kind: personKind, key: fmt.Sprintf("crash-%d", n), body: personKind.body(n)}
				r, err := c.Do(http.MethodPost, w.kind.path, w.body, "Idempotency-Key", w.key)
				mu.Lock()
				switch {
				case err != nil:
					unanswered = append(unanswered, w)
				case r.Status == http.StatusCreated && idOf(r) != "":
					w.id = idOf(r)
					acked = append(acked, w)
				default:
					bad = append(bad, fmt.Sprintf("POST %s: %s", w.kind.path, r))
				}
				stop := err != nil || len(bad) > 0
				mu.Unlock()
				if stop {
					return
				}
			}
		})
	}
	time.Sleep(time.Second + rand.N(time.Duration(scaled(1, 5))*time.Second))
	srv.Kill()
	wg.Wait()
	for _, b := range bad {
		t.Errorf("before the kill: %s", b)
	}
	return acked, unanswered
}

// retry repeats the requests the kill left unanswered with the same Idempotency-Key and body.
// Whether or not the first attempt was committed, the retry must not fail with a 5xx, and a 201
// must name a readable record. A 409 is tolerated and counted: the idempotency middleware commits
// its "in progress" claim apart from the write, so a claim orphaned by the kill refuses the key
// until it expires (48 h). Once it no longer does, tighten this to 201 only.
func retry(t *testing.T, c *e2e.Client, unanswered []written) (created []written, stuck int) {
	t.Helper()
	for _, w := range unanswered {
		r, err := c.Do(http.MethodPost, w.kind.path, w.body, "Idempotency-Key", w.key)
		if err != nil {
			t.Fatalf("retry after restart: %v", err)
		}
		switch {
		case r.Status == http.StatusCreated && idOf(r) != "":
			w.id = idOf(r)
			created = append(created, w)
		case r.Status == http.StatusConflict && r.IsProblem():
			stuck++
		default:
			t.Errorf("retry of an in-flight create (Idempotency-Key %s) after the restart: want 201, got %s", w.key, r)
		}
	}
	return created, stuck
}

// verify checks every acknowledged record with a few concurrent readers.
func verify(t *testing.T, c *e2e.Client, acked []written) {
	t.Helper()
	start := time.Now()
	work := make(chan written)
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for w := range work {
				if err := w.kind.check(c, w); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, w := range acked {
		work <- w
	}
	close(work)
	wg.Wait()
	for i, err := range errs {
		if i == 10 {
			t.Errorf("… and %d more", len(errs)-10)
			break
		}
		t.Errorf("acknowledged before a SIGKILL, not intact after the restart: %v", err)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
	t.Logf("verified %d acknowledged records in %s", len(acked), time.Since(start).Round(time.Millisecond))
}

func idOf(r *e2e.Response) string {
	var m struct {
		ID string `json:"id"`
	}
	_ = r.Decode(&m)
	return m.ID
}
