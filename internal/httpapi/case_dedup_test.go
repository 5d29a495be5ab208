package httpapi_test

import (
	"context"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// possible is one entry of a visit's possible_duplicates.
type possible struct {
	CaseID  string   `json:"case_id"`
	Code    string   `json:"code"`
	Title   string   `json:"title"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
}

// desk is a reception desk's day: a session to record visits in, staff registering persons
// and opening cases at visits.
type desk struct {
	t       *testing.T
	staff   *testenv.Client
	session any
}

func openDesk(t *testing.T, backend string) *desk {
	staff := testenv.Start(t, backend).As(auth.Staff)
	return &desk{t: t, staff: staff, session: staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-06-10"})["id"]}
}

func (d *desk) person(body map[string]any) string {
	return d.staff.Create("/api/v1/persons", body)["id"].(string)
}

// visit records a visit in the session: the case it is about and the possible duplicates it
// answers.
func (d *desk) visit(body map[string]any) (string, []possible) {
	d.t.Helper()
	body["session_id"] = d.session
	r := d.staff.Post("/api/v1/visits", body)
	if r.Status != http.StatusCreated {
		d.t.Fatalf("visit: %s", r)
	}
	var out struct {
		CaseID             string     `json:"case_id"`
		PossibleDuplicates []possible `json:"possible_duplicates"`
	}
	r.Decode(d.t, &out)
	return out.CaseID, out.PossibleDuplicates
}

// A matter comes back the ways a clerk meets it: a family member brings it in other words,
// the citizen returns writing it otherwise, a delegation brings it through another of its
// members. Each time the earlier case is offered at the visit, first, with the evidence; the
// other households of the same project and the citizen's other matter are not.
func TestPossibleDuplicatesAsAClerkMeetsThem(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		d := openDesk(t, backend)
		staff, person, visit := d.staff, d.person, d.visit
		an := person(map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1960, "address": "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"})
		lan := person(map[string]any{"full_name": "Trần Thị Lan", "birth_year": 1972, "address": "Thôn 7, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"})
		binh := person(map[string]any{"full_name": "Nguyễn Văn Bình", "birth_year": 1988, "address": "Th. 3, X. Gio Mỹ, H. Gio Linh"})
		hoa := person(map[string]any{"full_name": "Lê Thị Hoa", "birth_year": 1975, "address": "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"})
		land, _ := visit(map[string]any{"person_ids": []any{an}, "case": map[string]any{
			"title":    "Khiếu nại việc thu hồi đất tại thửa đất số 45, tờ bản đồ số 12, thôn 3, xã Gio Mỹ để làm dự án đường tránh Đông Hà",
			"summary":  "Không đồng ý Quyết định số 1234/QĐ-UBND thu hồi 450 m2 đất nông nghiệp của gia đình",
			"category": "complaint", "field": "land", "respondent": "UBND huyện Gio Linh"}})
		neighbour, _ := visit(map[string]any{"person_ids": []any{lan}, "case": map[string]any{
			"title":    "Khiếu nại việc thu hồi đất tại thửa đất số 311, tờ bản đồ số 9, thôn 7, xã Gio Mỹ để làm dự án đường tránh Đông Hà",
			"summary":  "Không đồng ý Quyết định số 1290/QĐ-UBND thu hồi 300 m2 đất nông nghiệp của gia đình",
			"category": "complaint", "field": "land", "respondent": "UBND huyện Gio Linh"}})
		first := func(what string, list []possible, want string, reasons ...string) {
			t.Helper()
			if len(list) == 0 || list[0].CaseID != want || list[0].Score < 0.15 {
				t.Errorf("%s: want the earlier case offered first, got %+v", what, list)
				return
			}
			if !strings.HasPrefix(list[0].Code, "VV-") || list[0].Title == "" {
				t.Errorf("%s: a candidate carries the case's code and title for the clerk to read, got %+v", what, list[0])
			}
			for _, r := range reasons {
				if !mentions(list[0].Reasons, r) {
					t.Errorf("%s: want the reason %q, got %v", what, r, list[0].Reasons)
				}
			}
			for _, p := range list {
				if p.CaseID == neighbour {
					t.Errorf("%s: another household of the same project is not the same matter: %+v", what, p)
				}
			}
		}

		// the son, registered at the same address written the short way, in his own words, the
		// respondent written otherwise and the matter filed under housing
		_, got := visit(map[string]any{"person_ids": []any{binh}, "case": map[string]any{
			"title":    "Đề nghị xem xét lại việc thu hồi đất của gia đình",
			"summary":  "Gia đình không nhất trí QĐ 1234 thu hồi đất thửa 45 tờ BĐ 12",
			"category": "petition", "field": "housing", "respondent": "Chủ tịch UBND H. Gio Linh"}})
		first("a family member in other words", got, land, "same household: Nguyễn Văn Bình / Nguyễn Văn An",
			"same land parcel: thửa 45, tờ 12", "same document number: qd 1234", "same respondent: Chủ tịch UBND H. Gio Linh, written another way: UBND huyện Gio Linh",
			"neighbouring field: housing / land")

		// the citizen returns; another clerk writes a title of their own
		_, got = visit(map[string]any{"person_ids": []any{an}, "case": map[string]any{
			"title": "Không đồng ý mức đền bù khi thu hồi đất dự án đường tránh Đông Hà", "category": "complaint", "field": "land"}})
		first("the same citizen, reworded", got, land, "same citizen: Nguyễn Văn An")

		// the matter comes back with the village's delegation, through another representative
		delegation := staff.Create("/api/v1/delegations", map[string]any{"name": "Đoàn công dân thôn 3, xã Gio Mỹ", "member_count": 15,
			"representative_ids": []any{an, hoa}})["id"]
		_, got = visit(map[string]any{"person_ids": []any{hoa}, "delegation_id": delegation, "headcount": 15, "case": map[string]any{
			"title": "Đoàn công dân thôn 3 xã Gio Mỹ khiếu nại việc thu hồi đất làm đường tránh Đông Hà", "category": "complaint", "field": "land",
			"respondent": "UBND huyện Gio Linh"}})
		first("a delegation one of whose members brought it", got, land, "same delegation: Nguyễn Văn An is a member of Đoàn công dân thôn 3, xã Gio Mỹ")

		// the citizen's other matter: his earlier case is looked at, and turned down with the
		// evidence against it shown
		other, got := visit(map[string]any{"person_ids": []any{an}, "case": map[string]any{
			"title": "Đề nghị xét trợ cấp cho người cao tuổi", "category": "petition", "field": "policy", "respondent": "UBND xã Gio Mỹ"}})
		if len(got) != 0 {
			t.Errorf("the same citizen about another matter: nothing offered, got %+v", got)
		}
		all := staff.Get("/api/v1/cases/" + other + "/duplicates?min_score=1e-12")
		var list []candidate
		all.Decode(t, &list)
		if c, ok := offered(list, land); !ok || c.Score >= 0.15 || !hasReason(c, "same citizen: Nguyễn Văn An (+") || !hasReason(c, "different field: policy / land (-") {
			t.Errorf("the citizen's earlier case, with the evidence for and against: %+v (%v)", c, ok)
		}

		// a look-alike found through its text shows why it is not the same matter
		r := staff.Get("/api/v1/cases/" + land + "/duplicates?min_score=1e-12")
		r.Decode(t, &list)
		if c, ok := offered(list, neighbour); !ok || c.Score >= 0.15 || !hasReason(c, "no citizen in common (-") || !hasReason(c, "different land parcels") {
			t.Errorf("another household's case: the penalty of no citizen in common is a reason with its weight: %+v", c)
		}
	})
}

// A citizen's own earlier case is looked at however many cases the village's namesakes have
// brought since: the family name in the village links theirs too (a household, as far as the
// register can tell), but the citizen's own cases come before those of such a weaker tie,
// which a busy village fills. (The newest hundred of all of them were looked at: the
// citizen's case fell out, and came back only when the new one was worded like it.) A wife
// who kept her family name is linked to her husband's cases by their phone at their address.
func TestCitizensOwnCaseBeforeTheirVillagesNamesakes(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		sessions := map[string]any{}
		visit := func(date string, person any, c map[string]any) string {
			t.Helper()
			if sessions[date] == nil {
				sessions[date] = staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": date})["id"]
			}
			c["category"] = "complaint"
			return staff.Create("/api/v1/visits", map[string]any{"session_id": sessions[date], "person_ids": []any{person}, "case": c})["case_id"].(string)
		}
		address := "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"
		an := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1960, "address": address,
			"phone": "0912345678"})["id"]
		binh := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn Bình", "birth_year": 1971, "address": address})["id"]
		land := visit("2024-01-10", an, map[string]any{"field": "land", "respondent": "UBND huyện Gio Linh",
			"title": "Khiếu nại việc thu hồi đất tại thửa đất số 45, tờ bản đồ số 12 để làm dự án đường tránh Đông Hà"})
		for range 110 {
			visit("2024-03-01", binh, map[string]any{"field": "policy", "respondent": "UBND xã Gio Mỹ", "title": "Đề nghị xét trợ cấp cho người cao tuổi"})
		}
		// in words of its own, sharing no identifier or respondent with the earlier case: only
		// the citizen brings that one
		back := visit("2024-04-02", an, map[string]any{"field": "land", "title": "Đề nghị giải quyết dứt điểm việc gia đình đã trình bày"})
		var list []candidate
		staff.Get("/api/v1/cases/"+back+"/duplicates?min_score=1e-12").Decode(t, &list)
		if c, ok := offered(list, land); !ok || !hasReason(c, "same citizen: Nguyễn Văn An (+") {
			t.Errorf("the citizen's own earlier case is among those compared, as theirs: %+v (%v)", c, ok)
		}
		hoa := staff.Create("/api/v1/persons", map[string]any{"full_name": "Trần Thị Hoa", "birth_year": 1963, "phone": "0912 345 678",
			"address": "Th. 3, X. Gio Mỹ, H. Gio Linh"})["id"]
		back = visit("2024-04-03", hoa, map[string]any{"field": "land", "title": "Đề nghị giải quyết dứt điểm việc gia đình đã trình bày"})
		staff.Get("/api/v1/cases/"+back+"/duplicates?min_score=1e-12").Decode(t, &list)
		if c, ok := offered(list, land); !ok || !hasReason(c, "same household: Trần Thị Hoa / Nguyễn Văn An (+") {
			t.Errorf("the husband's case is among those compared, as the household's: %+v (%v)", c, ok)
		}
	})
}

func mentions(reasons []string, part string) bool {
	for _, r := range reasons {
		if strings.Contains(r, part) {
			return true
		}
	}
	return false
}

// The same lookup gives the same scores until a write changes the data, on every replica and
// across a restart: what weighs a word or a link is counted with the writes themselves, and
// read with the lookup. (Term statistics counted per process and again in the background once
// the register had grown by a tenth gave two replicas, or one replica a minute apart,
// different scores for the same data.)
func TestCaseScoresStayTheSameUntilAWrite(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		url := testenv.MigratedDatabaseURL(t, backend)
		a := testenv.StartOn(t, backend, url)
		token := a.Token(auth.Staff, "")
		staffA := a.Client(token)
		session := staffA.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-06-10"})["id"]
		visit := func(c *testenv.Client, name, title, respondent string) string {
			return c.Create("/api/v1/visits", map[string]any{"session_id": session, "persons": []any{map[string]any{"full_name": name}},
				"case": map[string]any{"title": title, "category": "complaint", "field": "land", "respondent": respondent}})["case_id"].(string)
		}
		var probe string
		for i, name := range []string{"Lê Văn Tám", "Hồ Thị Mai", "Phan Văn Quý", "Đặng Thị Hòa", "Võ Văn Lực", "Trần Thị Hậu"} {
			id := visit(staffA, name, "Khiếu nại việc thu hồi đất thửa số "+strconv.Itoa(100+i)+", tờ bản đồ số 7, xã Gio Mỹ để làm dự án đường tránh Đông Hà",
				"UBND huyện Gio Linh")
			visit(staffA, name, "Đề nghị xem xét lại việc thu hồi đất dự án đường tránh Đông Hà của gia đình", "UBND H. Gio Linh")
			if i == 0 {
				probe = id
			}
		}
		lookup := func(c *testenv.Client) string {
			t.Helper()
			r := c.Get("/api/v1/cases/" + probe + "/duplicates?min_score=1e-12")
			if r.Status != http.StatusOK {
				t.Fatalf("duplicates: %s", r)
			}
			var list []candidate
			r.Decode(t, &list)
			if len(list) < 3 {
				t.Fatalf("the probe has candidates to compare: %+v", list)
			}
			var out []string
			for _, d := range list {
				out = append(out, d.Case["id"].(string)+" "+strconv.FormatFloat(d.Score, 'g', -1, 64)+" "+strings.Join(d.Reasons, "; "))
			}
			return strings.Join(out, "\n")
		}
		first := lookup(staffA)
		// a write: a case sharing the probe's words, while replica B has not looked yet
		visit(staffA, "Nguyễn Văn Ánh", "Khiếu nại việc thu hồi đất dự án đường tránh Đông Hà, xã Gio Mỹ", "UBND huyện Gio Linh")
		afterA := lookup(staffA)
		b := testenv.StartOn(t, backend, url)
		if afterB := lookup(b.Client(token)); afterB != afterA {
			t.Errorf("two replicas give the same scores for the same data:\nA:\n%s\nB:\n%s", afterA, afterB)
		}
		time.Sleep(1100 * time.Millisecond)
		if again := lookup(staffA); again != afterA {
			t.Errorf("the same lookup a second later, no write between:\n%s\nthen:\n%s", afterA, again)
		}
		a.Stop()
		if restarted := lookup(testenv.StartOn(t, backend, url).Client(token)); restarted != afterA {
			t.Errorf("a restart changes no score:\n%s\nthen:\n%s", afterA, restarted)
		}
		if first == afterA {
			t.Errorf("a write sharing the probe's words changes what they weigh: the scores are those of the data")
		}
	})
}

// A register from before the keys and counts of duplicate search (or indexed with another
// version of the vocabulary) is indexed at start: its cases are found and scored as if they
// had been written since.
func TestCasesRegisteredBeforeTheirKeysAreIndexedAtStart(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		url := testenv.MigratedDatabaseURL(t, backend)
		a := testenv.StartOn(t, backend, url)
		token := a.Token(auth.Staff, "")
		staff := a.Client(token)
		session := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-06-10"})["id"]
		an := map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1960, "address": "Thôn 3, xã Gio Mỹ, huyện Gio Linh"}
		open := func(title string) string {
			return staff.Create("/api/v1/visits", map[string]any{"session_id": session, "persons": []any{an},
				"case": map[string]any{"title": title, "category": "complaint", "field": "land", "respondent": "UBND huyện Gio Linh"}})["case_id"].(string)
		}
		first := open("Khiếu nại việc thu hồi đất thửa số 45, tờ bản đồ số 12, xã Gio Mỹ")
		again := open("Không đồng ý thu hồi đất")
		// the keys and counts kept with each write (a case opened, retold, voided) are those a
		// start derives afresh
		if r := staff.Patch("/api/v1/cases/"+again, map[string]any{"title": "Không đồng ý thu hồi đất thửa 45 tờ BĐ 12", "summary": "Quyết định 1234/QĐ-UBND"}); r.Status != http.StatusOK {
			t.Fatalf("retell: %s", r)
		}
		mistake := staff.Create("/api/v1/cases", map[string]any{"title": "Khiếu nại thu hồi đất thửa 45 tờ bản đồ 12 xã Gio Mỹ", "category": "complaint", "field": "land"})["id"].(string)
		if r := staff.Delete("/api/v1/cases/" + mistake + "?reason=nh%E1%BA%ADp%20nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}
		before := duplicatesOf(t, staff, "/api/v1/cases/"+again)
		a.Stop()

		st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"case_keys", "case_term_counts", "case_term_deltas", "dedup_state"} {
			if err := st.DB.Exec("DELETE FROM " + table).Error; err != nil {
				t.Fatal(err)
			}
		}
		st.Close()

		b := testenv.StartOn(t, backend, url)
		after := duplicatesOf(t, b.Client(token), "/api/v1/cases/"+again)
		if c, ok := offered(after, first); !ok || len(after) != len(before) || c.Score != before[0].Score || strings.Join(c.Reasons, ";") != strings.Join(before[0].Reasons, ";") {
			t.Errorf("indexed at start, the register answers as before: %+v, then %+v", before, after)
		}
	})
}

// A son brings his mother's matter back to a village where eight namesake families hold the
// family name at the address too: the household link weighs little among them, and the
// retelling, worded half like the earlier case, scores under the persons' cut-off of 0.4.
// Cases are offered from 0.15, so the clerk is offered the mother's case at the visit and on
// GET /cases/{id}/duplicates, and none of the namesakes' matters.
func TestAFamilysMatterAmongNamesakesIsOfferedFromTheCasesCutoff(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		d := openDesk(t, backend)
		staff, person := d.staff, d.person
		visit := func(who string, c map[string]any) (string, []possible) {
			c["category"] = "petition"
			return d.visit(map[string]any{"person_ids": []any{who}, "case": c})
		}
		village := "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"
		namesakes := []map[string]any{
			{"title": "Kiến nghị nâng cấp đường liên xã", "field": "other"},
			{"title": "Đề nghị cấp giấy chứng nhận quyền sử dụng đất", "field": "land"},
			{"title": "Đề nghị xét trợ cấp cho người cao tuổi", "field": "policy"},
			{"title": "Khiếu nại việc thu hồi đất làm đường tránh Đông Hà", "field": "land"},
		}
		for i := range 8 {
			who := person(map[string]any{"full_name": "Nguyễn Văn " + string(rune('A'+i)), "birth_year": 1960 + i, "address": village})
			visit(who, maps.Clone(namesakes[i%len(namesakes)]))
		}
		hoa := person(map[string]any{"full_name": "Nguyễn Thị Hoa", "birth_year": 1950, "address": village})
		binh := person(map[string]any{"full_name": "Nguyễn Văn Bình", "birth_year": 1978, "address": "Th. 3, X. Gio Mỹ, H. Gio Linh"})
		mother, _ := visit(hoa, map[string]any{"title": "Đề nghị giải quyết chính sách bảo hiểm xã hội một lần", "field": "policy",
			"respondent": "BHXH huyện Gio Linh"})
		son, atVisit := visit(binh, map[string]any{"title": "Đề nghị giải quyết chế độ BHXH cho mẹ là bà Nguyễn Thị Hoa", "field": "policy"})
		if len(atVisit) != 1 || atVisit[0].CaseID != mother || atVisit[0].Score < 0.15 || atVisit[0].Score >= 0.4 ||
			!mentions(atVisit[0].Reasons, "same household: Nguyễn Văn Bình / Nguyễn Thị Hoa") {
			t.Errorf("at the visit, the mother's case alone, scored between the cases' cut-off and the persons': %+v", atVisit)
		}
		list := duplicatesOf(t, staff, "/api/v1/cases/"+son)
		if c, ok := offered(list, mother); !ok || len(list) != 1 || c.Score != atVisit[0].Score {
			t.Errorf("GET /cases/{id}/duplicates offers the mother's case alone, as the visit did: %+v", list)
		}
		staff.Get("/api/v1/cases/"+son+"/duplicates?min_score=0.4").Decode(t, &list)
		if len(list) != 0 {
			t.Errorf("min_score still sets the cut-off: nothing from 0.4, got %+v", list)
		}
	})
}
