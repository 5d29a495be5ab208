package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// reportRegister builds, through the API, a register whose figures are the report's
// (docs/domain.md, "The report the service reproduces"), keyed by readable case names.
type reportRegister struct {
	t     *testing.T
	env   *testenv.Env
	staff *testenv.Client
	cases map[string]string // key → case id
	mu    sync.Mutex
	errs  []string
}

func newReportRegister(t *testing.T, env *testenv.Env) *reportRegister {
	return &reportRegister{t: t, env: env, staff: env.As(auth.Staff), cases: map[string]string{}}
}

// parallel runs the requests four at a time: the figures do not depend on the order in which
// records arrive, and the register is large enough for the wait to matter.
func (r *reportRegister) parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	work := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range work {
				fn(i)
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if len(r.errs) > 0 {
		r.t.Fatalf("%d requests failed, first: %s", len(r.errs), r.errs[0])
	}
}

// post creates what body describes and answers its id, "" when it failed; it runs in the
// goroutines of parallel, so a failure is recorded for parallel to report rather than ending
// the test.
func (r *reportRegister) post(path string, body map[string]any) string {
	resp := r.staff.Post(path, body)
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &created); resp.Status != http.StatusCreated || err != nil || created.ID == "" {
		r.mu.Lock()
		r.errs = append(r.errs, fmt.Sprintf("POST %s %v: %s", path, body, resp))
		r.mu.Unlock()
		return ""
	}
	return created.ID
}

// session opens a session; periodic ones are hosted by the head unless authorized is set.
func (r *reportRegister) session(kind, date string, authorized bool) string {
	body := map[string]any{"kind": kind, "date": date}
	if kind != "regular" {
		body["host_role"] = "head"
		if authorized {
			body["host_role"] = "authorized"
		}
	}
	return sessionOf(r.staff, body).ID
}

