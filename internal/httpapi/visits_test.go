package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestVisitRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		per := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "authorized"})
		an := testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An"})
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": per.ID, "person_ids": []string{an.ID},
			"persons": []any{map[string]any{"full_name": "Trần Thị Bé", "gender": "female"}, map[string]any{"full_name": "Lê Văn Cường"}},
			"case":    map[string]any{"title": "Tranh chấp đất đai thôn 3", "category": "complaint", "field": "land"},
			"content": "Đề nghị giải quyết", "outcome": "accepted"})
		if v.Kind != "periodic" || v.Date.String() != "2024-03-15" || v.OrgID != per.OrgID {
			t.Fatalf("a visit takes kind, date and organisation from its session: %+v", v)
		}
		if v.Headcount != 3 || v.IsDelegation || len(v.PersonIds) != 3 || v.PersonIds[0] != an.ID {
			t.Fatalf("headcount defaults to the persons given, listed in order: %+v", v)
		}
		if v.CaseID == "" || orZero(v.Outcome) != "accepted" || v.DelegationID != nil {
			t.Fatalf("the visit opened its case: %+v", v)
		}
		c := testenv.GetAs[apiclient.RegistryCase](staff, "/api/v1/cases/"+v.CaseID)
		if c.Title != "Tranh chấp đất đai thôn 3" || c.VisitCount != 1 || c.FirstVisitDate == nil || c.FirstVisitDate.String() != "2024-03-15" {
			t.Fatalf("the inline case exists and counts the visit: %+v", c)
		}
		if p := testenv.GetAs[apiclient.RegistryPerson](staff, "/api/v1/persons/"+v.PersonIds[1]); p.FullName != "Trần Thị Bé" {
			t.Fatalf("the inline person exists: %+v", p)
		}
		five := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": per.ID, "case_id": v.CaseID, "person_ids": []string{an.ID}, "headcount": 5})
		if five.Headcount != 5 || !five.IsDelegation {
			t.Fatalf("a headcount at the threshold (5 by default) is a delegation visit: %+v", five)
		}
		four := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": per.ID, "case_id": v.CaseID, "person_ids": []string{an.ID}, "headcount": 4})
		if four.IsDelegation {
			t.Fatalf("below the threshold it is not: %+v", four)
		}

		caseID := v.CaseID
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"headcount 0", map[string]any{"session_id": per.ID, "case_id": caseID, "person_ids": []string{an.ID}, "headcount": 0}, "headcount"},
			{"headcount below persons", map[string]any{"session_id": per.ID, "case_id": caseID, "person_ids": []string{an.ID},
				"persons": []any{map[string]any{"full_name": "A"}, map[string]any{"full_name": "B"}}, "headcount": 2}, "headcount"},
			{"unknown session", map[string]any{"session_id": "no-such-session", "case_id": caseID, "person_ids": []string{an.ID}}, "session_id"},
			{"no session", map[string]any{"case_id": caseID, "person_ids": []string{an.ID}}, "session_id"},
			{"unknown person", map[string]any{"session_id": per.ID, "case_id": caseID, "person_ids": []string{an.ID, "no-such-person"}}, "person_ids"},
			{"repeated person", map[string]any{"session_id": per.ID, "case_id": caseID, "person_ids": []string{an.ID, an.ID}}, "person_ids"},
			{"nobody", map[string]any{"session_id": per.ID, "case_id": caseID}, "persons"},
			{"unknown case", map[string]any{"session_id": per.ID, "case_id": "no-such-case", "person_ids": []string{an.ID}}, "case_id"},
			{"no case", map[string]any{"session_id": per.ID, "person_ids": []string{an.ID}}, "case_id"},
			{"case and case_id", map[string]any{"session_id": per.ID, "case_id": caseID, "case": newCaseBody("X"), "person_ids": []string{an.ID}}, "case_id"},
			{"bad inline case", map[string]any{"session_id": per.ID, "case": map[string]any{"title": "X", "category": "lawsuit", "field": "land"}, "person_ids": []string{an.ID}}, "case.category"},
			{"bad inline person", map[string]any{"session_id": per.ID, "case_id": caseID, "persons": []any{map[string]any{"full_name": "A"}, map[string]any{"full_name": "B", "id_number": "123"}}}, "persons[1].id_number"},
			{"unknown outcome", map[string]any{"session_id": per.ID, "case_id": caseID, "person_ids": []string{an.ID}, "outcome": "lost"}, "outcome"},
			{"unknown delegation", map[string]any{"session_id": per.ID, "case_id": caseID, "person_ids": []string{an.ID}, "delegation_id": "no-such-delegation"}, "delegation_id"},
		}
		for _, b := range bad {
			r := staff.Post("/api/v1/visits", b.body)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%s: want 422 naming %s, got %s", b.name, b.field, r)
			}
		}
		r := staff.Post("/api/v1/visits", map[string]any{"session_id": per.ID, "case_id": "no-such-case", "person_ids": []any{"no-such-person"}, "outcome": "lost"})
		if !r.HasFieldError("case_id") || !r.HasFieldError("person_ids") || !r.HasFieldError("outcome") {
			t.Errorf("every problem is reported at once: %s", r)
		}
		if r := staff.Post("/api/v1/visits", map[string]any{"session_id": per.ID, "case_id": caseID, "person_ids": []string{an.ID}, "kind": "regular"}); r.Status != http.StatusBadRequest {
			t.Errorf("kind is the session's, not the client's: want 400, got %s", r)
		}
		if n := len(staff.ListAll("/api/v1/visits", 50)); n != 3 {
			t.Errorf("refused visits write nothing: %d visits", n)
		}
	})
}

