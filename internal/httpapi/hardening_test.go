package httpapi_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// slowBody opens a connection that announces a body of size bytes and then sends one byte every
// interval until stop is closed; it returns the status the server finally answers (0 when the
// connection closed without an answer).
func slowBody(t *testing.T, base, token string, size int, interval time.Duration, stop <-chan struct{}) <-chan int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/v1/persons HTTP/1.1\r\nHost: tcd\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", token, size)
	status := make(chan int, 1)
	go func() {
		defer conn.Close()
		answered := make(chan int, 1)
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				answered <- 0
				return
			}
			resp.Body.Close()
			answered <- resp.StatusCode
		}()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case code := <-answered:
				status <- code
				return
			case <-stop:
				status <- -1
				return
			case <-tick.C:
				conn.Write([]byte(" "))
			}
		}
	}()
	return status
}

// Thirty clients trickling request bodies in (a byte every half second) hold connections, not
// the places of the requests at work: another client's calls keep their latency meanwhile, and
// the trickling ones are cut off with 408 once they fall behind the minimum rate.
func TestSlowBodiesDoNotHoldUpOtherClients(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend, func(c *config.Config) { c.MaxActive, c.RequestTimeout = 4, 5*time.Second })
		other := env.As(auth.Staff)
		latency := func(n int) []time.Duration {
			out := make([]time.Duration, n)
			for i := range out {
				start := time.Now()
				if r := other.Get("/api/v1/orgs"); r.Status != http.StatusOK {
					t.Fatalf("another client's GET /orgs: %s", r)
				}
				out[i] = time.Since(start)
			}
			slices.Sort(out)
			return out
		}
		before := latency(20)

		stop := make(chan struct{})
		token := env.Token(auth.Staff, "")
		var slow []<-chan int
		for range 30 {
			slow = append(slow, slowBody(t, env.BaseURL, token, 400, 500*time.Millisecond, stop))
		}
		time.Sleep(time.Second) // every slow request is in, and would have queued by now
		during := latency(20)
		if worst := during[len(during)-1]; worst > time.Second || worst > 20*before[len(before)/2]+100*time.Millisecond {
			t.Errorf("with 30 slow bodies open, another client waits up to %s (median %s; %s before)", worst, during[len(during)/2], before[len(before)/2])
		}
		t.Logf("GET /orgs median %s, worst %s; with 30 slow bodies open: median %s, worst %s",
			before[len(before)/2], before[len(before)-1], during[len(during)/2], during[len(during)-1])

		// the bodies fall behind 16 KiB/s after the 10 s grace: each is answered 408
		timeout := time.After(20 * time.Second)
		for i, s := range slow {
			select {
			case code := <-s:
				if code != http.StatusRequestTimeout {
					t.Errorf("slow body %d: want 408, got %d", i, code)
				}
			case <-timeout:
				t.Fatalf("slow body %d still open after 20 s", i)
			}
		}
		close(stop)
	})
}

// /metrics labels come from a closed set: made-up methods and paths add no series.
func TestMetricsLabelsAreAClosedSet(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		staff.Get("/api/v1/orgs")
		for i := range 20 {
			staff.Do(fmt.Sprintf("FOO%d", i), "/api/v1/orgs", nil)
			staff.Do(fmt.Sprintf("BAR%d", i), fmt.Sprintf("/made/up/%d", i), nil)
			staff.Get(fmt.Sprintf("/api/v1/no-such-thing-%d", i))
		}
		body := string(env.Client("").Get("/metrics").Body)
		label := regexp.MustCompile(`tcd_http_requests_total\{method="([^"]*)",route="([^"]*)",status="\d+"\}`)
		methods, routes := map[string]bool{}, map[string]bool{}
		for _, m := range label.FindAllStringSubmatch(body, -1) {
			methods[m[1]], routes[m[2]] = true, true
		}
		for m := range methods {
			if !slices.Contains([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"}, m) {
				t.Errorf("a method label from outside the closed set: %q", m)
			}
		}
		for r := range routes {
			if strings.Contains(r, "made") || strings.Contains(r, "no-such") {
				t.Errorf("a route label made of a raw path: %q", r)
			}
		}
		if !methods["OTHER"] || !routes["unmatched"] {
			t.Errorf("made-up methods count as OTHER, unknown paths as unmatched: %v %v", methods, routes)
		}
		if n := len(label.FindAllString(body, -1)); n > 8 {
			t.Errorf("%d series after 61 requests of 3 kinds", n)
		}
	})
}

