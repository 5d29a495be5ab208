package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/tcd-registry/tcd/internal/apiclient"
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
		n := testenv.CreateAs[apiclient.RegistryNotice](staff, "/api/v1/notices", map[string]any{"number": "5/TB-UBND", "issued_on": "2024-03-20", "session_id": urgent,
			"signer": "Hoàng Nam", "case_ids": []string{c2, c1}})
		if n.SessionID != urgent || !slices.Equal(n.CaseIds, []string{c2, c1}) || n.OrgID != org {
			t.Fatalf("a notice on an urgent session, cases in the order given: %+v", n)
		}
		p := testenv.CreateAs[apiclient.RegistryNotice](staff, "/api/v1/notices", map[string]any{"number": "6/TB-UBND", "issued_on": "2024-03-16", "session_id": periodic})
		if p.CaseIds == nil || len(p.CaseIds) != 0 {
			t.Fatalf("no cases is an empty list: %+v", p)
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

		for _, f := range []struct{ why, query, want string }{
			{"session_id filter", "session_id=" + urgent, n.ID},
			{"case_id filter", "case_id=" + c1, n.ID},
			{"from/to filter on issued_on", "from=2024-03-17&to=2024-03-31", n.ID},
			{"to is inclusive", "to=2024-03-16", p.ID},
		} {
			if got := idsOf(testenv.ListAllAs[apiclient.RegistryNotice](staff, "/api/v1/notices?"+f.query, 50)); !slices.Equal(got, []string{f.want}) {
				t.Errorf("%s: %v", f.why, got)
			}
		}
		for _, q := range []string{"from=2024-13-01", "to=yesterday"} {
			if r := staff.Get("/api/v1/notices?" + q); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
				t.Errorf("%s: want 422, got %s", q, r)
			}
		}
		all := testenv.ListAllAs[apiclient.RegistryNotice](staff, "/api/v1/notices", 1)
		if len(all) != 2 || all[0].ID != p.ID || !slices.Equal(all[1].CaseIds, []string{c2, c1}) {
			t.Fatalf("pages of one, newest first, each with its cases: %+v", all)
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
		notice := func(c *testenv.Client, body map[string]any) apiclient.RegistryNotice {
			return testenv.CreateAs[apiclient.RegistryNotice](c, "/api/v1/notices", body)
		}
		first := notice(staff, body)
		r := staff.Post("/api/v1/notices", map[string]any{"number": " 12/TB-UBND", "issued_on": "2024-03-21", "session_id": periodic, "case_ids": []string{c1}})
		if r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("the same number twice in one organisation: want 409, got %s", r)
		}
		if l := testenv.ListAllAs[apiclient.RegistryNotice](staff, "/api/v1/notices?case_id="+c1, 50); len(l) != 1 {
			t.Fatalf("a refused notice leaves nothing behind: %v", idsOf(l))
		}
		second := notice(staff, map[string]any{"number": "13/TB-UBND", "issued_on": "2024-03-21", "session_id": periodic})
		if r := staff.Patch("/api/v1/notices/"+second.ID, map[string]any{"number": "12/TB-UBND"}); r.Status != http.StatusConflict {
			t.Fatalf("renumbering onto a taken number: want 409, got %s", r)
		}

		admin := env.As(auth.Admin)
		child := testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh", "parent_id": org})
		gl := env.Client(env.Token(auth.Staff, "GL"))
		glSession := newSession(gl, "periodic", "2024-03-15")
		if r := gl.Post("/api/v1/notices", body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("session_id") {
			t.Fatalf("another organisation's session is out of a scoped token's reach: %s", r)
		}
		other := notice(gl, map[string]any{"number": "12/TB-UBND", "issued_on": "2024-03-20", "session_id": glSession})
		if other.OrgID != child.ID {
			t.Fatalf("a scoped token's notice belongs to its organisation: %+v", other)
		}
		if got := idsOf(testenv.ListAllAs[apiclient.RegistryNotice](gl, "/api/v1/notices", 50)); !slices.Equal(got, []string{other.ID}) {
			t.Fatalf("a scoped token lists its own organisation's notices only: %v", got)
		}
		if r := gl.Get("/api/v1/notices/" + first.ID); r.Status != http.StatusNotFound {
			t.Fatalf("another organisation's notice looks absent: %s", r)
		}

		path := "/api/v1/notices/" + first.ID
		etag := staff.Get(path).Header.Get("ETag")
		if r := staff.Patch(path, map[string]any{"summary": "Kết luận", "case_ids": []string{}}, "If-Match", etag); r.Status != http.StatusOK {
			t.Fatalf("PATCH with the current ETag: %s", r)
		} else if patched := testenv.Decode[apiclient.RegistryNotice](t, r); patched.CaseIds == nil || len(patched.CaseIds) != 0 {
			t.Fatalf("PATCH with the current ETag empties the cases: %+v", patched)
		}
		if r := staff.Patch(path, map[string]any{"summary": "Khác"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed {
			t.Fatalf("stale If-Match: want 412, got %s", r)
		}
		if r := staff.Delete(path + "?reason=S%E1%BB%91%20sai"); r.Status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}
		if again := notice(staff, body); again.ID == first.ID {
			t.Fatal("a voided notice frees its number for a new one")
		}
		if got := testenv.GetAs[apiclient.RegistryNotice](staff, path+"?include_voided=true"); got.Number != "12/TB-UBND" {
			t.Fatalf("the voided notice stays readable: %+v", got)
		}
		if actions := auditActions(env.As(auth.Auditor), "notice", first.ID); fmt.Sprint(actions) != "[void update create]" {
			t.Fatalf("create, update and void are audited: %v", actions)
		}
	})
}
