package httpapi_test

import (
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
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

func problemType(r *testenv.Response) string { return r.Problem().Type }

// A user made by an admin signs in with its one-time password, and may then do nothing but
// read who it is, change the password or sign out; once changed, it works as its role allows.
// The session cookie is HttpOnly, SameSite=Strict, on the whole site and Secure by default.
func TestSignInAndForcedPasswordChange(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		r := admin.Post("/api/v1/users", map[string]any{"username": "Lan.Nguyen", "display_name": "Nguyễn Thị Lan", "role": "staff"})
		if r.Status != http.StatusCreated || r.Header.Get("Location") == "" {
			t.Fatalf("create a user: %s", r)
		}
		created := testenv.Decode[apiclient.HttpapiCreatedUser](t, r)
		oneTime := created.InitialPassword
		if created.Username != "lan.nguyen" || !created.MustChangePassword || !created.Active || len(oneTime) < 12 {
			t.Fatalf("the user is stored lower-case, active, with a one-time password to change: %+v", created)
		}
		// a user read back decodes as accounts.User, which has no initial_password
		if r := admin.Get(r.Header.Get("Location")); r.Status != http.StatusOK || r.Header.Get("ETag") == "" {
			t.Errorf("reading the user back has an ETag: %s", r)
		} else if u := testenv.Decode[apiclient.AccountsUser](t, r); u.ID != created.ID {
			t.Errorf("reading the user back: %+v", u)
		}

		lan, r := env.SignIn("LAN.NGUYEN", oneTime)
		if lan == nil {
			t.Fatalf("sign-in with the one-time password: %s", r)
		}
		me := testenv.Decode[apiclient.HttpapiMe](t, r)
		if me.Kind != "user" || me.ID != created.ID || me.Name != "Nguyễn Thị Lan" || me.Role != "staff" ||
			!me.MustChangePassword || me.OrgID != nil {
			t.Errorf("the sign-in answers who signed in: %+v", me)
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
		if me := testenv.GetAs[apiclient.HttpapiMe](lan, "/api/v1/me"); !me.MustChangePassword || orZero(me.CsrfToken) == "" {
			t.Errorf("GET /me works before the change: %+v", me)
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
		if me := testenv.GetAs[apiclient.HttpapiMe](lan, "/api/v1/me"); me.MustChangePassword {
			t.Errorf("after the change the session is no longer limited: %+v", me)
		}
		if u := testenv.GetAs[apiclient.AccountsUser](admin, "/api/v1/users/"+created.ID); u.LastLoginAt == nil || u.MustChangePassword {
			t.Errorf("the user's record shows the sign-in and the changed password: %+v", u)
		}
		if r := lan.Post("/api/v1/persons", map[string]any{"full_name": "Lê Văn Tám"}); r.Status != http.StatusCreated {
			t.Errorf("a staff user registers a person once the password is changed: %s", r)
		}
		if _, r := env.SignIn("lan.nguyen", oneTime); r.Status != http.StatusUnauthorized {
			t.Errorf("the one-time password no longer works: %s", r)
		}
		if c, r := env.SignIn("lan.nguyen", testenv.TestPassword); c == nil || testenv.Decode[apiclient.HttpapiMe](t, r).MustChangePassword {
			t.Errorf("the new password works: %s", r)
		}
	})
}

// GET /me tells a bearer token what it is too, without a CSRF token (bearer requests need none).
func TestMeForTokens(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		orgTree(t, env)
		me := testenv.GetAs[apiclient.HttpapiMe](env.Client(env.Token(auth.Agency, "A")), "/api/v1/me")
		if me.Kind != "token" || me.Role != "agency" || orZero(me.OrgCode) != "A" || me.OrgID == nil ||
			me.CsrfToken != nil || me.MustChangePassword || !slices.Contains(me.Permissions, "stats:read") || slices.Contains(me.Permissions, "registry:read") {
			t.Errorf("an agency token scoped to A: %+v", me)
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
		// each round's two answers are compared with each other, so that the load of the machine,
		// which changes from one second to the next, weighs on both alike
		var diffs, all []time.Duration
		for i := range 16 {
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
			diffs, all = append(diffs, dw-du), append(all, dw, du)
			if rw.Status != http.StatusUnauthorized || ru.Status != http.StatusUnauthorized || rw.Problem().Detail != ru.Problem().Detail ||
				problemType(rw) != problemType(ru) || rw.Header.Get("Set-Cookie") != "" {
				t.Fatalf("wrong password %s / unknown user %s: want the same 401", rw, ru)
			}
			clock.advance(16 * time.Minute)
		}
		// skipping the hash for an unknown user would take most of the answer's time off
		typical, gap := median(all), median(diffs)
		if gap.Abs() > typical/4 {
			t.Errorf("a wrong password's answer takes %s more than an unknown user's (answers take %s): an observer can tell them apart", gap, typical)
		}
		t.Logf("answers take %s; a wrong password's %s more than an unknown user's", typical, gap)
	})
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// The failure windows live in the database: two replicas of the service on one database count
// the same failures. After 5 failures for a username, the right password too answers 429 with
// Retry-After (on either replica) until the window passes; refused attempts do not lengthen it.
func TestSignInLockoutAcrossReplicas(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testenv.MigratedDatabaseURL(t, backend)
		one, two := testenv.StartOn(t, backend, dbURL), testenv.StartOn(t, backend, dbURL)
		clock := startClock(one, two)
		username, password := one.NewUser(auth.Staff, "")
		for i, env := range []*testenv.Env{one, two, one, two, one} {
			if _, r := env.SignIn(username, "wrong password number "+strconv.Itoa(i)); r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: want 401, got %s", i+1, r)
			}
			clock.advance(time.Minute)
		}
		// the first failure was at 0, now is 5 min: the window reopens at 15 min
		for _, env := range []*testenv.Env{two, one} {
			_, r := env.SignIn(username, password)
			if r.Status != http.StatusTooManyRequests || !r.IsProblem() || r.Header.Get("Set-Cookie") != "" {
				t.Fatalf("the right password while locked: want 429 without a session, got %s", r)
			}
			if got := r.Header.Get("Retry-After"); got != "600" {
				t.Errorf("Retry-After: want 600 (until the first failure leaves the window), got %q", got)
			}
		}
		clock.advance(9*time.Minute + 59*time.Second)
		if _, r := two.SignIn(username, password); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
			t.Errorf("a second before the window passes: want 429 with Retry-After 1, got %s %q", r, r.Header.Get("Retry-After"))
		}
		clock.advance(time.Second)
		if c, r := one.SignIn(username, password); c == nil {
			t.Fatalf("once the first failure left the window, the right password signs in: %s", r)
		}
		// a success clears the username's window: five more failures are needed to lock it again
		for i := range 4 {
			if _, r := two.SignIn(username, "wrong again "+strconv.Itoa(i)); r.Status != http.StatusUnauthorized {
				t.Errorf("after a success, failure %d: want 401, got %s", i+1, r)
			}
		}
		if c, r := two.SignIn(username, password); c == nil {
			t.Errorf("four failures after a success do not lock: %s", r)
		}
	})
}

