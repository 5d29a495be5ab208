// Package config reads the service's settings from TCD_* environment variables, so that the
// server, the CLI and the tests all see one configuration with documented defaults.
package config

import (
	"log/slog"

	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"
)

// Config is every setting of the service. The README lists each variable with its default.
type Config struct {
	Addr        string
	DebugAddr   string // pprof listener; empty (the default) serves none
	DatabaseURL string
	// ReplicaURLs are PostgreSQL streaming replicas that lists, statistics and exports read from
	ReplicaURLs []string
	// ReadYourWrites is how long after a client's write its reads stay on the primary
	ReadYourWrites time.Duration
	// ReplicaMaxLag: a replica lagging more is left out until it catches up
	ReplicaMaxLag  time.Duration
	DelegationMin  int
	OrgCode        string
	OrgName        string
	TimeZone       *time.Location
	CORSOrigins    []string
	BodyLimit      string
	MemoryLimit    int64 // soft limit of the Go heap in bytes (TCD_MEMORY_LIMIT); 0 leaves the runtime's default
	RequestTimeout time.Duration
	LogLevel       string
	RateLimit      float64 // requests per second per token; 0 disables
	RateBurst      int
	DBMaxOpenConns int
	MaxActive      int // API requests at work at once; the others queue in order of arrival
	ExportSchedule string
	ExportDir      string
	ExportFormats  []string
	SessionIdle    time.Duration // a signed-in session ends after this long without a request
	SessionMax     time.Duration // and this long after sign-in in any case
	CookieSecure   bool          // the session cookie is sent over HTTPS only
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client's address
	TrustedProxies []*net.IPNet
	// BlobURL is the attachment store (gocloud.dev/blob URL); empty keeps them in AttachmentDir.
	BlobURL       string
	AttachmentDir string
	AttachmentMax int64 // bytes an attachment may have (TCD_ATTACHMENT_MAX)
}

