package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

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
		p := created.JSON()
		if created.Status != http.StatusCreated || created.Header.Get("Location") != "/api/v1/petitions/"+p["id"].(string) {
			t.Fatalf("POST /petitions: %s", created)
		}
		if !petitionCode.MatchString(p["code"].(string)) || p["sender_count"] != float64(1) || len(p["person_ids"].([]any)) != 1 ||
			p["decision"] != nil || p["due_on"] != "2026-03-03" || p["status"] != "due_soon" {
			t.Fatalf("the petition, numbered, with its sender, due 10 working days after its receipt (across Tết): %v", p)
		}
		if _, ok := p["possible_duplicates"]; !ok {
			t.Errorf("a petition that opens a case answers the possible duplicates of it: %v", p)
		}
		kase := staff.Get("/api/v1/cases/" + p["case_id"].(string)).JSON()
		if kase["title"] != "Khiếu nại quyết định thu hồi đất thửa 45" || kase["accepted_on"] != nil {
			t.Fatalf("the inline case exists, not yet under resolution: %v", kase)
		}
		anonymous := staff.Create("/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "online", "case_id": p["case_id"]})
		if anonymous["sender_count"] != float64(0) || len(anonymous["person_ids"].([]any)) != 0 || anonymous["code"] == p["code"] {
			t.Errorf("an anonymous petition names nobody and has its own number: %v", anonymous)
		}

		caseID := p["case_id"]
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
		if n := len(staff.ListAll("/api/v1/cases", 50)); n != 1 {
			t.Errorf("a refused petition opens no case: %d cases", n)
		}
		if n := len(staff.ListAll("/api/v1/persons", 50)); n != 1 {
			t.Errorf("a refused petition registers nobody: %d persons", n)
		}

		path := "/api/v1/petitions/" + p["id"].(string)
		etag := staff.Get(path).Header.Get("ETag")
		r := staff.Patch(path, map[string]any{"received_on": "2026-02-11", "channel": "forwarded", "forwarded_from": "Thanh tra tỉnh"}, "If-Match", etag)
		if r.Status != http.StatusOK || r.JSON()["due_on"] != "2026-03-04" || r.JSON()["forwarded_from"] != "Thanh tra tỉnh" {
			t.Fatalf("a new received_on moves the due date: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"note": "x"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed {
			t.Errorf("PATCH with a stale ETag: want 412, got %s", r)
		}
		if r := staff.Patch(path, map[string]any{"forwarded_from": nil}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("forwarded_from") {
			t.Errorf("a forwarded petition keeps who forwarded it: %s", r)
		}

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
		moved := staff.Post(path+"/decide", map[string]any{"decision": "transferred", "decided_on": "2026-02-24",
			"decision_number": "15/PC-TCD", "transferred_to": "UBND huyện Hải Lăng"})
		if moved.Status != http.StatusOK || moved.JSON()["status"] != "decided" || moved.JSON()["transferred_to"] != "UBND huyện Hải Lăng" {
			t.Fatalf("a transfer decided in time: %s", moved)
		}
		if got := staff.ListAll("/api/v1/petitions?decision=transferred", 50); len(got) != 1 || got[0]["id"] != p["id"] {
			t.Errorf("decision= filter: %v", got)
		}
		if got := staff.ListAll("/api/v1/petitions?channel=online", 50); len(got) != 1 || got[0]["id"] != anonymous["id"] {
			t.Errorf("channel= filter: %v", got)
		}
		sender := p["person_ids"].([]any)[0].(string)
		if got := staff.ListAll("/api/v1/petitions?person_id="+sender, 50); len(got) != 1 || got[0]["id"] != p["id"] {
			t.Errorf("person_id= filter: %v", got)
		}
		if r := staff.Delete("/api/v1/persons/" + sender + "?reason=" + urlQuery("nhầm")); r.Status != http.StatusConflict {
			t.Errorf("a person a live petition names cannot be voided: want 409, got %s", r)
		}

		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("voiding without a reason: want 422, got %s", r)
		}
		if r := staff.Delete(path + "?reason=" + urlQuery("nhập trùng")); r.Status != http.StatusOK || r.JSON()["voided_at"] == nil {
			t.Fatalf("void: %s", r)
		}
		if got := staff.ListAll("/api/v1/petitions", 50); len(got) != 1 || got[0]["id"] != anonymous["id"] {
			t.Errorf("a voided petition is left out of lists: %v", got)
		}
		if r := staff.Get(path + "?include_voided=true"); r.Status != http.StatusOK {
			t.Errorf("a voided petition stays readable: %s", r)
		}

		entries := env.As(auth.Auditor).ListAll("/api/v1/audit?entity=petition&entity_id="+p["id"].(string), 50)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e["action"].(string))
		}
		if len(actions) != 4 || actions[0] != "void" || actions[1] != "decide" || actions[2] != "update" || actions[3] != "create" {
			t.Errorf("every write is audited, newest first: %v", actions)
		}

		_, a, _ := orgTree(t, env)
		staffA := env.Client(env.Token(auth.Staff, "A"))
		if r := staffA.Get("/api/v1/petitions/" + anonymous["id"].(string)); r.Status != http.StatusNotFound {
			t.Errorf("a petition outside the token's subtree does not exist for it: %s", r)
		}
		own := staffA.Create("/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "in_person", "case": newCaseBody("Kiến nghị đường thôn")})
		if own["org_id"] != a {
			t.Errorf("a scoped token's petition belongs to its organisation: %v", own)
		}
		if r := staffA.Post("/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "post", "case_id": p["case_id"]}); !r.HasFieldError("case_id") {
			t.Errorf("a case outside the subtree cannot be named: %s", r)
		}
		if r := env.As(auth.Agency).Get("/api/v1/petitions"); r.Status != http.StatusForbidden {
			t.Errorf("agency tokens read no petitions: %s", r)
		}
	})
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
			return staff.Create("/api/v1/petitions", petitionBody(received, nil))["due_on"].(string)
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
		p := staff.Create("/api/v1/petitions", petitionBody("2026-02-10", map[string]any{
			"case": map[string]any{"title": "Khiếu nại quyết định bồi thường", "category": "complaint", "field": "land"}}))
		path := "/api/v1/petitions/" + p["id"].(string)
		for _, c := range []struct{ today, status string }{
			{"2026-02-10", "pending"},
			{"2026-02-24", "pending"},  // due 3 March is 6 working days away
			{"2026-02-26", "due_soon"}, // 27 Feb, 2 and 3 March: within 3 working days
			{"2026-03-03", "due_soon"}, // due today is not yet overdue
			{"2026-03-04", "overdue"},
		} {
			setToday(t, env, c.today)
			if got := staff.Get(path).JSON()["status"]; got != c.status {
				t.Errorf("on %s: status %v, want %s", c.today, got, c.status)
			}
			if got := staff.ListAll("/api/v1/petitions?case_id="+p["case_id"].(string)+"&status="+c.status, 50); len(got) != 1 || got[0]["id"] != p["id"] {
				t.Errorf("on %s: ?status=%s lists %v", c.today, c.status, ids(got))
			}
		}
		late := staff.Post(path+"/decide", map[string]any{"decision": "accepted", "decided_on": "2026-03-04", "decision_number": "3/TB-TCD"})
		if late.Status != http.StatusOK || late.JSON()["status"] != "decided_late" {
			t.Fatalf("decided the day after it was due: %s", late)
		}
		kase := staff.Get("/api/v1/cases/" + p["case_id"].(string)).JSON()
		// a complaint: 30 days from 4 March 2026 is Friday 3 April
		if kase["accepted_on"] != "2026-03-04" || kase["resolution_due_on"] != "2026-04-03" {
			t.Errorf("accepting the petition puts its case under resolution: %v", kase)
		}
		onTime := staff.Post(path+"/decide", map[string]any{"decision": "accepted", "decided_on": "2026-03-03"})
		if onTime.JSON()["status"] != "decided" {
			t.Errorf("a corrected decision on the due day is on time: %s", onTime)
		}
		if got := staff.Get("/api/v1/cases/" + p["case_id"].(string)).JSON(); got["accepted_on"] != "2026-03-04" {
			t.Errorf("the resolution runs from the first acceptance: %v", got)
		}

		casePath := "/api/v1/cases/" + p["case_id"].(string)
		// 30 days from 16 January 2026 is Sunday 15 February, in the Tết break: due Monday 23 February
		if r := staff.Patch(casePath, map[string]any{"accepted_on": "2026-01-16"}); r.JSON()["resolution_due_on"] != "2026-02-23" {
			t.Errorf("a calendar-days period ending on a day off ends on the next working day: %s", r)
		}
		if r := staff.Patch(casePath, map[string]any{"complex": true}); r.JSON()["resolution_due_on"] != "2026-03-02" {
			t.Errorf("a complex complaint has 45 days (to Sunday 1 March, so Monday 2 March): %s", r)
		}
		if r := staff.Patch(casePath, map[string]any{"extensions": 1}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("extensions") {
			t.Errorf("a complaint's period is not extended: %s", r)
		}
		if r := staff.Patch(casePath, map[string]any{"category": "denunciation", "complex": false, "extensions": 2}); r.JSON()["resolution_due_on"] != "2026-04-16" {
			t.Errorf("a denunciation extended twice has 90 days from 16 January (16 April): %s", r)
		}
		if r := staff.Patch(casePath, map[string]any{"extensions": 3}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("extensions") {
			t.Errorf("at most two extensions: %s", r)
		}
		if r := staff.Patch(casePath, map[string]any{"accepted_on": nil}); r.JSON()["resolution_due_on"] != nil {
			t.Errorf("a case no longer accepted has no resolution due: %s", r)
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
		p := staffA.Create("/api/v1/petitions", map[string]any{"received_on": "2026-02-26", "channel": "post",
			"case":    map[string]any{"title": "Tố cáo cán bộ địa chính nhận tiền", "category": "denunciation", "field": "corruption"},
			"persons": []any{map[string]any{"full_name": "Hồ Văn Tố", "phone": "0912333444"}}})
		sender := p["person_ids"].([]any)[0].(string)
		if got := staffA.Get("/api/v1/petitions/" + p["id"].(string)).JSON(); len(got["person_ids"].([]any)) != 1 || got["identity_hidden"] != nil {
			t.Errorf("the owning organisation's staff see the sender: %v", got)
		}
		for who, c := range map[string]*testenv.Client{"staff of the parent": env.Client(env.Token(auth.Staff, "TCD")), "auditor": env.As(auth.Auditor)} {
			if got := c.Get("/api/v1/petitions/" + p["id"].(string)).JSON(); got["identity_hidden"] != true || len(got["person_ids"].([]any)) != 0 {
				t.Errorf("%s reads who denounced: %v", who, got)
			}
			if got := c.ListAll("/api/v1/petitions?person_id="+sender, 50); len(got) != 0 {
				t.Errorf("%s finds the denunciation by its sender: %v", who, got)
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
		decide := func(id any, body map[string]any) {
			t.Helper()
			if r := staff.Post("/api/v1/petitions/"+id.(string)+"/decide", body); r.Status != http.StatusOK {
				t.Fatalf("decide: %s", r)
			}
		}
		january := staff.Create("/api/v1/petitions", petitionBody("2026-01-28", nil)) // due 11 February
		decide(january["id"], map[string]any{"decision": "stored", "decided_on": "2026-02-12"})
		onTime := staff.Create("/api/v1/petitions", petitionBody("2026-02-10", nil)) // due 3 March
		decide(onTime["id"], map[string]any{"decision": "accepted", "decided_on": "2026-03-03"})
		late := staff.Create("/api/v1/petitions", petitionBody("2026-02-10", nil))
		decide(late["id"], map[string]any{"decision": "transferred", "decided_on": "2026-03-04", "transferred_to": "Sở Xây dựng"})
		staff.Create("/api/v1/petitions", petitionBody("2026-03-20", nil)) // undecided
		voided := staff.Create("/api/v1/petitions", petitionBody("2026-03-20", nil))
		decide(voided["id"], map[string]any{"decision": "guided", "decided_on": "2026-03-21"})
		staff.Delete("/api/v1/petitions/" + voided["id"].(string) + "?reason=" + urlQuery("nhập nhầm"))

		agency := env.As(auth.Agency)
		got := agency.Get("/api/v1/stats/summary?period=2026-Q1").JSON()["petitions"].(map[string]any)
		byDecision := got["by_decision"].(map[string]any)
		if got["received"] != float64(4) || got["decided"] != float64(3) || got["on_time"] != float64(1) || got["late"] != float64(2) ||
			byDecision["accepted"] != float64(1) || byDecision["transferred"] != float64(1) || byDecision["stored"] != float64(1) ||
			byDecision["guided"] != float64(0) || byDecision["returned"] != float64(0) {
			t.Errorf("2026-Q1: %v", got)
		}
		march := agency.Get("/api/v1/stats/summary?period=2026-03").JSON()["petitions"].(map[string]any)
		if march["received"] != float64(1) || march["decided"] != float64(2) {
			t.Errorf("March: received the one of 20 March, decided those of 3 and 4 March: %v", march)
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
