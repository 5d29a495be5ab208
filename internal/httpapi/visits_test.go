package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestVisitRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		per := staff.Create("/api/v1/sessions", map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "authorized"})
		an := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An"})
		v := staff.Create("/api/v1/visits", map[string]any{"session_id": per["id"], "person_ids": []any{an["id"]},
			"persons": []any{map[string]any{"full_name": "Trần Thị Bé", "gender": "female"}, map[string]any{"full_name": "Lê Văn Cường"}},
			"case":    map[string]any{"title": "Tranh chấp đất đai thôn 3", "category": "complaint", "field": "land"},
			"content": "Đề nghị giải quyết", "outcome": "accepted"})
		pids, _ := v["person_ids"].([]any)
		if v["kind"] != "periodic" || v["date"] != "2024-03-15" || v["org_id"] != per["org_id"] {
			t.Fatalf("a visit takes kind, date and organisation from its session: %v", v)
		}
		if v["headcount"] != float64(3) || v["is_delegation"] != false || len(pids) != 3 || pids[0] != an["id"] {
			t.Fatalf("headcount defaults to the persons given, listed in order: %v", v)
		}
		if v["case_id"] == nil || v["outcome"] != "accepted" || v["delegation_id"] != nil {
			t.Fatalf("the visit opened its case: %v", v)
		}
		c := staff.Get("/api/v1/cases/" + v["case_id"].(string)).JSON()
		if c["title"] != "Tranh chấp đất đai thôn 3" || c["visit_count"] != float64(1) || c["first_visit_date"] != "2024-03-15" {
			t.Fatalf("the inline case exists and counts the visit: %v", c)
		}
		if r := staff.Get("/api/v1/persons/" + pids[1].(string)); r.Status != http.StatusOK || r.JSON()["full_name"] != "Trần Thị Bé" {
			t.Fatalf("the inline person exists: %s", r)
		}
		five := staff.Create("/api/v1/visits", map[string]any{"session_id": per["id"], "case_id": v["case_id"], "person_ids": []any{an["id"]}, "headcount": 5})
		if five["headcount"] != float64(5) || five["is_delegation"] != true {
			t.Fatalf("a headcount at the threshold (5 by default) is a delegation visit: %v", five)
		}
		four := staff.Create("/api/v1/visits", map[string]any{"session_id": per["id"], "case_id": v["case_id"], "person_ids": []any{an["id"]}, "headcount": 4})
		if four["is_delegation"] != false {
			t.Fatalf("below the threshold it is not: %v", four)
		}

		caseID := v["case_id"]
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"headcount 0", map[string]any{"session_id": per["id"], "case_id": caseID, "person_ids": []any{an["id"]}, "headcount": 0}, "headcount"},
			{"headcount below persons", map[string]any{"session_id": per["id"], "case_id": caseID, "person_ids": []any{an["id"]},
				"persons": []any{map[string]any{"full_name": "A"}, map[string]any{"full_name": "B"}}, "headcount": 2}, "headcount"},
			{"unknown session", map[string]any{"session_id": "no-such-session", "case_id": caseID, "person_ids": []any{an["id"]}}, "session_id"},
			{"no session", map[string]any{"case_id": caseID, "person_ids": []any{an["id"]}}, "session_id"},
			{"unknown person", map[string]any{"session_id": per["id"], "case_id": caseID, "person_ids": []any{an["id"], "no-such-person"}}, "person_ids"},
			{"repeated person", map[string]any{"session_id": per["id"], "case_id": caseID, "person_ids": []any{an["id"], an["id"]}}, "person_ids"},
			{"nobody", map[string]any{"session_id": per["id"], "case_id": caseID}, "persons"},
			{"unknown case", map[string]any{"session_id": per["id"], "case_id": "no-such-case", "person_ids": []any{an["id"]}}, "case_id"},
			{"no case", map[string]any{"session_id": per["id"], "person_ids": []any{an["id"]}}, "case_id"},
			{"case and case_id", map[string]any{"session_id": per["id"], "case_id": caseID, "case": newCaseBody("X"), "person_ids": []any{an["id"]}}, "case_id"},
			{"bad inline case", map[string]any{"session_id": per["id"], "case": map[string]any{"title": "X", "category": "lawsuit", "field": "land"}, "person_ids": []any{an["id"]}}, "case.category"},
			{"bad inline person", map[string]any{"session_id": per["id"], "case_id": caseID, "persons": []any{map[string]any{"full_name": "A"}, map[string]any{"full_name": "B", "id_number": "123"}}}, "persons[1].id_number"},
			{"unknown outcome", map[string]any{"session_id": per["id"], "case_id": caseID, "person_ids": []any{an["id"]}, "outcome": "lost"}, "outcome"},
			{"unknown delegation", map[string]any{"session_id": per["id"], "case_id": caseID, "person_ids": []any{an["id"]}, "delegation_id": "no-such-delegation"}, "delegation_id"},
		}
		for _, b := range bad {
			r := staff.Post("/api/v1/visits", b.body)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%s: want 422 naming %s, got %s", b.name, b.field, r)
			}
		}
		r := staff.Post("/api/v1/visits", map[string]any{"session_id": per["id"], "case_id": "no-such-case", "person_ids": []any{"no-such-person"}, "outcome": "lost"})
		if !r.HasFieldError("case_id") || !r.HasFieldError("person_ids") || !r.HasFieldError("outcome") {
			t.Errorf("every problem is reported at once: %s", r)
		}
		if r := staff.Post("/api/v1/visits", map[string]any{"session_id": per["id"], "case_id": caseID, "person_ids": []any{an["id"]}, "kind": "regular"}); r.Status != http.StatusBadRequest {
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
		s := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		r := staff.Post("/api/v1/visits", map[string]any{"session_id": s["id"],
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
		ok := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case": newCaseBody("Được ghi"),
			"persons": []any{map[string]any{"full_name": "Đinh Công Tráng"}}})
		c := staff.Get("/api/v1/cases/" + ok["case_id"].(string)).JSON()
		if c["code"] != fmt.Sprintf("VV-%d-000001", time.Now().In(env.App.Config.TimeZone).Year()) {
			t.Fatalf("the failed request gave its case number back: %v", c["code"])
		}
	})
}

