package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// everyRecord is one register record of each kind with every optional field set, by path (and
// the person's id, which the audit log is read by).
type everyRecord struct {
	person, session, bare, kase, visit, delegation, notice, directive string
	personID                                                          string
}

func newEveryRecord(t *testing.T, staff *testenv.Client) everyRecord {
	t.Helper()
	person := newPerson(staff, map[string]any{"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1975,
		"id_number": "045075001234", "phone": "0912345678", "address": "Gio Linh"}).ID
	session := sessionOf(staff, map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head", "note": "x", "location": "Trụ sở"}).ID
	bare := sessionOf(staff, map[string]any{"kind": "urgent", "date": "2024-03-16", "host_role": "authorized", "note": "x", "location": "Trụ sở"}).ID
	kase := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", map[string]any{"title": "Tranh chấp đất", "category": "complaint", "field": "land", "summary": "Dài", "respondent": "UBND xã"}).ID
	visit := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": session, "case_id": kase, "person_ids": []string{person},
		"outcome": "accepted", "note": "x", "content": "Đề nghị"}).ID
	delegation := newDelegation(staff, map[string]any{"name": "Đoàn", "member_count": 3, "representative_ids": persons(t, staff, 1), "case_id": kase, "note": "x"}).ID
	notice := testenv.CreateAs[apiclient.RegistryNotice](staff, "/api/v1/notices", map[string]any{"number": "1/TB", "issued_on": "2024-03-20", "session_id": session,
		"signer": "Hoàng Nam", "summary": "x", "case_ids": []string{kase}}).ID
	directive := newDirective(staff, map[string]any{"number": "1/CV", "issued_on": "2024-03-20", "recipient": "UBND xã",
		"case_id": kase, "session_id": session, "request": "x", "due_on": "2024-04-20"}).ID
	return everyRecord{person: "/api/v1/persons/" + person, session: "/api/v1/sessions/" + session, bare: "/api/v1/sessions/" + bare,
		kase: "/api/v1/cases/" + kase, visit: "/api/v1/visits/" + visit, delegation: "/api/v1/delegations/" + delegation,
		notice: "/api/v1/notices/" + notice, directive: "/api/v1/directives/" + directive, personID: person}
}

// PATCH changes only the fields present: null clears a field that may be empty (so does "" for
// text), null for a field that always has a value is 422 naming it, on every register record.
// What is cleared is read from the answer as JSON, by field name: the same check for every kind
// of record, and one that tells null from a field left out.
func TestPatchNullClearsOptionalFields(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		rec := newEveryRecord(t, staff)
		cleared := []struct {
			path  string
			body  map[string]any
			null  []string // now null
			empty []string // now []
			kept  map[string]any
		}{
			{rec.person, map[string]any{"birth_year": nil, "id_number": nil, "phone": nil, "address": ""},
				[]string{"birth_year", "id_number", "id_kind", "phone", "address"}, nil, map[string]any{"full_name": "Nguyễn Văn An", "gender": "male"}},
			{rec.bare, map[string]any{"kind": "regular", "host_role": nil, "note": nil, "location": ""},
				[]string{"host_role", "note", "location"}, nil, map[string]any{"date": "2024-03-16"}},
			{rec.kase, map[string]any{"summary": nil, "respondent": ""}, []string{"summary", "respondent"}, nil, map[string]any{"status": "open"}},
			{rec.visit, map[string]any{"outcome": nil, "note": nil, "content": ""}, []string{"outcome", "note", "content"}, nil, map[string]any{"headcount": float64(1)}},
			{rec.delegation, map[string]any{"case_id": nil, "note": nil, "representative_ids": nil},
				[]string{"case_id", "note"}, []string{"representative_ids"}, map[string]any{"member_count": float64(3)}},
			{rec.notice, map[string]any{"signer": nil, "summary": "", "case_ids": nil}, []string{"signer", "summary"}, []string{"case_ids"},
				map[string]any{"number": "1/TB"}},
			{rec.directive, map[string]any{"case_id": nil, "session_id": nil, "request": nil, "due_on": nil},
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
		// an entry's changes are free-form in the document: read as a map
		changes := orZero(testenv.ListAllAs[apiclient.AuditEntry](env.As(auth.Admin), "/api/v1/audit?entity=person&entity_id="+rec.personID, 50)[0].Changes)
		if phone, _ := changes["phone"].(map[string]any); phone["from"] != "0912345678" || phone["to"] != nil {
			t.Errorf("the audit log says what was cleared: %v", changes)
		}
		refusedNulls(t, staff, rec)

		// a reply recorded by mistake is withdrawn with replied_on null, its summary with it
		if r := staff.Post(rec.directive+"/reply", map[string]any{"replied_on": "2024-04-10", "summary": "Đã trả lời"}); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		if r := staff.Patch(rec.directive, map[string]any{"replied_on": nil, "reply_summary": "x"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reply_summary") {
			t.Errorf("withdrawing a reply while giving its summary: want 422, got %s", r)
		}
		r := staff.Patch(rec.directive, map[string]any{"replied_on": nil})
		if r.Status != http.StatusOK {
			t.Fatalf("replied_on null withdraws the reply: %s", r)
		}
		if d := testenv.Decode[apiclient.RegistryDirective](t, r); d.Status != "pending" || d.RepliedOn != nil || d.ReplySummary != nil {
			t.Errorf("replied_on null withdraws the reply: %+v", d)
		}
	})
}

// refusedNulls: null (or "") for a field that always has a value is refused naming it, on every
// kind of record (rec's delegation has had its representatives cleared).
func refusedNulls(t *testing.T, staff *testenv.Client, rec everyRecord) {
	t.Helper()
	refused := []struct {
		path  string
		body  map[string]any
		field string
	}{
		{rec.person, map[string]any{"full_name": nil}, "full_name"},
		{rec.person, map[string]any{"gender": nil}, "gender"},
		{rec.session, map[string]any{"date": nil}, "date"},
		{rec.session, map[string]any{"date": ""}, "date"},
		{rec.session, map[string]any{"kind": nil}, "kind"},
		{rec.kase, map[string]any{"title": nil, "status": nil}, "status"},
		{rec.visit, map[string]any{"headcount": nil}, "headcount"},
		{rec.delegation, map[string]any{"member_count": nil}, "member_count"},
		{rec.delegation, map[string]any{"member_count": 6}, "representative_ids"}, // cleared: 6 members name 1 or 2
		{rec.notice, map[string]any{"session_id": nil}, "session_id"},
		{rec.notice, map[string]any{"issued_on": ""}, "issued_on"},
		{rec.directive, map[string]any{"due_on": ""}, "due_on"},
		{rec.directive, map[string]any{"case_id": ""}, "case_id"},
		{rec.directive, map[string]any{"number": nil}, "number"},
	}
	for _, c := range refused {
		if r := staff.Patch(c.path, c.body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(c.field) {
			t.Errorf("PATCH %s %v: want 422 naming %s, got %s", c.path, c.body, c.field, r)
		}
	}
	if r := staff.Patch(rec.session, map[string]any{"note": 5}); r.Status != http.StatusBadRequest || !r.HasFieldError("note") {
		t.Errorf("a value of the wrong type is still a malformed request naming the field: %s", r)
	}
}
