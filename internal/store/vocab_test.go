package store_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// enumColumns are the columns whose CHECK constraint holds them to a vocabulary enum.
var enumColumns = map[string]vocab.Enum{
	"tokens.role":             vocab.TokenRole,
	"users.role":              vocab.TokenRole, // a user has the roles of a token
	"sessions.kind":           vocab.SessionKind,
	"sessions.host_role":      vocab.SessionHostRole,
	"cases.category":          vocab.CaseCategory,
	"cases.field":             vocab.CaseField,
	"cases.status":            vocab.CaseStatus,
	"visits.outcome":          vocab.VisitOutcome,
	"merge_history.entity":    vocab.DedupType,
	"dedup_decisions.entity":  vocab.DedupType,
	"dedup_scans.entity":      vocab.DedupType,
	"dedup_candidates.entity": vocab.DedupType,
	"documents.kind":          vocab.DocumentKind,
	"petitions.channel":       vocab.PetitionChannel,
	"petitions.decision":      vocab.PetitionDecision,
	"orgs.level":              vocab.OrgLevel,
	"calendar_days.kind":      vocab.CalendarDayKind,
	"deadline_rules.unit":     vocab.DeadlineUnit,
}

// The CHECK constraints of the migrated schema, read back from the database itself, accept
// exactly the vocabulary's values: adding a value to an enum needs a migration, and this
// fails until it is written, on either database.
func TestEnumChecksAreTheVocabulary(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		s, err := store.Open(t.Context(), testenv.MigratedDatabaseURL(t, backend), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.MigrateUp(t.Context()); err != nil {
			t.Fatal(err)
		}
		checks := enumChecks(t, s)
		for col, e := range enumColumns {
			got, ok := checks[col]
			want := slices.Sorted(slices.Values(e.Values()))
			switch {
			case !ok:
				t.Errorf("%s has no CHECK listing %s", col, e.Key)
			case !slices.Equal(got, want):
				t.Errorf("%s: the CHECK accepts %v, the vocabulary's %s is %v", col, got, e.Key, want)
			}
		}
		for col, values := range checks {
			if _, ok := enumColumns[col]; !ok {
				t.Errorf("%s: a CHECK lists %v, which no vocabulary enum holds (add one, and the column to enumColumns)", col, values)
			}
		}
	})
}

var (
	// PostgreSQL prints col IN ('a', 'b') back as ((col = ANY (ARRAY['a'::text, 'b'::text])))
	pgEnumCheck = regexp.MustCompile(`^CHECK \(\((\w+) = ANY \(ARRAY\[([^\]]*)\]\)\)\)$`)
	// SQLite keeps the CREATE TABLE as written (and rewrites it on ALTER TABLE)
	sqliteEnumCheck = regexp.MustCompile(`(?i)CHECK\s*\(\s*(\w+)\s+IN\s*\(([^)]*)\)\s*\)`)
	quoted          = regexp.MustCompile(`'([^']*)'`)
)

// enumChecks reads the live schema's CHECK constraints that list text values, as
// "table.column" -> the values, sorted.
func enumChecks(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	add := func(table, column, list string) {
		var values []string
		for _, m := range quoted.FindAllStringSubmatch(list, -1) {
			values = append(values, m[1])
		}
		slices.Sort(values)
		out[table+"."+column] = values
	}
	if s.Dialect == store.Postgres {
		var rows []struct{ Tbl, Def string }
		if err := s.DB.Raw(`SELECT c.conrelid::regclass::text AS tbl, pg_get_constraintdef(c.oid) AS def
			FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
			WHERE c.contype = 'c' AND n.nspname = current_schema()`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			m := pgEnumCheck.FindStringSubmatch(r.Def)
			switch {
			case m != nil:
				add(r.Tbl, m[1], m[2])
			case quoted.MatchString(r.Def):
				t.Errorf("%s: a CHECK on text values this test cannot read: %s", r.Tbl, r.Def)
			}
		}
		return out
	}
	var rows []struct{ Name, SQL string }
	if err := s.DB.Raw(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, m := range sqliteEnumCheck.FindAllStringSubmatch(r.SQL, -1) {
			add(r.Name, m[1], m[2])
		}
	}
	return out
}