// 20 failures from one address, whatever the usernames, lock that address out, for every
// username, until the window passes.
func TestSignInLockoutPerAddress(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		clock := startClock(env)
		username, password := env.NewUser(auth.Staff, "")
		for i := range 20 {
			if _, r := env.SignIn("guess-"+strconv.Itoa(i), "some password or other"); r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d from the address: want 401, got %s", i+1, r)
			}
		}
		if _, r := env.SignIn(username, password); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("another username from the locked address: want 429 with Retry-After, got %s", r)
		}
		clock.advance(15 * time.Minute)
		if c, r := env.SignIn(username, password); c == nil {
			t.Errorf("after the window: %s", r)
		}
	})
}

// A signed-in write without the session's CSRF token, or with another, is refused and writes
// nothing; reads need none.
func TestCSRFTokenGuardsSignedInWrites(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.User(auth.Staff, "")
		other := env.User(auth.Staff, "")
		body := map[string]any{"full_name": "Phạm Văn Đồng"}
		for name, r := range map[string]*testenv.Response{
			"no token":      staff.WithoutCSRF().Post("/api/v1/persons", body),
			"another token": staff.Post("/api/v1/persons", body, "X-CSRF-Token", orZero(testenv.GetAs[apiclient.HttpapiMe](other, "/api/v1/me").CsrfToken)),
			"logout":        staff.WithoutCSRF().Post("/api/v1/auth/logout", nil),
		} {
			if r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("%s: want 403, got %s", name, r)
			}
		}
		if n := len(staff.ListAll("/api/v1/persons", 50)); n != 0 {
			t.Errorf("the refused writes wrote %d persons", n)
		}
		if r := staff.Post("/api/v1/persons", body); r.Status != http.StatusCreated {
			t.Errorf("with the session's token: %s", r)
		}
	})
}