func TestVisitIsOneTransaction(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		r := staff.Post("/api/v1/visits", map[string]any{"session_id": s.ID,
			"case":    map[string]any{"title": "Không được ghi", "category": "petition", "field": "other"},
			"persons": []any{map[string]any{"full_name": "Đinh Công Tráng"}, map[string]any{"full_name": "Đinh Thị Bad", "id_number": "12345"}}})
		if r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("persons[1].id_number") {
			t.Fatalf("one bad inline person: want 422 naming persons[1].id_number, got %s", r)
		}
		if n := len(staff.ListAll("/api/v1/cases?include_voided=true", 50)); n != 0 {
			t.Fatalf("no case was written: %d", n)
		}
		if n := len(staff.ListAll("/api/v1/persons?include_voided=true", 50)); n != 0 {
			t.Fatalf("no person was written, not even the good one: %d", n)
		}
		if n := len(staff.ListAll("/api/v1/visits?include_voided=true", 50)); n != 0 {
			t.Fatalf("no visit was written: %d", n)
		}
		ok := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case": newCaseBody("Được ghi"),
			"persons": []any{map[string]any{"full_name": "Đinh Công Tráng"}}})
		c := testenv.GetAs[apiclient.RegistryCase](staff, "/api/v1/cases/"+ok.CaseID)
		if c.Code != fmt.Sprintf("VV-%d-000001", time.Now().In(env.App.Config.TimeZone).Year()) {
			t.Fatalf("the failed request gave its case number back: %v", c.Code)
		}
	})
}

func TestDelegationVisitHeadcount(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend, func(c *config.Config) { c.DelegationMin = 4 })
		staff := env.As(auth.Staff)
		s := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		c := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", newCaseBody("Đoàn thôn Tân Định kiến nghị bồi thường"))
		reps := []string{testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Lê Văn Một"}).ID,
			testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Lê Văn Hai"}).ID}
		// POST /delegations is built on another branch; the delegation is written as it stores one.
		dl := "0190c0de-0000-7000-8000-00000000d001"
		now := time.Now().UTC()
		err := env.App.Store.DB.Exec(`INSERT INTO delegations (id, org_id, name, member_count, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, 1, ?, ?)`, dl, s.OrgID, "Đoàn thôn Tân Định", 12, now, now).Error
		if err != nil {
			t.Fatal(err)
		}
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case_id": c.ID, "person_ids": reps, "delegation_id": dl})
		if v.Headcount != 12 || !v.IsDelegation || orZero(v.DelegationID) != dl {
			t.Fatalf("a delegation visit's headcount defaults to member_count: %+v", v)
		}
		few := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case_id": c.ID, "person_ids": reps, "delegation_id": dl, "headcount": 3})
		if few.Headcount != 3 || few.IsDelegation {
			t.Fatalf("part of a delegation may come; below TCD_DELEGATION_MIN it is no delegation visit: %+v", few)
		}
		four := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case_id": c.ID, "person_ids": reps, "headcount": 4})
		if !four.IsDelegation {
			t.Fatalf("the threshold is configurable (4 here): %+v", four)
		}
		if got := idsOf(testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits?delegation_id="+dl, 50)); len(got) != 2 {
			t.Fatalf("visits of the delegation: %v", got)
		}
		if err := env.App.Store.DB.Exec(`UPDATE delegations SET voided_at = ?, void_reason = 'x' WHERE id = ?`, now, dl).Error; err != nil {
			t.Fatal(err)
		}
		r := staff.Post("/api/v1/visits", map[string]any{"session_id": s.ID, "case_id": c.ID, "person_ids": reps, "delegation_id": dl})
		if r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("delegation_id") {
			t.Fatalf("a voided delegation cannot be named: %s", r)
		}
	})
}

