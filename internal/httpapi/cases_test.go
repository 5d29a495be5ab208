package httpapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
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
		newCase := func(body map[string]any) apiclient.RegistryCase {
			return testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", body)
		}
		c := newCase(map[string]any{"title": "Khiếu nại  quyết định thu hồi đất", "category": "complaint", "field": "land",
			"summary": "Ông A khiếu nại mức bồi thường", "respondent": "UBND huyện Gio Linh"})
		year := time.Now().In(env.App.Config.TimeZone).Year()
		if c.Code != fmt.Sprintf("VV-%d-000001", year) {
			t.Fatalf("the first case of the organisation this year is VV-%d-000001: %v", year, c.Code)
		}
		if c.Status != "open" || c.Title != "Khiếu nại quyết định thu hồi đất" || c.MergedInto != nil ||
			c.VisitCount != 0 || c.FirstVisitDate != nil || c.OrgID == "" {
			t.Fatalf("a new case is open, tidy, unmerged and has no visits: %+v", c)
		}
		d := newCase(map[string]any{"title": "Tố cáo cán bộ địa chính", "category": "denunciation", "field": "corruption", "status": "resolved"})
		if d.Code != fmt.Sprintf("VV-%d-000002", year) || d.Status != "resolved" {
			t.Fatalf("codes count up within the organisation: %+v", d)
		}
		other := testenv.CreateAs[apiclient.OrgsOrg](env.As(auth.Admin), "/api/v1/orgs", map[string]any{"code": "BTCD-GL", "name": "Ban Tiếp công dân huyện Gio Linh"})
		e := newCase(map[string]any{"org_id": other.ID, "title": "Phản ánh ô nhiễm", "category": "feedback", "field": "other"})
		if e.Code != fmt.Sprintf("VV-%d-000001", year) || e.OrgID != other.ID {
			t.Fatalf("each organisation numbers its own cases: %+v", e)
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
		if f := newCase(newCaseBody("Kiến nghị cấp sổ đỏ")); f.Code != fmt.Sprintf("VV-%d-000003", year) {
			t.Fatalf("refused creations leave the numbering alone: %v", f.Code)
		}
	})
}

func TestCaseCodesStayUniqueUnderConcurrentCreation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		session := testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		const n = 12
		answers := make([]*testenv.Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				body := newCaseBody(fmt.Sprintf("Kiến nghị số %d", i))
				if i%2 == 0 {
					answers[i] = staff.Post("/api/v1/cases", body)
					return
				}
				// a case opened by a visit is numbered at the end of the visit's transaction
				answers[i] = staff.Post("/api/v1/visits", map[string]any{"session_id": session.ID, "case": body,
					"persons": []any{map[string]any{"full_name": fmt.Sprintf("Trần Văn %d", i)}}})
			})
		}
		wg.Wait()
		codes := make([]string, n)
		for i, r := range answers {
			if r.Status != http.StatusCreated {
				t.Fatalf("concurrent creation %d: %s", i, r)
			}
			if i%2 == 0 {
				codes[i] = testenv.Decode[apiclient.RegistryCase](t, r).Code
			} else {
				codes[i] = testenv.GetAs[apiclient.RegistryCase](staff, "/api/v1/cases/"+testenv.Decode[apiclient.RegistryCreatedVisit](t, r).CaseID).Code
			}
		}
		seen := map[string]bool{}
		for i := range n {
			if !caseCodeFormat.MatchString(codes[i]) || seen[codes[i]] {
				t.Fatalf("concurrent creations each get their own code: %v", codes)
			}
			seen[codes[i]] = true
		}
		year := caseCodeFormat.FindStringSubmatch(codes[0])[1]
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
		newCase := func(body map[string]any) apiclient.RegistryCase {
			return testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", body)
		}
		land := newCase(map[string]any{"title": "Tranh chấp đất đai thôn Hà Thượng", "category": "complaint", "field": "land"}).ID
		house := newCase(map[string]any{"title": "Đề nghị hỗ trợ sửa nhà", "category": "petition", "field": "housing", "status": "closed"})
		corr := newCase(map[string]any{"title": "Tố cáo sai phạm đất công", "category": "denunciation", "field": "corruption"}).ID
		cases := []struct {
			query string
			want  []string
		}{
			{"", []string{corr, house.ID, land}},
			{"q=tranh%20chap%20dat", []string{land}},
			{"q=" + urlQuery("ĐẤT"), []string{corr, land}},
			{"q=" + urlQuery("đề nghị"), []string{house.ID}},
			{"q=" + house.Code, []string{house.ID}},
			{"q=" + urlQuery(" vv"+house.Code[2:]+" "), []string{house.ID}},
			{"status=closed", []string{house.ID}},
			{"status=open", []string{corr, land}},
			{"category=denunciation", []string{corr}},
			{"field=land", []string{land}},
			{"field=land&status=closed", nil},
		}
		for _, tc := range cases {
			if got := idsOf(testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases?"+tc.query, 2)); !slices.Equal(got, tc.want) {
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
		session := func(body map[string]any) string {
			return testenv.CreateAs[apiclient.RegistrySession](staff, "/api/v1/sessions", body).ID
		}
		mar18 := session(map[string]any{"kind": "regular", "date": "2024-03-18"})
		mar15 := session(map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		apr02 := session(map[string]any{"kind": "regular", "date": "2024-04-02"})
		p := testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Nguyễn Thị Lan"})
		visit := func(sessionID, caseID string) apiclient.RegistryCreatedVisit {
			return testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": sessionID, "case_id": caseID, "person_ids": []string{p.ID}})
		}
		survivor := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", newCaseBody("Kiến nghị làm đường vào khu dân cư"))
		dup := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", newCaseBody("Đề nghị làm đường khu dân cư")).ID
		if survivor.VisitCount != 0 || survivor.FirstVisitDate != nil {
			t.Fatalf("no visits yet: %+v", survivor)
		}
		visit(mar18, survivor.ID)
		visit(mar15, survivor.ID)
		voided := visit(apr02, survivor.ID)
		staff.Delete("/api/v1/visits/" + voided.ID + "?reason=sai")
		dupVisit := visit(apr02, dup)
		got := testenv.GetAs[apiclient.RegistryCase](staff, "/api/v1/cases/"+survivor.ID)
		if got.VisitCount != 2 || dateOf(got.FirstVisitDate) != "2024-03-15" {
			t.Fatalf("two live visits, the first on 2024-03-15 (the voided one counts nowhere): %+v", got)
		}

		// POST /cases/{id}/merge belongs to the de-duplication work; the merge is written here
		// as it stores one: merged_into set and root_seq pointing at the survivor.
		db := env.App.Store.DB
		if err := db.Exec(`UPDATE cases SET merged_into = ?, root_seq = (SELECT seq FROM cases WHERE id = ?) WHERE id = ?`,
			survivor.ID, survivor.ID, dup).Error; err != nil {
			t.Fatal(err)
		}
		list := testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases", 1)
		if len(list) != 1 || list[0].ID != survivor.ID || list[0].VisitCount != 3 || dateOf(list[0].FirstVisitDate) != "2024-03-15" {
			t.Fatalf("merged cases are hidden and the survivor counts their visits: %+v", list)
		}
		all := testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases?include_merged=true", 1)
		if len(all) != 2 || all[0].ID != dup || orZero(all[0].MergedInto) != survivor.ID || all[0].VisitCount != 0 {
			t.Fatalf("include_merged shows the merged case, whose visits count for the survivor: %+v", all)
		}
		if got := idsOf(testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits?case_id="+survivor.ID, 50)); len(got) != 3 || got[0] != dupVisit.ID {
			t.Fatalf("the survivor's visits include the merged case's: %v", got)
		}
		if got := idsOf(testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits?case_id="+dup, 50)); len(got) != 1 || got[0] != dupVisit.ID {
			t.Fatalf("the merged case's own visits stay findable: %v", got)
		}
		if dupVisit.CaseID != dup || testenv.GetAs[apiclient.RegistryVisit](staff, "/api/v1/visits/"+dupVisit.ID).CaseID != dup {
			t.Fatalf("a visit keeps the case it was recorded against")
		}
		if r := staff.Delete("/api/v1/cases/" + survivor.ID + "?reason=x"); r.Status != http.StatusConflict {
			t.Fatalf("a case with live visits cannot be voided: want 409, got %s", r)
		}
	})
}