// A session ends after TCD_SESSION_IDLE without a request, and after TCD_SESSION_MAX however
// busy; then 401.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		clock := startClock(env)
		idle := env.User(auth.Staff, "")
		for range 4 { // 4 × 29 min, each followed by a request: never idle for 30 min
			clock.advance(29 * time.Minute)
			if r := idle.Get("/api/v1/persons"); r.Status != http.StatusOK {
				t.Fatalf("a request within the idle time keeps the session: %s", r)
			}
		}
		clock.advance(31 * time.Minute)
		if r := idle.Get("/api/v1/persons"); r.Status != http.StatusUnauthorized || !r.IsProblem() {
			t.Errorf("31 minutes idle: want 401, got %s", r)
		}

		busy := env.User(auth.Staff, "")
		for elapsed := 20 * time.Minute; elapsed <= 11*time.Hour+40*time.Minute; elapsed += 20 * time.Minute {
			clock.advance(20 * time.Minute)
			if r := busy.Get("/api/v1/me"); r.Status != http.StatusOK {
				t.Fatalf("%s after sign-in, used every 20 min: %s", elapsed, r)
			}
		}
		clock.advance(25 * time.Minute) // 12 h 05 min after sign-in, 25 min after the last request
		if r := busy.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("past TCD_SESSION_MAX: want 401, got %s", r)
		}
	})
}

// A user sees its open sessions, ends another browser's, and signs out; an ended session's
// cookie answers 401 from its next request. Another user's session cannot be ended.
func TestLogoutAndOwnSessions(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		office := env.User(auth.Staff, "")
		username := orZero(testenv.GetAs[apiclient.HttpapiMe](office, "/api/v1/me").Username)
		home, _ := env.SignIn(username, testenv.TestPassword)
		stranger := env.User(auth.Staff, "")

		list := testenv.GetAs[apiclient.HttpapiSessionList](office, "/api/v1/me/sessions").Items
		if len(list) != 2 || list[0].Current || !list[1].Current || list[0].ClientAddr != "127.0.0.1" {
			t.Fatalf("two open sessions, the office's (older) current: %+v", list)
		}
		homeID := list[0].ID
		if r := stranger.Delete("/api/v1/me/sessions/" + homeID); r.Status != http.StatusNotFound {
			t.Errorf("another user's session: want 404, got %s", r)
		}
		if r := home.Get("/api/v1/me"); r.Status != http.StatusOK {
			t.Fatalf("the stranger ended nothing: %s", r)
		}
		if r := office.Delete("/api/v1/me/sessions/" + homeID); r.Status != http.StatusNoContent {
			t.Fatalf("end the home session: %s", r)
		}
		if r := home.Get("/api/v1/persons"); r.Status != http.StatusUnauthorized {
			t.Errorf("the ended session: want 401, got %s", r)
		}
		if r := office.Delete("/api/v1/me/sessions/" + homeID); r.Status != http.StatusNotFound {
			t.Errorf("ending it twice: want 404, got %s", r)
		}

		r := office.Post("/api/v1/auth/logout", nil)
		if r.Status != http.StatusNoContent || !strings.Contains(r.Header.Get("Set-Cookie"), "tcd_session=;") ||
			!strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: want 204 clearing the cookie, got %s %q", r, r.Header.Get("Set-Cookie"))
		}
		if r := office.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("after logout: want 401, got %s", r)
		}
		token := env.As(auth.Staff)
		for _, r := range []*testenv.Response{token.Get("/api/v1/me/sessions"), token.Post("/api/v1/auth/logout", nil),
			token.Post("/api/v1/me/password", map[string]any{"current": "x", "new": testenv.TestPassword})} {
			if r.Status != http.StatusForbidden {
				t.Errorf("a bearer token has no sessions or password: want 403, got %s", r)
			}
		}
	})
}