func TestVisitListsFiltersAndVoiding(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		session := func(body map[string]any) apiclient.RegistrySession {
			return testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", body)
		}
		mar15 := session(map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		mar18 := session(map[string]any{"kind": "regular", "date": "2024-03-18"})
		apr01 := session(map[string]any{"kind": "regular", "date": "2024-04-01"})
		an := testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An"}).ID
		binh := testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Trần Văn Bình"}).ID
		land := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", newCaseBody("Tranh chấp đất")).ID
		road := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", newCaseBody("Kiến nghị làm đường")).ID
		var all []string // the visits' ids, newest first
		add := func(s apiclient.RegistrySession, caseID string, persons ...string) string {
			v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case_id": caseID, "person_ids": persons})
			all = append([]string{v.ID}, all...)
			return v.ID
		}
		v1 := add(mar15, land, an)
		v2 := add(mar15, road, binh)
		v3 := add(mar18, land, an, binh)
		v4 := add(mar18, road, binh)
		v5 := add(apr01, land, an)
		v6 := add(apr01, road, binh, an)
		v7 := add(apr01, road, binh)

		pages := testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits", 3)
		if !slices.Equal(idsOf(pages), all) {
			t.Fatalf("pages of 3 cover the 7 visits exactly once, newest first: %v", idsOf(pages))
		}
		if got := pages[1].PersonIds; !slices.Equal(got, []string{binh, an}) {
			t.Fatalf("each listed visit carries its person_ids in order: %+v", pages[1])
		}
		cases := []struct {
			query string
			want  []string
		}{
			{"session_id=" + mar18.ID, []string{v4, v3}},
			{"case_id=" + land, []string{v5, v3, v1}},
			{"person_id=" + an, []string{v6, v5, v3, v1}},
			{"from=2024-03-16&to=2024-03-31", []string{v4, v3}},
			{"to=2024-03-15", []string{v2, v1}},
			{"kind=periodic", []string{v2, v1}},
			{"kind=regular&person_id=" + an + "&case_id=" + land, []string{v5, v3}},
			{"case_id=no-such-case", nil},
		}
		for _, tc := range cases {
			if got := idsOf(testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits?"+tc.query, 2)); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
			}
		}
		for _, bad := range []string{"from=2024-13-01", "to=2024-02-30", "kind=weekly", "limit=0", "cursor=zzz"} {
			if r := staff.Get("/api/v1/visits?" + bad); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
				t.Errorf("%s: want 422, got %s", bad, r)
			}
		}

		path := "/api/v1/visits/" + v7
		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reason") {
			t.Fatalf("void without a reason: %s", r)
		}
		if r := staff.Delete(path + "?reason=ghi%20nh%E1%BA%A7m"); r.Status != http.StatusOK || orZero(testenv.Decode[apiclient.RegistryVisit](t, r).VoidReason) != "ghi nhầm" {
			t.Fatalf("void with a reason: %s", r)
		}
		if got := testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits?session_id="+apr01.ID, 50); len(got) != 2 {
			t.Fatalf("a voided visit is left out of lists: %v", idsOf(got))
		}
		if got := idsOf(testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits?session_id="+apr01.ID+"&include_voided=true", 50)); len(got) != 3 || got[0] != v7 {
			t.Fatalf("and kept with include_voided: %v", got)
		}
		if r := staff.Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("a voided visit is gone from plain reads: %s", r)
		}
		if v := testenv.GetAs[apiclient.RegistryVisit](staff, path+"?include_voided=true"); len(v.PersonIds) != 1 {
			t.Fatalf("and readable with include_voided: %+v", v)
		}
		if c := testenv.GetAs[apiclient.RegistryCase](staff, "/api/v1/cases/"+road); c.VisitCount != 3 {
			t.Fatalf("a voided visit counts for no case: %+v", c)
		}
	})
}