// keys names n cases prefix1..prefixN.
func keys(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// openCases creates every case not created yet.
func (r *reportRegister) openCases(names []string) {
	var todo []string
	for _, k := range names {
		if _, ok := r.cases[k]; !ok && !slicesContains(todo, k) {
			todo = append(todo, k)
		}
	}
	r.parallel(len(todo), func(i int) {
		id := r.post("/api/v1/cases", map[string]any{"title": "Vụ việc " + todo[i] + " về đất đai ở thôn " + todo[i],
			"category": "complaint", "field": "land"})
		if id != "" {
			r.mu.Lock()
			r.cases[todo[i]] = id
			r.mu.Unlock()
		}
	})
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// visit is one reception to record.
type visit struct {
	session, caseKey string
	headcount        int
}

// spread makes n visits over the sessions and cases in turn, with persons people in all: the
// first persons-n visits have two people, the rest one.
func spread(sessions, cases []string, n, persons int) []visit {
	out := make([]visit, n)
	for i := range out {
		hc := 1
		if i < persons-n {
			hc = 2
		}
		out[i] = visit{sessions[i%len(sessions)], cases[i%len(cases)], hc}
	}
	return out
}

// receive records the visits, each with one citizen registered in the same request.
func (r *reportRegister) receive(visits []visit) []string {
	var names []string
	for _, v := range visits {
		names = append(names, v.caseKey)
	}
	r.openCases(names)
	ids := make([]string, len(visits))
	r.parallel(len(visits), func(i int) {
		v := visits[i]
		ids[i] = r.post("/api/v1/visits", map[string]any{"session_id": v.session, "case_id": r.cases[v.caseKey],
			"persons": []map[string]any{{"full_name": fmt.Sprintf("Công dân %s %d", v.caseKey, i)}}, "headcount": v.headcount})
	})
	return ids
}

// documents records conclusion notices of the given monthly sessions, and directive letters.
func (r *reportRegister) documents(year string, sessions []string, notices, letters int) {
	r.parallel(notices+letters, func(i int) {
		if i < notices { // after the monthly session it concludes
			r.post("/api/v1/notices", map[string]any{"number": fmt.Sprintf("%d/TB-UBND-%s", i+1, year),
				"issued_on": fmt.Sprintf("%s-%02d-25", year, 1+i%len(sessions)), "session_id": sessions[i%len(sessions)]})
			return
		}
		issued := fmt.Sprintf("%s-%02d-20", year, 1+i%9)
		r.post("/api/v1/directives", map[string]any{"number": fmt.Sprintf("%d/UBND-TCD-%s", i+1, year), "issued_on": issued,
			"recipient": "UBND huyện Gio Linh"})
	})
}

// merge records dup as a duplicate of into. POST /cases/{id}/merge is being built on another
// branch; until it lands, the test does in SQL exactly what the merge stores: merged_into, and
// the surviving root for the merged case and every case already merged into it.
func (r *reportRegister) merge(dup, into string) {
	err := r.env.App.Store.DB.Exec(`UPDATE cases SET merged_into = CASE WHEN id = ? THEN ? ELSE merged_into END,
		root_seq = (SELECT root_seq FROM cases WHERE id = ?) WHERE root_seq = (SELECT root_seq FROM cases WHERE id = ?)`,
		r.cases[dup], r.cases[into], r.cases[into], r.cases[dup]).Error
	if err != nil {
		r.t.Fatal(err)
	}
}

// build2022 lays down the report's 2022: 420 visits / 622 persons / 136 cases after six duplicate
// cases are merged; periodic 342 / 534 over 110 cases in 12 monthly sessions (the head hosted
// January-September, an authorised deputy October-December), of which 18 delegation visits of
// 8-9 people (150 in all) about 8 cases; regular 78 / 88 over 30 cases in 26 sessions, 4 of
// them also at periodic sessions; no urgent reception. 16 cases were received before 2022, one
// of them only as the duplicate merged later. Around it: a voided 2022 visit, and visits on
// 2021-12-20 and 2023-01-03 that must not count.
func (r *reportRegister) build2022() {
	var regular, periodic []string
	day := time.Date(2022, 1, 10, 0, 0, 0, 0, time.UTC)
	for range 26 {
		regular = append(regular, r.session("regular", day.Format(time.DateOnly), false))
		day = day.AddDate(0, 0, 14)
	}
	for m := 1; m <= 12; m++ {
		periodic = append(periodic, r.session("periodic", fmt.Sprintf("2022-%02d-10", m), m >= 10))
	}
	visits := spread(regular, keys("R", 1, 30), 78, 88)
	// DUP1..DUP6 are the same matters as P1..P6, recorded twice by mistake
	periodicCases := append(append(keys("R", 1, 4), keys("P", 1, 98)...), keys("DUP", 1, 6)...)
	visits = append(visits, spread(periodic, periodicCases, 324, 384)...)
	for i, c := range append(keys("D", 1, 8), "D1", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D1", "D1") {
		hc := 8
		if i >= 12 {
			hc = 9
		}
		visits = append(visits, visit{periodic[i%12], c, hc})
	}
	r.receive(visits)

	before := r.session("regular", "2021-12-20", false)
	r.receive(spread([]string{before}, append(append(keys("R", 1, 6), keys("P", 2, 10)...), "DUP1"), 16, 16))
	voided := r.receive([]visit{{regular[10], "R1", 3}})[0]
	if resp := r.staff.Delete("/api/v1/visits/" + voided + "?reason=" + urlQuery("ghi nhầm")); resp.Status != http.StatusOK {
		r.t.Fatalf("void visit: %s", resp)
	}
	r.documents("2022", periodic, 12, 295)
}

// build2023 lays down the report's 2023 (to October): 352 visits / 679 persons / 124 cases;
// periodic 289 / 596 over 103 cases in 10 monthly sessions, including 17 delegation visits of
// 4 or more (10 of 6 people and 7 of 4, about 7 cases); regular 63 / 83 over 25 cases in 21
// sessions from 2023-01-03; 30 of the cases were received in 2022 already.
func (r *reportRegister) build2023() {
	var regular, periodic []string
	day := time.Date(2023, 1, 3, 0, 0, 0, 0, time.UTC)
	for range 21 {
		regular = append(regular, r.session("regular", day.Format(time.DateOnly), false))
		day = day.AddDate(0, 0, 14)
	}
	for m := 1; m <= 10; m++ {
		periodic = append(periodic, r.session("periodic", fmt.Sprintf("2023-%02d-12", m), m >= 8))
	}
	visits := spread(regular, append(keys("R", 1, 10), keys("S", 1, 15)...), 63, 83)
	periodicCases := append(append(keys("R", 1, 4), keys("P", 1, 20)...), keys("Q", 1, 72)...)
	visits = append(visits, spread(periodic, periodicCases, 272, 508)...)
	for i, c := range []string{"E1", "E1", "E1", "E2", "E2", "E2", "E3", "E3", "E3", "E4", "E4", "E5", "E5", "E6", "E6", "E7", "E7"} {
		hc := 6
		if i >= 10 {
			hc = 4
		}
		visits = append(visits, visit{periodic[i%10], c, hc})
	}
	r.receive(visits)
	r.documents("2023", periodic, 9, 142)
}

func getSummary(t *testing.T, c *testenv.Client, query string) apiclient.ReportSummary {
	t.Helper()
	return testenv.GetAs[apiclient.ReportSummary](c, "/api/v1/stats/summary?"+query)
}

// figure is one figure of a report, as read and as it must be.
type figure struct {
	name      string
	got, want int
}

// checkFigures fails the test for each figure of period that is not as it must be.
func checkFigures(t *testing.T, period string, figures []figure) {
	t.Helper()
	for _, f := range figures {
		if f.got != f.want {
			t.Errorf("%s %s: got %d, want %d", period, f.name, f.got, f.want)
		}
	}
}

func TestStatsReproduceTheReport(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		reg := newReportRegister(t, env)
		start := time.Now()
		reg.build2022()
		agency := env.Client(env.Token(auth.Agency, ""))

		premerge := getSummary(t, agency, "period=2022")
		if premerge.Visits != 420 || premerge.Cases != 142 {
			t.Fatalf("before de-duplication: 420 visits about 142 recorded cases, got %+v", premerge)
		}
		for i := 1; i <= 6; i++ {
			reg.merge(fmt.Sprintf("DUP%d", i), fmt.Sprintf("P%d", i))
		}
		reg.build2023()
		t.Logf("%s: register built through the API in %s", backend, time.Since(start).Round(time.Millisecond))

		check2022(t, agency, env.App.DefaultOrg.ID)
		check2023(t, agency)
		checkForm01Of2022(t, agency, env.App.DefaultOrg.Name)
	})
}

