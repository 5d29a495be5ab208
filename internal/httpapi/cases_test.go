package httpapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func newCaseBody(title string) map[string]any {
	return map[string]any{"title": title, "category": "petition", "field": "other"}
}

var caseCodeFormat = regexp.MustCompile(`^VV-(\d{4})-(\d{6})$`)

func TestCaseRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		c := staff.Create("/api/v1/cases", map[string]any{"title": "Khiếu nại  quyết định thu hồi đất", "category": "complaint", "field": "land",
			"summary": "Ông A khiếu nại mức bồi thường", "respondent": "UBND huyện Gio Linh"})
		year := time.Now().In(env.App.Config.TimeZone).Year()
		if c["code"] != fmt.Sprintf("VV-%d-000001", year) {
			t.Fatalf("the first case of the organisation this year is VV-%d-000001: %v", year, c["code"])
		}
		if c["status"] != "open" || c["title"] != "Khiếu nại quyết định thu hồi đất" || c["merged_into"] != nil ||
			c["visit_count"] != float64(0) || c["first_visit_date"] != nil || c["org_id"] == "" {
			t.Fatalf("a new case is open, tidy, unmerged and has no visits: %v", c)
		}
		d := staff.Create("/api/v1/cases", map[string]any{"title": "Tố cáo cán bộ địa chính", "category": "denunciation", "field": "corruption", "status": "resolved"})
		if d["code"] != fmt.Sprintf("VV-%d-000002", year) || d["status"] != "resolved" {
			t.Fatalf("codes count up within the organisation: %v", d)
		}
		other := env.As(auth.Admin).Create("/api/v1/orgs", map[string]any{"code": "BTCD-GL", "name": "Ban Tiếp công dân huyện Gio Linh"})
		e := staff.Create("/api/v1/cases", map[string]any{"org_id": other["id"], "title": "Phản ánh ô nhiễm", "category": "feedback", "field": "other"})
		if e["code"] != fmt.Sprintf("VV-%d-000001", year) || e["org_id"] != other["id"] {
			t.Fatalf("each organisation numbers its own cases: %v", e)
		}

		bad := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"category": "complaint", "field": "land"}, "title"},
			{map[string]any{"title": " ... ", "category": "complaint", "field": "land"}, "title"},
			{map[string]any{"title": "X", "category": "lawsuit", "field": "land"}, "category"},
			{map[string]any{"title": "X", "field": "land"}, "category"},
			{map[string]any{"title": "X", "category": "complaint", "field": "tax"}, "field"},
			{map[string]any{"title": "X", "category": "complaint"}, "field"},
			{map[string]any{"title": "X", "category": "complaint", "field": "land", "status": "pending"}, "status"},
		}
		for _, b := range bad {
			r := staff.Post("/api/v1/cases", b.body)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%v: want 422 naming %s, got %s", b.body, b.field, r)
			}
		}
		if r := staff.Post("/api/v1/cases", map[string]any{"title": "X", "category": "complaint", "field": "land", "code": "VV-1"}); r.Status != http.StatusBadRequest {
			t.Errorf("the code is the service's: sending one is a malformed request, got %s", r)
		}
		f := staff.Create("/api/v1/cases", newCaseBody("Kiến nghị cấp sổ đỏ"))
		if f["code"] != fmt.Sprintf("VV-%d-000003", year) {
			t.Fatalf("refused creations leave the numbering alone: %v", f["code"])
		}
	})
}

