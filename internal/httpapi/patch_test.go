package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// PATCH changes only the fields present: null clears a field that may be empty (so does "" for
// text), null for a field that always has a value is 422 naming it, on every register record.
func TestPatchNullClearsOptionalFields(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		person := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1975,
			"id_number": "045075001234", "phone": "0912345678", "address": "Gio Linh"})
		session := staff.Create("/api/v1/sessions", map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head", "note": "x", "location": "Trụ sở"})
		bare := staff.Create("/api/v1/sessions", map[string]any{"kind": "urgent", "date": "2024-03-16", "host_role": "authorized", "note": "x", "location": "Trụ sở"})
		kase := staff.Create("/api/v1/cases", map[string]any{"title": "Tranh chấp đất", "category": "complaint", "field": "land", "summary": "Dài", "respondent": "UBND xã"})
		visit := staff.Create("/api/v1/visits", map[string]any{"session_id": session["id"], "case_id": kase["id"], "person_ids": []any{person["id"]},
			"outcome": "accepted", "note": "x", "content": "Đề nghị"})
		rep := persons(t, staff, 1)
		delegation := staff.Create("/api/v1/delegations", map[string]any{"name": "Đoàn", "member_count": 3, "representative_ids": rep, "case_id": kase["id"], "note": "x"})
		notice := staff.Create("/api/v1/notices", map[string]any{"number": "1/TB", "issued_on": "2024-03-20", "session_id": session["id"],
			"signer": "Hoàng Nam", "summary": "x", "case_ids": []any{kase["id"]}})
		directive := staff.Create("/api/v1/directives", map[string]any{"number": "1/CV", "issued_on": "2024-03-20", "recipient": "UBND xã",
			"case_id": kase["id"], "session_id": session["id"], "request": "x", "due_on": "2024-04-20"})
		path := func(collection string, rec map[string]any) string {
			return "/api/v1/" + collection + "/" + rec["id"].(string)
		}

		cleared := []struct {
			path  string
			body  map[string]any
			null  []string // now null
			empty []string // now []
			kept  map[string]any
		}{
			{path("persons", person), map[string]any{"birth_year": nil, "id_number": nil, "phone": nil, "address": ""},
				[]string{"birth_year", "id_number", "id_kind", "phone", "address"}, nil, map[string]any{"full_name": "Nguyễn Văn An", "gender": "male"}},
			{path("sessions", bare), map[string]any{"kind": "regular", "host_role": nil, "note": nil, "location": ""},
				[]string{"host_role", "note", "location"}, nil, map[string]any{"date": "2024-03-16"}},
			{path("cases", kase), map[string]any{"summary": nil, "respondent": ""}, []string{"summary", "respondent"}, nil, map[string]any{"status": "open"}},
			{path("visits", visit), map[string]any{"outcome": nil, "note": nil, "content": ""}, []string{"outcome", "note", "content"}, nil, map[string]any{"headcount": float64(1)}},
			{path("delegations", delegation), map[string]any{"case_id": nil, "note": nil, "representative_ids": nil},
				[]string{"case_id", "note"}, []string{"representative_ids"}, map[string]any{"member_count": float64(3)}},
			{path("notices", notice), map[string]any{"signer": nil, "summary": "", "case_ids": nil}, []string{"signer", "summary"}, []string{"case_ids"},
				map[string]any{"number": "1/TB"}},
			{path("directives", directive), map[string]any{"case_id": nil, "session_id": nil, "request": nil, "due_on": nil},
				[]string{"case_id", "session_id", "request", "due_on"}, nil, map[string]any{"status": "pending", "recipient": "UBND xã"}},
		}
		for _, c := range cleared {
			r := staff.Patch(c.path, c.body)
			m := r.JSON()
			if r.Status != http.StatusOK {
				t.Errorf("PATCH %s %v: %s", c.path, c.body, r)
				continue
			}
			for _, f := range c.null {
				if v, ok := m[f]; !ok || v != nil {
					t.Errorf("PATCH %s: %s is cleared to null, got %v", c.path, f, m[f])
				}
			}
			for _, f := range c.empty {
				if l, ok := m[f].([]any); !ok || len(l) != 0 {
					t.Errorf("PATCH %s: null clears the list %s, got %v", c.path, f, m[f])
				}
			}
			for f, want := range c.kept {
				if m[f] != want {
					t.Errorf("PATCH %s: %s is left alone: want %v, got %v", c.path, f, want, m[f])
				}
			}
		}
		changes := env.As(auth.Admin).ListAll("/api/v1/audit?entity=person&entity_id="+person["id"].(string), 50)[0]["changes"].(map[string]any)
		if phone := changes["phone"].(map[string]any); phone["from"] != "0912345678" || phone["to"] != nil {
			t.Errorf("the audit log says what was cleared: %v", changes)
		}

		refused := []struct {
			path  string
			body  map[string]any
			field string
		}{
			{path("persons", person), map[string]any{"full_name": nil}, "full_name"},
			{path("persons", person), map[string]any{"gender": nil}, "gender"},
			{path("sessions", session), map[string]any{"date": nil}, "date"},
			{path("sessions", session), map[string]any{"date": ""}, "date"},
			{path("sessions", session), map[string]any{"kind": nil}, "kind"},
			{path("cases", kase), map[string]any{"title": nil, "status": nil}, "status"},
			{path("visits", visit), map[string]any{"headcount": nil}, "headcount"},
			{path("delegations", delegation), map[string]any{"member_count": nil}, "member_count"},
			{path("delegations", delegation), map[string]any{"member_count": 6}, "representative_ids"}, // cleared above: 6 members name 1 or 2
			{path("notices", notice), map[string]any{"session_id": nil}, "session_id"},
			{path("notices", notice), map[string]any{"issued_on": ""}, "issued_on"},
			{path("directives", directive), map[string]any{"due_on": ""}, "due_on"},
			{path("directives", directive), map[string]any{"case_id": ""}, "case_id"},
			{path("directives", directive), map[string]any{"number": nil}, "number"},
		}
		for _, c := range refused {
			if r := staff.Patch(c.path, c.body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(c.field) {
				t.Errorf("PATCH %s %v: want 422 naming %s, got %s", c.path, c.body, c.field, r)
			}
		}
		if r := staff.Patch(path("sessions", session), map[string]any{"note": 5}); r.Status != http.StatusBadRequest || !r.HasFieldError("note") {
			t.Errorf("a value of the wrong type is still a malformed request naming the field: %s", r)
		}

		// a reply recorded by mistake is withdrawn with replied_on null, its summary with it
		reply := path("directives", directive) + "/reply"
		if r := staff.Post(reply, map[string]any{"replied_on": "2024-04-10", "summary": "Đã trả lời"}); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		if r := staff.Patch(path("directives", directive), map[string]any{"replied_on": nil, "reply_summary": "x"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reply_summary") {
			t.Errorf("withdrawing a reply while giving its summary: want 422, got %s", r)
		}
		r := staff.Patch(path("directives", directive), map[string]any{"replied_on": nil})
		if m := r.JSON(); r.Status != http.StatusOK || m["status"] != "pending" || m["replied_on"] != nil || m["reply_summary"] != nil {
			t.Errorf("replied_on null withdraws the reply: %s", r)
		}
	})
}
