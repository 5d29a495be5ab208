package httpapi_test

import (
	"net/http"
	"testing"

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
		s := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		person := staff.Create("/api/v1/persons", map[string]any{"full_name": "Đặng Thị Hoa"})
		visit := func(extra map[string]any) *testenv.Response {
			body := map[string]any{"session_id": s["id"], "case": newCaseBody("Kiến nghị cấp giấy chứng nhận"), "person_ids": []any{person["id"]}}
			for k, v := range extra {
				body[k] = v
			}
			return staff.Post("/api/v1/visits", body)
		}
		guided := visit(map[string]any{"outcome": "guided", "guidance_number": " 3/HD-TCD "})
		if guided.Status != http.StatusCreated || guided.JSON()["guidance_number"] != "3/HD-TCD" || guided.JSON()["transferred_to"] != nil {
			t.Fatalf("a guided visit with its guidance number: %s", guided)
		}
		moved := visit(map[string]any{"outcome": "transferred", "transferred_to": "Sở Tư pháp tỉnh Quảng Trị", "transfer_number": "8/PC-TCD"})
		if moved.Status != http.StatusCreated || moved.JSON()["transferred_to"] != "Sở Tư pháp tỉnh Quảng Trị" || moved.JSON()["transfer_number"] != "8/PC-TCD" {
			t.Fatalf("a transferred visit with where it went: %s", moved)
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

		path := "/api/v1/visits/" + moved.JSON()["id"].(string)
		if r := staff.Patch(path, map[string]any{"outcome": "guided"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("transferred_to") {
			t.Errorf("changing the outcome while the transfer detail stays: want 422 naming transferred_to, got %s", r)
		}
		r := staff.Patch(path, map[string]any{"outcome": "guided", "transferred_to": nil, "transfer_number": "", "guidance_number": "4/HD-TCD"})
		if r.Status != http.StatusOK || r.JSON()["guidance_number"] != "4/HD-TCD" || r.JSON()["transferred_to"] != nil || r.JSON()["transfer_number"] != nil {
			t.Fatalf("the outcome and its detail change together: %s", r)
		}
		entries := env.As(auth.Auditor).ListAll("/api/v1/audit?entity=visit&entity_id="+moved.JSON()["id"].(string), 50)
		if changes, _ := entries[0]["changes"].(map[string]any); changes["guidance_number"] == nil || changes["transferred_to"] == nil {
			t.Errorf("the audit log records the handling detail's change: %v", entries[0])
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
		c := staff.Create("/api/v1/cases", map[string]any{"title": "Khiếu nại quyết định bồi thường", "category": "complaint",
			"field": "land", "respondent": "UBND xã Gio Mỹ", "previously_handled_by": "UBND huyện Gio Linh"})
		if c["previously_handled_by"] != "UBND huyện Gio Linh" || c["respondent"] != "UBND xã Gio Mỹ" {
			t.Fatalf("both bodies are kept apart: %v", c)
		}
		path := "/api/v1/cases/" + c["id"].(string)
		if r := staff.Patch(path, map[string]any{"previously_handled_by": "Thanh tra tỉnh Quảng Trị"}); r.Status != http.StatusOK ||
			r.JSON()["previously_handled_by"] != "Thanh tra tỉnh Quảng Trị" || r.JSON()["respondent"] != "UBND xã Gio Mỹ" {
			t.Fatalf("PATCH changes it alone: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"previously_handled_by": nil}); r.Status != http.StatusOK || r.JSON()["previously_handled_by"] != nil {
			t.Fatalf("null clears it: %s", r)
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
