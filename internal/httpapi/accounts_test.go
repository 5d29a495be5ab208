package httpapi_test

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// testClock is the accounts service's clock in a test: it stands still until moved.
type testClock struct{ nanos atomic.Int64 }

func startClock(envs ...*testenv.Env) *testClock {
	c := &testClock{}
	c.nanos.Store(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC).UnixNano())
	for _, e := range envs {
		e.App.Accounts.SetClock(c.now)
	}
	return c
}

func (c *testClock) now() time.Time          { return time.Unix(0, c.nanos.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.nanos.Add(int64(d)) }

func problemType(r *testenv.Response) string { s, _ := r.JSON()["type"].(string); return s }

// A user made by an admin signs in with its one-time password, and may then do nothing but
// read who it is, change the password or sign out; once changed, it works as its role allows.
// The session cookie is HttpOnly, SameSite=Strict, on the whole site and Secure by default.
func TestSignInAndForcedPasswordChange(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		r := admin.Post("/api/v1/users", map[string]any{"username": "Lan.Nguyen", "display_name": "Nguyễn Thị Lan", "role": "staff"})
		if r.Status != http.StatusCreated || r.Header.Get("Location") == "" {
			t.Fatalf("create a user: %s", r)
		}
		created := r.JSON()
		oneTime, _ := created["initial_password"].(string)
		if created["username"] != "lan.nguyen" || created["must_change_password"] != true || created["active"] != true || len(oneTime) < 12 {
			t.Fatalf("the user is stored lower-case, active, with a one-time password to change: %v", created)
		}
		if r := admin.Get(r.Header.Get("Location")); r.Status != http.StatusOK || r.JSON()["initial_password"] != nil || r.Header.Get("ETag") == "" {
			t.Errorf("reading the user back shows no password and has an ETag: %s", r)
		}

		lan, r := env.SignIn("LAN.NGUYEN", oneTime)
		if lan == nil {
			t.Fatalf("sign-in with the one-time password: %s", r)
		}
		me := r.JSON()
		if me["kind"] != "user" || me["id"] != created["id"] || me["name"] != "Nguyễn Thị Lan" || me["role"] != "staff" ||
			me["must_change_password"] != true || me["org_id"] != nil {
			t.Errorf("the sign-in answers who signed in: %v", me)
		}
		cookie := r.Header.Get("Set-Cookie")
		for _, attr := range []string{"tcd_session=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict"} {
			if !strings.Contains(cookie, attr) {
				t.Errorf("the session cookie lacks %s: %s", attr, cookie)
			}
		}

		for _, r := range []*testenv.Response{lan.Get("/api/v1/persons"), lan.Get("/api/v1/me/sessions"),
			lan.Post("/api/v1/persons", map[string]any{"full_name": "Lê Văn Tám"})} {
			if r.Status != http.StatusForbidden || problemType(r) != "urn:tcd:problem:must_change_password" {
				t.Errorf("before the password is changed: want 403 must_change_password, got %s", r)
			}
		}
		if r := lan.Get("/api/v1/me"); r.Status != http.StatusOK || r.JSON()["must_change_password"] != true || r.JSON()["csrf_token"] == "" {
			t.Errorf("GET /me works before the change: %s", r)
		}
		if r := lan.Post("/api/v1/me/password", map[string]any{"current": oneTime, "new": "lan.nguyen 2024 ok!"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("new") {
			t.Errorf("a new password holding the username: want 422 naming new, got %s", r)
		}
		if r := lan.Post("/api/v1/me/password", map[string]any{"current": oneTime, "new": "password1234"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("new") {
			t.Errorf("a common password: want 422 naming new, got %s", r)
		}
		if r := lan.Post("/api/v1/me/password", map[string]any{"current": "not it at all, no", "new": testenv.TestPassword}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("current") {
			t.Errorf("a wrong current password: want 422 naming current, got %s", r)
		}
		if r := lan.Post("/api/v1/me/password", map[string]any{"current": oneTime, "new": testenv.TestPassword}); r.Status != http.StatusNoContent {
			t.Fatalf("change the one-time password: %s", r)
		}
		if r := lan.Get("/api/v1/me"); r.JSON()["must_change_password"] != false {
			t.Errorf("after the change the session is no longer limited: %s", r)
		}
		if r := lan.Post("/api/v1/persons", map[string]any{"full_name": "Lê Văn Tám"}); r.Status != http.StatusCreated {
			t.Errorf("a staff user registers a person once the password is changed: %s", r)
		}
		if _, r := env.SignIn("lan.nguyen", oneTime); r.Status != http.StatusUnauthorized {
			t.Errorf("the one-time password no longer works: %s", r)
		}
		if c, r := env.SignIn("lan.nguyen", testenv.TestPassword); c == nil || r.JSON()["must_change_password"] != false {
			t.Errorf("the new password works: %s", r)
		}
	})
}

// GET /me tells a bearer token what it is too, without a CSRF token (bearer requests need none).
func TestMeForTokens(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		orgTree(t, env)
		r := env.Client(env.Token(auth.Agency, "A")).Get("/api/v1/me")
		me := r.JSON()
		perms, _ := me["permissions"].([]any)
		if r.Status != http.StatusOK || me["kind"] != "token" || me["role"] != "agency" || me["org_code"] != "A" || me["org_id"] == nil ||
			me["csrf_token"] != nil || me["must_change_password"] != false || !slices.Contains(perms, any("stats:read")) || slices.Contains(perms, any("registry:read")) {
			t.Errorf("an agency token scoped to A: %s", r)
		}
		if r := env.Client("").Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("no credentials: want 401, got %s", r)
		}
	})
}

// An unknown username and a wrong password get the same answer, and take the same time: an
// unknown username is checked against a dummy hash. The windows are moved out of the way with
// the test clock between rounds.
func TestUnknownUserAndWrongPasswordAlike(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		clock := startClock(env)
		username, _ := env.NewUser(auth.Staff, "")
		anon := env.Client("")
		attempt := func(u string) (*testenv.Response, time.Duration) {
			start := time.Now()
			r := anon.Post("/api/v1/auth/login", map[string]any{"username": u, "password": "not the password, sorry"})
			return r, time.Since(start)
		}
		var wrong, unknown []time.Duration
		for i := range 10 {
			// each goes first every other round: the first attempt of a round also clears the
			// windows of the last one
			var rw, ru *testenv.Response
			var dw, du time.Duration
			if i%2 == 0 {
				rw, dw = attempt(username)
				ru, du = attempt("nobody-" + strconv.Itoa(i))
			} else {
				ru, du = attempt("nobody-" + strconv.Itoa(i))
				rw, dw = attempt(username)
			}
			wrong, unknown = append(wrong, dw), append(unknown, du)
			if rw.Status != http.StatusUnauthorized || ru.Status != http.StatusUnauthorized || rw.JSON()["detail"] != ru.JSON()["detail"] ||
				problemType(rw) != problemType(ru) || rw.Header.Get("Set-Cookie") != "" {
				t.Fatalf("wrong password %s / unknown user %s: want the same 401", rw, ru)
			}
			clock.advance(16 * time.Minute)
		}
		mw, mu := median(wrong), median(unknown)
		if ratio := float64(mu) / float64(mw); ratio < 0.67 || ratio > 1.5 {
			t.Errorf("median answer: wrong password %s, unknown user %s: an observer can tell them apart", mw, mu)
		}
		t.Logf("median answer: wrong password %s, unknown user %s", mw, mu)
	})
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