// check2022 reads the summary of 2022 (build2022, six duplicates merged) and its report
// paragraph, and the quarters that tile the year.
func check2022(t *testing.T, agency *testenv.Client, org string) {
	t.Helper()
	s := getSummary(t, agency, "period=2022")
	checkFigures(t, "2022", []figure{
		{"visits", s.Visits, 420}, {"persons", s.Persons, 622}, {"cases", s.Cases, 136},
		{"cases_first", s.CasesFirst, 120}, {"cases_repeat", s.CasesRepeat, 16},
		{"periodic sessions", s.ByKind["periodic"].Sessions, 12}, {"periodic visits", s.ByKind["periodic"].Visits, 342},
		{"periodic persons", s.ByKind["periodic"].Persons, 534}, {"periodic cases", s.ByKind["periodic"].Cases, 110},
		{"regular sessions", s.ByKind["regular"].Sessions, 26}, {"regular visits", s.ByKind["regular"].Visits, 78},
		{"regular persons", s.ByKind["regular"].Persons, 88}, {"regular cases", s.ByKind["regular"].Cases, 30},
		{"urgent sessions", s.ByKind["urgent"].Sessions, 0}, {"urgent visits", s.ByKind["urgent"].Visits, 0},
		{"delegation min_size", s.Delegations.MinSize, 5}, {"delegation visits", s.Delegations.Visits, 18},
		{"delegation persons", s.Delegations.Persons, 150}, {"delegation cases", s.Delegations.Cases, 8},
		{"conclusion notices", s.ConclusionNotices, 12}, {"directive letters", s.DirectiveLetters, 295},
	})
	if s.From != "2022-01-01" || s.To != "2022-12-31" || s.OrgID != org {
		t.Errorf("2022 period and organisation: %+v", s)
	}

	text := agency.Get("/api/v1/stats/summary?period=2022&format=text&lang=vi")
	wantText := "Từ ngày 01/01/2022 đến ngày 31/12/2022, tiếp 420 lượt/ 622 người/ 136 vụ việc (sau khi đã lọc vụ trùng). " +
		"Trong đó: + Tiếp định kỳ: 342 lượt/ 534 người; + Tiếp Đoàn đông người (từ 05 người trở lên): 18 lượt đoàn/ 08 vụ việc; " +
		"+ Tiếp thường xuyên: 78 lượt/ 88 người; + Tiếp đột xuất: Không có. Đã ban hành 12 Thông báo kết luận và 295 công văn chỉ đạo.\n"
	if text.Status != http.StatusOK || string(text.Body) != wantText || text.Header.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Errorf("the report paragraph:\n got %d %q %q\nwant %q", text.Status, text.Header.Get("Content-Type"), text.Body, wantText)
	}

	// Quarters tile the year: visits and persons add up (a case seen in two quarters counts
	// in each, so cases need not).
	var qv, qp int
	for q := 1; q <= 4; q++ {
		qs := getSummary(t, agency, fmt.Sprintf("period=2022-Q%d", q))
		qv, qp = qv+qs.Visits, qp+qs.Persons
	}
	if qv != 420 || qp != 622 {
		t.Errorf("quarters of 2022 add up to %d visits / %d persons, want 420 / 622", qv, qp)
	}
}

