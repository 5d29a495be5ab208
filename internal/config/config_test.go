package config

import (
	"runtime"
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	for _, name := range []string{"TCD_MEMORY_LIMIT", "TCD_DELEGATION_MIN", "TCD_BODY_LIMIT", "GOMEMLIMIT", "TCD_DB_MAX_CONNS", "TCD_MAX_ACTIVE_REQUESTS"} {
		t.Setenv(name, "")
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.MemoryLimit != 120_000_000 || c.DelegationMin != 5 || c.BodyLimit != "1M" {
		t.Fatalf("defaults: memory %d, delegation %d, body %q", c.MemoryLimit, c.DelegationMin, c.BodyLimit)
	}
	if want := min(4*runtime.GOMAXPROCS(0), 20); c.DBMaxOpenConns != 20 || c.MaxActive != want {
		t.Fatalf("defaults: %d connections and %d active requests, want 20 and %d", c.DBMaxOpenConns, c.MaxActive, want)
	}
	t.Setenv("TCD_DB_MAX_CONNS", "2")
	if c, err := Load(); err != nil || c.MaxActive != 2 {
		t.Fatalf("active requests default to no more than the connections: %d (%v)", c.MaxActive, err)
	}
}

// Sizes are decimal, as TCD_BODY_LIMIT's are.
func TestLoadMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		value string
		want  int64
	}{{"256M", 256_000_000}, {"1G", 1_000_000_000}, {"0", 0}} {
		t.Setenv("TCD_MEMORY_LIMIT", c.value)
		got, err := Load()
		if err != nil || got.MemoryLimit != c.want {
			t.Errorf("TCD_MEMORY_LIMIT=%s: %d %v, want %d", c.value, got.MemoryLimit, err, c.want)
		}
	}
}

// A malformed setting stops the service at start, naming the variable, rather than run with a
// default the operator did not choose.
func TestLoadRejectsMalformedSettings(t *testing.T) {
	for name, value := range map[string]string{
		"TCD_MEMORY_LIMIT":    "lots",
		"TCD_BODY_LIMIT":      "big",
		"TCD_DELEGATION_MIN":  "1",
		"TCD_REQUEST_TIMEOUT": "soon",
		"TCD_LOG_LEVEL":       "loud",
		"TCD_TIMEZONE":        "Mars/Olympus",
		"TCD_DB_MAX_CONNS":    "0",
		// more requests at work than connections would queue for them in random order
		"TCD_MAX_ACTIVE_REQUESTS": "21",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			if _, err := Load(); err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%s: %v", name, value, err)
			}
		})
	}
}

// The sign-in settings: sessions' lengths, the cookie's Secure flag and the trusted proxies, each
// refused when malformed.
func TestLoadSignInSettings(t *testing.T) {
	for _, name := range []string{"TCD_SESSION_IDLE", "TCD_SESSION_MAX", "TCD_COOKIE_SECURE", "TCD_TRUSTED_PROXIES"} {
		t.Setenv(name, "")
	}
	c, err := Load()
	if err != nil || c.SessionIdle.String() != "30m0s" || c.SessionMax.String() != "12h0m0s" || !c.CookieSecure || c.TrustedProxies != nil {
		t.Fatalf("defaults: %v %v %v %v (%v)", c.SessionIdle, c.SessionMax, c.CookieSecure, c.TrustedProxies, err)
	}
	t.Setenv("TCD_COOKIE_SECURE", "false")
	t.Setenv("TCD_TRUSTED_PROXIES", "10.0.0.7, 192.168.0.0/16, ::1")
	c, err = Load()
	if err != nil || c.CookieSecure || len(c.TrustedProxies) != 3 || c.TrustedProxies[0].String() != "10.0.0.7/32" ||
		c.TrustedProxies[1].String() != "192.168.0.0/16" || c.TrustedProxies[2].String() != "::1/128" {
		t.Fatalf("TCD_COOKIE_SECURE=false, three proxies: %v %v (%v)", c.CookieSecure, c.TrustedProxies, err)
	}
	for name, value := range map[string]string{"TCD_COOKIE_SECURE": "maybe", "TCD_TRUSTED_PROXIES": "proxy.local", "TCD_SESSION_IDLE": "13h"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			if _, err := Load(); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%s: want an error naming it, got %v", name, value, err)
			}
		})
	}
}

// Replicas: the defaults, a list of URLs, and the embedded database refusing them at start.
func TestLoadReplicaSettings(t *testing.T) {
	for _, name := range []string{"TCD_DATABASE_REPLICA_URLS", "TCD_READ_YOUR_WRITES", "TCD_REPLICA_MAX_LAG"} {
		t.Setenv(name, "")
	}
	t.Setenv("TCD_DATABASE_URL", "postgres://db/tcd")
	c, err := Load()
	if err != nil || c.ReplicaURLs != nil || c.ReadYourWrites.String() != "5s" || c.ReplicaMaxLag.String() != "10s" {
		t.Fatalf("defaults: %v %v %v (%v)", c.ReplicaURLs, c.ReadYourWrites, c.ReplicaMaxLag, err)
	}
	t.Setenv("TCD_DATABASE_REPLICA_URLS", "postgres://r1/tcd, postgres://r2/tcd")
	if c, err = Load(); err != nil || len(c.ReplicaURLs) != 2 || c.ReplicaURLs[1] != "postgres://r2/tcd" {
		t.Fatalf("two replicas: %v (%v)", c.ReplicaURLs, err)
	}
	t.Setenv("TCD_DATABASE_URL", "sqlite:data/tcd.db")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "TCD_DATABASE_REPLICA_URLS") || !strings.Contains(err.Error(), "SQLite") {
		t.Fatalf("SQLite with replicas: want an error naming the setting, got %v", err)
	}
	t.Setenv("TCD_DATABASE_URL", "postgres://db/tcd")
	t.Setenv("TCD_REPLICA_MAX_LAG", "a while")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "TCD_REPLICA_MAX_LAG") {
		t.Fatalf("malformed lag: %v", err)
	}
}
