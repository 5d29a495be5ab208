package httpapi_test

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// setToday moves the service's clock to noon (UTC, the evening in Vietnam) of day.
func setToday(t *testing.T, env *testenv.Env, day string) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	at := d.Add(12 * time.Hour)
	env.App.Registry.SetClock(func() time.Time { return at })
}

func petitionBody(receivedOn string, extra map[string]any) map[string]any {
	body := map[string]any{"received_on": receivedOn, "channel": "post",
		"case":    map[string]any{"title": "Khiếu nại quyết định thu hồi đất thửa 45", "category": "complaint", "field": "land"},
		"persons": []any{map[string]any{"full_name": "Võ Thị Đơn", "address": "Thôn 2, xã Gio Mỹ"}}}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

var petitionCode = regexp.MustCompile(`^DON-2026-\d{6}$`)

// A petition is a register record like a visit: its case and senders in the same request and
// the same transaction, its organisation's scope, voiding, the audit log.
func TestPetitionRecords(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		setToday(t, env, "2026-03-02")
		staff := env.As(auth.Staff)
		created := staff.Post("/api/v1/petitions", petitionBody("2026-02-10", map[string]any{"document_date": "2026-02-05", "content": "Đề nghị xem xét lại"}))
		if created.Status != http.StatusCreated {
			t.Fatalf("POST /petitions: %s", created)
		}
		p := testenv.Decode[apiclient.RegistryCreatedPetition](t, created)
		if created.Header.Get("Location") != "/api/v1/petitions/"+p.ID {
			t.Fatalf("POST /petitions: Location %q, petition %s", created.Header.Get("Location"), p.ID)
		}
		if !petitionCode.MatchString(p.Code) || p.SenderCount != 1 || len(p.PersonIds) != 1 ||
			p.Decision != nil || p.DueOn.String() != "2026-03-03" || p.Status != "due_soon" {
			t.Fatalf("the petition, numbered, with its sender, due 10 working days after its receipt (across Tết): %+v", p)
		}
		if p.PossibleDuplicates == nil {
			t.Errorf("a petition that opens a case answers the possible duplicates of it: %+v", p)
		}
		kase := testenv.GetAs[apiclient.RegistryCase](staff, "/api/v1/cases/"+p.CaseID)
		if kase.Title != "Khiếu nại quyết định thu hồi đất thửa 45" || kase.AcceptedOn != nil {
			t.Fatalf("the inline case exists, not yet under resolution: %+v", kase)
		}
		anonymous := testenv.CreateAs[apiclient.RegistryCreatedPetition](staff, "/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "online", "case_id": p.CaseID})
		if anonymous.SenderCount != 0 || len(anonymous.PersonIds) != 0 || anonymous.Code == p.Code {
			t.Errorf("an anonymous petition names nobody and has its own number: %+v", anonymous)
		}
		refusedPetitionsWriteNothing(t, staff, p.CaseID)

		path := "/api/v1/petitions/" + p.ID
		etag := staff.Get(path).Header.Get("ETag")
		r := staff.Patch(path, map[string]any{"received_on": "2026-02-11", "channel": "forwarded", "forwarded_from": "Thanh tra tỉnh"}, "If-Match", etag)
		if r.Status != http.StatusOK {
			t.Fatalf("a new received_on moves the due date: %s", r)
		}
		if patched := testenv.Decode[apiclient.RegistryPetition](t, r); patched.DueOn.String() != "2026-03-04" || orZero(patched.ForwardedFrom) != "Thanh tra tỉnh" {
			t.Fatalf("a new received_on moves the due date: %+v", patched)
		}
		if r := staff.Patch(path, map[string]any{"note": "x"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed {
			t.Errorf("PATCH with a stale ETag: want 412, got %s", r)
		}
		if r := staff.Patch(path, map[string]any{"forwarded_from": nil}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("forwarded_from") {
			t.Errorf("a forwarded petition keeps who forwarded it: %s", r)
		}

		refusedDecisions(t, staff, path)
		moved := staff.Post(path+"/decide", map[string]any{"decision": "transferred", "decided_on": "2026-02-24",
			"decision_number": "15/PC-TCD", "transferred_to": "UBND huyện Hải Lăng"})
		if moved.Status != http.StatusOK {
			t.Fatalf("a transfer decided in time: %s", moved)
		}
		if d := testenv.Decode[apiclient.RegistryPetition](t, moved); d.Status != "decided" || orZero(d.TransferredTo) != "UBND huyện Hải Lăng" {
			t.Fatalf("a transfer decided in time: %+v", d)
		}
		sender := p.PersonIds[0]
		for query, want := range map[string]string{"decision=transferred": p.ID, "channel=online": anonymous.ID, "person_id=" + sender: p.ID} {
			if got := idsOf(testenv.ListAllAs[apiclient.RegistryPetition](staff, "/api/v1/petitions?"+query, 50)); len(got) != 1 || got[0] != want {
				t.Errorf("%s filter: %v", query, got)
			}
		}
		if r := staff.Delete("/api/v1/persons/" + sender + "?reason=" + urlQuery("nhầm")); r.Status != http.StatusConflict {
			t.Errorf("a person a live petition names cannot be voided: want 409, got %s", r)
		}

		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("voiding without a reason: want 422, got %s", r)
		}
		if r := staff.Delete(path + "?reason=" + urlQuery("nhập trùng")); r.Status != http.StatusOK || testenv.Decode[apiclient.RegistryPetition](t, r).VoidedAt == nil {
			t.Fatalf("void: %s", r)
		}
		if got := idsOf(testenv.ListAllAs[apiclient.RegistryPetition](staff, "/api/v1/petitions", 50)); len(got) != 1 || got[0] != anonymous.ID {
			t.Errorf("a voided petition is left out of lists: %v", got)
		}
		if r := staff.Get(path + "?include_voided=true"); r.Status != http.StatusOK {
			t.Errorf("a voided petition stays readable: %s", r)
		}

		if actions := auditActions(env.As(auth.Auditor), "petition", p.ID); !slices.Equal(actions, []string{"void", "decide", "update", "create"}) {
			t.Errorf("every write is audited, newest first: %v", actions)
		}

		petitionsKeepToTheirSubtree(t, env, anonymous.ID, p.CaseID)
	})
}

// petitionsKeepToTheirSubtree: a token scoped to organisation A neither reads the root's
// petition petitionID nor names its case caseID, and its own petitions are A's; agency tokens
// read no petitions.
func petitionsKeepToTheirSubtree(t *testing.T, env *testenv.Env, petitionID, caseID string) {
	t.Helper()
	_, a, _ := orgTree(t, env)
	staffA := env.Client(env.Token(auth.Staff, "A"))
	if r := staffA.Get("/api/v1/petitions/" + petitionID); r.Status != http.StatusNotFound {
		t.Errorf("a petition outside the token's subtree does not exist for it: %s", r)
	}
	own := testenv.CreateAs[apiclient.RegistryCreatedPetition](staffA, "/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "in_person", "case": newCaseBody("Kiến nghị đường thôn")})
	if own.OrgID != a {
		t.Errorf("a scoped token's petition belongs to its organisation: %+v", own)
	}
	if r := staffA.Post("/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "post", "case_id": caseID}); !r.HasFieldError("case_id") {
		t.Errorf("a case outside the subtree cannot be named: %s", r)
	}
	if r := env.As(auth.Agency).Get("/api/v1/petitions"); r.Status != http.StatusForbidden {
		t.Errorf("agency tokens read no petitions: %s", r)
	}
}

// refusedPetitionsWriteNothing posts petitions that are wrong in one field each (caseID is the
// register's only case, with its one sender): each is refused naming the field, and none opens a
// case or registers a person.
func refusedPetitionsWriteNothing(t *testing.T, staff *testenv.Client, caseID string) {
	t.Helper()
	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no received_on", map[string]any{"channel": "post", "case_id": caseID}, "received_on"},
		{"received tomorrow", map[string]any{"received_on": "2026-03-03", "channel": "post", "case_id": caseID}, "received_on"},
		{"unknown channel", map[string]any{"received_on": "2026-02-10", "channel": "fax", "case_id": caseID}, "channel"},
		{"forwarded by nobody", map[string]any{"received_on": "2026-02-10", "channel": "forwarded", "case_id": caseID}, "forwarded_from"},
		{"written after it came", map[string]any{"received_on": "2026-02-10", "channel": "post", "case_id": caseID, "document_date": "2026-02-11"}, "document_date"},
		{"fewer senders than named", petitionBody("2026-02-10", map[string]any{"sender_count": 0}), "sender_count"},
		{"no case", map[string]any{"received_on": "2026-02-10", "channel": "post"}, "case_id"},
		{"unknown case", map[string]any{"received_on": "2026-02-10", "channel": "post", "case_id": "no-such-case"}, "case_id"},
		{"bad inline person", petitionBody("2026-02-10", map[string]any{"persons": []any{map[string]any{"full_name": "A", "id_number": "123"}}}), "persons[0].id_number"},
		{"bad inline case", petitionBody("2026-02-10", map[string]any{"case": map[string]any{"title": "X", "category": "lawsuit", "field": "land"}}), "case.category"},
	}
	for _, b := range bad {
		if r := staff.Post("/api/v1/petitions", b.body); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
			t.Errorf("%s: want 422 naming %s, got %s", b.name, b.field, r)
		}
	}
	if n := len(testenv.ListAllAs[apiclient.RegistryCase](staff, "/api/v1/cases", 50)); n != 1 {
		t.Errorf("a refused petition opens no case: %d cases", n)
	}
	if n := len(testenv.ListAllAs[apiclient.RegistryPerson](staff, "/api/v1/persons", 50)); n != 1 {
		t.Errorf("a refused petition registers nobody: %d persons", n)
	}
}

// refusedDecisions decides the petition at path (received 11 February 2026, today 2 March) in
// ways that are wrong in one field each: each is refused naming the field.
func refusedDecisions(t *testing.T, staff *testenv.Client, path string) {
	t.Helper()
	for _, b := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"decision": "transferred", "decided_on": "2026-02-20"}, "transferred_to"},
		{map[string]any{"decision": "stored", "decided_on": "2026-02-20", "transferred_to": "Sở Tư pháp"}, "transferred_to"},
		{map[string]any{"decision": "accepted", "decided_on": "2026-02-09"}, "decided_on"},
		{map[string]any{"decision": "accepted", "decided_on": "2026-03-05"}, "decided_on"},
		{map[string]any{"decision": "filed", "decided_on": "2026-02-20"}, "decision"},
	} {
		if r := staff.Post(path+"/decide", b.body); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(b.field) {
			t.Errorf("decide %v: want 422 naming %s, got %s", b.body, b.field, r)
		}
	}
}

