package e2e_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/e2e"
)

// long asks for the long forms of these tests (make test-long): more kills, longer writes, more
// outages. CI runs the short forms with every go test ./... .
var long = os.Getenv("TCD_TEST_LONG") != ""

// scaled is n in the short form and longN in the long one.
func scaled(n, longN int) int {
	if long {
		return longN
	}
	return n
}

func TestMain(m *testing.M) {
	code := m.Run()
	e2e.RemoveBinary()
	os.Exit(code)
}

// binary builds tcd once for the whole test process.
func binary(t testing.TB) string {
	t.Helper()
	bin, err := e2e.Binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// serve starts tcd serve and stops it (gracefully) when the test ends, logging its output on failure.
func serve(t testing.TB, bin string, env []string) *e2e.Server {
	t.Helper()
	s, err := e2e.Start(bin, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("tcd serve log (end):\n%s", s.Log())
		}
	})
	return s
}

func token(t testing.TB, bin string, env []string, role, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	secret, err := e2e.Token(ctx, bin, env, role, name)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
