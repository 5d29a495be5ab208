package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// tables lists the service's tables straight from the catalog, leaving out the migration
// tool's own bookkeeping and SQLite internals, which are not part of the schema.
func tables(t *testing.T, s *store.Store) []string {
	t.Helper()
	q := `SELECT table_name FROM information_schema.tables
	      WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'VIEW')`
	if s.Dialect == store.SQLite {
		q = `SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`
	}
	var names []string
	if err := s.DB.Raw(q).Scan(&names).Error; err != nil {
		t.Fatalf("read the catalog: %v", err)
	}
	out := names[:0]
	for _, n := range names {
		if n != "goose_db_version" && !strings.HasPrefix(n, "sqlite_") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func openFresh(t *testing.T, backend string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), testenv.DatabaseURL(t, backend), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func applied(t *testing.T, s *store.Store) (done, pending []int64) {
	t.Helper()
	list, err := s.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("migration status: %v", err)
	}
	for _, m := range list {
		if m.Applied {
			done = append(done, m.Version)
		} else {
			pending = append(pending, m.Version)
		}
	}
	return done, pending
}

// TestMigrationsUpDownUp walks the whole migration history both ways on an empty database, so a
// Down section that forgets a table (or an Up that cannot be replayed after a rollback) fails
// here rather than in an operator's emergency rollback.
func TestMigrationsUpDownUp(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		ctx := t.Context()
		s := openFresh(t, backend)

		done, pending := applied(t, s)
		if len(done) != 0 || len(pending) == 0 {
			t.Fatalf("fresh database: want every migration pending, got applied %v, pending %v", done, pending)
		}
		if got := tables(t, s); len(got) != 0 {
			t.Fatalf("fresh database already has tables %v", got)
		}
		total := len(pending)

		n, err := s.MigrateUp(ctx)
		if err != nil || n != total {
			t.Fatalf("migrate up: applied %d of %d, err %v", n, total, err)
		}
		if done, pending := applied(t, s); len(done) != total || len(pending) != 0 {
			t.Fatalf("after up: applied %v, pending %v", done, pending)
		}
		schema := tables(t, s)
		for _, want := range []string{"orgs", "tokens", "audit_log"} {
			if !slices.Contains(schema, want) {
				t.Fatalf("after up: table %q missing from %v", want, schema)
			}
		}
		if n, err := s.MigrateUp(ctx); err != nil || n != 0 {
			t.Fatalf("second migrate up must be a no-op: applied %d, err %v", n, err)
		}

		// newest first, one version per call, until nothing is applied
		for i := total - 1; i >= 0; i-- {
			v, err := s.MigrateDown(ctx)
			if err != nil {
				t.Fatalf("migrate down with %d applied: %v", i+1, err)
			}
			if v != pending[i] {
				t.Fatalf("migrate down undid version %d, want %d (the newest applied)", v, pending[i])
			}
			if done, _ := applied(t, s); len(done) != i {
				t.Fatalf("after rolling back %d: %d still applied (%v)", v, len(done), done)
			}
		}
		if left := tables(t, s); len(left) != 0 {
			t.Fatalf("every migration rolled back, yet tables remain: %v", left)
		}

		n, err = s.MigrateUp(ctx)
		if err != nil || n != total {
			t.Fatalf("migrate up after a full rollback: applied %d of %d, err %v", n, total, err)
		}
		if again := tables(t, s); !slices.Equal(again, schema) {
			t.Fatalf("schema after re-applying differs:\n got  %v\n want %v", again, schema)
		}
	})
}

// TestConstraintsAreEnforced checks what the service's error mapping relies on: foreign keys
// hold on both databases (SQLite leaves them off unless asked), and a unique violation is
// recognised whichever driver reports it.
func TestConstraintsAreEnforced(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		s, err := store.Open(t.Context(), testenv.MigratedDatabaseURL(t, backend), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.MigrateUp(t.Context()); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		insertOrg := func(id, code string) error {
			return s.DB.Exec(`INSERT INTO orgs (id, code, name, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				id, code, "Org "+code, "/"+id+"/", now, now).Error
		}
		insertToken := func(name, orgID string) error {
			return s.DB.Exec(`INSERT INTO tokens (id, name, role, org_id, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				"tok-"+name, name, "staff", orgID, "hash-"+name, now).Error
		}

		if err := insertOrg("o1", "A"); err != nil {
			t.Fatal(err)
		}
		if err := insertToken("fine", "o1"); err != nil {
			t.Fatalf("token in an existing organisation: %v", err)
		}
		if err := insertToken("dangling", "no-such-org"); err == nil {
			t.Fatal("a token pointing at a missing organisation was stored: foreign keys are not enforced")
		}
		err = insertOrg("o2", "A")
		if err == nil || !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate organisation code: want a recognised unique violation, got %v", err)
		}
		if store.IsUniqueViolation(insertToken("dangling2", "no-such-org")) {
			t.Fatal("a foreign-key violation was taken for a unique violation")
		}
	})
}