// Due dates follow the working-day calendar: Tết, Hùng Kings' day on a weekday and on a
// Sunday (which gives the Monday off), and a complaint's 30 calendar days that end in the Tết
// break. The status follows the clock.
func TestPetitionDeadlines(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		setToday(t, env, "2027-04-15")
		due := func(received string) string {
			t.Helper()
			return testenv.CreateAs[apiclient.RegistryCreatedPetition](staff, "/api/v1/petitions", petitionBody(received, nil)).DueOn.String()
		}
		for _, c := range []struct{ received, due, why string }{
			// 11-13 Feb, then 23 Feb-3 Mar: 14-22 February 2026 are the Tết break
			{"2026-02-10", "2026-03-03", "across Tết 2026"},
			// Hùng Kings' day is Sunday 26 April 2026: Monday 27 is off, then 30 April and 1 May
			{"2026-04-23", "2026-05-12", "Hùng Kings' day on a Sunday"},
			// Hùng Kings' day is Friday 16 April 2027; 1 May 2027 is a Saturday, so Monday 3 May is off
			{"2027-04-15", "2027-05-04", "Hùng Kings' day on a Friday, 1 May on a Saturday"},
		} {
			if got := due(c.received); got != c.due {
				t.Errorf("%s: received %s, due %s, want %s", c.why, c.received, got, c.due)
			}
		}

		setToday(t, env, "2026-02-10")
		p := testenv.CreateAs[apiclient.RegistryCreatedPetition](staff, "/api/v1/petitions", petitionBody("2026-02-10", map[string]any{
			"case": map[string]any{"title": "Khiếu nại quyết định bồi thường", "category": "complaint", "field": "land"}}))
		path := "/api/v1/petitions/" + p.ID
		for _, c := range []struct{ today, status string }{
			{"2026-02-10", "pending"},
			{"2026-02-24", "pending"},  // due 3 March is 6 working days away
			{"2026-02-26", "due_soon"}, // 27 Feb, 2 and 3 March: within 3 working days
			{"2026-03-03", "due_soon"}, // due today is not yet overdue
			{"2026-03-04", "overdue"},
		} {
			setToday(t, env, c.today)
			if got := testenv.GetAs[apiclient.RegistryPetition](staff, path).Status; string(got) != c.status {
				t.Errorf("on %s: status %v, want %s", c.today, got, c.status)
			}
			if got := idsOf(testenv.ListAllAs[apiclient.RegistryPetition](staff, "/api/v1/petitions?case_id="+p.CaseID+"&status="+c.status, 50)); len(got) != 1 || got[0] != p.ID {
				t.Errorf("on %s: ?status=%s lists %v", c.today, c.status, got)
			}
		}
		decide := func(body map[string]any) apiclient.RegistryPetition {
			t.Helper()
			r := staff.Post(path+"/decide", body)
			if r.Status != http.StatusOK {
				t.Fatalf("decide %v: %s", body, r)
			}
			return testenv.Decode[apiclient.RegistryPetition](t, r)
		}
		if late := decide(map[string]any{"decision": "accepted", "decided_on": "2026-03-04", "decision_number": "3/TB-TCD"}); late.Status != "decided_late" {
			t.Fatalf("decided the day after it was due: %+v", late)
		}
		casePath := "/api/v1/cases/" + p.CaseID
		kase := testenv.GetAs[apiclient.RegistryCase](staff, casePath)
		// a complaint: 30 days from 4 March 2026 is Friday 3 April
		if dateOf(kase.AcceptedOn) != "2026-03-04" || dateOf(kase.ResolutionDueOn) != "2026-04-03" {
			t.Errorf("accepting the petition puts its case under resolution: %+v", kase)
		}
		if onTime := decide(map[string]any{"decision": "accepted", "decided_on": "2026-03-03"}); onTime.Status != "decided" {
			t.Errorf("a corrected decision on the due day is on time: %+v", onTime)
		}
		if got := testenv.GetAs[apiclient.RegistryCase](staff, casePath); dateOf(got.AcceptedOn) != "2026-03-04" {
			t.Errorf("the resolution runs from the first acceptance: %+v", got)
		}

		// each patch applies to the case as the ones before it left it
		for _, c := range []struct {
			why     string
			patch   map[string]any
			refused bool   // 422 naming extensions
			due     string // resolution_due_on after the patch, "" for none
		}{
			// 30 days from 16 January 2026 is Sunday 15 February, in the Tết break: due Monday 23 February
			{"a calendar-days period ending on a day off ends on the next working day", map[string]any{"accepted_on": "2026-01-16"}, false, "2026-02-23"},
			{"a complex complaint has 45 days (to Sunday 1 March, so Monday 2 March)", map[string]any{"complex": true}, false, "2026-03-02"},
			{"a complaint's period is not extended", map[string]any{"extensions": 1}, true, ""},
			{"a denunciation extended twice has 90 days from 16 January (16 April)", map[string]any{"category": "denunciation", "complex": false, "extensions": 2}, false, "2026-04-16"},
			{"at most two extensions", map[string]any{"extensions": 3}, true, ""},
			{"a case no longer accepted has no resolution due", map[string]any{"accepted_on": nil}, false, ""},
		} {
			r := staff.Patch(casePath, c.patch)
			if c.refused {
				if r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("extensions") {
					t.Errorf("%s: %s", c.why, r)
				}
				continue
			}
			if r.Status != http.StatusOK {
				t.Errorf("%s: %s", c.why, r)
			} else if got := testenv.Decode[apiclient.RegistryCase](t, r); dateOf(got.ResolutionDueOn) != c.due {
				t.Errorf("%s: resolution due %q", c.why, dateOf(got.ResolutionDueOn))
			}
		}
	})
}

