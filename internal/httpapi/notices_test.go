package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestNoticesFollowPeriodicOrUrgentSessions(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		org := env.App.DefaultOrg.ID
		regular := newSession(staff, "regular", "2024-03-18")
		urgent := newSession(staff, "urgent", "2024-03-19")
		periodic := newSession(staff, "periodic", "2024-03-15")
		c1, c2 := newCase(staff, "Đất thôn 3"), newCase(staff, "Nhà ở khu 2")

		if r := staff.Post("/api/v1/notices", map[string]any{"number": "5/TB-UBND", "issued_on": "2024-03-20", "session_id": regular}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("session_id") {
			t.Fatalf("a notice on a regular session: want 422 naming session_id, got %s", r)
		}
		n := staff.Create("/api/v1/notices", map[string]any{"number": "5/TB-UBND", "issued_on": "2024-03-20", "session_id": urgent,
			"signer": "Hoàng Nam", "case_ids": []string{c2, c1}})
		if n["session_id"] != urgent || fmt.Sprint(n["case_ids"]) != fmt.Sprint([]string{c2, c1}) || n["org_id"] != org {
			t.Fatalf("a notice on an urgent session, cases in the order given: %v", n)
		}
		p := staff.Create("/api/v1/notices", map[string]any{"number": "6/TB-UBND", "issued_on": "2024-03-16", "session_id": periodic})
		if fmt.Sprint(p["case_ids"]) != "[]" {
			t.Fatalf("no cases is an empty list: %v", p)
		}
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown session", map[string]any{"number": "7/TB", "issued_on": "2024-03-20", "session_id": uuid.NewString()}, "session_id"},
			{"no session", map[string]any{"number": "7/TB", "issued_on": "2024-03-20"}, "session_id"},
			{"unknown case", map[string]any{"number": "7/TB", "issued_on": "2024-03-20", "session_id": periodic, "case_ids": []string{c1, uuid.NewString()}}, "case_ids"},
			{"case twice", map[string]any{"number": "7/TB", "issued_on": "2024-03-20", "session_id": periodic, "case_ids": []string{c1, c1}}, "case_ids"},
			{"impossible date", map[string]any{"number": "7/TB", "issued_on": "2024-02-30", "session_id": periodic}, "issued_on"},
			{"before the session", map[string]any{"number": "7/TB", "issued_on": "2024-03-14", "session_id": periodic}, "issued_on"},
			{"no number", map[string]any{"number": " ", "issued_on": "2024-03-20", "session_id": periodic}, "number"},
		}
		for _, b := range bad {
			if r := staff.Post("/api/v1/notices", b.body); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%s: want 422 naming %s, got %s", b.name, b.field, r)
			}
		}

		if got := ids(staff.ListAll("/api/v1/notices?session_id="+urgent, 50)); fmt.Sprint(got) != fmt.Sprint([]string{n["id"].(string)}) {
			t.Errorf("session_id filter: %v", got)
		}
		if got := ids(staff.ListAll("/api/v1/notices?case_id="+c1, 50)); fmt.Sprint(got) != fmt.Sprint([]string{n["id"].(string)}) {
			t.Errorf("case_id filter: %v", got)
		}
		if got := ids(staff.ListAll("/api/v1/notices?from=2024-03-17&to=2024-03-31", 50)); fmt.Sprint(got) != fmt.Sprint([]string{n["id"].(string)}) {
			t.Errorf("from/to filter on issued_on: %v", got)
		}
		if got := ids(staff.ListAll("/api/v1/notices?to=2024-03-16", 50)); fmt.Sprint(got) != fmt.Sprint([]string{p["id"].(string)}) {
			t.Errorf("to is inclusive: %v", got)
		}
		for _, q := range []string{"from=2024-13-01", "to=yesterday"} {
			if r := staff.Get("/api/v1/notices?" + q); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
				t.Errorf("%s: want 422, got %s", q, r)
			}
		}
		all := staff.ListAll("/api/v1/notices", 1)
		if len(all) != 2 || all[0]["id"] != p["id"] || fmt.Sprint(all[1]["case_ids"]) != fmt.Sprint([]string{c2, c1}) {
			t.Fatalf("pages of one, newest first, each with its cases: %v", all)
		}
	})
}