// check2023 reads the summary of 2023 (build2023) with delegations from 4 people and from 5,
// and its report paragraph.
func check2023(t *testing.T, agency *testenv.Client) {
	t.Helper()
	s23 := getSummary(t, agency, "period=2023&delegation_min=4")
	checkFigures(t, "2023", []figure{
		{"visits", s23.Visits, 352}, {"persons", s23.Persons, 679}, {"cases", s23.Cases, 124},
		{"cases_first", s23.CasesFirst, 94}, {"cases_repeat", s23.CasesRepeat, 30},
		{"periodic visits", s23.ByKind["periodic"].Visits, 289}, {"periodic persons", s23.ByKind["periodic"].Persons, 596},
		{"regular visits", s23.ByKind["regular"].Visits, 63}, {"regular persons", s23.ByKind["regular"].Persons, 83},
		{"urgent visits", s23.ByKind["urgent"].Visits, 0},
		{"delegation min_size", s23.Delegations.MinSize, 4}, {"delegation visits", s23.Delegations.Visits, 17},
		{"delegation persons", s23.Delegations.Persons, 88}, {"delegation cases", s23.Delegations.Cases, 7},
		{"conclusion notices", s23.ConclusionNotices, 9}, {"directive letters", s23.DirectiveLetters, 142},
	})
	if d := getSummary(t, agency, "period=2023").Delegations; d.MinSize != 5 || d.Visits != 10 || d.Persons != 60 || d.Cases != 4 {
		t.Errorf("2023 delegations from 5 people (the default): %+v", d)
	}
	text := agency.Get("/api/v1/stats/summary?period=2023&delegation_min=4&format=text")
	if !strings.Contains(string(text.Body), "tiếp 352 lượt/ 679 người/ 124 vụ việc (sau khi đã lọc vụ trùng). Trong đó: + Tiếp định kỳ: 289 lượt/ 596 người; "+
		"+ Tiếp Đoàn đông người (từ 04 người trở lên): 17 lượt đoàn/ 07 vụ việc; + Tiếp thường xuyên: 63 lượt/ 83 người; + Tiếp đột xuất: Không có. "+
		"Đã ban hành 09 Thông báo kết luận và 142 công văn chỉ đạo.") {
		t.Errorf("2023 paragraph: %s", text.Body)
	}
}

