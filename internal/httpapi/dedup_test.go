package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// candidate is one entry of GET /persons/{id}/duplicates or GET /cases/{id}/duplicates.
type candidate struct {
	Person  map[string]any `json:"person"`
	Case    map[string]any `json:"case"`
	Score   float64        `json:"score"`
	Reasons []string       `json:"reasons"`
}

func duplicatesOf(t *testing.T, c *testenv.Client, path string) []candidate {
	t.Helper()
	r := c.Get(path + "/duplicates")
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s/duplicates: %s", path, r)
	}
	var out []candidate
	r.Decode(t, &out)
	return out
}

// offered finds id among the candidates.
func offered(cands []candidate, id string) (candidate, bool) {
	for _, c := range cands {
		rec := c.Person
		if rec == nil {
			rec = c.Case
		}
		if rec["id"] == id {
			return c, true
		}
	}
	return candidate{}, false
}

func hasReason(c candidate, part string) bool {
	return slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.Contains(r, part) })
}

func TestPersonDuplicatesWeighEachKindOfEvidence(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		person := func(body map[string]any) string { return newPerson(staff, body).ID }
		addr := "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"

		an := person(map[string]any{"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1975, "id_number": "045075001234", "address": addr})
		sameCCCD := person(map[string]any{"full_name": "NGUYEN V. AN", "id_number": "045 075 001 234"})
		namesake := person(map[string]any{"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1990, "id_number": "045090004321", "address": addr})
		hop := person(map[string]any{"full_name": "Trần Thị Bích Hợp", "phone": "0905111222"})
		samePhone := person(map[string]any{"full_name": "Tran Thi Bich Hop", "phone": "0905 111 222"})
		household := person(map[string]any{"full_name": "Lê Văn Tám", "gender": "male", "phone": "0905111222", "address": addr})
		xuyen := person(map[string]any{"full_name": "Khổng Minh Xuyến", "birth_year": 1962})
		unaccented := person(map[string]any{"full_name": "Khong Minh Xuyen", "birth_year": 1962})
		typo := person(map[string]any{"full_name": "Khổng Minh Xuyếm", "birth_year": 1962})
		thuy := person(map[string]any{"full_name": "Lê Thị Thủy", "birth_year": 1980, "address": addr})
		thuyNew := person(map[string]any{"full_name": "Lê Thị Thuỷ", "birth_year": 1980, "address": "Th. 3, X. Gio Mỹ, H. Gio Linh, T. Quảng Trị"})
		hung := person(map[string]any{"full_name": "Phạm Văn Hùng", "gender": "male", "birth_year": 1970})
		hung2 := person(map[string]any{"full_name": "Phạm Văn Hưng", "gender": "male", "birth_year": 1970})
		anh := person(map[string]any{"full_name": "Đào Minh Anh", "gender": "male", "birth_year": 1990})
		anhF := person(map[string]any{"full_name": "Đào Minh Anh", "gender": "female", "birth_year": 1990})
		voided := person(map[string]any{"full_name": "Khổng Minh Xuyến", "birth_year": 1962})
		if r := staff.Delete("/api/v1/persons/" + voided + "?reason=nh%E1%BA%ADp%20nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}

		want := []struct {
			what, probe, other, reason string
		}{
			{"the same CCCD decides however the name was written", an, sameCCCD, "same CCCD"},
			{"the same phone and name", hop, samePhone, "same phone"},
			{"a name written without diacritics", xuyen, unaccented, "name matches without diacritics"},
			{"a typo in the given name", xuyen, typo, "typo: Xuyến / Xuyếm"},
			{"old and new tone placement, an abbreviated address", thuy, thuyNew, "same name"},
			{"...and the address", thuy, thuyNew, "same address"},
		}
		for _, w := range want {
			c, ok := offered(duplicatesOf(t, staff, "/api/v1/persons/"+w.probe), w.other)
			if !ok || c.Score < 0.4 || c.Score > 1 || !hasReason(c, w.reason) {
				t.Errorf("%s: want the other offered with %q, got %+v (offered %v)", w.what, w.reason, c, ok)
			}
			if back, ok := offered(duplicatesOf(t, staff, "/api/v1/persons/"+w.other), w.probe); !ok || back.Score != c.Score {
				t.Errorf("%s: the pair scores the same from either side: %v and %v", w.what, c.Score, back.Score)
			}
		}
		notWanted := []struct{ what, probe, other string }{
			{"hard negative: the same common name with another CCCD and birth year", an, namesake},
			{"a household shares a phone, not a name", hop, household},
			{"Hùng and Hưng fold alike but are two names", hung, hung2},
			{"another gender", anh, anhF},
			{"a voided record", xuyen, voided},
			{"the person itself", an, an},
		}
		for _, w := range notWanted {
			if c, ok := offered(duplicatesOf(t, staff, "/api/v1/persons/"+w.probe), w.other); ok {
				t.Errorf("%s: not offered, got %+v", w.what, c)
			}
		}
		list := duplicatesOf(t, staff, "/api/v1/persons/"+xuyen)
		for i := 1; i < len(list); i++ {
			if list[i].Score > list[i-1].Score {
				t.Fatalf("best first: %+v", list)
			}
		}
		// a lower bar shows weaker candidates too, with the evidence against them
		r := staff.Get("/api/v1/persons/" + an + "/duplicates?min_score=0.000001")
		var weak []candidate
		r.Decode(t, &weak)
		if c, ok := offered(weak, namesake); ok && !hasReason(c, "different CCCD") {
			t.Errorf("the namesake's evidence says why: %+v", c)
		}

		admin := env.As(auth.Admin)
		if actions := auditActions(admin, "person", an); !slices.Contains(actions, "read_duplicates") {
			t.Errorf("a duplicates lookup discloses persons: it is audited, got %v", actions)
		}
	})
}

// The ways Vietnamese names really vary: the given name written first (as other systems export
// it), another accepted i/y spelling of a two-letter name, an initial misheard the regional way
// (which changes every blocking key the name had).
func TestPersonDuplicatesReadVietnameseNameVariation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		person := func(body map[string]any) string { return newPerson(staff, body).ID }
		addr := "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"

		lan := person(map[string]any{"full_name": "Nguyễn Thị Lan", "gender": "female", "birth_year": 1980, "address": addr})
		rotated := person(map[string]any{"full_name": "Lan Nguyễn Thị", "birth_year": 1980, "address": addr})
		vy := person(map[string]any{"full_name": "Phan Thị Vy", "birth_year": 1995, "phone": "0905333444"})
		vi := person(map[string]any{"full_name": "PHAN THỊ VI", "birth_year": 1995, "phone": "0905333444"})
		loan := person(map[string]any{"full_name": "Hoàng Thị Loan", "birth_year": 1972, "address": addr})
		noan := person(map[string]any{"full_name": "Hoàng Thị Noan", "birth_year": 1973, "address": addr})
		vu := person(map[string]any{"full_name": "Phan Thị Vũ", "birth_year": 1995})

		for _, w := range []struct{ what, probe, other, reason string }{
			{"the given name written first", rotated, lan, "same name, written in another order"},
			{"another accepted spelling of a two-letter name", vi, vy, "another accepted spelling: VI / Vy"},
			{"an initial misheard, a year off", noan, loan, "as heard in a regional accent: Noan / Loan"},
		} {
			c, ok := offered(duplicatesOf(t, staff, "/api/v1/persons/"+w.probe), w.other)
			if !ok || !hasReason(c, w.reason) {
				t.Errorf("%s: want the other offered with %q, got %+v (offered %v)", w.what, w.reason, c, ok)
			}
			if back, ok := offered(duplicatesOf(t, staff, "/api/v1/persons/"+w.other), w.probe); !ok || back.Score != c.Score {
				t.Errorf("%s: the pair scores the same from either side: %v and %v", w.what, c.Score, back.Score)
			}
		}
		if c, ok := offered(duplicatesOf(t, staff, "/api/v1/persons/"+vy), vu); ok {
			t.Errorf("Vy and Vũ are two names, one letter apart: not offered, got %+v", c)
		}
	})
}

