package main

import (
	"net/http"
	"os/user"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// The first administrator comes from the command line: `tcd user create` prints a one-time
// password alone on the last line, which signs in (and must be changed first);
// `reset-password` prints a new one and signs the user out; `disable` shuts the user out.
// Each is audited with the operating-system user as actor, and no password reaches the log.
func TestUserCommands(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testenv.MigratedDatabaseURL(t, backend)
		t.Setenv("TCD_DATABASE_URL", dbURL)
		env := testenv.StartOn(t, backend, dbURL)
		out, err := runCLI(t, "user", "create", "--username", "Hoa.Tran", "--role", "admin", "--org", "TCD", "--display-name", "Trần Thị Hoa")
		if err != nil {
			t.Fatalf("user create: %v\n%s", err, out)
		}
		first := lastLine(out)
		hoa, r := env.SignIn("hoa.tran", first)
		if hoa == nil || r.JSON()["must_change_password"] != true || r.JSON()["role"] != "admin" || r.JSON()["org_code"] != "TCD" {
			t.Fatalf("the printed one-time password signs in, as an admin of TCD to change it: %s", r)
		}
		if out, err := runCLI(t, "user", "create", "--username", "hoa.tran", "--role", "staff"); err == nil {
			t.Errorf("a second user named hoa.tran: want an error, got\n%s", out)
		}
		if out, err := runCLI(t, "user", "create", "--username", "x", "--role", "boss"); err == nil || !strings.Contains(err.Error(), "role") {
			t.Errorf("an unknown role: want an error naming role, got %v\n%s", err, out)
		}

		out, err = runCLI(t, "user", "reset-password", "--username", "hoa.tran")
		if err != nil {
			t.Fatalf("user reset-password: %v\n%s", err, out)
		}
		second := lastLine(out)
		if r := hoa.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("a reset signs the user out at once: %s", r)
		}
		if _, r := env.SignIn("hoa.tran", first); r.Status != http.StatusUnauthorized {
			t.Errorf("the old password no longer signs in: %s", r)
		}
		hoa, r = env.SignIn("hoa.tran", second)
		if hoa == nil {
			t.Fatalf("the new one-time password signs in: %s", r)
		}

		if out, err := runCLI(t, "user", "disable", "--username", "hoa.tran"); err != nil {
			t.Fatalf("user disable: %v\n%s", err, out)
		}
		if r := hoa.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("disabling signs the user out at once: %s", r)
		}
		if _, r := env.SignIn("hoa.tran", second); r.Status != http.StatusUnauthorized {
			t.Errorf("a disabled user cannot sign in: %s", r)
		}
		if out, err := runCLI(t, "user", "disable", "--username", "nobody"); err == nil {
			t.Errorf("disable an unknown user: want an error, got\n%s", out)
		}

		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		auditor := env.As(auth.Auditor)
		var actions []string
		for _, e := range auditor.ListAll("/api/v1/audit?entity=user&actor=cli:"+u.Username, 50) {
			actions = append(actions, e["action"].(string))
		}
		if strings.Join(actions, ",") != "update,reset_password,create" {
			t.Errorf("the commands are audited with the CLI's user as actor, newest first: %v", actions)
		}
		log := string(auditor.Get("/api/v1/audit?limit=500").Body)
		if strings.Contains(log, first) || strings.Contains(log, second) {
			t.Errorf("the audit log holds a one-time password")
		}
	})
}