func TestOpenRejectsUnknownURLs(t *testing.T) {
	for _, raw := range []string{"", "mysql://localhost/tcd", "sqlite:", "data/tcd.db"} {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		if s, err := store.Open(ctx, raw, store.Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) must fail", raw)
		}
		cancel()
	}
}

// A transaction's closing step releases its locks early: the transaction commits without
// waiting for the flush (on PostgreSQL), only when it has such a step and only for itself, and
// TxClosing still returns only once its writes are durable.
func TestClosingStepReleasesLocksEarly(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		ctx := t.Context()
		s := openFresh(t, backend)
		if _, err := s.MigrateUp(ctx); err != nil {
			t.Fatal(err)
		}
		show := func(tx *gorm.DB) (string, error) {
			if backend != "postgres" {
				return "", nil
			}
			var v string
			err := tx.Raw("SHOW synchronous_commit").Scan(&v).Error
			return v, err
		}
		var plain, inside string
		if err := s.Tx(ctx, func(tx *gorm.DB) (err error) { plain, err = show(tx); return err }); err != nil {
			t.Fatal(err)
		}
		err := s.TxClosing(ctx, func(*gorm.DB) (store.Closing, error) {
			return func(tx *gorm.DB) (err error) {
				if inside, err = show(tx); err != nil {
					return err
				}
				return tx.Exec(`INSERT INTO orgs (id, code, name, path, created_at, updated_at) VALUES ('early', 'E', 'E', 'early', ?, ?)`,
					time.Now(), time.Now()).Error
			}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if backend == "postgres" && (plain != "on" || inside != "off") {
			t.Fatalf("synchronous_commit is %q in a transaction without a closing step (want on), %q in a closing step (want off)", plain, inside)
		}
		var n int64
		if err := s.DB.Raw("SELECT COUNT(*) FROM orgs WHERE id = 'early'").Scan(&n).Error; err != nil || n != 1 {
			t.Fatalf("the write landed: %d %v", n, err)
		}
		if backend == "postgres" {
			var after string
			for range 3 { // every pooled connection is back to synchronous commits
				if err := s.DB.Raw("SHOW synchronous_commit").Scan(&after).Error; err != nil || after != "on" {
					t.Fatalf("after the transaction synchronous_commit is %q (%v), want on", after, err)
				}
			}
		}
	})
}

// lastRelease is what the newest release's binary migrates a register to: its versions and
// its newest (the release of December 2026; the one before stood at 13, which is why the
// statistics' and person counts' migrations written as 10 and 12 became 21 and 22). A register it migrated stands at lastReleaseHead, and goose refuses to apply a
// migration numbered below the newest applied one, so every migration added since must be
// numbered above it. Raise both when a release ships.
var (
	lastRelease     = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 17, 18, 19, 20, 21, 22}
	lastReleaseHead = int64(22)
)

// TestMigrationsAddedSinceTheLastReleaseComeAfterIt: a register migrated by the last release
// takes every newer migration, which it would refuse if one were numbered among its own.
func TestMigrationsAddedSinceTheLastReleaseComeAfterIt(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		_, versions := applied(t, openFresh(t, backend))
		var upToHead []int64
		for _, v := range versions {
			if v <= lastReleaseHead {
				upToHead = append(upToHead, v)
			}
		}
		if !slices.Equal(upToHead, lastRelease) {
			t.Errorf("migrations numbered up to %d: %v; the last release had %v: a migration added since must be numbered above %d",
				lastReleaseHead, upToHead, lastRelease, lastReleaseHead)
		}
	})
}