func TestPersonMergeChainsAndUnmerge(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		person := func(name string) string {
			return newPerson(staff, map[string]any{"full_name": name, "birth_year": 1962}).ID
		}
		a, b, c, d := person("Khổng Minh Xuyến"), person("Khong Minh Xuyen"), person("KHỔNG MINH XUYẾN"), person("Khổng  Minh Xuyến")
		path := func(id string) string { return "/api/v1/persons/" + id }
		// mergedInto is the survivor a person's answer names, nil for one not merged
		mergedInto := func(r *testenv.Response) *string { return testenv.Decode[apiclient.RegistryPerson](t, r).MergedInto }
		survivorOf := func(id string) *string { return mergedInto(staff.Get(path(id))) }

		r := staff.Post(path(a)+"/merge", map[string]any{"into": b})
		if r.Status != http.StatusOK || orZero(mergedInto(r)) != b || r.Header.Get("ETag") == "" {
			t.Fatalf("merge A into B: %s", r)
		}
		if g := staff.Get(path(a)); g.Status != http.StatusOK || orZero(mergedInto(g)) != b {
			t.Fatalf("a merged person stays readable with merged_into: %s", g)
		}
		if slices.Contains(ids(staff.ListAll("/api/v1/persons?q=xuyen", 50)), a) {
			t.Fatalf("a merged person leaves lists")
		}
		if !slices.Contains(ids(staff.ListAll("/api/v1/persons?q=xuyen&include_merged=true", 50)), a) {
			t.Fatalf("...unless include_merged=true")
		}
		if _, ok := offered(duplicatesOf(t, staff, path(b)), a); ok {
			t.Fatalf("a merged person is no longer offered as a duplicate")
		}
		if r := staff.Post(path(a)+"/merge", map[string]any{"into": c}); r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("merging a merged person again: want 409, got %s", r)
		}
		// C into A (merged into B) goes on to B, the survivor
		if r := staff.Post(path(c)+"/merge", map[string]any{"into": a}); r.Status != http.StatusOK || orZero(mergedInto(r)) != b {
			t.Fatalf("merge into a merged person follows to its survivor: %s", r)
		}
		// the survivor merged on: B into D; A and C follow B
		if r := staff.Post(path(b)+"/merge", map[string]any{"into": d}); r.Status != http.StatusOK || orZero(mergedInto(r)) != d {
			t.Fatalf("merge B into D: %s", r)
		}
		if r := staff.Post(path(d)+"/merge", map[string]any{"into": a}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("into") {
			t.Fatalf("D into A (whose survivor is D) would loop: want 422 naming into, got %s", r)
		}
		// unmerging B restores B as the survivor of A and C, and D alone
		if r := staff.Post(path(b)+"/unmerge", nil); r.Status != http.StatusOK || mergedInto(r) != nil {
			t.Fatalf("unmerge B: %s", r)
		}
		if orZero(survivorOf(a)) != b || orZero(survivorOf(c)) != b {
			t.Fatalf("A and C stay merged into B")
		}
		if r := staff.Post(path(b)+"/unmerge", nil); r.Status != http.StatusConflict {
			t.Fatalf("unmerging a person who is not merged: want 409, got %s", r)
		}
		etag := staff.Get(path(a)).Header.Get("ETag")
		staff.Patch(path(a), map[string]any{"phone": "0912000111"})
		if r := staff.Post(path(a)+"/unmerge", nil, "If-Match", etag); r.Status != http.StatusPreconditionFailed {
			t.Fatalf("unmerge with a stale ETag: want 412, got %s", r)
		}
		if r := staff.Post(path(a)+"/unmerge", nil); r.Status != http.StatusOK || mergedInto(r) != nil {
			t.Fatalf("unmerge A: %s", r)
		}
		if _, ok := offered(duplicatesOf(t, staff, path(d)), a); !ok {
			t.Fatalf("an unmerged person is offered again")
		}

		voided := person("Khổng Minh Xuyến")
		staff.Delete(path(voided) + "?reason=sai")
		for _, bad := range []struct {
			what string
			body any
		}{
			{"into itself", map[string]any{"into": a}},
			{"into a voided person", map[string]any{"into": voided}},
			{"into an unknown person", map[string]any{"into": "nobody"}},
			{"without into", map[string]any{}},
		} {
			if r := staff.Post(path(a)+"/merge", bad.body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("into") {
				t.Errorf("merge %s: want 422 naming into, got %s", bad.what, r)
			}
		}
		if r := staff.Post(path("nobody")+"/merge", map[string]any{"into": a}); r.Status != http.StatusNotFound {
			t.Errorf("merging an unknown person: want 404, got %s", r)
		}
		if r := staff.Get(path(a)); r.Status != http.StatusOK || mergedInto(r) != nil {
			t.Errorf("a refused merge changes nothing: %s", r)
		}

		admin := env.As(auth.Admin)
		actions := map[string]int{}
		for _, e := range testenv.ListAllAs[apiclient.AuditEntry](admin, "/api/v1/audit?entity=person", 200) {
			actions[e.Action]++
		}
		if actions["merge"] != 3 || actions["unmerge"] != 2 {
			t.Errorf("every merge and unmerge is audited, got %v", actions)
		}
	})
}

