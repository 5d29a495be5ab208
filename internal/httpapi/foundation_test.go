package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		anon := env.Client("")
		r := anon.Get("/api/v1/orgs")
		if r.Status != http.StatusUnauthorized || !r.IsProblem() || r.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("no token: want 401 problem+json with WWW-Authenticate, got %s", r)
		}
		if r := env.Client("tcd_not-a-real-token").Get("/api/v1/orgs"); r.Status != http.StatusUnauthorized || !r.IsProblem() {
			t.Fatalf("bad token: want 401 problem+json, got %s", r)
		}
		admin := env.As(auth.Admin)
		if r := admin.Get("/api/v1/orgs"); r.Status != http.StatusOK || len(r.Items()) != 1 {
			t.Fatalf("admin lists the default organisation: got %s", r)
		}
	})
}

func TestRevokedAndExpiredTokensStopWorking(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		ctx := t.Context()
		secret, tok, err := env.App.Tokens.Create(ctx, auth.System, auth.NewToken{Name: "soon-revoked", Role: auth.Staff})
		if err != nil {
			t.Fatal(err)
		}
		c := env.Client(secret)
		if r := c.Get("/api/v1/orgs"); r.Status != http.StatusOK {
			t.Fatalf("fresh token: got %s", r)
		}
		if err := env.App.Tokens.Revoke(ctx, auth.System, tok.Name); err != nil {
			t.Fatal(err)
		}
		if r := c.Get("/api/v1/orgs"); r.Status != http.StatusUnauthorized {
			t.Fatalf("revoked token must fail at once: got %s", r)
		}
		soon := time.Now().Add(time.Hour)
		expired, tok, err := env.App.Tokens.Create(ctx, auth.System, auth.NewToken{Name: "expired", Role: auth.Staff, ExpiresAt: &soon})
		if err != nil {
			t.Fatal(err)
		}
		// the hour passes
		if err := env.App.Store.DB.Exec("UPDATE tokens SET expires_at = ? WHERE id = ?", time.Now().UTC().Add(-time.Second), tok.ID).Error; err != nil {
			t.Fatal(err)
		}
		if r := env.Client(expired).Get("/api/v1/orgs"); r.Status != http.StatusUnauthorized {
			t.Fatalf("expired token: want 401, got %s", r)
		}
	})
}

func TestProblemDocuments(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		cases := []struct {
			name   string
			resp   *testenv.Response
			status int
			field  string
		}{
			{"unknown route", admin.Get("/api/v1/no-such-thing"), http.StatusNotFound, ""},
			{"method not allowed", admin.Do(http.MethodPut, "/api/v1/orgs", `{}`), http.StatusMethodNotAllowed, ""},
			{"malformed JSON", admin.Post("/api/v1/orgs", `{"code": "x",`), http.StatusBadRequest, ""},
			{"unknown field", admin.Post("/api/v1/orgs", `{"code": "x", "name": "y", "colour": "red"}`), http.StatusBadRequest, "colour"},
			{"wrong type", admin.Post("/api/v1/orgs", `{"code": 12, "name": "y"}`), http.StatusBadRequest, "code"},
			{"missing name", admin.Post("/api/v1/orgs", map[string]any{"code": "GL"}), http.StatusUnprocessableEntity, "name"},
			{"unknown parent", admin.Post("/api/v1/orgs", map[string]any{"code": "GL", "name": "Gio Linh", "parent_id": "nope"}), http.StatusUnprocessableEntity, "parent_id"},
			{"unknown org", admin.Get("/api/v1/orgs/nope"), http.StatusNotFound, ""},
		}
		for _, c := range cases {
			if c.resp.Status != c.status || !c.resp.IsProblem() {
				t.Errorf("%s: want %d problem+json, got %s (%s)", c.name, c.status, c.resp, c.resp.Header.Get("Content-Type"))
			}
			if c.field != "" && !c.resp.HasFieldError(c.field) {
				t.Errorf("%s: the problem must name field %q: %s", c.name, c.field, c.resp)
			}
			if c.resp.Problem().RequestID == "" {
				t.Errorf("%s: problem without request_id", c.name)
			}
		}
	})
}

func TestRolesArePermissions(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		body := map[string]any{"code": "GL", "name": "Ban TCD huyện Gio Linh"}
		for _, role := range []auth.Role{auth.Staff, auth.Auditor, auth.Agency} {
			r := env.As(role).Post("/api/v1/orgs", body)
			if r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("%s creating an organisation: want 403 problem+json, got %s", role, r)
			}
		}
		if r := env.As(auth.Agency).Get("/api/v1/audit"); r.Status != http.StatusForbidden {
			t.Errorf("agency reading the audit log: want 403, got %s", r)
		}
		if r := env.As(auth.Staff).Get("/api/v1/audit"); r.Status != http.StatusForbidden {
			t.Errorf("staff reading the audit log: want 403, got %s", r)
		}
		if r := env.As(auth.Auditor).Get("/api/v1/audit"); r.Status != http.StatusOK {
			t.Errorf("auditor reading the audit log: want 200, got %s", r)
		}
		r := env.As(auth.Admin).Post("/api/v1/orgs", body)
		if r.Status != http.StatusCreated || r.Header.Get("Location") == "" {
			t.Fatalf("admin creates an organisation: want 201 with Location, got %s", r)
		}
		if r := env.As(auth.Admin).Post("/api/v1/orgs", body); r.Status != http.StatusConflict {
			t.Errorf("duplicate organisation code: want 409, got %s", r)
		}
	})
}