// A client's X-Request-ID is used only when short and plain; otherwise the service makes one.
func TestRequestIDMustBeShortAndPlain(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		if got := staff.Get("/api/v1/orgs", "X-Request-ID", "proxy-2024.03.15:abc_9").Header.Get("X-Request-ID"); got != "proxy-2024.03.15:abc_9" {
			t.Errorf("a short, plain id is kept: got %q", got)
		}
		for _, bad := range []string{strings.Repeat("a", 5000), strings.Repeat("b", 65), "two words", "quote\"d", "a;b=c", "évil", "<script>"} {
			r := staff.Post("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An"}, "X-Request-ID", bad)
			id := r.Header.Get("X-Request-ID")
			if id == bad || id == "" || len(id) > 64 {
				t.Errorf("X-Request-ID %.20q…: want an id of the service's, got %q", bad, id)
			}
			entries := testenv.ItemsAs[apiclient.AuditEntry](t, env.As(auth.Admin).Get("/api/v1/audit?entity=person&entity_id="+testenv.Decode[apiclient.RegistryCreatedPerson](t, r).ID))
			if len(entries) != 1 || orZero(entries[0].RequestID) != id {
				t.Errorf("the audit log carries the service's id %q: %+v", id, entries)
			}
		}
	})
}

// Every answer says nosniff; answers of the API, personal data, are never stored by a cache;
// the Swagger UI runs under a Content-Security-Policy that allows exactly its own start-up
// script, and no site may frame it.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		person := newPerson(staff, map[string]any{"full_name": "Nguyễn Văn An", "phone": "0912345678"}).ID
		for path, r := range map[string]*testenv.Response{
			"GET /persons/{id}": staff.Get("/api/v1/persons/" + person), "GET /persons": staff.Get("/api/v1/persons"),
			"401": env.Client("").Get("/api/v1/persons"), "POST /persons": staff.Post("/api/v1/persons", map[string]any{"full_name": "Lê Thị Hoa"}),
		} {
			if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: Cache-Control %q, X-Content-Type-Options %q", path, r.Header.Get("Cache-Control"), r.Header.Get("X-Content-Type-Options"))
			}
		}
		for _, path := range []string{"/healthz", "/metrics", "/no-such-page", "/swagger/doc.json"} {
			if r := env.Client("").Get(path); r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: X-Content-Type-Options %q", path, r.Header.Get("X-Content-Type-Options"))
			}
		}
		ui := env.Client("").Get("/swagger/index.html")
		csp := ui.Header.Get("Content-Security-Policy")
		if ui.Status != http.StatusOK || ui.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "object-src 'none'") {
			t.Fatalf("Swagger UI: X-Frame-Options %q, CSP %q", ui.Header.Get("X-Frame-Options"), csp)
		}
		inline := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(string(ui.Body), -1)
		if len(inline) == 0 {
			t.Fatal("the UI starts from an inline script")
		}
		for _, m := range inline {
			sum := sha256.Sum256([]byte(m[1]))
			if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
				t.Errorf("the policy allows the page's own start-up script by its hash: %q", csp)
			}
		}
		if strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("no other inline script may run: %q", csp)
		}
	})
}