func TestCaseDuplicatesWeighCitizensRespondentAndText(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		session := newSession(staff, "regular", "2024-03-18")
		visit := func(body map[string]any) apiclient.RegistryCreatedVisit {
			body["session_id"] = session
			return testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", body)
		}
		caseOf := func(persons []any, c map[string]any) string {
			return visit(map[string]any{"persons": persons, "case": c}).CaseID
		}
		an := map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1975, "id_number": "045075001234"}
		anCopy := map[string]any{"full_name": "Nguyen Van An", "id_number": "045075001234"}
		binh := map[string]any{"full_name": "Trần Thị Bình", "birth_year": 1980}
		land := caseOf([]any{an}, map[string]any{"title": "Khiếu nại việc thu hồi đất thửa số 125, tờ bản đồ số 7, xã Gio Mỹ",
			"category": "complaint", "field": "land", "respondent": "UBND huyện Gio Linh"})
		// the same citizen, as another person record matched by CCCD, about the same plot
		again := caseOf([]any{anCopy}, map[string]any{"title": "Khieu nai thu hoi dat thua 125 to ban do 7 xa Gio My",
			"category": "complaint", "field": "land", "respondent": "Ủy ban nhân dân huyện Gio Linh"})
		// the same citizen about another matter
		other := caseOf([]any{an}, map[string]any{"title": "Đề nghị xét trợ cấp bảo trợ xã hội cho người cao tuổi",
			"category": "petition", "field": "policy", "respondent": "UBND xã Gio Mỹ"})
		// a neighbour about the same plot, at the same respondent
		neighbour := caseOf([]any{binh}, map[string]any{"title": "Khiếu nại việc thu hồi đất thửa số 125, tờ bản đồ số 7, xã Gio Mỹ",
			"category": "complaint", "field": "land", "respondent": "UBND huyện Gio Linh"})
		// a plot next door: the same pattern, other specifics
		nextDoor := caseOf([]any{binh}, map[string]any{"title": "Khiếu nại việc thu hồi đất thửa số 311, tờ bản đồ số 9, xã Gio Mỹ",
			"category": "complaint", "field": "land", "respondent": "UBND huyện Gio Linh"})

		dups := duplicatesOf(t, staff, "/api/v1/cases/"+land)
		c, ok := offered(dups, again)
		if !ok || !hasReason(c, "same citizen: Nguyễn Văn An") || !hasReason(c, "same respondent: UBND huyện Gio Linh") || !hasReason(c, "title similarity") {
			t.Errorf("the same matter by the same citizen (matched by CCCD), reworded: want offered with reasons, got %+v (%v)", c, ok)
		}
		if c, ok := offered(dups, neighbour); !ok || !hasReason(c, "same respondent: UBND huyện Gio Linh") || !hasReason(c, "title similarity 1.00") {
			t.Errorf("the same matter brought by a neighbour: want offered, got %+v (%v)", c, ok)
		}
		if c, ok := offered(dups, other); ok {
			t.Errorf("the same citizen about another matter is not a duplicate: %+v", c)
		}
		if c, ok := offered(dups, nextDoor); ok {
			t.Errorf("another plot under the same pattern is another matter: %+v", c)
		}
		whole := map[string]apiclient.RegistryCase{}
		for _, d := range testenv.GetAs[[]apiclient.RegistryCaseDuplicate](staff, "/api/v1/cases/"+land+"/duplicates") {
			whole[d.Case.ID] = d.Case
		}
		if w := whole[again]; !strings.HasPrefix(w.Code, "VV-") || w.VisitCount != 1 {
			t.Errorf("candidates carry the whole case: %+v", w)
		}
		for i := 1; i < len(dups); i++ {
			if dups[i].Score > dups[i-1].Score {
				t.Fatalf("best first: %+v", dups)
			}
		}
		// a delegation that came about two cases, through different members
		rep := newPerson(staff, map[string]any{"full_name": "Hồ Văn Định"}).ID
		delegation := newDelegation(staff, map[string]any{"name": "Đoàn công dân thôn Tân Định", "member_count": 8,
			"representative_ids": []any{rep}}).ID
		byDelegation := func(who map[string]any, title string) string {
			return visit(map[string]any{"delegation_id": delegation, "persons": []any{who},
				"case": map[string]any{"title": title, "category": "petition", "field": "land"}}).CaseID
		}
		road := byDelegation(map[string]any{"full_name": "Hồ Thị Mai"}, "Kiến nghị bồi thường đất làm đường tránh thôn Tân Định")
		road2 := byDelegation(map[string]any{"full_name": "Lê Văn Quý"}, "Đề nghị xem xét bồi thường đất dự án đường tránh, thôn Tân Định")
		if c, ok := offered(duplicatesOf(t, staff, "/api/v1/cases/"+road), road2); !ok || !hasReason(c, "same delegation: Đoàn công dân thôn Tân Định") {
			t.Errorf("two cases the same delegation came about: want offered with the delegation as a reason, got %+v (%v)", c, ok)
		}

		// at intake, the same scoring answers possible_duplicates
		v := visit(map[string]any{"persons": []any{an},
			"case": map[string]any{"title": "Khiếu nại thu hồi đất thửa 125 tờ bản đồ 7 Gio Mỹ", "category": "complaint", "field": "land"}})
		possible := orZero(v.PossibleDuplicates)
		var flagged []string
		for _, p := range possible {
			flagged = append(flagged, p.CaseID)
		}
		if !slices.Contains(flagged, land) || slices.Contains(flagged, other) {
			t.Errorf("possible_duplicates flags the same matter, not the citizen's other one: %v", possible)
		}
	})
}

