package main

import (
	"context"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestDedupScanPrintsTheBestPairs(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testenv.MigratedDatabaseURL(t, backend)
		env := testenv.StartOn(t, backend, dbURL)
		year := 1962
		for _, name := range []string{"Khổng Minh Xuyến", "Khong Minh Xuyen", "Trần Văn Một"} {
			if _, err := env.App.Registry.CreatePerson(context.Background(), auth.System, registry.NewPerson{FullName: name, BirthYear: &year}); err != nil {
				t.Fatal(err)
			}
		}
		env.Stop()
		out, err := runTCD(t, t.TempDir(), childEnv("TCD_DATABASE_URL="+dbURL), "dedup", "scan", "--type", "all")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "person: 3 records, 1 likely duplicate pairs (score >= 0.4)") || !strings.Contains(out, "Khong Minh Xuyen (1962)") ||
			!strings.Contains(out, "name matches without diacritics") || !strings.Contains(out, "case: 0 records, 0 likely duplicate pairs (score >= 0.15)") {
			t.Fatalf("tcd dedup scan prints the pairs found:\n%s", out)
		}
		if _, err := runTCD(t, t.TempDir(), childEnv("TCD_DATABASE_URL="+dbURL), "dedup", "scan", "--type", "visit"); err == nil {
			t.Fatalf("an unknown --type fails")
		}
	})
}