// Disabling a user refuses its session on its next request and its sign-in (with the answer of a
// wrong password); resetting its password ends its sessions and makes the new password one to
// change. Enabled again, it signs in.
func TestDisabledAndResetUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.User(auth.Admin, "")
		lan := env.User(auth.Staff, "")
		me := testenv.GetAs[apiclient.HttpapiMe](lan, "/api/v1/me")
		path, username := "/api/v1/users/"+me.ID, orZero(me.Username)

		r := admin.Patch(path, map[string]any{"active": false})
		if r.Status != http.StatusOK || testenv.Decode[apiclient.AccountsUser](t, r).Active {
			t.Fatalf("disable: %s", r)
		}
		if r := lan.Get("/api/v1/persons"); r.Status != http.StatusUnauthorized {
			t.Errorf("the disabled user's session: want 401, got %s", r)
		}
		_, disabled := env.SignIn(username, testenv.TestPassword)
		_, wrong := env.SignIn(username, "not the password at all")
		if disabled.Status != http.StatusUnauthorized || disabled.Problem().Detail != wrong.Problem().Detail {
			t.Errorf("a disabled user signing in is answered as a wrong password: %s / %s", disabled, wrong)
		}
		if r := admin.Patch(path, map[string]any{"active": true}); r.Status != http.StatusOK {
			t.Fatalf("enable: %s", r)
		}
		if r := lan.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("enabling does not bring ended sessions back: %s", r)
		}
		lan, r = env.SignIn(username, testenv.TestPassword)
		if lan == nil {
			t.Fatalf("enabled again, the user signs in: %s", r)
		}

		r = admin.Post(path+"/reset-password", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("reset: %s", r)
		}
		oneTime := testenv.Decode[apiclient.HttpapiNewPassword](t, r).InitialPassword
		if len(oneTime) < 12 {
			t.Fatalf("reset: %s", r)
		}
		if r := lan.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("a reset ends the user's sessions: %s", r)
		}
		if _, r := env.SignIn(username, testenv.TestPassword); r.Status != http.StatusUnauthorized {
			t.Errorf("the old password no longer works: %s", r)
		}
		if _, r := env.SignIn(username, oneTime); r.Status != http.StatusOK || !testenv.Decode[apiclient.HttpapiMe](t, r).MustChangePassword {
			t.Errorf("the new one-time password must be changed: %s", r)
		}
	})
}

// /users is for admins; an admin scoped to an organisation manages only the users of its
// subtree and makes users only there, and an unscoped one anywhere. Bad input names its field.
func TestUserAdministration(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		_, orgA, orgB := orgTree(t, env)
		admin := env.As(auth.Admin)
		adminA := env.User(auth.Admin, "A")
		for _, role := range []auth.Role{auth.Staff, auth.Auditor, auth.Agency} {
			if r := env.User(role, "").Get("/api/v1/users"); r.Status != http.StatusForbidden {
				t.Errorf("%s lists users: want 403, got %s", role, r)
			}
		}
		newUser := func(c *testenv.Client, body map[string]any) apiclient.HttpapiCreatedUser {
			return testenv.CreateAs[apiclient.HttpapiCreatedUser](c, "/api/v1/users", body)
		}
		inA := newUser(adminA, map[string]any{"username": "clerk.a", "role": "staff"})
		if orZero(inA.OrgID) != orgA {
			t.Errorf("a user made by A's admin without org_id belongs to A: %+v", inA)
		}
		inB := newUser(admin, map[string]any{"username": "clerk.b", "role": "staff", "org_id": orgB})
		unscoped := newUser(admin, map[string]any{"username": "head", "role": "auditor"})
		if unscoped.OrgID != nil {
			t.Errorf("an unscoped admin makes an unscoped user: %+v", unscoped)
		}

		var listed []string
		for _, u := range testenv.ListAllAs[apiclient.AccountsUser](adminA, "/api/v1/users", 50) {
			listed = append(listed, u.Username)
		}
		if slices.Contains(listed, "clerk.b") || slices.Contains(listed, "head") || !slices.Contains(listed, "clerk.a") {
			t.Errorf("A's admin lists A's users only: %v", listed)
		}
		// A's admin, the three users of the role loop, clerk.a, clerk.b and head
		if n := len(testenv.ListAllAs[apiclient.AccountsUser](admin, "/api/v1/users", 2)); n != 7 {
			t.Errorf("the unscoped admin lists every user, across pages: %d", n)
		}
		for _, r := range []*testenv.Response{adminA.Get("/api/v1/users/" + inB.ID),
			adminA.Patch("/api/v1/users/"+inB.ID, map[string]any{"active": false}),
			adminA.Post("/api/v1/users/"+unscoped.ID+"/reset-password", nil)} {
			if r.Status != http.StatusNotFound {
				t.Errorf("A's admin reaching a user outside A: want 404, got %s", r)
			}
		}
		refusals := []struct {
			method, path string
			body         map[string]any
			status       int
			field        string
		}{
			{"POST", "/api/v1/users", map[string]any{"username": "clerk.x", "role": "staff", "org_id": orgB}, 422, "org_id"},
			{"PATCH", "/api/v1/users/" + inA.ID, map[string]any{"org_id": orgB}, 422, "org_id"},
			{"PATCH", "/api/v1/users/" + inA.ID, map[string]any{"org_id": nil}, 422, "org_id"},
			{"POST", "/api/v1/users", map[string]any{"username": "CLERK.A", "role": "staff"}, 409, "username"},
			{"POST", "/api/v1/users", map[string]any{"username": "x", "role": "staff"}, 422, "username"},
			{"POST", "/api/v1/users", map[string]any{"username": "nguyễn", "role": "staff"}, 422, "username"},
			{"POST", "/api/v1/users", map[string]any{"username": "clerk.y", "role": "boss"}, 422, "role"},
			{"POST", "/api/v1/users", map[string]any{"username": "clerk.y"}, 422, "role"},
			{"POST", "/api/v1/users", map[string]any{"username": "clerk.y", "role": "staff", "password": "x"}, 400, "password"},
			{"PATCH", "/api/v1/users/" + inA.ID, map[string]any{"role": "boss"}, 422, "role"},
			{"PATCH", "/api/v1/users/" + inA.ID, map[string]any{"display_name": " "}, 422, "display_name"},
		}
		for _, rf := range refusals {
			if r := adminA.Do(rf.method, rf.path, rf.body); r.Status != rf.status || !r.HasFieldError(rf.field) {
				t.Errorf("%s %s %v: want %d naming %s, got %s", rf.method, rf.path, rf.body, rf.status, rf.field, r)
			}
		}
		if r := adminA.Patch("/api/v1/users/"+inA.ID, map[string]any{"role": "auditor"}, "If-Match", `"v1"`); r.Status != http.StatusOK || r.Header.Get("ETag") != `"v2"` {
			t.Errorf("a change with the current version: %s %q", r, r.Header.Get("ETag"))
		}
		if r := adminA.Patch("/api/v1/users/"+inA.ID, map[string]any{"role": "staff"}, "If-Match", `"v1"`); r.Status != http.StatusPreconditionFailed {
			t.Errorf("a change with an old version: want 412, got %s", r)
		}
		if u := testenv.GetAs[apiclient.AccountsUser](admin, "/api/v1/users/"+inA.ID); u.Role != "auditor" {
			t.Errorf("the refused changes changed nothing: %+v", u)
		}
	})
}

