package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

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
		if again := c.Post("/api/v1/persons", body, "Idempotency-Key", "abandoned"); again.JSON()["id"] != r.JSON()["id"] {
			t.Fatalf("the retry's answer is the one replayed from then on: %s vs %s", again, r)
		}
	})
}