func TestNoticeNumbersAreUniquePerOrganisation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		org := env.App.DefaultOrg.ID
		periodic := newSession(staff, "periodic", "2024-03-15")
		c1 := newCase(staff, "Đất thôn 3")
		body := map[string]any{"number": "12/TB-UBND", "issued_on": "2024-03-20", "session_id": periodic, "case_ids": []string{c1}}
		first := staff.Create("/api/v1/notices", body)
		r := staff.Post("/api/v1/notices", map[string]any{"number": " 12/TB-UBND", "issued_on": "2024-03-21", "session_id": periodic, "case_ids": []string{c1}})
		if r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("the same number twice in one organisation: want 409, got %s", r)
		}
		if l := staff.ListAll("/api/v1/notices?case_id="+c1, 50); len(l) != 1 {
			t.Fatalf("a refused notice leaves nothing behind: %v", l)
		}
		second := staff.Create("/api/v1/notices", map[string]any{"number": "13/TB-UBND", "issued_on": "2024-03-21", "session_id": periodic})
		if r := staff.Patch("/api/v1/notices/"+second["id"].(string), map[string]any{"number": "12/TB-UBND"}); r.Status != http.StatusConflict {
			t.Fatalf("renumbering onto a taken number: want 409, got %s", r)
		}

		admin := env.As(auth.Admin)
		child := admin.Create("/api/v1/orgs", map[string]any{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh", "parent_id": org})
		gl := env.Client(env.Token(auth.Staff, "GL"))
		glSession := newSession(gl, "periodic", "2024-03-15")
		if r := gl.Post("/api/v1/notices", body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("session_id") {
			t.Fatalf("another organisation's session is out of a scoped token's reach: %s", r)
		}
		other := gl.Create("/api/v1/notices", map[string]any{"number": "12/TB-UBND", "issued_on": "2024-03-20", "session_id": glSession})
		if other["org_id"] != child["id"] {
			t.Fatalf("a scoped token's notice belongs to its organisation: %v", other)
		}
		if got := ids(gl.ListAll("/api/v1/notices", 50)); fmt.Sprint(got) != fmt.Sprint([]string{other["id"].(string)}) {
			t.Fatalf("a scoped token lists its own organisation's notices only: %v", got)
		}
		if r := gl.Get("/api/v1/notices/" + first["id"].(string)); r.Status != http.StatusNotFound {
			t.Fatalf("another organisation's notice looks absent: %s", r)
		}

		path := "/api/v1/notices/" + first["id"].(string)
		etag := staff.Get(path).Header.Get("ETag")
		if r := staff.Patch(path, map[string]any{"summary": "Kết luận", "case_ids": []string{}}, "If-Match", etag); r.Status != http.StatusOK || fmt.Sprint(r.JSON()["case_ids"]) != "[]" {
			t.Fatalf("PATCH with the current ETag: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"summary": "Khác"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed {
			t.Fatalf("stale If-Match: want 412, got %s", r)
		}
		if r := staff.Delete(path + "?reason=S%E1%BB%91%20sai"); r.Status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}
		again := staff.Create("/api/v1/notices", body)
		if again["id"] == first["id"] {
			t.Fatal("a voided notice frees its number for a new one")
		}
		if r := staff.Get(path + "?include_voided=true"); r.Status != http.StatusOK || r.JSON()["number"] != "12/TB-UBND" {
			t.Fatalf("the voided notice stays readable: %s", r)
		}
		var actions []string
		for _, e := range env.As(auth.Auditor).Get("/api/v1/audit?entity=notice&entity_id=" + first["id"].(string)).Items() {
			actions = append(actions, e["action"].(string))
		}
		if fmt.Sprint(actions) != "[void update create]" {
			t.Fatalf("create, update and void are audited: %v", actions)
		}
	})
}