func TestVisitPatch(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case": newCaseBody("Kiến nghị"), "outcome": "guided",
			"persons": []any{map[string]any{"full_name": "A Văn"}, map[string]any{"full_name": "B Thị"}}})
		path := "/api/v1/visits/" + v.ID
		etag := staff.Get(path).Header.Get("ETag")
		r := staff.Patch(path, map[string]any{"headcount": 6, "content": "Đề nghị  xem xét", "outcome": "transferred"}, "If-Match", etag)
		if r.Status != http.StatusOK {
			t.Fatalf("PATCH with the current ETag: %s", r)
		}
		if p := testenv.Decode[apiclient.RegistryVisit](t, r); p.Headcount != 6 || !p.IsDelegation ||
			orZero(p.Content) != "Đề nghị xem xét" || orZero(p.Outcome) != "transferred" || len(p.PersonIds) != 2 {
			t.Fatalf("PATCH with the current ETag: %+v", p)
		}
		if r := staff.Patch(path, map[string]any{"note": "x"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed {
			t.Fatalf("PATCH with a stale ETag: want 412, got %s", r)
		}
		for _, b := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"headcount": 1}, "headcount"},
			{map[string]any{"headcount": 0}, "headcount"},
			{map[string]any{"outcome": "lost"}, "outcome"},
		} {
			if r := staff.Patch(path, b.body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(b.field) {
				t.Errorf("PATCH %v: want 422 naming %s, got %s", b.body, b.field, r)
			}
		}
		r = staff.Patch(path, map[string]any{"outcome": "", "headcount": 2})
		if r.Status != http.StatusOK {
			t.Fatalf("an empty outcome clears it; the headcount may come down to the persons named: %s", r)
		}
		if p := testenv.Decode[apiclient.RegistryVisit](t, r); p.Outcome != nil || p.Headcount != 2 {
			t.Fatalf("an empty outcome clears it; the headcount may come down to the persons named: %+v", p)
		}
		if r := staff.Patch(path, map[string]any{"session_id": "x"}); r.Status != http.StatusBadRequest {
			t.Fatalf("the session of a visit is not patched: want 400, got %s", r)
		}
	})
}

func TestVisitPossibleDuplicates(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		tam := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", map[string]any{"title": "Tranh chấp ranh giới đất với hộ ông Lê Văn Tám tại thôn Hà Thượng", "category": "complaint", "field": "land"})
		staff.Create("/api/v1/cases", map[string]any{"title": "Kiến nghị nâng cấp đường liên xã", "category": "petition", "field": "other"})
		an := testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An"})
		visit := func(body map[string]any) apiclient.RegistryCreatedVisit {
			body["session_id"] = s.ID
			return testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", body)
		}
		// possible_duplicates is not nullable in the document, so a nil one was left out of the answer
		v := visit(map[string]any{"person_ids": []string{an.ID},
			"case": map[string]any{"title": "Tranh chấp ranh giới đất với hộ Lê Văn Tám", "category": "complaint", "field": "land"}})
		if dups := orZero(v.PossibleDuplicates); len(dups) != 1 || dups[0].CaseID != tam.ID || dups[0].Score < 0.15 {
			t.Fatalf("a new case whose title matches an existing one is flagged: %+v", dups)
		}
		v2 := visit(map[string]any{"person_ids": []string{an.ID},
			"case": map[string]any{"title": "Đề nghị hỗ trợ chế độ người có công", "category": "petition", "field": "policy"}})
		if v2.PossibleDuplicates == nil || len(*v2.PossibleDuplicates) != 0 {
			t.Fatalf("an unrelated title has no possible duplicates (an empty list): %+v", v2)
		}
		if v3 := visit(map[string]any{"case_id": tam.ID, "person_ids": []string{an.ID}}); v3.PossibleDuplicates != nil {
			t.Fatalf("a visit to an existing case answers no possible_duplicates: %+v", v3)
		}
		// the same matter reworded is flagged when the same person came about both (the scoring of
		// GET /cases/{id}/duplicates: internal/dedup)
		reworded := map[string]any{"title": "Kiến nghị hỗ trợ chế độ cho người có công với cách mạng", "category": "petition", "field": "policy"}
		v4 := visit(map[string]any{"person_ids": []string{an.ID}, "case": reworded})
		if d4 := orZero(v4.PossibleDuplicates); len(d4) != 1 || d4[0].CaseID != v2.CaseID {
			t.Fatalf("a case of the same person about the same matter, reworded, is flagged: %+v", d4)
		}
		// another person's, with the same generic wording and nothing that identifies a matter:
		// a pattern shared, no one in common, no duplicate
		v5 := visit(map[string]any{"persons": []any{map[string]any{"full_name": "Phan Thị Mơ"}}, "case": reworded})
		if d5 := orZero(v5.PossibleDuplicates); len(d5) != 0 {
			t.Fatalf("another person's matter in the same generic words is not flagged: %+v", d5)
		}
	})
}

func TestRegistryAccessByRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case": newCaseBody("Kiến nghị"),
			"persons": []any{map[string]any{"full_name": "A Văn"}}})
		one := map[string]string{"sessions": s.ID, "cases": v.CaseID, "visits": v.ID}
		auditor, agency := env.As(auth.Auditor), env.As(auth.Agency)
		for res, id := range one {
			for _, r := range []*testenv.Response{auditor.Get("/api/v1/" + res), auditor.Get("/api/v1/" + res + "/" + id)} {
				if r.Status != http.StatusOK {
					t.Errorf("auditor reads %s: %s", res, r)
				}
			}
			for _, r := range []*testenv.Response{auditor.Post("/api/v1/"+res, map[string]any{}), auditor.Patch("/api/v1/"+res+"/"+id, map[string]any{}),
				auditor.Delete("/api/v1/" + res + "/" + id + "?reason=x")} {
				if r.Status != http.StatusForbidden || !r.IsProblem() {
					t.Errorf("auditor cannot write %s: %s", res, r)
				}
			}
			for _, r := range []*testenv.Response{agency.Get("/api/v1/" + res), agency.Get("/api/v1/" + res + "/" + id), agency.Post("/api/v1/"+res, map[string]any{}),
				agency.Patch("/api/v1/"+res+"/"+id, map[string]any{}), agency.Delete("/api/v1/" + res + "/" + id + "?reason=x")} {
				if r.Status != http.StatusForbidden || !r.IsProblem() {
					t.Errorf("agency gets 403 on %s: %s", res, r)
				}
			}
		}
		if actions := auditActions(env.As(auth.Admin), "visit", v.ID); fmt.Sprint(actions) != "[create]" {
			t.Fatalf("the visit's creation is audited: %v", actions)
		}
		for _, entity := range []string{"case", "person", "session"} {
			if n := len(env.As(auth.Admin).Get("/api/v1/audit?entity=" + entity).Items()); n != 1 {
				t.Errorf("the creation of the %s is audited: %d entries", entity, n)
			}
		}
	})
}

// A request sends its statements to one connection at a time and never waits for a second
// while holding one: with a pool of a single connection, concurrent visits that open cases
// (and look for their possible duplicates) and duplicate lookups all still answer.
func TestVisitsNeedOneDatabaseConnectionAtATime(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend, func(c *config.Config) { c.DBMaxOpenConns, c.RequestTimeout = 1, 10*time.Second })
		staff := env.As(auth.Staff)
		s := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		tam := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", map[string]any{"title": "Tranh chấp ranh giới đất với hộ ông Lê Văn Tám tại thôn Hà Thượng", "category": "complaint", "field": "land"})
		an := testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1970})
		names := []string{"Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Minh Dũng", "Hoàng Thị Hoa", "Võ Văn Hùng",
			"Đặng Thị Lan", "Bùi Quang Long", "Đỗ Thị Mai", "Hồ Văn Nam", "Ngô Thị Phương", "Dương Văn Sơn"}
		titles := []string{"Tranh chấp ranh giới đất với hộ Lê Văn Tám", "Khiếu nại quyết định thu hồi đất", "Đề nghị bồi thường giải phóng mặt bằng",
			"Tố cáo cán bộ địa chính", "Kiến nghị cấp giấy chứng nhận", "Khiếu nại chế độ người có công"}
		results := make(chan *testenv.Response, len(names))
		for i, name := range names {
			go func() {
				body := map[string]any{"session_id": s.ID, "persons": []any{map[string]any{"full_name": name, "birth_year": 1970}}}
				if i < len(titles) {
					body["case"] = map[string]any{"title": titles[i], "category": "complaint", "field": "land"}
				} else {
					body["case_id"] = tam.ID
				}
				results <- staff.Post("/api/v1/visits", body)
			}()
		}
		for range names {
			r := <-results
			if r.Status != http.StatusCreated {
				t.Errorf("want 201, got %s", r)
				continue
			}
			if v := testenv.Decode[apiclient.RegistryCreatedVisit](t, r); (v.PossibleDuplicates != nil) != (v.CaseID != tam.ID) {
				t.Errorf("want possible_duplicates listed when the visit opened a case, got %+v", v)
			}
		}
		if d := duplicatesOf(t, staff, "/api/v1/persons/"+an.ID); len(d) != 1 {
			t.Errorf("person duplicates with one connection: want the namesake born the same year, got %d", len(d))
		}
		duplicatesOf(t, staff, "/api/v1/cases/"+tam.ID) // answers 200
	})
}