// caseFigures reads a case's visit_count and merged_into.
func caseFigures(c *testenv.Client, id string) (int, *string) {
	m := testenv.GetAs[apiclient.RegistryCase](c, "/api/v1/cases/"+id)
	return m.VisitCount, m.MergedInto
}

func TestCaseMergeCountsOnceAndUnmergeRestores(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff, agency := env.As(auth.Staff), env.As(auth.Agency)
		session := newSession(staff, "regular", "2024-03-18")
		caseVisited := func(title string, visits int) string {
			id := newCase(staff, title)
			for range visits {
				staff.Create("/api/v1/visits", map[string]any{"session_id": session, "case_id": id, "persons": []any{map[string]any{"full_name": "Lê Văn Tám"}}})
			}
			return id
		}
		a, b, c := caseVisited("Tranh chấp đất thửa 12", 1), caseVisited("Tranh chấp đất thửa số 12", 2), caseVisited("Tranh chap dat thua 12", 3)
		cases := func() int {
			t.Helper()
			return getSummary(t, agency, "from=2024-01-01&to=2024-12-31").Cases
		}
		mergedCase := func(r *testenv.Response) apiclient.RegistryCase { return testenv.Decode[apiclient.RegistryCase](t, r) }
		before := cases()
		if before != 3 {
			t.Fatalf("three cases before any merge, got %v", before)
		}

		if r := staff.Post("/api/v1/cases/"+a+"/merge", map[string]any{"into": b}); r.Status != http.StatusOK || orZero(mergedCase(r).MergedInto) != b || mergedCase(r).VisitCount != 0 {
			t.Fatalf("merge A into B: a merged case counts no visits itself: %s", r)
		}
		if n, _ := caseFigures(staff, b); n != 3 {
			t.Fatalf("B counts its visits and A's: %v", n)
		}
		if n := cases(); n != 2 {
			t.Fatalf("after A into B the period counts 2 cases, got %v", n)
		}
		// chain: B into C; A, B and C all count as C
		if r := staff.Post("/api/v1/cases/"+b+"/merge", map[string]any{"into": c}); r.Status != http.StatusOK {
			t.Fatalf("merge B into C: %s", r)
		}
		if n, _ := caseFigures(staff, c); n != 6 {
			t.Fatalf("C counts the whole chain's visits: %v", n)
		}
		if n, into := caseFigures(staff, a); n != 0 || orZero(into) != b {
			t.Fatalf("A stays merged into B (the chain is kept): %v %v", n, orZero(into))
		}
		if n := cases(); n != 1 {
			t.Fatalf("after B into C the period counts 1 case, got %v", n)
		}
		// unmerging B restores B with A under it, and C alone
		if r := staff.Post("/api/v1/cases/"+b+"/unmerge", nil); r.Status != http.StatusOK || mergedCase(r).VisitCount != 3 {
			t.Fatalf("unmerge B: B counts A's visits and its own again: %s", r)
		}
		if n, _ := caseFigures(staff, c); n != 3 {
			t.Fatalf("C counts its own visits again: %v", n)
		}
		if n := cases(); n != 2 {
			t.Fatalf("after unmerging B the period counts 2 cases, got %v", n)
		}
		if r := staff.Post("/api/v1/cases/"+a+"/unmerge", nil); r.Status != http.StatusOK {
			t.Fatalf("unmerge A: %s", r)
		}
		for id, want := range map[string]int{a: 1, b: 2, c: 3} {
			if n, into := caseFigures(staff, id); n != want || into != nil {
				t.Errorf("all unmerged: each case counts its own visits (%s: %v, merged_into %v)", id, n, orZero(into))
			}
		}
		if n := cases(); n != before {
			t.Fatalf("after every unmerge the counts are restored: %v, want %v", n, before)
		}

		voided := caseVisited("Tranh chấp đất thửa 99", 0)
		staff.Delete("/api/v1/cases/" + voided + "?reason=sai")
		for _, bad := range []map[string]any{{"into": a}, {"into": voided}, {"into": "nothing"}} {
			if r := staff.Post("/api/v1/cases/"+a+"/merge", bad); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("into") {
				t.Errorf("merge %v: want 422 naming into, got %s", bad, r)
			}
		}
		if r := staff.Post("/api/v1/cases/"+a+"/merge", map[string]any{"into": b}); r.Status != http.StatusOK {
			t.Fatalf("merge A into B: %s", r)
		}
		if r := staff.Delete("/api/v1/cases/" + b + "?reason=sai"); r.Status != http.StatusConflict {
			t.Errorf("a survivor cannot be voided under its merged cases: %s", r)
		}
		admin := env.As(auth.Admin)
		var merges, unmerges int
		for _, e := range testenv.ListAllAs[apiclient.AuditEntry](admin, "/api/v1/audit?entity=case", 200) {
			switch e.Action {
			case "merge":
				merges++
			case "unmerge":
				unmerges++
			}
		}
		if merges != 3 || unmerges != 2 {
			t.Errorf("every case merge and unmerge is audited: %d merges, %d unmerges", merges, unmerges)
		}
	})
}