// checkForm01Of2022 reads Form 01 of 2022 (one organisation, named org), as JSON and CSV, and the
// breakdown by category.
func checkForm01Of2022(t *testing.T, agency *testenv.Client, org string) {
	t.Helper()
	f := testenv.GetAs[apiclient.StatsForm01](agency, "/api/v1/stats/form-01?period=2022")
	if len(f.Columns) != 29 || len(f.Rows) != 2 || !f.Rows[0].Total {
		t.Fatalf("form 01: %+v", f)
	}
	col := func(n int) int { return f.Rows[0].Values[n-1] }
	checkFigures(t, "form 01 column", []figure{
		{"1 = 4+13+22", col(1), col(4) + col(13) + col(22)}, {"2 = 5+14+23", col(2), col(5) + col(14) + col(23)},
		{"3 = 6+7+15+16+24+25", col(3), col(6) + col(7) + col(15) + col(16) + col(24) + col(25)},
		{"1 visits", col(1), 420}, {"2 persons", col(2), 622},
		{"4 regular visits", col(4), 78}, {"5 regular persons", col(5), 88}, {"6+7 regular cases", col(6) + col(7), 30},
		{"12 sessions the head held", col(12), 9}, {"21 sessions a deputy held", col(21), 3},
		{"13+22 periodic visits", col(13) + col(22), 342}, {"14+23 periodic persons", col(14) + col(23), 534},
		{"17+26 delegations", col(17) + col(26), 18}, {"18+27 delegation persons", col(18) + col(27), 150},
		{"8 regular delegations", col(8), 0},
	})
	if f.Rows[1].OrgName != org || fmt.Sprint(f.Rows[1].Values) != fmt.Sprint(f.Rows[0].Values) {
		t.Errorf("one organisation: its row equals the total: %+v", f.Rows)
	}
	if csv := agency.Get("/api/v1/stats/form-01?period=2022&format=csv"); csv.Status != http.StatusOK ||
		!strings.Contains(string(csv.Body), "13. Tiếp định kỳ và đột xuất của Thủ trưởng - Thủ trưởng tiếp - Số lượt tiếp") {
		t.Errorf("form 01 as CSV: %s", csv)
	}

	b := testenv.GetAs[apiclient.StatsBreakdown](agency, "/api/v1/stats/breakdown?by=category&period=2022")
	if len(b.Rows) != 4 || b.Rows[0].Key != "complaint" || b.Rows[0].Label != "Khiếu nại" || b.Rows[0].Visits != 420 || b.Rows[0].Cases != 136 {
		t.Errorf("breakdown by category: %+v", b)
	}
}

func TestStatsStatutoryBoundaries(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		reg := newReportRegister(t, env)
		// 14 December closes the statutory year; 15 December opens the next one but is still
		// in the calendar year.
		reg.receive([]visit{{reg.session("regular", "2022-12-14", false), "A", 1}, {reg.session("regular", "2022-12-15", false), "B", 2}})
		agency := env.Client(env.Token(auth.Agency, ""))
		for _, c := range []struct {
			query           string
			visits, persons int
		}{
			{"period=2022&basis=statutory", 1, 1},
			{"period=2023&basis=statutory", 1, 2},
			{"period=2023-Q1&basis=statutory", 1, 2},
			{"period=2022-Q4&basis=statutory", 1, 1},
			{"period=2022", 2, 3},
			{"period=2022-12", 2, 3},
			{"from=2022-12-15&to=2022-12-15", 1, 2},
		} {
			s := getSummary(t, agency, c.query)
			if s.Visits != c.visits || s.Persons != c.persons {
				t.Errorf("%s: got %d visits / %d persons, want %d / %d", c.query, s.Visits, s.Persons, c.visits, c.persons)
			}
		}
		if s := getSummary(t, agency, "period=2023&basis=statutory"); s.From != "2022-12-15" || s.To != "2023-12-14" || s.CasesFirst != 1 {
			t.Errorf("statutory 2023 runs 2022-12-15 to 2023-12-14: %+v", s)
		}
	})
}