func TestCaseCodesStayUniqueUnderConcurrentCreation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		session := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		const n = 12
		codes := make([]any, n)
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				body := newCaseBody(fmt.Sprintf("Kiến nghị số %d", i))
				if i%2 == 0 {
					r := staff.Post("/api/v1/cases", body)
					statuses[i], codes[i] = r.Status, r.JSON()["code"]
					return
				}
				// a case opened by a visit is numbered at the end of the visit's transaction
				r := staff.Post("/api/v1/visits", map[string]any{"session_id": session["id"], "case": body,
					"persons": []any{map[string]any{"full_name": fmt.Sprintf("Trần Văn %d", i)}}})
				if statuses[i] = r.Status; r.Status == http.StatusCreated {
					codes[i] = staff.Get("/api/v1/cases/" + r.JSON()["case_id"].(string)).JSON()["code"]
				}
			})
		}
		wg.Wait()
		seen := map[any]bool{}
		for i := range n {
			if statuses[i] != http.StatusCreated || !caseCodeFormat.MatchString(fmt.Sprint(codes[i])) || seen[codes[i]] {
				t.Fatalf("concurrent creations each get their own code: %v %v", statuses, codes)
			}
			seen[codes[i]] = true
		}
		year := caseCodeFormat.FindStringSubmatch(fmt.Sprint(codes[0]))[1]
		if want := fmt.Sprintf("VV-%s-%06d", year, n); !seen[want] {
			t.Fatalf("the numbers run without gaps up to %s: %v", want, codes)
		}
	})
}

func TestCaseSearchAndFilters(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		land := staff.Create("/api/v1/cases", map[string]any{"title": "Tranh chấp đất đai thôn Hà Thượng", "category": "complaint", "field": "land"})
		house := staff.Create("/api/v1/cases", map[string]any{"title": "Đề nghị hỗ trợ sửa nhà", "category": "petition", "field": "housing", "status": "closed"})
		corr := staff.Create("/api/v1/cases", map[string]any{"title": "Tố cáo sai phạm đất công", "category": "denunciation", "field": "corruption"})
		cases := []struct {
			query string
			want  []any
		}{
			{"", []any{corr["id"], house["id"], land["id"]}},
			{"q=tranh%20chap%20dat", []any{land["id"]}},
			{"q=" + urlQuery("ĐẤT"), []any{corr["id"], land["id"]}},
			{"q=" + urlQuery("đề nghị"), []any{house["id"]}},
			{"q=" + house["code"].(string), []any{house["id"]}},
			{"q=" + urlQuery(" vv"+house["code"].(string)[2:]+" "), []any{house["id"]}},
			{"status=closed", []any{house["id"]}},
			{"status=open", []any{corr["id"], land["id"]}},
			{"category=denunciation", []any{corr["id"]}},
			{"field=land", []any{land["id"]}},
			{"field=land&status=closed", nil},
		}
		for _, tc := range cases {
			got := ids(staff.ListAll("/api/v1/cases?"+tc.query, 2))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
			}
		}
	})
}

