package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// Visits recorded at once, each registering persons and opening a case, all land, and the term
// counts duplicate search weighs by, once the service has folded the changes each write
// appended, are exactly those a recount of the register gives: nothing is lost or counted twice
// between writers, nor by the fold.
func TestConcurrentVisitsKeepTheTermCountsExact(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		url := testenv.MigratedDatabaseURL(t, backend)
		a := testenv.StartOn(t, backend, url)
		staff := a.As(auth.Staff)
		session := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-06-10"}).ID
		var wg sync.WaitGroup
		failed := make(chan string, 12)
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := staff.Post("/api/v1/visits", map[string]any{"session_id": session,
					"persons": []any{
						map[string]any{"full_name": "Nguyễn Văn Hùng", "birth_year": 1960 + i, "address": "Thôn 3, xã Gio Mỹ"},
						map[string]any{"full_name": fmt.Sprintf("Trần Thị Mai %d", i), "birth_year": 1970},
					},
					"case": map[string]any{"title": fmt.Sprintf("Khiếu nại việc thu hồi đất thửa %d tờ bản đồ 12", i), "category": "complaint", "field": "land"}})
				if r.Status != http.StatusCreated {
					failed <- r.String()
				}
			}()
		}
		wg.Wait()
		close(failed)
		for r := range failed {
			t.Errorf("a visit recorded at the same time as others: %s", r)
		}
		waitForFold(t, url)
		a.Stop()
		countsKeptAreARecount(t, backend, url, "concurrent writes", 24, 12)
	})
}

// On PostgreSQL, where writers do run at once, a visit create does not wait for another
// transaction holding the term counts' rows (a fold, or a writer as they all were before the
// changes went to a table of their own): at a national register, creates queued there timed out.
// SQLite lets one writer in at a time whatever the rows, so there is nothing to show on it.
func TestVisitCreatesDoNotQueueOnTheTermCounts(t *testing.T) {
	for _, backend := range testenv.Backends(t) {
		if backend != "postgres" {
			continue
		}
		url := testenv.MigratedDatabaseURL(t, backend)
		a := testenv.StartOn(t, backend, url)
		staff := a.As(auth.Staff)
		session := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-06-10"}).ID
		visit := func(i int) map[string]any {
			return map[string]any{"session_id": session,
				"persons": []any{map[string]any{"full_name": "Nguyễn Văn Hùng", "birth_year": 1960 + i}},
				"case":    map[string]any{"title": "Khiếu nại việc thu hồi đất", "category": "complaint", "field": "land"}}
		}
		staff.Create("/api/v1/visits", visit(0))
		waitForFold(t, url)

		st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		holder := st.DB.Begin()
		for _, table := range []string{"person_term_counts", "case_term_counts"} {
			var terms []string
			if err := holder.Raw("SELECT term FROM " + table + " FOR UPDATE").Scan(&terms).Error; err != nil || len(terms) == 0 {
				t.Fatalf("lock %s: %v (%d rows)", table, err, len(terms))
			}
		}
		done := make(chan *testenv.Response, 1)
		go func() { done <- staff.Post("/api/v1/visits", visit(1)) }()
		select {
		case r := <-done:
			if r.Status != http.StatusCreated {
				t.Errorf("a visit recorded while the counts are held: %s", r)
			}
		case <-time.After(5 * time.Second):
			t.Error("a visit create waited more than 5 s for the transaction holding the term counts")
		}
		holder.Rollback()
	}
}

// countsKeptAreARecount checks that the term counts kept by the writes (what) are those a
// recount of the register makes, and count persons and cases.
func countsKeptAreARecount(t *testing.T, backend, url, what string, persons, cases int) {
	t.Helper()
	kept, recounted := keptAndRecounted(t, backend, url)
	if !reflect.DeepEqual(kept, recounted) {
		t.Errorf("the counts kept by %s differ from a recount:\nkept      %v\nrecounted %v", what, kept, recounted)
	}
	if kept["person"][""] != persons || kept["case"][""] != cases {
		t.Errorf("%s: counted %d persons and %d cases, want %d and %d", what, kept["person"][""], kept["case"][""], persons, cases)
	}
}

