package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A server killed between claiming an Idempotency-Key and answering leaves the claim behind. A
// retry must get 409 while the original could still be running, and be served once it cannot.
func TestIdempotencyClaimOfACrashedRequestExpires(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend, func(c *config.Config) { c.RequestTimeout = time.Second })
		secret, tok, err := env.App.Tokens.Create(t.Context(), auth.System, auth.NewToken{Name: "retrier", Role: auth.Staff})
		if err != nil {
			t.Fatal(err)
		}
		body := `{"full_name":"Hà Văn Sơn"}`
		sum := sha256.Sum256([]byte("POST /api/v1/persons\n" + body))
		claim := func(key string, age time.Duration) {
			err := env.App.Store.DB.Exec(`INSERT INTO idempotency_keys (token_id, key, method, path, body_hash, status, created_at)
				VALUES (?, ?, 'POST', '/api/v1/persons', ?, 0, ?)`, tok.ID, key, hex.EncodeToString(sum[:]), time.Now().UTC().Add(-age)).Error
			if err != nil {
				t.Fatal(err)
			}
		}
		c := env.Client(secret)
		claim("fresh", 0)
		if r := c.Post("/api/v1/persons", body, "Idempotency-Key", "fresh"); r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("a claim that may still be running: want 409, got %s", r)
		}
		claim("abandoned", time.Minute)
		r := c.Post("/api/v1/persons", body, "Idempotency-Key", "abandoned")
		if r.Status != http.StatusCreated {
			t.Fatalf("a claim older than the request timeout is abandoned: want 201, got %s", r)
		}
		if again := c.Post("/api/v1/persons", body, "Idempotency-Key", "abandoned"); again.Status != http.StatusCreated || personID(t, again) != personID(t, r) {
			t.Fatalf("the retry's answer is the one replayed from then on: %s vs %s", again, r)
		}
	})
}

// Idempotency keys live in the database: a retry that a load balancer sends to another replica
// of the service replays the first answer and creates nothing, and the same key with another
// body is refused there too.
func TestIdempotencyAcrossReplicas(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testenv.MigratedDatabaseURL(t, backend)
		one, two := testenv.StartOn(t, backend, dbURL), testenv.StartOn(t, backend, dbURL)
		secret, _, err := one.App.Tokens.Create(t.Context(), auth.System, auth.NewToken{Name: "retrier", Role: auth.Staff})
		if err != nil {
			t.Fatal(err)
		}
		body := `{"full_name":"Đinh Thị Hai Nơi"}`
		first := one.Client(secret).Post("/api/v1/persons", body, "Idempotency-Key", "across")
		if first.Status != http.StatusCreated {
			t.Fatalf("first: %s", first)
		}
		retry := two.Client(secret).Post("/api/v1/persons", body, "Idempotency-Key", "across")
		if retry.Status != http.StatusCreated || personID(t, retry) != personID(t, first) {
			t.Fatalf("the retry on the other replica replays the first answer: %s vs %s", retry, first)
		}
		if r := two.Client(secret).Post("/api/v1/persons", `{"full_name":"Người Khác"}`, "Idempotency-Key", "across"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("the same key with another body on the other replica: want 422, got %s", r)
		}
		var n int64
		if err := one.App.Store.DB.Raw("SELECT count(*) FROM persons WHERE full_name = ?", "Đinh Thị Hai Nơi").Scan(&n).Error; err != nil || n != 1 {
			t.Fatalf("one person created, found %d (%v)", n, err)
		}
	})
}

// personID is the id of the person a 201 answer created.
func personID(t *testing.T, r *testenv.Response) string {
	t.Helper()
	return testenv.Decode[apiclient.RegistryCreatedPerson](t, r).ID
}
