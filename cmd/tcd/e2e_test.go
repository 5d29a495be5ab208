package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// TestMain lets the tests run the real `tcd` as a child process without a separate (and, under
// -race, slow) `go build`: the test binary started with TCD_E2E_MAIN=1 is tcd itself.
func TestMain(m *testing.M) {
	if os.Getenv("TCD_E2E_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childEnv is the environment of a child tcd. The developer's own TCD_* settings are dropped so
// that the child sees only what the test decides; TCD_ADDR=127.0.0.1:0 lets the kernel pick a
// free port, which the child then reports in its "serving" log line.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TCD_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "TCD_E2E_MAIN=1", "TCD_ADDR=127.0.0.1:0", "TCD_LOG_LEVEL=info"), extra...)
}

func executable(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// runTCD runs `tcd args...` as a separate process, as an operator would from a shell.
func runTCD(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, executable(t), args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), errors.New(err.Error() + ": " + stderr.String())
	}
	return stdout.String(), nil
}

// lastLine is where `token create` promises to print the secret, so scripts can take it with tail -1.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// syncBuffer collects a child's log while the test reads it for diagnostics.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a `tcd serve` child process.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string
	base   string
	log    *syncBuffer
	exited chan struct{}
}

func startServe(t *testing.T, dir string, env []string) *server {
	t.Helper()
	s := &server{t: t, cmd: exec.Command(executable(t), "serve"), log: &syncBuffer{}, exited: make(chan struct{})}
	s.cmd.Dir, s.cmd.Env, s.cmd.Stdout = dir, env, s.log
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			s.log.Write(append(line, '\n'))
			var entry struct{ Msg, Addr string }
			if json.Unmarshal(line, &entry) == nil && entry.Msg == "serving" && entry.Addr != "" {
				addrc <- entry.Addr
			}
		}
		_, _ = io.Copy(s.log, stderr)
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
	select {
	case s.addr = <-addrc:
	case <-s.exited:
		t.Fatalf("tcd serve exited with %d before serving:\n%s", s.cmd.ProcessState.ExitCode(), s.log)
	case <-time.After(90 * time.Second):
		t.Fatalf("tcd serve did not start within 90 s:\n%s", s.log)
	}
	s.base = "http://" + s.addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		if st, _ := get(t, s.base+"/readyz", ""); st == http.StatusOK {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("tcd serve never became ready:\n%s", s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// waitExit returns the exit code, failing the test if the process outlives timeout.
func (s *server) waitExit(timeout time.Duration) int {
	s.t.Helper()
	select {
	case <-s.exited:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		s.t.Fatalf("tcd serve still running %s after SIGTERM:\n%s", timeout, s.log)
		return -1
	}
}

// stop sends SIGTERM, as systemd, Docker and Kubernetes do, and expects a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	if code := s.waitExit(15 * time.Second); code != 0 {
		s.t.Fatalf("after SIGTERM: exit code %d, want 0:\n%s", code, s.log)
	}
}

func request(t *testing.T, method, rawURL, token, body string) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

func get(t *testing.T, rawURL, token string) (int, []byte) {
	t.Helper()
	st, body, _ := request(t, http.MethodGet, rawURL, token, "")
	return st, body
}

// runCLI runs the command tree in-process, with the configuration taken from the environment
// exactly as the shipped binary does.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(t.Context())
	return out.String(), err
}

