package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// An administrator records the year's swaps and extra days off, and changes the deadline rules;
// every due date in the register follows at once.
func TestCalendarAdministrationMovesDueDates(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		setToday(t, env, "2026-02-10")
		admin, staff := env.As(auth.Admin), env.As(auth.Staff)
		p := testenv.CreateAs[apiclient.RegistryCreatedPetition](staff, "/api/v1/petitions", petitionBody("2026-02-10", nil))
		path := "/api/v1/petitions/" + p.ID
		dueOn := func() string { return testenv.GetAs[apiclient.RegistryPetition](staff, path).DueOn.String() }
		if dueOn() != "2026-03-03" {
			t.Fatalf("due %v before any change", dueOn())
		}

		year := testenv.GetAs[apiclient.HttpapiCalendarYear](env.As(auth.Agency), "/api/v1/calendar?year=2026")
		days := map[string]apiclient.CalendarDay{}
		for _, d := range year.Days {
			days[d.Date.String()] = d
		}
		_, listed := days["2026-02-23"]
		if tet := days["2026-02-17"]; tet.Kind != "off" || tet.Source != "announcement" || days["2026-01-10"].Kind != "working" || listed {
			t.Errorf("the 2026 calendar: Tết off, Saturday 10 January worked, 23 February an ordinary working day: %+v", year)
		}

		// Saturday 28 February made a working day: it is the 9th working day, 2 March the 10th
		swap := admin.Do(http.MethodPut, "/api/v1/calendar/days/2026-02-28", map[string]any{"kind": "working", "reason": "Làm bù cho ngày nghỉ hoán đổi"})
		if swap.Status != http.StatusOK || testenv.Decode[apiclient.CalendarDay](t, swap).Source != "admin" {
			t.Fatalf("PUT a working Saturday: %s", swap)
		}
		if got := dueOn(); got != "2026-03-02" {
			t.Errorf("after the admin's working Saturday: due %v, want 2026-03-02", got)
		}
		if got := testenv.ListAllAs[apiclient.RegistryPetition](staff, "/api/v1/petitions?status=pending", 50); len(got) != 1 {
			t.Errorf("the lists select on the new due date: %v", idsOf(got))
		}
		admin.Do(http.MethodPut, "/api/v1/calendar/days/2026-02-12", map[string]any{"kind": "off", "reason": "Nghỉ đột xuất do bão"})
		if got := dueOn(); got != "2026-03-03" {
			t.Errorf("an extra day off on 12 February: due %v, want 2026-03-03", got)
		}
		if r := admin.Delete("/api/v1/calendar/days/2026-02-12"); r.Status != http.StatusNoContent {
			t.Errorf("DELETE a day: %s", r)
		}
		if r := admin.Delete("/api/v1/calendar/days/2026-02-12"); r.Status != http.StatusNotFound {
			t.Errorf("DELETE a day no administrator recorded: want 404, got %s", r)
		}
		if r := admin.Delete("/api/v1/calendar/days/2026-02-28"); r.Status != http.StatusNoContent || dueOn() != "2026-03-03" {
			t.Errorf("without the admin's days the law's due date again: %s, due %v", r, dueOn())
		}

		refusedCalendarDays(t, admin, staff)
		rulesMoveDueDates(t, admin, staff, dueOn)

		staff.Patch("/api/v1/cases/"+p.CaseID, map[string]any{"accepted_on": "2026-01-16"})
		admin.Patch("/api/v1/deadline-rules/complaint.resolution", map[string]any{"days": 20})
		// 20 days from 16 January is Thursday 5 February
		if got := testenv.GetAs[apiclient.RegistryCase](staff, "/api/v1/cases/"+p.CaseID); dateOf(got.ResolutionDueOn) != "2026-02-05" {
			t.Errorf("a case's resolution follows its rule: %+v", got)
		}
		entries := testenv.ListAllAs[apiclient.AuditEntry](env.As(auth.Auditor), "/api/v1/audit?entity=calendar_day", 50)
		if len(entries) != 4 || entries[len(entries)-1].EntityID != "2026-02-28" {
			t.Errorf("every change of the calendar is audited: %+v", entries)
		}
	})
}

// refusedCalendarDays: days wrong in one field each are refused naming it; staff set no day.
func refusedCalendarDays(t *testing.T, admin, staff *testenv.Client) {
	t.Helper()
	for _, b := range []struct {
		date  string
		body  map[string]any
		field string
	}{
		{"2026-02-30", map[string]any{"kind": "off", "reason": "x"}, "date"},
		{"2026-03-02", map[string]any{"kind": "holiday", "reason": "x"}, "kind"},
		{"2026-03-02", map[string]any{"kind": "off"}, "reason"},
		{"2300-03-02", map[string]any{"kind": "off", "reason": "x"}, "date"},
	} {
		r := admin.Do(http.MethodPut, "/api/v1/calendar/days/"+b.date, b.body)
		if r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(b.field) {
			t.Errorf("PUT %s %v: want 422 naming %s, got %s", b.date, b.body, b.field, r)
		}
	}
	if r := staff.Do(http.MethodPut, "/api/v1/calendar/days/2026-03-02", map[string]any{"kind": "off", "reason": "x"}); r.Status != http.StatusForbidden {
		t.Errorf("staff change no calendar: %s", r)
	}
}