// The senders of a petition about a denunciation are denouncers: only admins and the owning
// organisation's staff know who they are.
func TestPetitionKeepsDenouncersSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		setToday(t, env, "2026-03-02")
		orgTree(t, env)
		staffA := env.Client(env.Token(auth.Staff, "A"))
		p := testenv.CreateAs[apiclient.RegistryCreatedPetition](staffA, "/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "post",
			"case":    map[string]any{"title": "Tố cáo cán bộ địa chính nhận tiền", "category": "denunciation", "field": "corruption"},
			"persons": []any{map[string]any{"full_name": "Hồ Văn Tố", "phone": "0912333444"}}})
		sender := p.PersonIds[0]
		if got := testenv.GetAs[apiclient.RegistryPetition](staffA, "/api/v1/petitions/"+p.ID); len(got.PersonIds) != 1 || got.IdentityHidden != nil {
			t.Errorf("the owning organisation's staff see the sender: %+v", got)
		}
		for who, c := range map[string]*testenv.Client{"staff of the parent": env.Client(env.Token(auth.Staff, "TCD")), "auditor": env.As(auth.Auditor)} {
			if got := testenv.GetAs[apiclient.RegistryPetition](c, "/api/v1/petitions/"+p.ID); !orZero(got.IdentityHidden) || len(got.PersonIds) != 0 {
				t.Errorf("%s reads who denounced: %+v", who, got)
			}
			if got := testenv.ListAllAs[apiclient.RegistryPetition](c, "/api/v1/petitions?person_id="+sender, 50); len(got) != 0 {
				t.Errorf("%s finds the denunciation by its sender: %v", who, idsOf(got))
			}
			if r := c.Get("/api/v1/persons/" + sender); r.Status != http.StatusNotFound {
				t.Errorf("%s reads the denouncer: %s", who, r)
			}
		}
		if got := env.As(auth.Admin).Get("/api/v1/persons/" + sender); got.Status != http.StatusOK {
			t.Errorf("admins see every denouncer: %s", got)
		}
	})
}