func TestNotDuplicateIsNeverSuggestedAgain(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		a := newPerson(staff, map[string]any{"full_name": "Khổng Minh Xuyến", "birth_year": 1962}).ID
		b := newPerson(staff, map[string]any{"full_name": "Khong Minh Xuyen", "birth_year": 1962}).ID
		ca, cb := newCase(staff, "Tranh chấp đất thửa 12 thôn Hà Thượng"), newCase(staff, "Tranh chấp đất thửa 12 thôn Hà Thượng")
		decision := func(r *testenv.Response) apiclient.RegistryDecision {
			return testenv.Decode[apiclient.RegistryDecision](t, r)
		}
		for _, k := range []struct{ kind, a, b string }{{"persons", a, b}, {"cases", ca, cb}} {
			base := "/api/v1/" + k.kind + "/"
			if _, ok := offered(duplicatesOf(t, staff, base+k.a), k.b); !ok {
				t.Fatalf("%s: the pair is offered before any decision", k.kind)
			}
			if r := env.As(auth.Admin).Get("/api/v1/dedup/candidates?type=" + strings.TrimSuffix(k.kind, "s")); len(r.Items()) != 1 {
				t.Fatalf("%s: the scan finds the pair: %s", k.kind, r)
			}
			r := staff.Post(base+k.b+"/not-duplicate", map[string]any{"other": k.a})
			if r.Status != http.StatusOK || decision(r).Other != k.a || decision(r).DecidedBy == "" {
				t.Fatalf("%s not-duplicate: %s", k.kind, r)
			}
			if again := staff.Post(base+k.a+"/not-duplicate", map[string]any{"other": k.b}); again.Status != http.StatusOK || decision(again).DecidedAt != decision(r).DecidedAt {
				t.Fatalf("%s: recording the decision again answers the first one: %s", k.kind, again)
			}
			for _, probe := range []string{k.a, k.b} {
				if c, ok := offered(duplicatesOf(t, staff, base+probe), map[string]string{k.a: k.b, k.b: k.a}[probe]); ok {
					t.Errorf("%s: a pair declared distinct is never suggested again: %+v", k.kind, c)
				}
			}
			if r := staff.Get("/api/v1/dedup/candidates?type=" + strings.TrimSuffix(k.kind, "s")); len(r.Items()) != 0 {
				t.Errorf("%s: nor in the scan's candidates: %s", k.kind, r)
			}
			for _, bad := range []map[string]any{{"other": k.a}, {"other": "nobody"}, {}} {
				if r := staff.Post(base+k.a+"/not-duplicate", bad); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("other") {
					t.Errorf("%s not-duplicate %v: want 422 naming other, got %s", k.kind, bad, r)
				}
			}
		}
		if actions := auditActions(env.As(auth.Admin), "case", cb); !slices.Contains(actions, "not_duplicate") {
			t.Errorf("a not-duplicate decision is audited: %v", actions)
		}
	})
}