func TestCLIMigrationsAndTokens(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testenv.DatabaseURL(t, backend) // empty: the CLI must cope before serve ever ran
		t.Setenv("TCD_DATABASE_URL", dbURL)

		out, err := runCLI(t, "migrate", "status")
		if err != nil {
			t.Fatalf("migrate status on an empty database: %v\n%s", err, out)
		}
		versions := migrationLines(t, out)
		if len(versions) == 0 {
			t.Fatalf("migrate status lists no migrations:\n%s", out)
		}
		for v, state := range versions {
			if state != "pending" {
				t.Fatalf("empty database: migration %s is %s, want pending:\n%s", v, state, out)
			}
		}
		if out, err := runCLI(t, "migrate", "up"); err != nil || !strings.Contains(out, "applied") {
			t.Fatalf("migrate up: %v\n%s", err, out)
		}
		out, err = runCLI(t, "migrate", "status")
		if err != nil {
			t.Fatal(err)
		}
		after := migrationLines(t, out)
		if len(after) != len(versions) {
			t.Fatalf("migrate status changed its list of migrations:\n%s", out)
		}
		newest := ""
		for v, state := range after {
			if state != "applied" {
				t.Fatalf("after migrate up: migration %s is %s:\n%s", v, state, out)
			}
			if len(v) > len(newest) || (len(v) == len(newest) && v > newest) {
				newest = v
			}
		}
		if out, err := runCLI(t, "migrate", "down"); err != nil || !strings.Contains(out, "migration "+newest) {
			t.Fatalf("migrate down must roll back %s: %v\n%s", newest, err, out)
		}
		out, _ = runCLI(t, "migrate", "status")
		if got := migrationLines(t, out); got[newest] != "pending" {
			t.Fatalf("after migrate down, %s must be pending:\n%s", newest, out)
		}
		if out, err := runCLI(t, "migrate", "up"); err != nil || !strings.Contains(out, "applied 1 ") {
			t.Fatalf("migrate up after one rollback must apply exactly one: %v\n%s", err, out)
		}

		out, err = runCLI(t, "token", "create", "--role", "staff", "--name", "lan")
		if err != nil {
			t.Fatalf("token create: %v\n%s", err, out)
		}
		secret := lastLine(out)
		if !strings.HasPrefix(secret, "tcd_") || len(secret) < 40 || strings.ContainsAny(secret, " \t") {
			t.Fatalf("token create: the last line must be the secret alone, got %q in:\n%s", secret, out)
		}

		out, err = runCLI(t, "token", "list")
		if err != nil {
			t.Fatal(err)
		}
		if row := tokenRow(out, "lan"); len(row) < 2 || row[1] != "staff" || row[len(row)-1] != "active" {
			t.Fatalf("token list must show lan as an active staff token:\n%s", out)
		}
		if strings.Contains(out, secret) || strings.Contains(out, strings.TrimPrefix(secret, "tcd_")) {
			t.Fatalf("token list shows the secret:\n%s", out)
		}

		env := testenv.StartOn(t, backend, dbURL)
		staff := env.Client(secret)
		if r := staff.Get("/api/v1/orgs"); r.Status != http.StatusOK {
			t.Fatalf("a token made by the CLI must work on the server: %s", r)
		}
		if out, err := runCLI(t, "token", "revoke", "--name", "lan"); err != nil {
			t.Fatalf("token revoke: %v\n%s", err, out)
		}
		if r := staff.Get("/api/v1/orgs"); r.Status != http.StatusUnauthorized || !r.IsProblem() {
			t.Fatalf("a revoked token must get 401 at once: %s", r)
		}
		out, _ = runCLI(t, "token", "list")
		if row := tokenRow(out, "lan"); len(row) == 0 || row[len(row)-1] != "revoked" {
			t.Fatalf("token list must mark the revoked token:\n%s", out)
		}
		if _, err := runCLI(t, "token", "revoke", "--name", "lan"); err == nil {
			t.Fatal("revoking an already revoked token must fail, so a typo in a name is noticed")
		}

		for _, bad := range [][]string{
			{"token", "create", "--role", "superuser", "--name", "bad-role"},
			{"token", "create", "--role", "staff", "--name", "bad-org", "--org", "UNKNOWN"},
			{"token", "create", "--role", "staff"},
		} {
			if out, err := runCLI(t, bad...); err == nil {
				t.Fatalf("%v: want an error, got success:\n%s", bad, out)
			}
		}
		out, _ = runCLI(t, "token", "list")
		if tokenRow(out, "bad-role") != nil || tokenRow(out, "bad-org") != nil {
			t.Fatalf("a refused token create still stored a token:\n%s", out)
		}

		// scoped by the code operators know, not the internal id; a sibling organisation shows
		// whether the scope holds
		env.As(auth.Admin).Create("/api/v1/orgs", map[string]any{"code": "OTHER", "name": "Ban khác", "parent_id": nil})
		out, err = runCLI(t, "token", "create", "--role", "auditor", "--name", "scoped", "--org", env.App.Config.OrgCode)
		if err != nil {
			t.Fatalf("token create --org %s: %v\n%s", env.App.Config.OrgCode, err, out)
		}
		if r := env.Client(lastLine(out)).Get("/api/v1/orgs"); r.Status != http.StatusOK || len(r.Items()) != 1 ||
			r.Items()[0]["code"] != env.App.Config.OrgCode {
			t.Fatalf("a token scoped to %s must list that organisation only: %s", env.App.Config.OrgCode, r)
		}

		out, err = runCLI(t, "version")
		if err != nil || !strings.HasPrefix(out, "tcd ") || strings.TrimSpace(out) == "tcd" {
			t.Fatalf("version: %v %q", err, out)
		}
	})
}