func TestStatsAccessAndCaching(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		district := testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh", "parent_id": env.App.DefaultOrg.ID}).ID
		reg := newReportRegister(t, env)
		reg.receive([]visit{{reg.session("regular", "2023-03-01", false), "A", 1}})

		agency := env.Client(env.Token(auth.Agency, ""))
		r := agency.Get("/api/v1/stats/summary?period=2023")
		if r.Status != http.StatusOK || r.Header.Get("ETag") == "" {
			t.Fatalf("an agency reads statistics: %s", r)
		}
		if strings.Contains(string(r.Body), "Công dân") {
			t.Errorf("statistics carry no personal data: %s", r.Body)
		}
		if p := agency.Get("/api/v1/persons"); p.Status != http.StatusForbidden || !p.IsProblem() {
			t.Errorf("an agency may not list persons: %s", p)
		}
		etag := r.Header.Get("ETag")
		if again := agency.Get("/api/v1/stats/summary?period=2023", "If-None-Match", etag); again.Status != http.StatusNotModified || len(again.Body) != 0 {
			t.Errorf("If-None-Match with the current ETag: want 304, got %s", again)
		}
		reg.receive([]visit{{reg.session("regular", "2023-03-02", false), "A", 1}})
		if changed := agency.Get("/api/v1/stats/summary?period=2023", "If-None-Match", etag); changed.Status != http.StatusOK ||
			changed.Header.Get("ETag") == etag || testenv.Decode[apiclient.ReportSummary](t, changed).Visits != 2 {
			t.Errorf("after a new visit the old ETag no longer matches: %s", changed)
		}
		for _, path := range []string{"/api/v1/stats/form-01?period=2023", "/api/v1/stats/breakdown?by=month&period=2023",
			"/api/v1/stats/summary?period=2023&format=csv"} {
			first := agency.Get(path)
			if first.Status != http.StatusOK || agency.Get(path, "If-None-Match", first.Header.Get("ETag")).Status != http.StatusNotModified {
				t.Errorf("%s: want 200 with an ETag, then 304: %s", path, first)
			}
		}
		if csv := agency.Get("/api/v1/stats/summary?period=2023&format=csv"); !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(string(csv.Body), "visits,2\n") {
			t.Errorf("summary as CSV: %s", csv)
		}

		scoped := env.Client(env.Token(auth.Agency, "GL"))
		if s := getSummary(t, scoped, "period=2023"); s.OrgID != district || s.Visits != 0 {
			t.Errorf("a district token counts its own subtree: %+v", s)
		}
		if r := scoped.Get("/api/v1/stats/summary?period=2023&org=" + env.App.DefaultOrg.ID); r.Status != http.StatusForbidden || !r.IsProblem() {
			t.Errorf("a district token asking for the province: want 403, got %s", r)
		}

		for _, c := range []struct{ query, field string }{
			{"period=2023-Q5", "period"},
			{"", "period"},
			{"from=2023-01-01", "to"},
			{"from=2023-02-01&to=2023-01-01", "from"},
			{"period=2023&basis=lunar", "basis"},
			{"period=2023&format=pdf", "format"},
			{"period=2023&format=text&lang=fr", "lang"},
			{"period=2023&delegation_min=1", "delegation_min"},
			{"period=2023&org=nope", "org"},
		} {
			r := agency.Get("/api/v1/stats/summary?" + c.query)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(c.field) {
				t.Errorf("%q: want 422 naming %s, got %s", c.query, c.field, r)
			}
		}
		if r := agency.Get("/api/v1/stats/breakdown?period=2023&by=colour"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("by") {
			t.Errorf("unknown breakdown: want 422 naming by, got %s", r)
		}
		if r := agency.Get("/api/v1/stats/form-01?period=2023&format=text"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("format") {
			t.Errorf("form 01 has no text format: want 422 naming format, got %s", r)
		}
		if r := env.Client("").Get("/api/v1/stats/summary?period=2023"); r.Status != http.StatusUnauthorized {
			t.Errorf("no token: want 401, got %s", r)
		}
	})
}

// tcd serve folds what writes queue into the roll-ups by itself, within seconds, with no
// statistics read to set it off.
func TestStatisticsQueueFoldedInTheBackground(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		staff.Create("/api/v1/visits", map[string]any{"session_id": newSession(staff, "regular", "2024-03-18"), "case": newCaseBody("Kiến nghị về lối đi chung"),
			"persons": []any{map[string]any{"full_name": "Lê Văn Tám"}}})
		deadline := time.Now().Add(10 * time.Second)
		for {
			var queued int64
			if err := env.App.Store.DB.Raw(`SELECT (SELECT COUNT(*) FROM stats_new_visits) + (SELECT COUNT(*) FROM stats_dirty_days) +
				(SELECT COUNT(*) FROM stats_dirty_roots)`).Scan(&queued).Error; err != nil {
				t.Fatal(err)
			}
			if queued == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d marks still queued 10 s after the last write", queued)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
