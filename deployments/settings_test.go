package deployments

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/gommon/bytes"
	"github.com/robfig/cron/v3"

	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/testenv"
)

var tcdVariable = regexp.MustCompile(`^TCD_[A-Z0-9_]+$`)

// otherVariables are the variables outside TCD_* that a deployment may give tcd's container, each
// read by a library tcd uses rather than by internal/config.
var otherVariables = map[string]string{
	// pgx, under gorm's PostgreSQL driver, takes the password from it when the URL has none: the
	// Kubernetes manifests keep the operator-generated password out of the URL this way
	"PGPASSWORD": "pgx",
}

// configVariables are the TCD_* names internal/config reads: the string literals of its
// non-test sources. A deployment that sets any other TCD_* name sets something the service
// ignores (a typo, or a setting of another release).
func configVariables(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "internal", "config", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && tcdVariable.MatchString(s) {
					names[s] = true
				}
			}
			return true
		})
	}
	// a sanity floor: the parse found the settings at all
	for _, must := range []string{"TCD_ADDR", "TCD_DATABASE_URL"} {
		if !names[must] {
			t.Fatalf("internal/config does not name %s: the scan of its sources is broken", must)
		}
	}
	return names
}

// checkNames fails for every variable of env that tcd does not read.
func checkNames(t *testing.T, where string, env map[string]string, known map[string]bool) {
	t.Helper()
	for _, name := range sortedKeys(env) {
		switch {
		case tcdVariable.MatchString(name):
			if !known[name] {
				t.Errorf("%s sets %s, which tcd does not read (internal/config)", where, name)
			}
		case otherVariables[name] == "":
			t.Errorf("%s sets %s, which neither tcd nor a library it uses reads", where, name)
		}
	}
}

// checkValues loads tcd's configuration from the TCD_* values of env, as the service would at
// start: every value must be accepted, and the settings that are checked only when the server
// starts (the export schedule and formats) too. It returns the configuration.
func checkValues(t *testing.T, where string, env map[string]string, known map[string]bool) config.Config {
	t.Helper()
	for k := range known {
		if _, ok := os.LookupEnv(k); ok {
			t.Setenv(k, "") // empty reads as unset: only the deployment's values count
		}
	}
	for k, v := range env {
		if tcdVariable.MatchString(k) {
			t.Setenv(k, v)
		}
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatalf("%s: tcd refuses its settings: %v", where, err)
	}
	if cfg.ExportSchedule != "" {
		if _, err := cron.ParseStandard(cfg.ExportSchedule); err != nil {
			t.Errorf("%s: TCD_EXPORT_SCHEDULE %q: %v", where, cfg.ExportSchedule, err)
		}
		if _, err := export.ParseSchedule(cfg.ExportDir, cfg.ExportFormats); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	}
	return cfg
}

// addrPort is the port of a listen address such as ":8080".
func addrPort(t *testing.T, addr string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("TCD_ADDR %q: %v", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("TCD_ADDR %q: %v", addr, err)
	}
	return n
}

// sizeBytes reads a size as tcd does (TCD_MEMORY_LIMIT: 600M is 600 MiB).
func sizeBytes(t *testing.T, s string) int64 {
	t.Helper()
	n, err := bytes.Parse(s)
	if err != nil {
		t.Fatalf("size %q: %v", s, err)
	}
	return n
}

// probesAnswer starts the service on each backend and asks every path in paths, as a kubelet or
// the image's healthcheck would: each must answer 200 without a token.
func probesAnswer(t *testing.T, paths []string) {
	t.Helper()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		e := testenv.Start(t, backend)
		for _, path := range paths {
			resp, err := http.Get(e.BaseURL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("probe %s answered %s", path, resp.Status)
			}
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