// The summary counts the period's petitions: received in it, and decided in it by decision, on
// time or late; voided ones count nowhere. The report workbook lists the same figures.
func TestPetitionStatistics(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		setToday(t, env, "2026-04-30")
		staff := env.As(auth.Staff)
		petition := func(received string, decision map[string]any) string {
			t.Helper()
			id := testenv.CreateAs[apiclient.RegistryCreatedPetition](staff, "/api/v1/petitions", petitionBody(received, nil)).ID
			if decision != nil {
				if r := staff.Post("/api/v1/petitions/"+id+"/decide", decision); r.Status != http.StatusOK {
					t.Fatalf("decide: %s", r)
				}
			}
			return id
		}
		petition("2026-01-28", map[string]any{"decision": "stored", "decided_on": "2026-02-12"})   // due 11 February
		petition("2026-02-10", map[string]any{"decision": "accepted", "decided_on": "2026-03-03"}) // due 3 March
		petition("2026-02-10", map[string]any{"decision": "transferred", "decided_on": "2026-03-04", "transferred_to": "Sở Xây dựng"})
		petition("2026-03-20", nil) // undecided
		voided := petition("2026-03-20", map[string]any{"decision": "guided", "decided_on": "2026-03-21"})
		staff.Delete("/api/v1/petitions/" + voided + "?reason=" + urlQuery("nhập nhầm"))

		agency := env.As(auth.Agency)
		got := testenv.GetAs[apiclient.ReportSummary](agency, "/api/v1/stats/summary?period=2026-Q1").Petitions
		if got.Received != 4 || got.Decided != 3 || got.OnTime != 1 || got.Late != 2 ||
			!maps.Equal(got.ByDecision, map[string]int{"accepted": 1, "transferred": 1, "stored": 1, "guided": 0, "returned": 0}) {
			t.Errorf("2026-Q1: %+v", got)
		}
		march := testenv.GetAs[apiclient.ReportSummary](agency, "/api/v1/stats/summary?period=2026-03").Petitions
		if march.Received != 1 || march.Decided != 2 {
			t.Errorf("March: received the one of 20 March, decided those of 3 and 4 March: %+v", march)
		}
		text := string(agency.Get("/api/v1/stats/summary?period=2026-Q1&format=text&lang=vi").Body)
		if !strings.Contains(text, "Tiếp nhận 04 đơn; xử lý 03 đơn (đúng hạn 01, quá hạn 02).") {
			t.Errorf("the paragraph: %s", text)
		}
		f := openXLSX(t, download(t, agency, "/api/v1/exports/report?period=2026-Q1&format=xlsx", "tcd-report-2026-Q1-calendar.xlsx", xlsxType))
		rows, err := f.GetRows("Tổng hợp")
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, r := range rows {
			if len(r) == 3 { // label, metric, value
				found[r[0]] = r[2]
			}
		}
		if found["Đơn: số đơn tiếp nhận"] != "4" || found["Đơn: theo hướng xử lý: chuyển đơn"] != "1" || found["Đơn: xử lý quá hạn"] != "2" {
			t.Errorf("the workbook's summary sheet lists the petitions: %q", rows)
		}
	})
}