func TestDelegationVisitHeadcount(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend, func(c *config.Config) { c.DelegationMin = 4 })
		staff := env.As(auth.Staff)
		s := staff.Create("/api/v1/sessions", map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		c := staff.Create("/api/v1/cases", newCaseBody("Đoàn thôn Tân Định kiến nghị bồi thường"))
		reps := []any{staff.Create("/api/v1/persons", map[string]any{"full_name": "Lê Văn Một"})["id"],
			staff.Create("/api/v1/persons", map[string]any{"full_name": "Lê Văn Hai"})["id"]}
		// POST /delegations is built on another branch; the delegation is written as it stores one.
		dl := "0190c0de-0000-7000-8000-00000000d001"
		now := time.Now().UTC()
		err := env.App.Store.DB.Exec(`INSERT INTO delegations (id, org_id, name, member_count, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, 1, ?, ?)`, dl, s["org_id"], "Đoàn thôn Tân Định", 12, now, now).Error
		if err != nil {
			t.Fatal(err)
		}
		v := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case_id": c["id"], "person_ids": reps, "delegation_id": dl})
		if v["headcount"] != float64(12) || v["is_delegation"] != true || v["delegation_id"] != dl {
			t.Fatalf("a delegation visit's headcount defaults to member_count: %v", v)
		}
		few := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case_id": c["id"], "person_ids": reps, "delegation_id": dl, "headcount": 3})
		if few["headcount"] != float64(3) || few["is_delegation"] != false {
			t.Fatalf("part of a delegation may come; below TCD_DELEGATION_MIN it is no delegation visit: %v", few)
		}
		four := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case_id": c["id"], "person_ids": reps, "headcount": 4})
		if four["is_delegation"] != true {
			t.Fatalf("the threshold is configurable (4 here): %v", four)
		}
		if got := ids(staff.ListAll("/api/v1/visits?delegation_id="+dl, 50)); len(got) != 2 {
			t.Fatalf("visits of the delegation: %v", got)
		}
		if err := env.App.Store.DB.Exec(`UPDATE delegations SET voided_at = ?, void_reason = 'x' WHERE id = ?`, now, dl).Error; err != nil {
			t.Fatal(err)
		}
		r := staff.Post("/api/v1/visits", map[string]any{"session_id": s["id"], "case_id": c["id"], "person_ids": reps, "delegation_id": dl})
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
		mar15 := staff.Create("/api/v1/sessions", map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		mar18 := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		apr01 := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-04-01"})
		an := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An"})
		binh := staff.Create("/api/v1/persons", map[string]any{"full_name": "Trần Văn Bình"})
		land := staff.Create("/api/v1/cases", newCaseBody("Tranh chấp đất"))
		road := staff.Create("/api/v1/cases", newCaseBody("Kiến nghị làm đường"))
		var all []map[string]any
		add := func(s, c map[string]any, persons ...any) map[string]any {
			v := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case_id": c["id"], "person_ids": persons})
			all = append([]map[string]any{v}, all...)
			return v
		}
		v1 := add(mar15, land, an["id"])
		v2 := add(mar15, road, binh["id"])
		v3 := add(mar18, land, an["id"], binh["id"])
		v4 := add(mar18, road, binh["id"])
		v5 := add(apr01, land, an["id"])
		v6 := add(apr01, road, binh["id"], an["id"])
		v7 := add(apr01, road, binh["id"])

		pages := staff.ListAll("/api/v1/visits", 3)
		if fmt.Sprint(ids(pages)) != fmt.Sprint(ids(all)) {
			t.Fatalf("pages of 3 cover the 7 visits exactly once, newest first: %v", ids(pages))
		}
		if got := pages[1]["person_ids"].([]any); len(got) != 2 || got[0] != binh["id"] || got[1] != an["id"] {
			t.Fatalf("each listed visit carries its person_ids in order: %v", pages[1])
		}
		cases := []struct {
			query string
			want  []any
		}{
			{"session_id=" + mar18["id"].(string), []any{v4["id"], v3["id"]}},
			{"case_id=" + land["id"].(string), []any{v5["id"], v3["id"], v1["id"]}},
			{"person_id=" + an["id"].(string), []any{v6["id"], v5["id"], v3["id"], v1["id"]}},
			{"from=2024-03-16&to=2024-03-31", []any{v4["id"], v3["id"]}},
			{"to=2024-03-15", []any{v2["id"], v1["id"]}},
			{"kind=periodic", []any{v2["id"], v1["id"]}},
			{"kind=regular&person_id=" + an["id"].(string) + "&case_id=" + land["id"].(string), []any{v5["id"], v3["id"]}},
			{"case_id=no-such-case", nil},
		}
		for _, tc := range cases {
			got := ids(staff.ListAll("/api/v1/visits?"+tc.query, 2))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
			}
		}
		for _, bad := range []string{"from=2024-13-01", "to=2024-02-30", "kind=weekly", "limit=0", "cursor=zzz"} {
			if r := staff.Get("/api/v1/visits?" + bad); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
				t.Errorf("%s: want 422, got %s", bad, r)
			}
		}

		path := "/api/v1/visits/" + v7["id"].(string)
		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reason") {
			t.Fatalf("void without a reason: %s", r)
		}
		if r := staff.Delete(path + "?reason=ghi%20nh%E1%BA%A7m"); r.Status != http.StatusOK || r.JSON()["void_reason"] != "ghi nhầm" {
			t.Fatalf("void with a reason: %s", r)
		}
		if got := ids(staff.ListAll("/api/v1/visits?session_id="+apr01["id"].(string), 50)); len(got) != 2 {
			t.Fatalf("a voided visit is left out of lists: %v", got)
		}
		if got := ids(staff.ListAll("/api/v1/visits?session_id="+apr01["id"].(string)+"&include_voided=true", 50)); len(got) != 3 || got[0] != v7["id"] {
			t.Fatalf("and kept with include_voided: %v", got)
		}
		if r := staff.Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("a voided visit is gone from plain reads: %s", r)
		}
		if r := staff.Get(path + "?include_voided=true"); r.Status != http.StatusOK || len(r.JSON()["person_ids"].([]any)) != 1 {
			t.Fatalf("and readable with include_voided: %s", r)
		}
		if c := staff.Get("/api/v1/cases/" + road["id"].(string)).JSON(); c["visit_count"] != float64(3) {
			t.Fatalf("a voided visit counts for no case: %v", c)
		}
	})
}

