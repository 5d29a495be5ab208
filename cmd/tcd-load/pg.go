package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/tcd-registry/tcd/internal/store"
)

// database is the throwaway PostgreSQL database of one run.
type database struct {
	admin      *store.Store
	name       string
	url        string
	version    string
	autovacuum bool
}

func createDatabase(ctx context.Context, baseURL string) (*database, error) {
	admin, err := store.Open(ctx, baseURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", redact(baseURL), err)
	}
	if admin.Dialect != store.Postgres {
		admin.Close()
		return nil, fmt.Errorf("the load benchmark runs on PostgreSQL, not %s", admin.Dialect)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	db := &database{admin: admin, name: "tcd_load_" + hex.EncodeToString(suffix)}
	var autovacuum string
	err = admin.DB.WithContext(ctx).Raw("SHOW server_version").Scan(&db.version).Error
	if err == nil {
		err = admin.DB.WithContext(ctx).Raw("SHOW autovacuum").Scan(&autovacuum).Error
	}
	if err != nil {
		admin.Close()
		return nil, err
	}
	db.autovacuum = autovacuum == "on"
	if err := admin.DB.WithContext(ctx).Exec("CREATE DATABASE " + db.name).Error; err != nil {
		admin.Close()
		return nil, fmt.Errorf("create the benchmark database: %w", err)
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		db.drop()
		return nil, err
	}
	u.Path = "/" + db.name
	db.url = u.String()
	return db, nil
}

// drop removes the database even while tcd serve still holds connections to it.
func (d *database) drop() {
	if err := d.admin.DB.Exec("DROP DATABASE IF EXISTS " + d.name + " WITH (FORCE)").Error; err != nil {
		log.Printf("drop %s: %v", d.name, err)
	}
	d.admin.Close()
}

// analyzeEvery stands in for autovacuum on servers that run without it (test servers often do):
// it refreshes the planner's statistics every period while tables grow from nothing, as
// autovacuum would in a database that has been running, and returns a function that stops it.
// Without statistics the planner may pick plans that no production database would run.
func (d *database) analyzeEvery(period time.Duration) (stop func()) {
	if d.autovacuum {
		return func() {}
	}
	db, err := store.Open(context.Background(), d.url, store.Options{MaxOpenConns: 1})
	if err != nil {
		log.Printf("analyze: %v", err)
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer db.Close()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if err := db.DB.Exec("ANALYZE").Error; err != nil {
				log.Printf("analyze: %v", err)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// writes are a database's committed transactions and rows inserted, updated and deleted, as
// pg_stat_database counts them.
type writes struct {
	commits, rows int64
}

// writesSoFar reads the database's write counters. Server processes publish their counts
// when idle for a second or more, and at the latest ten seconds after their last
// transaction, so a reading taken settle after the writers stopped includes all they did.
func (d *database) writesSoFar(ctx context.Context, settle time.Duration) (writes, error) {
	select {
	case <-ctx.Done():
		return writes{}, ctx.Err()
	case <-time.After(settle):
	}
	var w writes
	err := d.admin.DB.WithContext(ctx).Raw(`SELECT xact_commit, tup_inserted + tup_updated + tup_deleted
		FROM pg_stat_database WHERE datname = ?`, d.name).Row().Scan(&w.commits, &w.rows)
	return w, err
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

// pgbenchInsertTPS is the baseline: how many single-row INSERT transactions per second this
// PostgreSQL commits from 50 clients, in a table created and dropped for the purpose.
func (d *database) pgbenchInsertTPS(ctx context.Context, duration time.Duration) (float64, error) {
	pgbench, err := findPgbench()
	if err != nil {
		return 0, err
	}
	db, err := store.Open(ctx, d.url, store.Options{MaxOpenConns: 1})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := db.DB.Exec("CREATE TABLE bench_t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v BIGINT NOT NULL)").Error; err != nil {
		return 0, err
	}
	defer db.DB.Exec("DROP TABLE bench_t")
	script, err := os.CreateTemp("", "tcd-pgbench-*.sql")
	if err != nil {
		return 0, err
	}
	defer os.Remove(script.Name())
	if _, err := script.WriteString("\\set r random(1, 1000000000)\nINSERT INTO bench_t(v) VALUES (:r);\n"); err != nil {
		return 0, err
	}
	script.Close()
	secs := strconv.Itoa(max(1, int(duration.Seconds())))
	out, err := exec.CommandContext(ctx, pgbench, "-n", "-f", script.Name(), "-c", "50", "-j", "2", "-T", secs, d.url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func findPgbench() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	if found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(found) > 0 {
		return found[len(found)-1], nil
	}
	return "", fmt.Errorf("pgbench not found on PATH nor in /usr/lib/postgresql/*/bin")
}

// redact hides a password in a URL before it is printed.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the configured URL"
	}
	return u.Redacted()
}
