package deployments

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeFiles are the Compose files of this directory, each a whole stack.
var composeFiles = []string{"compose.yaml", "compose.scale.yaml"}

// composeSecrets are the values compose.*.yaml require from deployments/.env.
var composeSecrets = map[string]string{"POSTGRES_PASSWORD": "pw-of-tcd", "REPLICATION_PASSWORD": "pw-of-replicator"}

// loadCompose loads a Compose file as `docker compose` does: validated against the Compose
// specification's schema (unknown keys refused), variables interpolated from env.
func loadCompose(file string, env map[string]string) (*types.Project, error) {
	var pairs []string
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory("."), cli.WithEnv(pairs),
		// the environment section as written: deployments/.env is the operator's, not the repository's
		cli.WithoutEnvironmentResolution)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}

// composeHealthcheck is what the image's HEALTHCHECK runs, and what a service of it may repeat.
var composeHealthcheck = []string{"CMD", "/tcd", "healthcheck"}

func TestComposeFiles(t *testing.T) {
	known := configVariables(t)
	for _, file := range composeFiles {
		t.Run(file, func(t *testing.T) {
			p, err := loadCompose(file, composeSecrets)
			if err != nil {
				t.Fatal(err)
			}
			tcds := 0
			for name, s := range p.Services {
				if s.Build == nil || s.Build.Dockerfile != "deployments/Dockerfile" {
					continue
				}
				tcds++
				checkComposeTCD(t, p, name, known)
			}
			if tcds != 1 {
				t.Fatalf("%d services are built from deployments/Dockerfile, want 1", tcds)
			}
			checkComposeReplication(t, p)
			for name, s := range p.Services {
				for _, v := range s.Volumes {
					if v.Type != types.VolumeTypeBind {
						continue
					}
					if _, err := os.Stat(v.Source); err != nil {
						t.Errorf("service %s mounts %s: %v", name, v.Source, err)
					}
				}
				for dep, cond := range s.DependsOn {
					if cond.Condition == types.ServiceConditionHealthy && !hasHealthcheck(p.Services[dep]) {
						t.Errorf("service %s waits for %s to be healthy, which has no health check", name, dep)
					}
				}
			}
		})
	}
}

// checkComposeReplication checks that a streaming replica's service copies a primary of the
// project that was set up for it, with the password that primary gave the replication role.
func checkComposeReplication(t *testing.T, p *types.Project) {
	t.Helper()
	value := func(s types.ServiceConfig, k string) string {
		if v := s.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	for name, s := range p.Services {
		if len(s.Entrypoint) == 0 || !strings.HasSuffix(s.Entrypoint[0], "replica-entrypoint.sh") {
			continue
		}
		primary, ok := p.Services[value(s, "PRIMARY_HOST")]
		if !ok {
			t.Errorf("the replica %s copies %q, which is no service of the project", name, value(s, "PRIMARY_HOST"))
			continue
		}
		initialised := slices.ContainsFunc(primary.Volumes, func(v types.ServiceVolumeConfig) bool {
			return strings.HasSuffix(v.Source, "primary-init.sh") && strings.HasPrefix(v.Target, "/docker-entrypoint-initdb.d/")
		})
		if !initialised {
			t.Errorf("the primary %s does not run primary-init.sh: it has no replication role or slot", value(s, "PRIMARY_HOST"))
		}
		if pw := value(s, "PGPASSWORD"); pw == "" || pw != value(primary, "REPLICATION_PASSWORD") {
			t.Errorf("the replica %s connects with another password than the primary gave the replication role", name)
		}
		if primary.Image != s.Image {
			t.Errorf("the replica runs %s, the primary %s: a base backup needs the same major release", s.Image, primary.Image)
		}
	}
}

// hasHealthcheck tells whether a service has a health check of its own or from tcd's image.
func hasHealthcheck(s types.ServiceConfig) bool {
	if s.HealthCheck != nil {
		return !s.HealthCheck.Disable && len(s.HealthCheck.Test) > 0
	}
	return s.Build != nil && s.Build.Dockerfile == "deployments/Dockerfile"
}

// checkComposeTCD checks the tcd service of a Compose project: its settings, its database, and
// for several replicas, what they must share and the proxy in front of them.
func checkComposeTCD(t *testing.T, p *types.Project, name string, known map[string]bool) {
	s := p.Services[name]
	env := map[string]string{}
	for k, v := range s.Environment {
		if v == nil {
			t.Fatalf("service %s: %s has no value", name, k)
		}
		env[k] = *v
	}
	where := "service " + name
	checkNames(t, where, env, known)
	cfg := checkValues(t, where, env, known)
	if hc := s.HealthCheck; hc != nil && !slices.Equal(hc.Test, composeHealthcheck) {
		t.Errorf("%s: health check %q, want %q (the image has no shell)", where, hc.Test, composeHealthcheck)
	}

	// the database: a PostgreSQL service of the project, and its replicas others
	primary := composeDatabaseHost(t, p, "TCD_DATABASE_URL", cfg.DatabaseURL)
	replicas := 1
	if s.Deploy != nil && s.Deploy.Replicas != nil {
		replicas = *s.Deploy.Replicas
	}
	if urls, ok := env["TCD_DATABASE_REPLICA_URLS"]; ok {
		for _, u := range strings.Split(urls, ",") {
			if host := composeDatabaseHost(t, p, "TCD_DATABASE_REPLICA_URLS", strings.TrimSpace(u)); host == primary {
				t.Errorf("TCD_DATABASE_REPLICA_URLS names the primary %s", host)
			}
		}
	}
	// each replica's pool stays under PostgreSQL's default max_connections (100), with room for
	// the CLI and a person's psql
	if n := replicas * cfg.DBMaxOpenConns; n > 80 {
		t.Errorf("%d replicas x TCD_DB_MAX_CONNS %d = %d connections, PostgreSQL takes 100", replicas, cfg.DBMaxOpenConns, n)
	}
	if replicas < 2 {
		return
	}

	// several replicas: published through a proxy only, sharing the files they write, and the
	// proxy trusted for the client's address
	if len(s.Ports) > 0 {
		t.Errorf("%s publishes ports itself: its replicas would compete for them, the proxy publishes", where)
	}
	shared := map[string]string{"the attachments": "", "the scheduled exports": cfg.ExportDir}
	if u, err := url.Parse(cfg.BlobURL); err == nil && u.Scheme == "file" {
		shared["the attachments"] = u.Path
	}
	for what, dir := range shared {
		if !onNamedVolume(s, dir) {
			t.Errorf("%s: %s (%q) must be on a named volume the replicas share", where, what, dir)
		}
	}
	if s.ReadOnly && !slices.Contains(s.Tmpfs, "/tmp") {
		t.Errorf("%s has a read-only root: imports spool to /tmp, which needs a tmpfs", where)
	}
	proxy, conf := composeProxy(t, p)
	addr := p.Services[proxy].Networks
	trusted := false
	for _, n := range addr {
		if n == nil || n.Ipv4Address == "" {
			continue
		}
		for _, r := range cfg.TrustedProxies {
			trusted = trusted || r.Contains(net.ParseIP(n.Ipv4Address))
		}
	}
	if !trusted {
		t.Errorf("TCD_TRUSTED_PROXIES %v does not hold the proxy's fixed address: every client would share its address", cfg.TrustedProxies)
	}
	upstream := regexp.MustCompile(`(?m)^\s*server\s+([^\s:;]+):(\d+)`).FindStringSubmatch(conf)
	if upstream == nil || upstream[1] != name || upstream[2] != strings.TrimPrefix(cfg.Addr, ":") {
		t.Errorf("the proxy's upstream is %q, want %s:%s (the service and TCD_ADDR)", upstream, name, strings.TrimPrefix(cfg.Addr, ":"))
	}
	if dep, ok := p.Services[proxy].DependsOn[name]; !ok || dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("the proxy must wait for %s to be healthy", name)
	}
}