// The duplicate scan compares every organisation's records and counts them: only an unscoped
// admin may start it.
func TestDedupScanIsForUnscopedAdmins(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		orgTree(t, env)
		env.Client(env.Token(auth.Staff, "B")).Create("/api/v1/persons", map[string]any{"full_name": "Trần Văn Bê"})
		for who, c := range map[string]*testenv.Client{
			"staff": env.As(auth.Staff), "staff of A": env.Client(env.Token(auth.Staff, "A")),
			"admin of A": env.Client(env.Token(auth.Admin, "A")), "auditor": env.As(auth.Auditor),
		} {
			if r := c.Post("/api/v1/dedup/scan?type=person", nil); r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("%s scans the whole register: want 403, got %s", who, r)
			}
		}
		if r := env.As(auth.Admin).Post("/api/v1/dedup/scan?type=person", nil); r.Status != http.StatusOK || testenv.Decode[apiclient.RegistryScanResult](t, r).Records != 1 {
			t.Errorf("an unscoped admin scans: %s", r)
		}
	})
}

// Failed authentication is throttled per client address: past twenty failures, 429 with
// Retry-After; a valid token from the same address keeps its answers and its speed.
func TestFailedAuthenticationIsThrottledPerAddress(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		valid := env.As(auth.Staff)
		statuses := map[int]int{}
		retryAfter := ""
		var validTimes []time.Duration
		for i := range 60 {
			r := env.Client(fmt.Sprintf("tcd_wrong%d", i)).Get("/api/v1/orgs")
			statuses[r.Status]++
			if r.Status == http.StatusTooManyRequests {
				retryAfter = r.Header.Get("Retry-After")
			}
			if i%5 == 0 {
				start := time.Now()
				if r := valid.Get("/api/v1/orgs"); r.Status != http.StatusOK {
					t.Fatalf("a valid token from the same address, after %d failures: %s", i, r)
				}
				validTimes = append(validTimes, time.Since(start))
			}
		}
		if statuses[http.StatusUnauthorized] < 20 || statuses[http.StatusUnauthorized] > 30 || statuses[http.StatusTooManyRequests] < 30 || retryAfter == "" {
			t.Errorf("60 wrong tokens: want about 20 × 401 then 429 with Retry-After, got %v (Retry-After %q)", statuses, retryAfter)
		}
		if worst := slices.Max(validTimes); worst > time.Second {
			t.Errorf("a valid token is slowed down: %s", worst)
		}
		if r := env.Client("").Get("/api/v1/orgs"); r.Status != http.StatusTooManyRequests || !r.IsProblem() {
			t.Errorf("no token at all counts as a failure too: %s", r)
		}
	})
}

// An empty TCD_CORS_ORIGINS allows no cross-origin access; a listed origin is allowed, alone.
func TestCrossOriginAccessOnlyForListedOrigins(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		for _, c := range []struct {
			origins []string
			allowed map[string]bool
		}{
			{nil, map[string]bool{}},
			{[]string{"https://app.example.vn"}, map[string]bool{"https://app.example.vn": true}},
		} {
			env := testenv.Start(t, backend, func(cfg *config.Config) { cfg.CORSOrigins = c.origins })
			staff := env.As(auth.Staff)
			for _, origin := range []string{"https://app.example.vn", "https://evil.example"} {
				pre := staff.Do(http.MethodOptions, "/api/v1/persons", nil, "Origin", origin, "Access-Control-Request-Method", "GET",
					"Access-Control-Request-Headers", "authorization")
				get := staff.Get("/api/v1/persons", "Origin", origin)
				for name, r := range map[string]*testenv.Response{"preflight": pre, "GET": get} {
					got := r.Header.Get("Access-Control-Allow-Origin")
					if c.allowed[origin] != (got == origin) || (got != "" && got != origin) {
						t.Errorf("TCD_CORS_ORIGINS=%v, %s from %s: Access-Control-Allow-Origin %q", c.origins, name, origin, got)
					}
				}
			}
		}
	})
}