// Load reads the environment. It fails on malformed values instead of silently using defaults,
// because a typo in a production setting should stop the service, not change its behaviour.
func Load() (Config, error) {
	var errs []string
	c := Config{
		Addr:           env("TCD_ADDR", ":8080"),
		DebugAddr:      env("TCD_DEBUG_ADDR", ""),
		DatabaseURL:    env("TCD_DATABASE_URL", "sqlite:data/tcd.db"),
		OrgCode:        env("TCD_ORG_CODE", "TCD"),
		OrgName:        env("TCD_ORG_NAME", "Ban Tiếp công dân"),
		BodyLimit:      env("TCD_BODY_LIMIT", "1M"),
		LogLevel:       env("TCD_LOG_LEVEL", "info"),
		ExportSchedule: env("TCD_EXPORT_SCHEDULE", ""),
		ExportDir:      env("TCD_EXPORT_DIR", "data/exports"),
		BlobURL:        env("TCD_BLOB_URL", ""),
		AttachmentDir:  "data/attachments",
	}
	c.DelegationMin = intEnv("TCD_DELEGATION_MIN", 5, &errs)
	if c.DelegationMin < 2 {
		errs = append(errs, "TCD_DELEGATION_MIN must be at least 2")
	}
	c.RateLimit = floatEnv("TCD_RATE_LIMIT", 50, &errs)
	c.RateBurst = intEnv("TCD_RATE_BURST", 100, &errs)
	c.DBMaxOpenConns = intEnv("TCD_DB_MAX_CONNS", 20, &errs)
	if c.DBMaxOpenConns < 1 {
		errs = append(errs, "TCD_DB_MAX_CONNS must be at least 1")
	}
	// Four per core: enough to keep the processor busy while others wait on the database,
	// few enough that the rest queue in order instead of all slowing down together. Never
	// more than the connections, for which the surplus would queue in random order.
	c.MaxActive = intEnv("TCD_MAX_ACTIVE_REQUESTS", min(4*runtime.GOMAXPROCS(0), c.DBMaxOpenConns), &errs)
	if c.MaxActive < 1 || c.MaxActive > c.DBMaxOpenConns {
		errs = append(errs, fmt.Sprintf("TCD_MAX_ACTIVE_REQUESTS must be between 1 and TCD_DB_MAX_CONNS (%d)", c.DBMaxOpenConns))
	}
	c.ReplicaURLs = list(env("TCD_DATABASE_REPLICA_URLS", ""))
	if len(c.ReplicaURLs) > 0 && strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		errs = append(errs, "TCD_DATABASE_REPLICA_URLS: read replicas need PostgreSQL; the embedded SQLite database has none, so leave it unset")
	}
	c.ReadYourWrites = durationEnv("TCD_READ_YOUR_WRITES", 5*time.Second, &errs)
	c.ReplicaMaxLag = durationEnv("TCD_REPLICA_MAX_LAG", 10*time.Second, &errs)
	c.RequestTimeout = durationEnv("TCD_REQUEST_TIMEOUT", 30*time.Second, &errs)
	tz := env("TCD_TIMEZONE", "Asia/Ho_Chi_Minh")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		// The tz database may be missing on minimal images; Vietnam has had no DST since 1975.
		if tz == "Asia/Ho_Chi_Minh" {
			loc = time.FixedZone("ICT", 7*3600)
		} else {
			errs = append(errs, fmt.Sprintf("TCD_TIMEZONE: %v", err))
		}
	}
	c.TimeZone = loc
	c.CORSOrigins = list(env("TCD_CORS_ORIGINS", ""))
	if _, err := bytes.Parse(c.BodyLimit); err != nil {
		errs = append(errs, fmt.Sprintf("TCD_BODY_LIMIT must be a size such as 1M or 512K, got %q", c.BodyLimit))
	}
	// A soft limit makes the collector work harder as the heap nears it, so that the process
	// keeps to the memory a container or a small server gives it under bursts of requests
	// (each holding JSON, rows and gzip buffers) instead of doubling the heap first. GOMEMLIMIT,
	// Go's own setting, wins when set.
	if v := env("TCD_MEMORY_LIMIT", "120M"); v != "0" {
		if n, err := bytes.Parse(v); err != nil || n <= 0 {
			errs = append(errs, fmt.Sprintf("TCD_MEMORY_LIMIT must be a size such as 100M or 1G (or 0 for none), got %q", v))
		} else {
			c.MemoryLimit = n
		}
	}
	if n, err := bytes.Parse(env("TCD_ATTACHMENT_MAX", "20M")); err != nil || n <= 0 {
		errs = append(errs, fmt.Sprintf("TCD_ATTACHMENT_MAX must be a size such as 20M, got %q", env("TCD_ATTACHMENT_MAX", "")))
	} else {
		c.AttachmentMax = n
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		errs = append(errs, fmt.Sprintf("TCD_LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel))
	}
	c.ExportFormats = list(env("TCD_EXPORT_FORMATS", "xlsx,csv,json"))
	c.SessionIdle = durationEnv("TCD_SESSION_IDLE", 30*time.Minute, &errs)
	c.SessionMax = durationEnv("TCD_SESSION_MAX", 12*time.Hour, &errs)
	if c.SessionIdle > c.SessionMax {
		errs = append(errs, "TCD_SESSION_IDLE must not be longer than TCD_SESSION_MAX")
	}
	secure, err := strconv.ParseBool(env("TCD_COOKIE_SECURE", "true"))
	if err != nil {
		errs = append(errs, fmt.Sprintf("TCD_COOKIE_SECURE must be true or false, got %q", env("TCD_COOKIE_SECURE", "")))
	}
	c.CookieSecure = secure || err != nil
	for _, p := range list(env("TCD_TRUSTED_PROXIES", "")) {
		n, err := addressRange(p)
		if err != nil {
			errs = append(errs, fmt.Sprintf("TCD_TRUSTED_PROXIES must list addresses or CIDR ranges, got %q", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// addressRange reads a CIDR range, or one address as the range of that address alone.
func addressRange(s string) (*net.IPNet, error) {
	if ip := net.ParseIP(s); ip != nil {
		bits := 8 * len(ip)
		if v4 := ip.To4(); v4 != nil {
			ip, bits = v4, 32
		}
		return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
	}
	_, n, err := net.ParseCIDR(s)
	return n, err
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func intEnv(name string, def int, errs *[]string) int {
	v := env(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*errs = append(*errs, fmt.Sprintf("%s must be an integer, got %q", name, v))
		return def
	}
	return n
}

func floatEnv(name string, def float64, errs *[]string) float64 {
	v := env(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 {
		*errs = append(*errs, fmt.Sprintf("%s must be a non-negative number, got %q", name, v))
		return def
	}
	return n
}

func durationEnv(name string, def time.Duration, errs *[]string) time.Duration {
	v := env(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		*errs = append(*errs, fmt.Sprintf("%s must be a positive duration such as 30s, got %q", name, v))
		return def
	}
	return d
}

func list(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