// composeDatabaseHost checks that a database URL names a PostgreSQL service of the project and
// returns that service.
func composeDatabaseHost(t *testing.T, p *types.Project, variable, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", variable, err)
	}
	db, ok := p.Services[u.Hostname()]
	if !ok || !strings.HasPrefix(db.Image, "postgres:") {
		t.Errorf("%s names host %s, which is no PostgreSQL service of the project", variable, u.Hostname())
	}
	return u.Hostname()
}

// onNamedVolume tells whether dir lies on a named volume mounted read-write in s.
func onNamedVolume(s types.ServiceConfig, dir string) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && !v.ReadOnly && (dir == v.Target || strings.HasPrefix(dir, v.Target+"/")) {
			return true
		}
	}
	return false
}

// composeProxy finds the nginx service and reads its configuration.
func composeProxy(t *testing.T, p *types.Project) (name, conf string) {
	t.Helper()
	for n, s := range p.Services {
		if !strings.HasPrefix(s.Image, "nginx:") {
			continue
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind && strings.HasPrefix(v.Target, "/etc/nginx/conf.d/") {
				data, err := os.ReadFile(v.Source)
				if err != nil {
					t.Fatal(err)
				}
				return n, string(data)
			}
		}
		t.Fatalf("the proxy %s mounts no configuration", n)
	}
	t.Fatal("several tcd replicas and no nginx service in front of them")
	return "", ""
}

// TestComposeRefusesWithoutPasswords: a stack anyone could reach with a known password must not
// start, so each Compose file refuses to load without the passwords it uses.
func TestComposeRefusesWithoutPasswords(t *testing.T) {
	for _, file := range composeFiles {
		for secret := range composeSecrets {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "${"+secret) {
				continue
			}
			env := map[string]string{}
			for k, v := range composeSecrets {
				if k != secret {
					env[k] = v
				}
			}
			if _, err := loadCompose(file, env); err == nil || !strings.Contains(err.Error(), secret) {
				t.Errorf("%s without %s: %v, want a refusal naming it", file, secret, err)
			}
		}
	}
}

// TestEnvExample: the settings file an operator copies names only variables tcd reads, and
// every variable the Compose files require.
func TestEnvExample(t *testing.T) {
	known := configVariables(t)
	data, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^#?\s*([A-Z][A-Z0-9_]*)=(.*)$`).FindAllStringSubmatch(string(data), -1) {
		named[m[1]] = m[2]
	}
	tcd := map[string]string{}
	for k, v := range named {
		if tcdVariable.MatchString(k) {
			tcd[k] = v
		}
	}
	checkNames(t, ".env.example", tcd, known)
	files, _ := filepath.Glob("compose*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+):\?`).FindAllStringSubmatch(string(data), -1) {
			if _, ok := named[m[1]]; !ok {
				t.Errorf("%s requires %s, which .env.example does not name", file, m[1])
			}
		}
	}
}