func TestCaseVisitFiguresFollowMerges(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		mar18 := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		mar15 := staff.Create("/api/v1/sessions", map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		apr02 := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-04-02"})
		p := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Thị Lan"})
		visit := func(session, caseID map[string]any) map[string]any {
			return staff.Create("/api/v1/visits", map[string]any{"session_id": session["id"], "case_id": caseID["id"], "person_ids": []any{p["id"]}})
		}
		survivor := staff.Create("/api/v1/cases", newCaseBody("Kiến nghị làm đường vào khu dân cư"))
		dup := staff.Create("/api/v1/cases", newCaseBody("Đề nghị làm đường khu dân cư"))
		if survivor["visit_count"] != float64(0) || survivor["first_visit_date"] != nil {
			t.Fatalf("no visits yet: %v", survivor)
		}
		visit(mar18, survivor)
		visit(mar15, survivor)
		voided := visit(apr02, survivor)
		staff.Delete("/api/v1/visits/" + voided["id"].(string) + "?reason=sai")
		dupVisit := visit(apr02, dup)
		got := staff.Get("/api/v1/cases/" + survivor["id"].(string)).JSON()
		if got["visit_count"] != float64(2) || got["first_visit_date"] != "2024-03-15" {
			t.Fatalf("two live visits, the first on 2024-03-15 (the voided one counts nowhere): %v", got)
		}

		// POST /cases/{id}/merge belongs to the de-duplication work; the merge is written here
		// as it stores one: merged_into set and root_seq pointing at the survivor.
		db := env.App.Store.DB
		if err := db.Exec(`UPDATE cases SET merged_into = ?, root_seq = (SELECT seq FROM cases WHERE id = ?) WHERE id = ?`,
			survivor["id"], survivor["id"], dup["id"]).Error; err != nil {
			t.Fatal(err)
		}
		list := staff.ListAll("/api/v1/cases", 1)
		if len(list) != 1 || list[0]["id"] != survivor["id"] || list[0]["visit_count"] != float64(3) || list[0]["first_visit_date"] != "2024-03-15" {
			t.Fatalf("merged cases are hidden and the survivor counts their visits: %v", list)
		}
		all := staff.ListAll("/api/v1/cases?include_merged=true", 1)
		if len(all) != 2 || all[0]["id"] != dup["id"] || all[0]["merged_into"] != survivor["id"] || all[0]["visit_count"] != float64(0) {
			t.Fatalf("include_merged shows the merged case, whose visits count for the survivor: %v", all)
		}
		if got := ids(staff.ListAll("/api/v1/visits?case_id="+survivor["id"].(string), 50)); len(got) != 3 || got[0] != dupVisit["id"] {
			t.Fatalf("the survivor's visits include the merged case's: %v", got)
		}
		if got := ids(staff.ListAll("/api/v1/visits?case_id="+dup["id"].(string), 50)); len(got) != 1 || got[0] != dupVisit["id"] {
			t.Fatalf("the merged case's own visits stay findable: %v", got)
		}
		if dupVisit["case_id"] != dup["id"] || staff.Get("/api/v1/visits/" + dupVisit["id"].(string)).JSON()["case_id"] != dup["id"] {
			t.Fatalf("a visit keeps the case it was recorded against")
		}
		if r := staff.Delete("/api/v1/cases/" + survivor["id"].(string) + "?reason=x"); r.Status != http.StatusConflict {
			t.Fatalf("a case with live visits cannot be voided: want 409, got %s", r)
		}
	})
}

func TestCaseConcurrencyAndVoid(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		c := staff.Create("/api/v1/cases", newCaseBody("Kiến nghị về chính sách người có công"))
		path := "/api/v1/cases/" + c["id"].(string)
		g := staff.Get(path)
		etag := g.Header.Get("ETag")
		if g.Status != http.StatusOK || etag == "" {
			t.Fatalf("GET one returns an ETag: %s", g)
		}
		r := staff.Patch(path, map[string]any{"status": "resolved", "title": "Kiến nghị chế độ người có công", "respondent": "Sở LĐTBXH"}, "If-Match", etag)
		if r.Status != http.StatusOK || r.JSON()["status"] != "resolved" || r.JSON()["code"] != c["code"] {
			t.Fatalf("PATCH with the current ETag keeps the code: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"status": "closed"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("PATCH with a stale ETag: want 412, got %s", r)
		}
		for field, v := range map[string]any{"status": "pending", "category": "lawsuit", "field": "tax", "title": "  "} {
			if r := staff.Patch(path, map[string]any{field: v}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(field) {
				t.Errorf("PATCH %s=%v: want 422 naming it, got %s", field, v, r)
			}
		}
		if r := staff.Patch(path, map[string]any{"respondent": ""}); r.Status != http.StatusOK || r.JSON()["respondent"] != nil {
			t.Fatalf("an empty string clears respondent: %s", r)
		}
		if got := ids(staff.ListAll("/api/v1/cases?q=che%20do", 50)); len(got) != 1 {
			t.Fatalf("search follows a new title: %v", got)
		}
		if r := staff.Get("/api/v1/cases/no-such-case"); r.Status != http.StatusNotFound || !r.IsProblem() {
			t.Fatalf("unknown case: want 404, got %s", r)
		}
		if r := staff.Delete(path + "?reason=tr%C3%B9ng"); r.Status != http.StatusOK || r.JSON()["void_reason"] != "trùng" {
			t.Fatalf("a case without visits can be voided: %s", r)
		}
		if n := len(staff.ListAll("/api/v1/cases", 50)); n != 0 {
			t.Fatalf("voided cases are left out of lists: %d", n)
		}
		if n := len(staff.ListAll("/api/v1/cases?include_voided=true", 50)); n != 1 {
			t.Fatalf("include_voided lists them: %d", n)
		}
	})
}
