package httpapi_test

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// The counts that weigh person matching are kept with every write that changes them (a person
// created alone or at a visit, edited, voided, merged, unmerged) and are exactly those a start
// derives from the register; a lookup reads them, so a restart, or a register from before
// them, answers the same scores.
func TestPersonCountsKeptWithEachWriteAreThoseAStartDerives(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		url := testenv.MigratedDatabaseURL(t, backend)
		a := testenv.StartOn(t, backend, url)
		token := a.Token(auth.Staff, "")
		staff := a.Client(token)
		person := func(body map[string]any) string { return newPerson(staff, body).ID }
		addr := "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"
		lan := person(map[string]any{"full_name": "Nguyễn Thị Lan", "gender": "female", "birth_year": 1980, "address": addr})
		person(map[string]any{"full_name": "Lan Nguyễn Thị", "birth_year": 1980, "address": addr})
		edited := person(map[string]any{"full_name": "Nguyen Thi Nan", "birth_year": 1979})
		if r := staff.Patch("/api/v1/persons/"+edited, map[string]any{"address": "Th. 3, X. Gio Mỹ", "birth_year": 1981}); r.Status != http.StatusOK {
			t.Fatalf("edit: %s", r)
		}
		voided := person(map[string]any{"full_name": "Nguyễn Thị Lan", "birth_year": 1980, "address": addr})
		if r := staff.Delete("/api/v1/persons/" + voided + "?reason=nh%E1%BA%ADp%20nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}
		merged := person(map[string]any{"full_name": "NGUYỄN THỊ LAN", "birth_year": 1980, "phone": "0905123456"})
		if r := staff.Post("/api/v1/persons/"+merged+"/merge", map[string]any{"into": lan}); r.Status != http.StatusOK {
			t.Fatalf("merge: %s", r)
		}
		unmerged := person(map[string]any{"full_name": "Trần Văn Trung", "birth_year": 1970})
		into := person(map[string]any{"full_name": "Trần Văn Chung", "birth_year": 1970})
		for _, step := range []string{"/merge", "/unmerge"} {
			if r := staff.Post("/api/v1/persons/"+unmerged+step, map[string]any{"into": into}); r.Status != http.StatusOK {
				t.Fatalf("%s: %s", step, r)
			}
		}
		session := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-06-10"}).ID
		staff.Create("/api/v1/visits", map[string]any{"session_id": session,
			"persons": []any{map[string]any{"full_name": "Lê Văn Sỹ", "birth_year": 1965, "address": addr}},
			"case":    map[string]any{"title": "Khiếu nại việc thu hồi đất", "category": "complaint", "field": "land"}})
		lookups := func(c *testenv.Client) string {
			var out []string
			for _, id := range []string{lan, edited, unmerged} {
				for _, d := range testenv.GetAs[[]exactPersonCandidate](c, "/api/v1/persons/"+id+"/duplicates?min_score=1e-9") {
					out = append(out, id+" "+d.Person.ID+" "+strconv.FormatFloat(d.Score, 'g', -1, 64)+" "+strings.Join(d.Reasons, "; "))
				}
			}
			return strings.Join(out, "\n")
		}
		before := lookups(staff)
		a.Stop()

		kept := termCounts(t, url, "person")
		st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		// as a register from before the counts: the start counts it
		if err := st.DB.Exec("DELETE FROM person_term_counts").Error; err != nil {
			t.Fatal(err)
		}
		st.Close()
		b := testenv.StartOn(t, backend, url)
		if derived := termCounts(t, url, "person"); !reflect.DeepEqual(kept, derived) {
			t.Errorf("the counts kept with the writes differ from those a start derives:\nkept    %v\nderived %v", kept, derived)
		}
		if after := lookups(b.Client(token)); after != before {
			t.Errorf("the same lookups after a start:\n%s\nthen:\n%s", before, after)
		}
		if !strings.Contains(before, "same name, written in another order") {
			t.Errorf("the lookups compare names written in another order:\n%s", before)
		}
	})
}

// exactPersonCandidate is a person lookup's candidate with its score read at the precision the
// service writes it: the model's float32 would hide a score that moved after a restart in the
// eighth digit.
type exactPersonCandidate struct {
	apiclient.RegistryPersonCandidate
	Score float64 `json:"score"`
}