// tokenRow returns the fields of the `token list` line for name, nil when there is none.
func tokenRow(out, name string) []string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == name {
			return f
		}
	}
	return nil
}

// migrationLines reads `migrate status` output into version -> state.
func migrationLines(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n")[1:] {
		f := strings.Fields(line)
		if len(f) >= 2 {
			m[f[0]] = f[1]
		}
	}
	return m
}

func TestReadinessFollowsTheDatabase(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testenv.MigratedDatabaseURL(t, backend)
		env := testenv.StartOn(t, backend, dbURL)
		anon := env.Client("")
		if r := anon.Get("/readyz"); r.Status != http.StatusOK {
			t.Fatalf("readyz on a healthy database: %s", r)
		}

		staff := env.As(auth.Staff)
		restore := breakDatabase(t, env, backend, dbURL)
		// the API fails as a problem document that hides the cause; only a real outage is
		// something a client can wait out (503), a closed pool is the service's own fault
		r := staff.Get("/api/v1/orgs")
		if !r.IsProblem() || r.Status < 500 || strings.Contains(r.String(), "sql") || strings.Contains(r.String(), dbName(dbURL)) {
			t.Fatalf("API without a database: want a 5xx problem+json without the cause, got %s", r)
		}
		if backend == "postgres" && r.Status != http.StatusServiceUnavailable {
			t.Fatalf("API while PostgreSQL is away: want 503, got %s", r)
		}

		r = anon.Get("/readyz")
		if r.Status != http.StatusServiceUnavailable || !r.IsProblem() || r.JSON()["status"] != float64(503) {
			t.Fatalf("readyz without a database: want 503 problem+json, got %s (%s)", r, r.Header.Get("Content-Type"))
		}
		// liveness must not follow: restarting the process would not bring the database back
		if r := anon.Get("/healthz"); r.Status != http.StatusOK {
			t.Fatalf("healthz without a database: want 200, got %s", r)
		}

		if restore == nil {
			return
		}
		restore()
		deadline := time.Now().Add(15 * time.Second)
		for {
			r := anon.Get("/readyz")
			if r.Status == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("readyz after the database came back: still %s", r)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if r := env.As(auth.Staff).Get("/api/v1/orgs"); r.Status != http.StatusOK {
			t.Fatalf("API after the database came back: %s", r)
		}
	})
}

// dbName is the database part of a URL: the PostgreSQL database name, or the SQLite file.
func dbName(dbURL string) string {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		return filepath.Base(path)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	return strings.TrimPrefix(u.Path, "/")
}

// breakDatabase makes the service's database unreachable and returns how to bring it back (nil
// when it cannot come back). PostgreSQL loses its database under the service's feet, as in a
// failover; an embedded SQLite file cannot be taken away from an open handle, so its pool is
// closed instead.
func breakDatabase(t *testing.T, env *testenv.Env, backend, dbURL string) (restore func()) {
	t.Helper()
	if backend == "sqlite" {
		if err := env.App.Store.Close(); err != nil {
			t.Fatal(err)
		}
		return nil
	}
	name := dbName(dbURL)
	gone := name + "_gone"
	admin, err := store.Open(t.Context(), os.Getenv("TCD_TEST_DATABASE_URL"), store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.DB.Exec("DROP DATABASE IF EXISTS " + gone + " WITH (FORCE)")
		admin.Close()
	})
	// the service's pool may reconnect between the two statements; try again until it loses
	deadline := time.Now().Add(15 * time.Second)
	for {
		admin.DB.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()", name)
		err := admin.DB.Exec("ALTER DATABASE " + name + " RENAME TO " + gone).Error
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("could not take database %s away: %v", name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		if err := admin.DB.Exec("ALTER DATABASE " + gone + " RENAME TO " + name).Error; err != nil {
			t.Fatalf("bring database %s back: %v", name, err)
		}
	}
}

