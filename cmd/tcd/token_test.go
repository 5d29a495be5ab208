package main

import (
	"os/user"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// Tokens made and revoked on the command line are audited with the operating-system user who
// ran the command as the actor, naming the token, never its secret.
func TestTokenCommandsAreAudited(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testenv.MigratedDatabaseURL(t, backend)
		t.Setenv("TCD_DATABASE_URL", dbURL)
		env := testenv.StartOn(t, backend, dbURL)
		out, err := runCLI(t, "token", "create", "--role", "agency", "--name", "so-tttt", "--expires", "720h")
		if err != nil {
			t.Fatalf("token create: %v\n%s", err, out)
		}
		secret := lastLine(out)
		if out, err := runCLI(t, "token", "revoke", "--name", "so-tttt"); err != nil {
			t.Fatalf("token revoke: %v\n%s", err, out)
		}
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		admin := env.As(auth.Admin)
		entries := admin.ListAll("/api/v1/audit?entity=token&actor=cli:"+u.Username, 50)
		if len(entries) != 2 || entries[0]["action"] != "revoke" || entries[1]["action"] != "create" {
			t.Fatalf("the creation and the revocation are audited with the CLI's user as actor: %v", entries)
		}
		for _, e := range entries {
			if ch := e["changes"].(map[string]any); ch["name"] != "so-tttt" || ch["role"] != "agency" || ch["expires_at"] == nil {
				t.Errorf("the entry names the token, its role and expiry: %v", e)
			}
		}
		if strings.Contains(string(admin.Get("/api/v1/audit?limit=500").Body), strings.TrimPrefix(secret, "tcd_")) {
			t.Errorf("the audit log holds the token's secret")
		}
	})
}

// An expiry that has already passed is refused, naming --expires, and nothing is stored.
func TestTokenExpiryMustLieAhead(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		t.Setenv("TCD_DATABASE_URL", testenv.MigratedDatabaseURL(t, backend))
		for _, expires := range []string{"2020-01-01", "-5h", "0s"} {
			out, err := runCLI(t, "token", "create", "--role", "staff", "--name", "late"+expires, "--expires", expires)
			if err == nil || !strings.Contains(err.Error(), "--expires") {
				t.Errorf("--expires %s: want an error naming --expires, got %v\n%s", expires, err, out)
			}
		}
		out, err := runCLI(t, "token", "list")
		if err != nil || strings.Contains(out, "late") {
			t.Errorf("a refused token is not stored: %v\n%s", err, out)
		}
		if out, err := runCLI(t, "token", "create", "--role", "staff", "--name", "ahead", "--expires", "2999-01-01"); err != nil {
			t.Errorf("an expiry ahead is accepted: %v\n%s", err, out)
		}
	})
}
