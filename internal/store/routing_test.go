package store_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A request marked to read from a replica sends its plain reads there and nothing else: a
// transaction, a pinned connection, a locking read, a raw statement other than a SELECT and a
// write all stay on the primary, and Reader's transactions go to the replica. The "replica" is
// a second database holding other rows, so where each statement ran shows in what it read.
func TestReadsRoutedToTheReplicaOnly(t *testing.T) {
	if !slices.Contains(testenv.Backends(t), "postgres") {
		t.Skip("replicas need PostgreSQL (TCD_TEST_DATABASE_URL); SQLite refuses them (TestSQLiteRefusesReplicas)")
	}
	primaryURL, replicaURL := testenv.DatabaseURL(t, "postgres"), testenv.DatabaseURL(t, "postgres")
	for url, where := range map[string]string{primaryURL: "primary", replicaURL: "replica"} {
		s, err := store.Open(t.Context(), url, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Exec("CREATE TABLE here (name TEXT PRIMARY KEY)").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Exec("INSERT INTO here VALUES (?)", where).Error; err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	st, err := store.Open(t.Context(), primaryURL, store.Options{ReplicaURLs: []string{replicaURL}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	store.PretendReplicasInUse(st)
	ctx := st.FromReplica(t.Context())
	if !store.ReadsReplica(ctx) {
		t.Fatal("a replica in use: the request should be marked to read from it")
	}
	type here struct{ Name string }
	read := func(db *gorm.DB) string {
		t.Helper()
		var names []string
		if err := db.Table("here").Order("name").Pluck("name", &names).Error; err != nil {
			t.Fatal(err)
		}
		return names[0]
	}
	raw := func(db *gorm.DB, sql string) string {
		t.Helper()
		var name string
		if err := db.Raw(sql).Scan(&name).Error; err != nil {
			t.Fatal(err)
		}
		return name
	}
	inTx := func(db *gorm.DB, fn func(tx *gorm.DB) string) (got string) {
		t.Helper()
		if err := db.Transaction(func(tx *gorm.DB) error { got = fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	var pinned string
	if err := st.Pinned(ctx, func(conn *gorm.DB) error { pinned = read(conn); return nil }); err != nil {
		t.Fatal(err)
	}
	var inStoreTx string
	if err := st.Tx(ctx, func(tx *gorm.DB) error { inStoreTx = read(tx.WithContext(ctx)); return nil }); err != nil {
		t.Fatal(err)
	}
	var locked []here
	if err := st.DB.WithContext(ctx).Table("here").Clauses(clause.Locking{Strength: "UPDATE"}).Find(&locked).Error; err != nil {
		t.Fatal(err)
	}
	// an INSERT … RETURNING read back like a SELECT must write the primary
	inserted := raw(st.DB.WithContext(ctx), "INSERT INTO here VALUES ('written') RETURNING name")
	for what, c := range map[string]struct{ got, want string }{
		"a plain read":                  {read(st.DB.WithContext(ctx)), "replica"},
		"a raw SELECT":                  {raw(st.DB.WithContext(ctx), "SELECT name FROM here ORDER BY name LIMIT 1"), "replica"},
		"a raw WITH … SELECT":           {raw(st.DB.WithContext(ctx), "WITH h AS (SELECT name FROM here) SELECT name FROM h ORDER BY name LIMIT 1"), "primary"},
		"a read in a transaction":       {inStoreTx, "primary"},
		"a read on a pinned connection": {pinned, "primary"},
		"a locking read":                {locked[0].Name, "primary"},
		"a read marked for the primary": {read(st.DB.WithContext(store.OnPrimary(ctx))), "primary"},
		"an unmarked read":              {read(st.DB.WithContext(context.Background())), "primary"},
		"Reader's transaction":          {inTx(st.Reader(ctx), read), "replica"},
		"Reader unmarked":               {inTx(st.Reader(context.Background()), read), "primary"},
		"INSERT … RETURNING":            {inserted, "written"},
	} {
		if c.got != c.want {
			t.Errorf("%s read %q, want %q", what, c.got, c.want)
		}
	}
	var names []string
	if err := st.DB.Table("here").Order("name").Pluck("name", &names).Error; err != nil || !slices.Equal(names, []string{"primary", "written"}) {
		t.Errorf("the write landed on the primary: %v (%v)", names, err)
	}
}
