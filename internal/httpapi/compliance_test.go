package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// The compliance report judges each organisation by its level: a province's head 1 day a month,
// a district's 2, a commune's 1 a week; a month not over yet is not failed.
func TestComplianceByLevel(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		root, a, b := orgTree(t, env)
		admin, staff := env.As(auth.Admin), env.As(auth.Staff)
		for org, level := range map[string]string{root: "province", a: "district", b: "commune"} {
			if r := admin.Patch("/api/v1/orgs/"+org, map[string]any{"level": level}); r.Status != http.StatusOK || string(testenv.Decode[apiclient.OrgsOrg](t, r).Level) != level {
				t.Fatalf("PATCH level: %s", r)
			}
		}
		if r := admin.Patch("/api/v1/orgs/"+a, map[string]any{"level": "ward"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("level") {
			t.Errorf("an unknown level: %s", r)
		}
		setToday(t, env, "2026-03-20")
		session := func(org, date, role string) {
			sessionOf(staff, map[string]any{"kind": "periodic", "date": date, "host_role": role, "org_id": org})
		}
		session(root, "2026-01-15", "head") // January met; none in February; March not over
		session(root, "2026-02-12", "authorized")
		session(a, "2026-01-06", "head")
		session(a, "2026-01-20", "head")
		session(a, "2026-02-05", "head")
		session(a, "2026-02-26", "head")
		session(a, "2026-02-26", "head") // two sessions on one day are one day
		for _, d := range []string{"2026-03-03", "2026-03-17"} {
			session(b, d, "head") // none in the week of 9 March
		}
		session(b, "2026-02-24", "head") // the week of 23 February-1 March overlaps March
		newDirective(staff, map[string]any{"number": "9/UBND", "issued_on": "2026-01-05", "recipient": "UBND xã",
			"due_on": "2026-02-05", "org_id": a})

		// the report's fields are all optional in the document: a judgement left out is no pass
		report := testenv.GetAs[apiclient.HttpapiComplianceReport](env.As(auth.Agency), "/api/v1/compliance?period=2026-Q1")
		byCode := map[string]apiclient.RegistryOrgCompliance{}
		for _, o := range orZero(report.Items) {
			byCode[orZero(o.Code)] = o
		}
		failed := func(ok *bool) bool { return ok != nil && !*ok }
		spans := func(code string) string {
			var out []string
			for _, s := range orZero(orZero(byCode[code].HeadDays).Spans) {
				ok := "ok"
				if !orZero(s.Ok) {
					ok = "FAIL"
				}
				out = append(out, orZero(s.Label)+" "+ok)
			}
			return strings.Join(out, ", ")
		}
		if got := spans("TCD"); got != "2026-01 ok, 2026-02 FAIL, 2026-03 ok" || !failed(byCode["TCD"].Ok) || orZero(byCode["TCD"].DeputyDays) != 1 {
			t.Errorf("the province: %s; %+v", got, byCode["TCD"])
		}
		if got := spans("A"); got != "2026-01 ok, 2026-02 ok, 2026-03 ok" {
			t.Errorf("the district: %s", got)
		}
		if d := orZero(byCode["A"].Directives); orZero(d.OverdueNow) != 1 || !failed(d.Ok) || !failed(byCode["A"].Ok) {
			t.Errorf("the district's overdue letter fails it: %+v", byCode["A"])
		}
		// weeks without a session fail, but for that of Tết (W08, 16-22 February: no working day);
		// W12 is not over, W13 and W14 not begun
		if got := spans("B"); got != "2026-W01 FAIL, 2026-W02 FAIL, 2026-W03 FAIL, 2026-W04 FAIL, 2026-W05 FAIL, 2026-W06 FAIL, 2026-W07 FAIL, "+
			"2026-W08 ok, 2026-W09 ok, 2026-W10 ok, 2026-W11 FAIL, 2026-W12 ok, 2026-W13 ok, 2026-W14 ok" {
			t.Errorf("the commune, week by week: %s", got)
		}
		if r := env.As(auth.Agency).Get("/api/v1/compliance"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("period") {
			t.Errorf("without a period: %s", r)
		}
		scoped := env.Client(env.Token(auth.Auditor, "A"))
		if items := orZero(testenv.GetAs[apiclient.HttpapiComplianceReport](scoped, "/api/v1/compliance?period=2026-Q1").Items); len(items) != 1 {
			t.Errorf("a scoped token judges its subtree: %+v", items)
		}
	})
}

// The public schedule of an organisation's coming periodic sessions needs no token, names no
// citizen, and its ICS file reads in a real iCalendar parser.
func TestPublicSchedule(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		setToday(t, env, "2026-03-20")
		staff := env.As(auth.Staff)
		sessionOf(staff, map[string]any{"kind": "periodic", "date": "2026-03-25", "host_role": "head",
			"host_name": "Nguyễn Văn Hùng", "host_title": "Chủ tịch UBND tỉnh", "location": "Trụ sở Tiếp công dân tỉnh"})
		sessionOf(staff, map[string]any{"kind": "periodic", "date": "2026-04-22", "host_role": "authorized"})
		sessionOf(staff, map[string]any{"kind": "periodic", "date": "2026-03-10", "host_role": "head"}) // past
		// not periodic: today's regular session, where a citizen came (a visit cannot be dated ahead)
		staff.Create("/api/v1/visits", map[string]any{"session_id": newSession(staff, "regular", "2026-03-20"), "case": newCaseBody("Kiến nghị"),
			"persons": []any{map[string]any{"full_name": "Lê Thị Riêng Tư"}}})

		public := env.Client("")
		r := public.Get("/api/v1/public/orgs/TCD/schedule.ics")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(r.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("the ICS feed without a token: %s", r)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("the feed does not parse as iCalendar: %v\n%s", err, r.Body)
		}
		events := cal.Events()
		if len(events) != 2 {
			t.Fatalf("the coming periodic sessions: %d events\n%s", len(events), r.Body)
		}
		first := events[0]
		start, err := first.GetAllDayStartAt()
		if err != nil || start.Format("2006-01-02") != "2026-03-25" {
			t.Errorf("an all-day event on the session's day: %v %v", start, err)
		}
		if s := first.GetProperty(ics.ComponentPropertySummary); s == nil || !strings.Contains(s.Value, "Chủ tịch UBND tỉnh Nguyễn Văn Hùng") {
			t.Errorf("the summary names who receives: %v", s)
		}
		if l := first.GetProperty(ics.ComponentPropertyLocation); l == nil || l.Value != "Trụ sở Tiếp công dân tỉnh" {
			t.Errorf("the place: %v", l)
		}
		j := public.Get("/api/v1/public/orgs/TCD/schedule.json")
		if j.Status != http.StatusOK || len(orZero(testenv.Decode[apiclient.HttpapiSchedule](t, j).Sessions)) != 2 || strings.Contains(string(j.Body), "Riêng Tư") {
			t.Errorf("the JSON feed: %s", j)
		}
		sessionOf(staff, map[string]any{"kind": "periodic", "date": "2026-05-20", "host_role": "head"})
		if again := public.Get("/api/v1/public/orgs/TCD/schedule.json"); string(again.Body) != string(j.Body) {
			t.Errorf("the feed is served from its cache for a few minutes: %s", again)
		}
		if r := public.Get("/api/v1/public/orgs/NOPE/schedule.ics"); r.Status != http.StatusNotFound {
			t.Errorf("an unknown code: %s", r)
		}
	})
}