func TestDedupCandidatesAcrossTheRegister(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		pairs := [][2]string{
			{"Khổng Minh Xuyến", "Khong Minh Xuyen"}, {"Lê Thị Thủy", "LÊ THỊ THUỶ"}, {"Đoàn Văn Tường", "Doan Van Tuong"},
		}
		var first string
		for _, p := range pairs {
			first = newPerson(staff, map[string]any{"full_name": p[0], "birth_year": 1960}).ID
			staff.Create("/api/v1/persons", map[string]any{"full_name": p[1], "birth_year": 1960})
		}
		staff.Create("/api/v1/persons", map[string]any{"full_name": "Trần Văn Một", "birth_year": 1950})
		admin := env.As(auth.Admin)
		r := admin.Post("/api/v1/dedup/scan?type=person", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("scan: %s", r)
		}
		if scan := testenv.Decode[apiclient.RegistryScanResult](t, r); scan.Pairs != 3 || scan.Records != 7 {
			t.Fatalf("scan: %s", r)
		}
		// read page by page as ListAllAs would, through the list's own model: it carries the scan's time
		var all []apiclient.RegistryDuplicatePair
		path := "/api/v1/dedup/candidates?type=person&limit=2"
		for pages := 0; pages < 10; pages++ {
			page := testenv.GetAs[apiclient.HttpapiDuplicatePairList](staff, path)
			if len(page.Items) > 2 {
				t.Fatalf("a page of limit 2 holds %d pairs", len(page.Items))
			}
			if all = append(all, page.Items...); page.NextCursor == nil || *page.NextCursor == "" {
				break
			}
			path = "/api/v1/dedup/candidates?type=person&limit=2&cursor=" + *page.NextCursor
		}
		if len(all) != 3 {
			t.Fatalf("three pairs, over pages of 2: %+v", all)
		}
		for _, p := range all {
			if len(orZero(p.Persons)) != 2 || p.Cases != nil || p.Score < 0.4 || len(p.Reasons) == 0 {
				t.Fatalf("a pair carries both persons, its score and reasons: %+v", p)
			}
		}
		best := *all[0].Persons
		if r := staff.Post("/api/v1/persons/"+best[1].ID+"/merge", map[string]any{"into": best[0].ID}); r.Status != http.StatusOK {
			t.Fatalf("merge the best pair: %s", r)
		}
		if n := len(staff.ListAll("/api/v1/dedup/candidates?type=person", 50)); n != 2 {
			t.Errorf("a pair merged since the scan is left out: %d pairs", n)
		}
		for _, bad := range []string{"?type=visit", "", "?type=person&limit=0"} {
			if r := staff.Get("/api/v1/dedup/candidates" + bad); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
				t.Errorf("candidates%s: want 422, got %s", bad, r)
			}
		}
		if r := admin.Post("/api/v1/dedup/scan?type=visit", nil); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("type") {
			t.Errorf("scan of an unknown type: want 422, got %s", r)
		}
		agency := env.As(auth.Agency)
		for _, path := range []string{"/api/v1/dedup/candidates?type=person", "/api/v1/persons/" + first + "/duplicates"} {
			if r := agency.Get(path); r.Status != http.StatusForbidden {
				t.Errorf("agency tokens never see personal data: GET %s want 403, got %s", path, r)
			}
		}
		if r := env.As(auth.Auditor).Post("/api/v1/persons/"+first+"/unmerge", nil); r.Status != http.StatusForbidden {
			t.Errorf("auditors write nothing: %s", r)
		}
	})
}