func TestGracefulShutdownKeepsData(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dir := t.TempDir()
		env := childEnv("TCD_DATABASE_URL=" + testenv.MigratedDatabaseURL(t, backend))
		srv := startServe(t, dir, env)

		out, err := runTCD(t, dir, env, "token", "create", "--role", "admin", "--name", "e2e-admin")
		if err != nil {
			t.Fatalf("token create next to a running server: %v\n%s", err, out)
		}
		admin := lastLine(out)

		st, body, hdr := request(t, http.MethodPost, srv.base+"/api/v1/orgs", admin, `{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh"}`)
		if st != http.StatusCreated || hdr.Get("Location") == "" {
			t.Fatalf("create an organisation: %d %s", st, body)
		}
		var first struct{ ID, Name string }
		if err := json.Unmarshal(body, &first); err != nil || first.ID == "" {
			t.Fatalf("create an organisation: %s", body)
		}

		// a request still arriving when SIGTERM comes must be finished, not cut off
		slow := startSlowPost(t, srv.addr, admin, `{"code": "HL", "name": "Ban Tiếp công dân huyện Hải Lăng"}`)
		if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if !srv.running() {
			t.Fatalf("tcd serve exited with a request in flight:\n%s", srv.log)
		}
		st, body = slow.finish()
		if st != http.StatusCreated {
			t.Fatalf("request in flight during shutdown: want 201, got %d %s", st, body)
		}
		var second struct{ ID string }
		if err := json.Unmarshal(body, &second); err != nil || second.ID == "" {
			t.Fatalf("request in flight during shutdown: %s", body)
		}
		if code := srv.waitExit(15 * time.Second); code != 0 {
			t.Fatalf("after SIGTERM: exit code %d, want 0:\n%s", code, srv.log)
		}

		srv = startServe(t, dir, env)
		st, body = get(t, srv.base+"/api/v1/orgs/"+first.ID, admin)
		var again struct{ ID, Name string }
		if st != http.StatusOK || json.Unmarshal(body, &again) != nil || again != first {
			t.Fatalf("after a restart the organisation must still be there: %d %s (want %+v)", st, body, first)
		}
		if st, body := get(t, srv.base+"/api/v1/orgs/"+second.ID, admin); st != http.StatusOK {
			t.Fatalf("after a restart the organisation written during shutdown must be there: %d %s", st, body)
		}
		srv.stop()
	})
}

// slowPost is a POST whose body is still on its way.
type slowPost struct {
	t    *testing.T
	conn net.Conn
	rest string
}

func startSlowPost(t *testing.T, addr, token, body string) *slowPost {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	half := len(body) / 2
	head := "POST /api/v1/orgs HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:half]); err != nil {
		t.Fatal(err)
	}
	// let the server read the headers, which makes the connection active rather than idle
	time.Sleep(200 * time.Millisecond)
	return &slowPost{t: t, conn: conn, rest: body[half:]}
}

func (p *slowPost) finish() (int, []byte) {
	p.t.Helper()
	_ = p.conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(p.conn, p.rest); err != nil {
		p.t.Fatalf("finish the request body: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(p.conn), nil)
	if err != nil {
		p.t.Fatalf("read the answer to the request in flight: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestServeDefaultsToEmbeddedDatabase is the newcomer's first run: no configuration at all. It is
// SQLite by definition, so it does not run per backend.
func TestServeDefaultsToEmbeddedDatabase(t *testing.T) {
	dir := t.TempDir()
	env := childEnv()
	srv := startServe(t, dir, env)
	// the common names are parsed for duplicate search before the server listens, so that its
	// first lookups are as fast as the next ones
	if log := srv.log.String(); !strings.Contains(log, "parsed the common names and addresses for duplicate search") ||
		strings.Index(log, "parsed the common names") > strings.Index(log, `"serving"`) {
		t.Fatalf("serve must parse the common names before it listens:\n%s", log)
	}

	if fi, err := os.Stat(filepath.Join(dir, "data", "tcd.db")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("serve with no TCD_DATABASE_URL must create data/tcd.db under the working directory: %v", err)
	}
	out, err := runTCD(t, dir, env, "token", "create", "--role", "admin", "--name", "first")
	if err != nil {
		t.Fatalf("token create with no configuration: %v\n%s", err, out)
	}
	st, body := get(t, srv.base+"/api/v1/orgs", lastLine(out))
	var list struct {
		Items []struct{ Code, Name string }
	}
	if st != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Items) != 1 ||
		list.Items[0].Code != "TCD" || list.Items[0].Name != "Ban Tiếp công dân" {
		t.Fatalf("the CLI and the server must share the default database and organisation: %d %s", st, body)
	}
	if st, body := get(t, srv.base+"/swagger/index.html", ""); st != http.StatusOK || !bytes.Contains(bytes.ToLower(body), []byte("swagger")) {
		t.Fatalf("Swagger UI: %d", st)
	}
	st, body = get(t, srv.base+"/metrics", "")
	for _, name := range []string{"tcd_http_requests_total", "tcd_http_request_duration_seconds", `go_sql_open_connections{db_name="tcd"}`} {
		if st != http.StatusOK || !bytes.Contains(body, []byte(name)) {
			t.Fatalf("metrics must include %s: %d", name, st)
		}
	}
	srv.stop()
}