// The audit log records sign-ins and their failures (username, address, reason), sign-outs,
// password changes and user administration, never a password; entries about a user belong to
// its organisation.
func TestAccountsAreAudited(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		_, orgA, _ := orgTree(t, env)
		admin := env.As(auth.Admin)
		created := testenv.CreateAs[apiclient.HttpapiCreatedUser](admin, "/api/v1/users", map[string]any{"username": "thu", "role": "staff", "org_id": orgA})
		oneTime := created.InitialPassword
		passwords := []string{oneTime, testenv.TestPassword, "wrong but long password", "my secret pass phrase"}
		env.SignIn("thu", passwords[2])
		env.SignIn(passwords[3], passwords[3]) // a password typed as the username
		env.SignIn("ghost", passwords[2])
		thu, _ := env.SignIn("thu", oneTime)
		thu.Post("/api/v1/me/password", map[string]any{"current": passwords[2], "new": testenv.TestPassword})
		thu.Post("/api/v1/me/password", map[string]any{"current": oneTime, "new": testenv.TestPassword})
		thu.Post("/api/v1/auth/logout", nil)
		admin.Patch("/api/v1/users/"+created.ID, map[string]any{"role": "auditor"})
		admin.Post("/api/v1/users/"+created.ID+"/reset-password", nil)

		// changes is free-form in the document (what changed depends on the action): read as a map
		entries := testenv.ListAllAs[apiclient.AuditEntry](admin, "/api/v1/audit?entity=user", 50)
		var got []string
		for _, e := range entries {
			got = append(got, e.Action+" "+e.Actor+" "+str(orZero(e.Changes)["reason"]))
		}
		slices.Reverse(got)
		want := []string{"create " + entries[len(entries)-1].Actor + " ", "login_failed thu wrong_password",
			"login_failed (not a username) unknown_user", "login_failed ghost unknown_user", "login thu ", "password_change_failed thu ",
			"password_change thu ", "logout thu ", "update " + entries[0].Actor + " ", "reset_password " + entries[0].Actor + " "}
		if !slices.Equal(got, want) {
			t.Errorf("the log of the user's life:\n got %q\nwant %q", got, want)
		}
		for _, e := range entries {
			ch := orZero(e.Changes)
			if strings.HasPrefix(e.Action, "login") && ch["client_addr"] != "127.0.0.1" {
				t.Errorf("a sign-in entry names the client address: %+v", e)
			}
			if e.Action == "update" && !mapHas(ch["role"], "from", "staff", "to", "auditor") {
				t.Errorf("an update says what changed from what: %+v", e)
			}
		}
		all := string(admin.Get("/api/v1/audit?limit=500").Body)
		for _, p := range passwords {
			if strings.Contains(all, p) {
				t.Errorf("the audit log holds a password: %q", p)
			}
		}
		auditorB := env.Client(env.Token(auth.Auditor, "B"))
		if n := len(testenv.ListAllAs[apiclient.AuditEntry](auditorB, "/api/v1/audit?entity=user&actor=thu", 50)); n != 0 {
			t.Errorf("an auditor of B reads %d entries about A's user", n)
		}
		if n := len(testenv.ListAllAs[apiclient.AuditEntry](env.Client(env.Token(auth.Auditor, "A")), "/api/v1/audit?entity=user&actor=thu", 50)); n != 5 {
			t.Errorf("an auditor of A reads the 5 entries thu made: %d", n)
		}
	})
}