func TestCaseConcurrencyAndVoid(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		c := testenv.CreateAs[apiclient.RegistryCase](staff, "/api/v1/cases", newCaseBody("Kiến nghị về chính sách người có công"))
		path := "/api/v1/cases/" + c.ID
		g := staff.Get(path)
		etag := g.Header.Get("ETag")
		if g.Status != http.StatusOK || etag == "" {
			t.Fatalf("GET one returns an ETag: %s", g)
		}
		// okCase is the case a 200 answer carries; any other answer fails the test
		okCase := func(r *testenv.Response, what string) apiclient.RegistryCase {
			t.Helper()
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %s", what, r)
			}
			return testenv.Decode[apiclient.RegistryCase](t, r)
		}
		r := staff.Patch(path, map[string]any{"status": "resolved", "title": "Kiến nghị chế độ người có công", "respondent": "Sở LĐTBXH"}, "If-Match", etag)
		if got := okCase(r, "PATCH with the current ETag"); got.Status != "resolved" || got.Code != c.Code {
			t.Fatalf("PATCH with the current ETag keeps the code: %+v", got)
		}
		if r := staff.Patch(path, map[string]any{"status": "closed"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("PATCH with a stale ETag: want 412, got %s", r)
		}
		for field, v := range map[string]any{"status": "pending", "category": "lawsuit", "field": "tax", "title": "  "} {
			if r := staff.Patch(path, map[string]any{field: v}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(field) {
				t.Errorf("PATCH %s=%v: want 422 naming it, got %s", field, v, r)
			}
		}
		if got := okCase(staff.Patch(path, map[string]any{"respondent": ""}), "clearing respondent"); got.Respondent != nil {
			t.Fatalf("an empty string clears respondent: %+v", got)
		}
		if got := testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases?q=che%20do", 50); len(got) != 1 {
			t.Fatalf("search follows a new title: %v", idsOf(got))
		}
		if r := staff.Get("/api/v1/cases/no-such-case"); r.Status != http.StatusNotFound || !r.IsProblem() {
			t.Fatalf("unknown case: want 404, got %s", r)
		}
		if got := okCase(staff.Delete(path+"?reason=tr%C3%B9ng"), "a case without visits can be voided"); orZero(got.VoidReason) != "trùng" {
			t.Fatalf("a case without visits can be voided: %+v", got)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases", 50)); n != 0 {
			t.Fatalf("voided cases are left out of lists: %d", n)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases?include_voided=true", 50)); n != 1 {
			t.Fatalf("include_voided lists them: %d", n)
		}
	})
}
