// Package testenv starts the real service on 127.0.0.1:0 against each backend the machine offers
// (SQLite always, PostgreSQL whenever TCD_TEST_DATABASE_URL is set) so that every HTTP test runs
// the same assertions on both databases. Under CI=true a missing PostgreSQL fails the test run.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/app"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/store"
)

// Backends lists the databases to test on.
func Backends(t testing.TB) []string {
	t.Helper()
	out := []string{"sqlite"}
	if os.Getenv("TCD_TEST_DATABASE_URL") != "" {
		out = append(out, "postgres")
	} else if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but TCD_TEST_DATABASE_URL is not set: the PostgreSQL suite must run in CI")
	}
	return out
}

// ForEachBackend runs fn as a subtest per backend, each on a fresh database.
func ForEachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// DatabaseURL returns a fresh, empty database of the backend, dropped when the test ends.
// PostgreSQL databases are cloned from a template that was migrated once per set of migrations,
// which keeps each test's setup to a few milliseconds.
func DatabaseURL(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "tcd.db")
	case "postgres":
		return postgresDatabase(t, false)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// MigratedDatabaseURL is DatabaseURL with every migration applied (a clone of the template on
// PostgreSQL).
func MigratedDatabaseURL(t testing.TB, backend string) string {
	t.Helper()
	if backend == "postgres" {
		return postgresDatabase(t, true)
	}
	return DatabaseURL(t, backend)
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

func postgresDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	adminURL := os.Getenv("TCD_TEST_DATABASE_URL")
	ctx := context.Background()
	admin, err := store.Open(ctx, adminURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("PostgreSQL at TCD_TEST_DATABASE_URL: %v", err)
	}
	defer admin.Close()
	if migrated {
		templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx, admin, adminURL) })
		if templateErr != nil {
			t.Fatalf("template database: %v", templateErr)
		}
	}
	name := "tcd_test_" + randomSuffix()
	stmt := "CREATE DATABASE " + name
	if migrated {
		stmt += " TEMPLATE " + templateName
	}
	if err := admin.DB.Exec(stmt).Error; err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := store.Open(context.Background(), adminURL, store.Options{MaxOpenConns: 1})
		if err == nil {
			a.DB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	return withDatabase(adminURL, name)
}

// ensureTemplate creates tcd_tpl_<hash of the migrations> once per machine; an advisory lock
// keeps parallel test processes from building it twice.
func ensureTemplate(ctx context.Context, admin *store.Store, adminURL string) (string, error) {
	name := "tcd_tpl_" + migrationsHash()
	conn, err := admin.SQL().Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7267001)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock(7267001)")
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	st, err := store.Open(ctx, withDatabase(adminURL, building), store.Options{MaxOpenConns: 1})
	if err != nil {
		return "", err
	}
	_, err = st.MigrateUp(ctx)
	st.Close()
	if err != nil {
		return "", err
	}
	// renamed only once complete, so a crashed build never leaves a half-migrated template
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

func migrationsHash() string {
	h := sha256.New()
	root := findMigrationsDir()
	var files []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		h.Write([]byte(f))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func findMigrationsDir() string {
	dir, _ := os.Getwd()
	for i := 0; i < 6; i++ {
		p := filepath.Join(dir, "internal", "store", "migrations")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		dir = filepath.Dir(dir)
	}
	return "."
}

func withDatabase(rawURL, name string) string {
	// postgres://user@host:port/DB?params: replace the path segment
	scheme, rest, _ := strings.Cut(rawURL, "://")
	hostPart, query, hasQuery := strings.Cut(rest, "?")
	host, _, _ := strings.Cut(hostPart, "/")
	out := scheme + "://" + host + "/" + name
	if hasQuery {
		out += "?" + query
	}
	return out
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Env is a running service on a fresh database.
type Env struct {
	t       testing.TB
	Backend string
	App     *app.App
	BaseURL string
	cancel  context.CancelFunc
	done    chan error
}

// Option adjusts the configuration before the service starts.
type Option func(*config.Config)

// Start runs the service on 127.0.0.1:0 on a fresh database of backend until the test ends.
func Start(t testing.TB, backend string, opts ...Option) *Env {
	t.Helper()
	return StartOn(t, backend, MigratedDatabaseURL(t, backend), opts...)
}

// StartOn runs the service against an existing database URL.
func StartOn(t testing.TB, backend, dbURL string, opts ...Option) *Env {
	t.Helper()
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = dbURL
	cfg.Addr = "127.0.0.1:0"
	cfg.RateLimit = 0 // tests that exercise the limiter turn it on explicitly
	cfg.AttachmentDir = t.TempDir()
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if os.Getenv("TCD_TEST_LOG") != "" {
		log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("start tcd on %s: %v", backend, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	e := &Env{t: t, Backend: backend, App: a, BaseURL: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- a.Serve(ctx, ln) }()
	t.Cleanup(e.Stop)
	return e
}

// Stop shuts the service down gracefully (idempotent).
func (e *Env) Stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(30 * time.Second):
		e.t.Errorf("server did not stop within 30 s")
	}
	e.App.Close()
	e.cancel = nil
}

// Token makes a token of role, scoped to the organisation with orgCode when not empty.
func (e *Env) Token(role auth.Role, orgCode string) string {
	e.t.Helper()
	in := auth.NewToken{Name: fmt.Sprintf("test-%s-%s", role, randomSuffix()), Role: role, OrgID: e.orgID(orgCode)}
	secret, _, err := e.App.Tokens.Create(context.Background(), auth.System, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// orgID is the id of the organisation with code, nil for "".
func (e *Env) orgID(code string) *string {
	e.t.Helper()
	if code == "" {
		return nil
	}
	org, err := e.App.Orgs.ByCode(context.Background(), code)
	if err != nil {
		e.t.Fatal(err)
	}
	return &org.ID
}

// Client returns an HTTP client that sends token.
func (e *Env) Client(token string) *Client {
	return &Client{t: e.t, base: e.BaseURL, token: token}
}

// As is Client(Token(role, "")).
func (e *Env) As(role auth.Role) *Client { return e.Client(e.Token(role, "")) }