func str(v any) string { s, _ := v.(string); return s }

func mapHas(v any, kv ...string) bool {
	m, _ := v.(map[string]any)
	for i := 0; i+1 < len(kv); i += 2 {
		if m[kv[i]] != kv[i+1] {
			return false
		}
	}
	return m != nil
}

// A front-end of a listed origin may send the session cookie and the CSRF header; another
// origin is told nothing.
func TestCrossOriginSignedInFrontEnd(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend, func(cfg *config.Config) { cfg.CORSOrigins = []string{"https://app.example.vn"} })
		anon := env.Client("")
		for _, path := range []string{"/api/v1/auth/login", "/api/v1/persons"} {
			r := anon.Do(http.MethodOptions, path, nil, "Origin", "https://app.example.vn", "Access-Control-Request-Method", "POST",
				"Access-Control-Request-Headers", "content-type,x-csrf-token")
			if r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.vn" || r.Header.Get("Access-Control-Allow-Credentials") != "true" ||
				!strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "x-csrf-token") {
				t.Errorf("preflight of %s from the listed origin: %v", path, r.Header)
			}
			evil := anon.Do(http.MethodOptions, path, nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
			if evil.Header.Get("Access-Control-Allow-Origin") != "" || evil.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("preflight of %s from another origin: %v", path, evil.Header)
			}
		}
	})
}

// Behind a trusted reverse proxy (TCD_TRUSTED_PROXIES) the address window is per client, read
// from X-Forwarded-For; a client's own X-Forwarded-For is not believed otherwise.
func TestAddressWindowBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		for _, trusted := range []bool{true, false} {
			env := testenv.Start(t, backend, func(cfg *config.Config) {
				if trusted {
					cfg.TrustedProxies = []*net.IPNet{{IP: net.IPv4(127, 0, 0, 1), Mask: net.CIDRMask(32, 32)}}
				}
			})
			startClock(env)
			username, password := env.NewUser(auth.Staff, "")
			anon := env.Client("")
			login := func(from, user, password string) *testenv.Response {
				return anon.Post("/api/v1/auth/login", map[string]any{"username": user, "password": password}, "X-Forwarded-For", from)
			}
			for i := range 20 {
				if r := login("203.0.113.5", "guess-"+strconv.Itoa(i), "some password or other"); r.Status != http.StatusUnauthorized {
					t.Fatalf("failure %d: %s", i+1, r)
				}
			}
			if r := login("203.0.113.5", username, password); r.Status != http.StatusTooManyRequests {
				t.Errorf("trusted %v: the client that failed 20 times: want 429, got %s", trusted, r)
			}
			r := login("203.0.113.6", username, password)
			if trusted && r.Status != http.StatusOK {
				t.Errorf("behind the trusted proxy another client signs in: %s", r)
			}
			if !trusted && r.Status != http.StatusTooManyRequests {
				t.Errorf("without a trusted proxy a client's X-Forwarded-For is not believed: want 429, got %s", r)
			}
		}
	})
}
