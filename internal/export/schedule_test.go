package export_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// dirFiles lists every entry of dir, temporary files included.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestScheduledRunWritesTheLastStatutoryQuarter(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		dir := filepath.Join(t.TempDir(), "exports") // created by the run
		sch, err := export.ParseSchedule(dir, []string{"xlsx", "csv", "json"})
		if err != nil {
			t.Fatal(err)
		}
		// 1 October is after the statutory Q3 (15 June - 14 September) and before Q4 ends
		today := time.Date(2023, 10, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))
		want := []string{"tcd-report-2023-Q3-statutory.csv", "tcd-report-2023-Q3-statutory.json", "tcd-report-2023-Q3-statutory.xlsx"}
		for run := 1; run <= 2; run++ {
			got, err := env.App.Export.RunScheduled(context.Background(), today, sch)
			if err != nil || got.Skipped || got.Period.Label != "2023-Q3" || len(got.Files) != 3 {
				t.Fatalf("run %d: %+v, %v", run, got, err)
			}
			if files := dirFiles(t, dir); fmt.Sprint(files) != fmt.Sprint(want) {
				t.Fatalf("run %d: the directory holds %q, want exactly %q (a re-run replaces, never adds)", run, files, want)
			}
		}
		var doc struct {
			Summary struct{ From, To string }
		}
		b, _ := os.ReadFile(filepath.Join(dir, want[1]))
		if err := json.Unmarshal(b, &doc); err != nil || doc.Summary.From != "2023-06-15" || doc.Summary.To != "2023-09-14" {
			t.Errorf("the JSON file reports the statutory quarter: %s (%v)", b, err)
		}

		// 15 December opens the statutory year 2024, so 14 December closed 2023-Q4
		got, err := env.App.Export.RunScheduled(context.Background(), time.Date(2023, 12, 15, 0, 0, 0, 0, time.UTC), export.Schedule{Dir: dir, Formats: []export.Format{export.CSV}})
		if err != nil || got.Period.Label != "2023-Q4" || !slices.Contains(dirFiles(t, dir), "tcd-report-2023-Q4-statutory.csv") {
			t.Errorf("on 15 December: %+v, %v", got, err)
		}

		blocked := filepath.Join(t.TempDir(), "file")
		os.WriteFile(blocked, nil, 0o644)
		if _, err := env.App.Export.RunScheduled(context.Background(), today, export.Schedule{Dir: filepath.Join(blocked, "sub"), Formats: sch.Formats}); err == nil {
			t.Errorf("an unusable directory is an error, not a silent no-op")
		}
	})
}

func TestScheduledRunOnOneReplicaOnly(t *testing.T) {
	if len(testenv.Backends(t)) < 2 {
		t.Skip("the replica lock is PostgreSQL's; set TCD_TEST_DATABASE_URL")
	}
	url := testenv.MigratedDatabaseURL(t, "postgres")
	// two servers on one database, as two replicas behind a load balancer
	replicas := []*testenv.Env{testenv.StartOn(t, "postgres", url), testenv.StartOn(t, "postgres", url)}
	dir := t.TempDir()
	sch := export.Schedule{Dir: dir, Formats: []export.Format{export.JSON, export.CSV}}
	today := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)

	// The first replica holds the lock until the second has tried, so that the runs overlap for
	// certain rather than by luck of timing.
	inside, release := make(chan struct{}), make(chan struct{})
	export.SetLockedHook(replicas[0].App.Export, func() { close(inside); <-release })
	var wg sync.WaitGroup
	var first export.ScheduledRun
	var firstErr error
	wg.Go(func() { first, firstErr = replicas[0].App.Export.RunScheduled(context.Background(), today, sch) })
	<-inside
	second, err := replicas[1].App.Export.RunScheduled(context.Background(), today, sch)
	if err != nil || !second.Skipped || len(second.Files) != 0 {
		t.Errorf("while one replica runs, the other skips: %+v, %v", second, err)
	}
	if files := dirFiles(t, dir); len(files) != 0 {
		t.Errorf("the skipping replica wrote %q", files)
	}
	close(release)
	wg.Wait()
	if firstErr != nil || first.Skipped || len(first.Files) != 2 {
		t.Fatalf("the replica with the lock writes: %+v, %v", first, firstErr)
	}

	// The lock is released with the run: the next tick, on either replica, runs.
	export.SetLockedHook(replicas[0].App.Export, nil)
	again, err := replicas[1].App.Export.RunScheduled(context.Background(), today, sch)
	if err != nil || again.Skipped {
		t.Errorf("after the first run the lock is free: %+v, %v", again, err)
	}
	if files := dirFiles(t, dir); fmt.Sprint(files) != "[tcd-report-2023-Q3-statutory.csv tcd-report-2023-Q3-statutory.json]" {
		t.Errorf("files %q", files)
	}

	// A replica holding the lock from outside (another process) also makes a run skip.
	st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conn, err := st.SQL().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var locked bool
	if err := conn.QueryRowContext(context.Background(), "SELECT pg_try_advisory_lock($1)", export.ScheduleLockKey).Scan(&locked); err != nil || !locked {
		t.Fatalf("take the lock: %v %v", locked, err)
	}
	if run, err := replicas[0].App.Export.RunScheduled(context.Background(), today, sch); err != nil || !run.Skipped {
		t.Errorf("another process holds the lock: %+v, %v", run, err)
	}
}
