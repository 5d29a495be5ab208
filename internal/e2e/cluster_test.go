package e2e_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/procfs"
)

// pgCluster is a throwaway PostgreSQL server of the test's own, on its own port, so the test can
// stop and start it without disturbing anyone else's database.
type pgCluster struct {
	t      testing.TB
	bindir string
	dir    string
	port   int
}

// startCluster initialises and starts a cluster, removed when the test ends. Without PostgreSQL
// binaries the test is skipped, except in CI, where they must be there.
func startCluster(t testing.TB) *pgCluster {
	t.Helper()
	c := newCluster(t)
	if out, err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := c.pgctl("start"); err != nil {
		t.Fatal(err)
	}
	return c
}

// startReplica makes a streaming replica of primary with pg_basebackup (-R: it starts as a hot
// standby following primary) and starts it on a port of its own. The checkpoint the copy starts
// from is taken at once, not spread over minutes as a production copy would be.
func startReplica(t testing.TB, primary *pgCluster) *pgCluster {
	t.Helper()
	c := newCluster(t)
	if out, err := c.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port), "-U", "postgres",
		"-D", c.data(), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	if err := c.pgctl("start"); err != nil {
		t.Fatal(err)
	}
	return c
}

// newCluster is the directory and port of a cluster, removed (its server stopped) when the test
// ends.
func newCluster(t testing.TB) *pgCluster {
	t.Helper()
	bindir := postgresBinDir()
	if bindir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no PostgreSQL server binaries (initdb, pg_ctl) were found")
		}
		t.Skip("no PostgreSQL server binaries (initdb, pg_ctl)")
	}
	dir, err := os.MkdirTemp("", "tcd-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{t: t, bindir: bindir, dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		_ = c.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	// PostgreSQL refuses to run as root, and tests often run as root in containers
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres OS user for the throwaway cluster: %v", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// URL is the cluster's postgres database, which tcd migrates like any other.
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// stop kills the server the way a crash or a failover would: no checkpoint, connections cut.
func (c *pgCluster) stop() {
	c.t.Helper()
	if err := c.pgctl("stop", "-m", "immediate"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *pgCluster) start() {
	c.t.Helper()
	if err := c.pgctl("start"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *pgCluster) pgctl(action string, args ...string) error {
	full := []string{"-D", c.data(), "-w", "-t", "30"}
	if action == "start" {
		full = append(full, "-l", filepath.Join(c.dir, "server.log"), "-o",
			fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir))
	}
	out, err := c.run("pg_ctl", append(append(full, args...), action)...)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		return fmt.Errorf("pg_ctl %s: %v\n%s\n%s", action, err, out, log)
	}
	return nil
}

// cpu is the processor time the server has used so far: the postmaster's and its live
// processes' (each connection's backend, the WAL sender or receiver, the background workers),
// and that of the processes that have exited, which the postmaster collected. 0 where there is
// none.
func (c *pgCluster) cpu() time.Duration {
	pidFile, err := os.ReadFile(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(pidFile), "\n")
	postmaster, err := strconv.Atoi(first)
	if err != nil {
		return 0
	}
	procs, err := procfs.AllProcs()
	if err != nil {
		return 0
	}
	var seconds float64
	for _, p := range procs {
		stat, err := p.Stat()
		if err != nil {
			continue // gone since the listing
		}
		switch {
		case stat.PID == postmaster:
			// CPUTime holds the user and system time; the children's collected come beside it
			seconds += stat.CPUTime() + float64(stat.CUTime+stat.CSTime)/userHZ
		case stat.PPID == postmaster:
			seconds += stat.CPUTime()
		}
	}
	return time.Duration(seconds * float64(time.Second))
}

// userHZ is the clock tick /proc counts the children's times in (procfs converts the process's
// own with the same figure: 100 on every Linux PostgreSQL runs on).
const userHZ = 100

// run runs a PostgreSQL program, as the postgres OS user when the test runs as root.
func (c *pgCluster) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bindir, program)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// postgresBinDir finds initdb and pg_ctl: PG_BINDIR, then pg_config, then the Debian layout.
func postgresBinDir() string {
	candidates := []string{os.Getenv("PG_BINDIR")}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	candidates = append(candidates, dirs...)
	for _, d := range candidates {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
				return d
			}
		}
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