// rulesMoveDueDates changes the rule petition.decision and reads, through dueOn, the due date of
// a petition received on 10 February 2026 follow it; bad changes are refused naming their field.
func rulesMoveDueDates(t *testing.T, admin, staff *testenv.Client, dueOn func() string) {
	t.Helper()
	rules := testenv.GetAs[apiclient.HttpapiDeadlineRules](staff, "/api/v1/deadline-rules").Items
	if len(rules) != 3 || rules[2].Name != "petition.decision" || rules[2].Days != 10 {
		t.Fatalf("the contract's default rules: %+v", rules)
	}
	r := admin.Patch("/api/v1/deadline-rules/petition.decision", map[string]any{"days": 15})
	if r.Status != http.StatusOK || testenv.Decode[apiclient.CalendarRule](t, r).Days != 15 || dueOn() != "2026-03-10" {
		t.Errorf("15 working days: %s, due %v, want 2026-03-10", r, dueOn())
	}
	if r := admin.Patch("/api/v1/deadline-rules/petition.decision", map[string]any{"unit": "calendar_days"}); r.Status != http.StatusOK || dueOn() != "2026-02-25" {
		t.Errorf("15 calendar days from 10 February end on 25 February: %s, due %v", r, dueOn())
	}
	for _, b := range []struct {
		body  map[string]any
		field string
	}{{map[string]any{"days": 0}, "days"}, {map[string]any{"unit": "hours"}, "unit"}, {map[string]any{"extension_days": 30}, "max_extensions"}} {
		if r := admin.Patch("/api/v1/deadline-rules/petition.decision", b.body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(b.field) {
			t.Errorf("PATCH %v: want 422 naming %s, got %s", b.body, b.field, r)
		}
	}
	if r := admin.Patch("/api/v1/deadline-rules/no.such", map[string]any{"days": 3}); r.Status != http.StatusNotFound {
		t.Errorf("an unknown rule: %s", r)
	}
	if r := staff.Patch("/api/v1/deadline-rules/petition.decision", map[string]any{"days": 3}); r.Status != http.StatusForbidden {
		t.Errorf("staff change no rule: %s", r)
	}
}

// GET /deadlines lists, in one list by due date, the petitions, cases under resolution and
// directive letters due soon or overdue; /metrics counts them per organisation.
func TestDeadlinesReport(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		_, a, _ := orgTree(t, env)
		setToday(t, env, "2026-02-10")
		staff := env.As(auth.Staff)
		petition := func(extra map[string]any) apiclient.RegistryCreatedPetition {
			return testenv.CreateAs[apiclient.RegistryCreatedPetition](staff, "/api/v1/petitions", petitionBody("2026-02-10", extra))
		}
		overdue := petition(nil) // due 3 March
		decided := petition(nil)
		staff.Post("/api/v1/petitions/"+decided.ID+"/decide", map[string]any{"decision": "stored", "decided_on": "2026-02-10"})
		petition(map[string]any{"org_id": a}) // organisation A's
		letter := newDirective(staff, map[string]any{"number": "5/UBND-TCD", "issued_on": "2026-02-10",
			"recipient": "UBND xã Gio Mỹ", "due_on": "2026-03-06"})
		newDirective(staff, map[string]any{"number": "6/UBND-TCD", "issued_on": "2026-02-10",
			"recipient": "UBND xã Gio Mỹ", "due_on": "2026-04-30"}) // not yet due soon
		r := staff.Patch("/api/v1/cases/"+overdue.CaseID, map[string]any{"accepted_on": "2026-02-03"}) // due 5 March
		if r.Status != http.StatusOK {
			t.Fatalf("accept the case: %s", r)
		}
		kase := testenv.Decode[apiclient.RegistryCase](t, r)

		setToday(t, env, "2026-03-04")
		rootStaff := env.Client(env.Token(auth.Staff, "TCD"))
		deadlines := func(c *testenv.Client, query string) []apiclient.RegistryDeadline {
			return testenv.GetAs[apiclient.HttpapiDeadlines](c, "/api/v1/deadlines"+query).Items
		}
		got := deadlines(rootStaff, "")
		var summary []string
		for _, d := range got {
			summary = append(summary, string(d.Kind)+" "+d.DueOn.String()+" "+string(d.Status))
		}
		want := []string{"petition 2026-03-03 overdue", "petition 2026-03-03 overdue", "case 2026-03-05 due_soon", "directive 2026-03-06 due_soon"}
		if strings.Join(summary, "; ") != strings.Join(want, "; ") {
			t.Errorf("the root's deadlines on 4 March:\n%q\nwant\n%q", summary, want)
		}
		if len(got) > 2 && (got[2].Number != kase.Code || got[2].ID != kase.ID) {
			t.Errorf("a case is listed by its code: %+v", got[2])
		}
		if items := deadlines(rootStaff, "?status=due_soon"); len(items) != 2 || items[1].ID != letter.ID {
			t.Errorf("?status=due_soon: %+v", items)
		}
		if items := deadlines(env.Client(env.Token(auth.Staff, "A")), ""); len(items) != 1 {
			t.Errorf("organisation A's staff see A's deadlines only: %+v", items)
		}
		if r := rootStaff.Get("/api/v1/deadlines?status=late"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("status") {
			t.Errorf("an unknown status: %s", r)
		}
		if r := env.As(auth.Agency).Get("/api/v1/deadlines"); r.Status != http.StatusForbidden {
			t.Errorf("agency tokens read no deadlines: %s", r)
		}

		metrics := string(env.Client("").Get("/metrics").Body)
		for _, line := range []string{
			`tcd_deadlines{kind="petition",org="TCD",status="overdue"} 1`,
			`tcd_deadlines{kind="petition",org="A",status="overdue"} 1`,
			`tcd_deadlines{kind="case",org="TCD",status="due_soon"} 1`,
			`tcd_deadlines{kind="directive",org="TCD",status="due_soon"} 1`,
		} {
			if !strings.Contains(metrics, line) {
				t.Errorf("/metrics lacks %s", line)
			}
		}
	})
}
