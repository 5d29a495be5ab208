package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A visit records the handling detail Form 03 prints beside its outcome: the guidance
// document's number for a citizen returned with guidance, the body and the transfer document's
// number for a transfer. Detail that belongs to another outcome is refused, naming the field.
func TestVisitHandlingDetail(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := newSession(staff, "regular", "2024-03-18")
		person := newPerson(staff, map[string]any{"full_name": "Đặng Thị Hoa"}).ID
		visit := func(extra map[string]any) *testenv.Response {
			body := map[string]any{"session_id": s, "case": newCaseBody("Kiến nghị cấp giấy chứng nhận"), "person_ids": []string{person}}
			for k, v := range extra {
				body[k] = v
			}
			return staff.Post("/api/v1/visits", body)
		}
		recorded := func(why string, extra map[string]any) apiclient.RegistryCreatedVisit {
			t.Helper()
			r := visit(extra)
			if r.Status != http.StatusCreated {
				t.Fatalf("%s: %s", why, r)
			}
			return testenv.Decode[apiclient.RegistryCreatedVisit](t, r)
		}
		if g := recorded("a guided visit", map[string]any{"outcome": "guided", "guidance_number": " 3/HD-TCD "}); orZero(g.GuidanceNumber) != "3/HD-TCD" || g.TransferredTo != nil {
			t.Fatalf("a guided visit with its guidance number: %+v", g)
		}
		moved := recorded("a transferred visit", map[string]any{"outcome": "transferred", "transferred_to": "Sở Tư pháp tỉnh Quảng Trị", "transfer_number": "8/PC-TCD"})
		if orZero(moved.TransferredTo) != "Sở Tư pháp tỉnh Quảng Trị" || orZero(moved.TransferNumber) != "8/PC-TCD" {
			t.Fatalf("a transferred visit with where it went: %+v", moved)
		}

		for _, b := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"outcome": "accepted", "guidance_number": "3/HD"}, "guidance_number"},
			{map[string]any{"outcome": "guided", "transferred_to": "Sở Tư pháp"}, "transferred_to"},
			{map[string]any{"transfer_number": "8/PC"}, "transfer_number"},
		} {
			if r := visit(b.body); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("POST %v: want 422 naming %s, got %s", b.body, b.field, r)
			}
		}

		path := "/api/v1/visits/" + moved.ID
		if r := staff.Patch(path, map[string]any{"outcome": "guided"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("transferred_to") {
			t.Errorf("changing the outcome while the transfer detail stays: want 422 naming transferred_to, got %s", r)
		}
		r := staff.Patch(path, map[string]any{"outcome": "guided", "transferred_to": nil, "transfer_number": "", "guidance_number": "4/HD-TCD"})
		if r.Status != http.StatusOK {
			t.Fatalf("the outcome and its detail change together: %s", r)
		}
		if v := testenv.Decode[apiclient.RegistryVisit](t, r); orZero(v.GuidanceNumber) != "4/HD-TCD" || v.TransferredTo != nil || v.TransferNumber != nil {
			t.Fatalf("the outcome and its detail change together: %+v", v)
		}
		// an entry's changes are free-form in the document: read as a map
		entries := testenv.ListAllAs[apiclient.AuditEntry](env.As(auth.Auditor), "/api/v1/audit?entity=visit&entity_id="+moved.ID, 50)
		if changes := orZero(entries[0].Changes); changes["guidance_number"] == nil || changes["transferred_to"] == nil {
			t.Errorf("the audit log records the handling detail's change: %+v", entries[0])
		}
	})
}

// A case names the body that already handled the matter (Form 03's "Cơ quan đã giải quyết"),
// which is not the respondent the matter is about.
func TestCasePreviouslyHandledBy(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		c := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", map[string]any{"title": "Khiếu nại quyết định bồi thường", "category": "complaint",
			"field": "land", "respondent": "UBND xã Gio Mỹ", "previously_handled_by": "UBND huyện Gio Linh"})
		if orZero(c.PreviouslyHandledBy) != "UBND huyện Gio Linh" || orZero(c.Respondent) != "UBND xã Gio Mỹ" {
			t.Fatalf("both bodies are kept apart: %+v", c)
		}
		path := "/api/v1/cases/" + c.ID
		patched := func(body map[string]any) apiclient.RegistryCase {
			t.Helper()
			r := staff.Patch(path, body)
			if r.Status != http.StatusOK {
				t.Fatalf("PATCH %v: %s", body, r)
			}
			return testenv.Decode[apiclient.RegistryCase](t, r)
		}
		if got := patched(map[string]any{"previously_handled_by": "Thanh tra tỉnh Quảng Trị"}); orZero(got.PreviouslyHandledBy) != "Thanh tra tỉnh Quảng Trị" || orZero(got.Respondent) != "UBND xã Gio Mỹ" {
			t.Fatalf("PATCH changes it alone: %+v", got)
		}
		if got := patched(map[string]any{"previously_handled_by": nil}); got.PreviouslyHandledBy != nil {
			t.Fatalf("null clears it: %+v", got)
		}
		long := make([]byte, 501)
		for i := range long {
			long[i] = 'x'
		}
		if r := staff.Patch(path, map[string]any{"previously_handled_by": string(long)}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("previously_handled_by") {
			t.Errorf("too long: want 422 naming the field, got %s", r)
		}
	})
}