// keptAndRecounted reads the term counts of the register at url (its service stopped), then
// empties them as a register from before the counts would be, has a start count it again and
// reads the counts that gives.
func keptAndRecounted(t *testing.T, backend, url string) (kept, recounted map[string]map[string]int) {
	t.Helper()
	kept = map[string]map[string]int{"person": termCounts(t, url, "person"), "case": termCounts(t, url, "case")}
	st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"person_term_counts", "case_keys", "case_term_counts", "dedup_state"} {
		if err := st.DB.Exec("DELETE FROM " + table).Error; err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	testenv.StartOn(t, backend, url).Stop()
	return kept, map[string]map[string]int{"person": termCounts(t, url, "person"), "case": termCounts(t, url, "case")}
}

// waitForFold waits until the service has folded every pending change into the counts.
func waitForFold(t *testing.T, url string) {
	t.Helper()
	st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var pending int64
		if err := st.DB.Raw("SELECT (SELECT COUNT(*) FROM person_term_deltas) + (SELECT COUNT(*) FROM case_term_deltas)").Scan(&pending).Error; err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d changes of the term counts still pending after 10 s: tcd serve folds them every second", pending)
		}
	}
}

// termCounts reads the term counts of persons or cases with the changes not yet folded into
// them, as duplicate search reads them; terms counted zero are left out.
func termCounts(t *testing.T, url, kind string) map[string]int {
	t.Helper()
	st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rows []struct {
		Term  string
		Count int
	}
	counts, deltas, column := kind+"_term_counts", kind+"_term_deltas", kind+"s"
	if err := st.DB.Raw(`SELECT term, SUM(n) AS count FROM (SELECT term, ` + column + ` AS n FROM ` + counts + `
		UNION ALL SELECT term, ` + column + ` FROM ` + deltas + `) t GROUP BY term`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		if r.Count != 0 {
			out[r.Term] = r.Count
		}
	}
	return out
}

// A register imported in bulk, over two batches whose visits come back to the cases and persons
// of the first, leaves the term counts a recount of the register gives: each key a case gains
// (a citizen of a visit to it) counted once, whether the case held it before the batch, gained
// it earlier in the batch or gains it now, and the pending changes folded between the batches
// neither lost nor counted twice.
func TestImportedRegisterKeepsTheTermCountsExact(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		url := testenv.MigratedDatabaseURL(t, backend)
		a := testenv.StartOn(t, backend, url)
		var csv strings.Builder
		csv.WriteString(registerCSVHeader)
		// 1,200 rows: a batch is 1,000; 40 cases and 70 citizens met again and again, a seventh
		// of them without an ID number (found by the duplicate matcher)
		families := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ"}
		givens := []string{"An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Lan", "Long", "Mai", "Nam"}
		for i := range 1200 {
			k := i % 70
			number := fmt.Sprintf("045%d%02d%06d", k%2, 40+k%50, k)
			if k%7 == 0 {
				number = ""
			}
			fmt.Fprintf(&csv, "%d;%02d/%02d/2024;%s Văn %s - thôn %d;%s;Khiếu nại việc thu hồi đất thửa %d;Khiếu nại / 1;;Thụ lý;;\n",
				i+1, 1+i%28, 1+i/100, families[k%7], givens[k/7], k%9, number, i%40)
		}
		rep := importFile(t, a.As(auth.Staff), "?dry_run=false", "so.csv", []byte(csv.String()))
		if rep.Totals.Created+rep.Totals.Linked != 1200 || rep.Totals.Errors != 0 {
			t.Fatalf("the import: %+v", rep.Totals)
		}
		waitForFold(t, url)
		a.Stop()
		countsKeptAreARecount(t, backend, url, "the import", 70, 40)
	})
}
