package main

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/testenv"
)

// exitCode runs tcd args as an operator's script would and answers its exit status.
func exitCode(t *testing.T, args ...string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, executable(t), args...)
	cmd.Dir, cmd.Env = t.TempDir(), childEnv()
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("tcd %v: %v", args, err)
	return -1
}

// A command line tcd does not understand exits 2, a failure 1, success 0.
func TestExitStatusTellsUsageFromFailure(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"migrate", "sideways"}, 2},
		{[]string{"no-such-command"}, 2},
		{[]string{"token", "create", "--no-such-flag"}, 2},
		{[]string{"version", "extra"}, 2},
		{[]string{"migrate"}, 0}, // a group alone prints its help
		{[]string{"version"}, 0},
		{[]string{"healthcheck", "--url", "http://127.0.0.1:1/readyz", "--timeout", "2s"}, 1},
	} {
		if got := exitCode(t, c.args...); got != c.want {
			t.Errorf("tcd %v: exit %d, want %d", c.args, got, c.want)
		}
	}
}

// The container's HEALTHCHECK: exit 0 while the service answers /readyz 200.
func TestHealthcheckAsksReadyz(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		if got := exitCode(t, "healthcheck", "--url", env.BaseURL+"/readyz"); got != 0 {
			t.Errorf("healthcheck of a ready service: exit %d, want 0", got)
		}
		if got := exitCode(t, "healthcheck", "--url", env.BaseURL+"/no-such-path"); got != 1 {
			t.Errorf("healthcheck answered 404: exit %d, want 1", got)
		}
	})
}

func TestReadyzURLAsksTheLoopback(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/readyz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/readyz",
		"10.0.0.5:8080":  "http://10.0.0.5:8080/readyz",
		"[::]:8080":      "http://127.0.0.1:8080/readyz",
		"localhost:8081": "http://localhost:8081/readyz",
	} {
		if got := readyzURL(addr); got != want {
			t.Errorf("readyzURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