// Persons are kept parsed between lookups; an edited person is compared as edited.
func TestPersonDuplicatesFollowEdits(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		an := newPerson(staff, map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1975, "gender": "male",
			"address": "xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"}).ID
		copyOf := newPerson(staff, map[string]any{"full_name": "Nguyen Van An", "birth_year": 1975, "gender": "male",
			"address": "xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"}).ID
		path := "/api/v1/persons/" + an
		if _, ok := offered(duplicatesOf(t, staff, path), copyOf); !ok {
			t.Fatalf("the same name without diacritics, year and address is offered")
		}
		// still a neighbour (same address and year), so compared again, now as someone else
		if r := staff.Patch("/api/v1/persons/"+copyOf, map[string]any{"full_name": "Trần Thị Bích",
			"gender": "female"}); r.Status != http.StatusOK {
			t.Fatalf("PATCH: %s", r)
		}
		if c, ok := offered(duplicatesOf(t, staff, path), copyOf); ok {
			t.Fatalf("once renamed, the neighbour is no longer offered: %+v", c)
		}
	})
}

// The address is a key once spelled out and folded: a later record whose address was written
// short, and whose name changed on its first letters (Trầng heard for Trần), is compared with
// the citizen's record through it, also without a birth year (which leaves no key of the
// name's parts), also after an edit wrote the address; and a register from before the key
// derives it at a start.
func TestPersonDuplicatesFoundThroughTheAddressSpelledOut(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		url := testenv.MigratedDatabaseURL(t, backend)
		a := testenv.StartOn(t, backend, url)
		token := a.Token(auth.Staff, "")
		staff := a.Client(token)
		thanh := newPerson(staff, map[string]any{"full_name": "Trần Hữu Thành", "gender": "male", "birth_year": 1986,
			"address": "Thôn 5, xã Hải Ba, huyện Hải Lăng, tỉnh Quảng Trị"}).ID
		heard := newPerson(staff, map[string]any{"full_name": "Trầng Hữu Thành", "address": "Th. 5, X. Hải Ba, H. Hải Lăng, T. Quảng Trị"}).ID
		edited := newPerson(staff, map[string]any{"full_name": "Chần Hữu Thành", "address": "Thôn 9, xã Gio Mỹ, huyện Gio Linh"}).ID
		if r := staff.Patch("/api/v1/persons/"+edited, map[string]any{"address": "THÔN 5, XÃ HẢI BA, HUYỆN HẢI LĂNG, TỈNH QUẢNG TRỊ"}); r.Status != http.StatusOK {
			t.Fatalf("edit: %s", r)
		}
		check := func(c *testenv.Client, when string) {
			for _, other := range []string{heard, edited} {
				got, ok := offered(duplicatesOf(t, c, "/api/v1/persons/"+other), thanh)
				if !ok || !hasReason(got, "same address") {
					t.Errorf("%s: the citizen's record offered with the same address, got %+v (offered %v)", when, got, ok)
				}
				if _, ok := offered(duplicatesOf(t, c, "/api/v1/persons/"+thanh), other); !ok {
					t.Errorf("%s: the later record offered from the citizen's", when)
				}
			}
		}
		check(staff, "as written")
		a.Stop()

		st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		// as a register from before the key
		for _, q := range []string{"UPDATE persons SET block_address = NULL", "DELETE FROM dedup_state WHERE name = 'person_blocks'"} {
			if err := st.DB.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
		b := testenv.StartOn(t, backend, url)
		check(b.Client(token), "after a start derived the keys")
	})
}