func TestVisitPatch(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		v := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case": newCaseBody("Kiến nghị"), "outcome": "guided",
			"persons": []any{map[string]any{"full_name": "A Văn"}, map[string]any{"full_name": "B Thị"}}})
		path := "/api/v1/visits/" + v["id"].(string)
		etag := staff.Get(path).Header.Get("ETag")
		r := staff.Patch(path, map[string]any{"headcount": 6, "content": "Đề nghị  xem xét", "outcome": "transferred"}, "If-Match", etag)
		if r.Status != http.StatusOK || r.JSON()["headcount"] != float64(6) || r.JSON()["is_delegation"] != true ||
			r.JSON()["content"] != "Đề nghị xem xét" || r.JSON()["outcome"] != "transferred" || len(r.JSON()["person_ids"].([]any)) != 2 {
			t.Fatalf("PATCH with the current ETag: %s", r)
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
		if r := staff.Patch(path, map[string]any{"outcome": "", "headcount": 2}); r.Status != http.StatusOK || r.JSON()["outcome"] != nil || r.JSON()["headcount"] != float64(2) {
			t.Fatalf("an empty outcome clears it; the headcount may come down to the persons named: %s", r)
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
		s := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		tam := staff.Create("/api/v1/cases", map[string]any{"title": "Tranh chấp ranh giới đất với hộ ông Lê Văn Tám tại thôn Hà Thượng", "category": "complaint", "field": "land"})
		staff.Create("/api/v1/cases", map[string]any{"title": "Kiến nghị nâng cấp đường liên xã", "category": "petition", "field": "other"})
		an := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An"})

		v := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "person_ids": []any{an["id"]},
			"case": map[string]any{"title": "Tranh chấp ranh giới đất với hộ Lê Văn Tám", "category": "complaint", "field": "land"}})
		dups, _ := v["possible_duplicates"].([]any)
		if len(dups) != 1 || dups[0].(map[string]any)["case_id"] != tam["id"] || dups[0].(map[string]any)["score"].(float64) < 0.4 {
			t.Fatalf("a new case whose title matches an existing one is flagged: %v", v["possible_duplicates"])
		}
		v2 := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "person_ids": []any{an["id"]},
			"case": map[string]any{"title": "Đề nghị hỗ trợ chế độ người có công", "category": "petition", "field": "policy"}})
		if d, ok := v2["possible_duplicates"].([]any); !ok || len(d) != 0 {
			t.Fatalf("an unrelated title has no possible duplicates (an empty list): %v", v2)
		}
		v3 := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case_id": tam["id"], "person_ids": []any{an["id"]}})
		if _, present := v3["possible_duplicates"]; present {
			t.Fatalf("a visit to an existing case answers no possible_duplicates: %v", v3)
		}
		// the same matter reworded is flagged when the same person came about both (the scoring of
		// GET /cases/{id}/duplicates: internal/dedup)
		reworded := map[string]any{"title": "Kiến nghị hỗ trợ chế độ cho người có công với cách mạng", "category": "petition", "field": "policy"}
		v4 := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "person_ids": []any{an["id"]}, "case": reworded})
		d4, _ := v4["possible_duplicates"].([]any)
		if len(d4) != 1 || d4[0].(map[string]any)["case_id"] != v2["case_id"] {
			t.Fatalf("a case of the same person about the same matter, reworded, is flagged: %v", v4["possible_duplicates"])
		}
		// another person's, with the same generic wording and nothing that identifies a matter:
		// a pattern shared, no one in common, no duplicate
		v5 := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "persons": []any{map[string]any{"full_name": "Phan Thị Mơ"}}, "case": reworded})
		if d5, _ := v5["possible_duplicates"].([]any); len(d5) != 0 {
			t.Fatalf("another person's matter in the same generic words is not flagged: %v", v5["possible_duplicates"])
		}
	})
}

func TestRegistryAccessByRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		v := staff.Create("/api/v1/visits", map[string]any{"session_id": s["id"], "case": newCaseBody("Kiến nghị"),
			"persons": []any{map[string]any{"full_name": "A Văn"}}})
		one := map[string]string{"sessions": s["id"].(string), "cases": v["case_id"].(string), "visits": v["id"].(string)}
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
		var actions []string
		for _, e := range env.As(auth.Admin).Get("/api/v1/audit?entity=visit&entity_id=" + v["id"].(string)).Items() {
			actions = append(actions, e["action"].(string))
		}
		if fmt.Sprint(actions) != "[create]" {
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
		s := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		tam := staff.Create("/api/v1/cases", map[string]any{"title": "Tranh chấp ranh giới đất với hộ ông Lê Văn Tám tại thôn Hà Thượng", "category": "complaint", "field": "land"})
		an := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1970})
		names := []string{"Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Minh Dũng", "Hoàng Thị Hoa", "Võ Văn Hùng",
			"Đặng Thị Lan", "Bùi Quang Long", "Đỗ Thị Mai", "Hồ Văn Nam", "Ngô Thị Phương", "Dương Văn Sơn"}
		titles := []string{"Tranh chấp ranh giới đất với hộ Lê Văn Tám", "Khiếu nại quyết định thu hồi đất", "Đề nghị bồi thường giải phóng mặt bằng",
			"Tố cáo cán bộ địa chính", "Kiến nghị cấp giấy chứng nhận", "Khiếu nại chế độ người có công"}
		results := make(chan *testenv.Response, len(names))
		for i, name := range names {
			go func() {
				body := map[string]any{"session_id": s["id"], "persons": []any{map[string]any{"full_name": name, "birth_year": 1970}}}
				if i < len(titles) {
					body["case"] = map[string]any{"title": titles[i], "category": "complaint", "field": "land"}
				} else {
					body["case_id"] = tam["id"]
				}
				results <- staff.Post("/api/v1/visits", body)
			}()
		}
		for range names {
			r := <-results
			_, listed := r.JSON()["possible_duplicates"].([]any)
			if r.Status != http.StatusCreated || listed != (r.JSON()["case_id"] != tam["id"]) {
				t.Errorf("want 201 with possible_duplicates listed when it opened a case, got %s", r)
			}
		}
		if d := duplicatesOf(t, staff, "/api/v1/persons/"+an["id"].(string)); len(d) != 1 {
			t.Errorf("person duplicates with one connection: want the namesake born the same year, got %d", len(d))
		}
		duplicatesOf(t, staff, "/api/v1/cases/"+tam["id"].(string)) // answers 200
	})
}
