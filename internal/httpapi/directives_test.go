package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestDirectiveStatusAndReply(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		now := time.Now().In(env.App.Config.TimeZone)
		day := func(offset int) string { return now.AddDate(0, 0, offset).Format(time.DateOnly) }
		caseID := newCase(staff, "Tranh chấp đất đai thôn 3")
		letter := func(number, due string) apiclient.RegistryDirective {
			return newDirective(staff, map[string]any{"number": number, "issued_on": "2024-03-22", "recipient": "UBND huyện Gio Linh",
				"case_id": caseID, "request": "Xác minh, trả lời công dân", "due_on": due})
		}
		overdue := letter("88/UBND-TCD", "2024-04-22")
		pending := letter("89/UBND-TCD", day(30))
		dueToday := letter("90/UBND-TCD", day(0))
		undated := newDirective(staff, map[string]any{"number": "91/UBND-TCD", "issued_on": day(-1), "recipient": "Sở Tài nguyên và Môi trường"})
		for _, c := range []struct {
			d    apiclient.RegistryDirective
			want apiclient.RegistryDirectiveStatus
		}{{overdue, "overdue"}, {pending, "pending"}, {dueToday, "pending"}, {undated, "pending"}} {
			if got := testenv.GetAs[apiclient.RegistryDirective](staff, "/api/v1/directives/"+c.d.ID).Status; got != c.want || c.d.Status != c.want {
				t.Errorf("%s due %v: want %s, got %v (created as %v)", c.d.Number, dateOf(c.d.DueOn), c.want, got, c.d.Status)
			}
		}

		reply := "/api/v1/directives/" + overdue.ID + "/reply"
		refusedReplies(t, staff, reply, day(1))
		r := staff.Post(reply, map[string]any{"replied_on": "2024-04-10", "summary": "Đã trả lời công dân"})
		if r.Status != http.StatusOK || r.Header.Get("ETag") == "" {
			t.Fatalf("reply: want 200 with the replied letter, got %s", r)
		}
		if d := testenv.Decode[apiclient.RegistryDirective](t, r); d.Status != "replied" || dateOf(d.RepliedOn) != "2024-04-10" || orZero(d.ReplySummary) != "Đã trả lời công dân" {
			t.Fatalf("reply: want the replied letter, got %+v", d)
		}
		if r := staff.Post(reply, map[string]any{"replied_on": "2024-04-11", "summary": "Lần hai"}); r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("replying twice: want 409, got %s", r)
		}
		spare := letter("92/UBND-TCD", day(5))
		kept := "/api/v1/directives/" + spare.ID + "/reply"
		r1 := staff.Post(kept, map[string]any{"replied_on": day(0), "summary": "Đã giải quyết"}, "Idempotency-Key", "reply-1")
		r2 := staff.Post(kept, map[string]any{"replied_on": day(0), "summary": "Đã giải quyết"}, "Idempotency-Key", "reply-1")
		if r1.Status != http.StatusOK || r2.Status != http.StatusOK || testenv.Decode[apiclient.RegistryDirective](t, r2).Status != "replied" {
			t.Fatalf("a retried reply with its Idempotency-Key answers the first response, not 409: %s / %s", r1, r2)
		}
		if r := staff.Post("/api/v1/directives/"+uuid.NewString()+"/reply", map[string]any{"replied_on": "2024-04-10", "summary": "x"}); r.Status != http.StatusNotFound {
			t.Fatalf("reply to an unknown letter: want 404, got %s", r)
		}

		listed := func(q string) []string {
			got := idsOf(testenv.ListAllAs[apiclient.RegistryDirective](staff, "/api/v1/directives?"+q, 2))
			slices.Sort(got)
			return got
		}
		sorted := func(ds ...apiclient.RegistryDirective) []string {
			out := idsOf(ds)
			slices.Sort(out)
			return out
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"status=overdue", nil},
			{"status=replied", sorted(overdue, spare)},
			{"status=pending", sorted(pending, dueToday, undated)},
			{"recipient=gio%20linh", sorted(overdue, pending, dueToday, spare)},
			{"recipient=S%E1%BB%9E%20TAI%20NGUYEN", sorted(undated)},
			{"status=pending&recipient=gio%20linh", sorted(pending, dueToday)},
			{"from=2024-03-22&to=2024-03-22", sorted(overdue, pending, dueToday, spare)},
			{"case_id=" + caseID, sorted(overdue, pending, dueToday, spare)},
		} {
			if got := listed(c.query); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.query, got, c.want)
			}
		}
		if r := staff.Get("/api/v1/directives?status=late"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("status") {
			t.Errorf("unknown status: want 422 naming status, got %s", r)
		}

		// moving the due date into the past turns a pending letter overdue, in lists too
		if r := staff.Patch("/api/v1/directives/"+pending.ID, map[string]any{"due_on": day(-1)}); r.Status != http.StatusOK || testenv.Decode[apiclient.RegistryDirective](t, r).Status != "overdue" {
			t.Fatalf("PATCH due_on into the past: %s", r)
		}
		if got := listed("status=overdue"); !slices.Equal(got, sorted(pending)) {
			t.Fatalf("status=overdue after the change: %v", got)
		}
		if r := staff.Patch("/api/v1/directives/"+pending.ID, map[string]any{"reply_summary": "x"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("replied_on") {
			t.Fatalf("PATCH cannot record a first reply: %s", r)
		}
		if r := staff.Patch("/api/v1/directives/"+overdue.ID, map[string]any{"replied_on": "2024-04-12"}); r.Status != http.StatusOK || dateOf(testenv.Decode[apiclient.RegistryDirective](t, r).RepliedOn) != "2024-04-12" {
			t.Fatalf("PATCH corrects a recorded reply: %s", r)
		}

		if actions := auditActions(env.As(auth.Auditor), "directive", overdue.ID); fmt.Sprint(actions) != "[update reply create]" {
			t.Fatalf("create, reply and update are audited: %v", actions)
		}
	})
}

func newDirective(c *testenv.Client, body map[string]any) apiclient.RegistryDirective {
	return testenv.CreateAs[apiclient.RegistryDirective](c, "/api/v1/directives", body)
}

// refusedReplies replies to the letter at reply (issued 22 March 2024, not yet replied to) in
// ways wrong in one field each: each is refused naming the field.
func refusedReplies(t *testing.T, staff *testenv.Client, reply, tomorrow string) {
	t.Helper()
	for _, b := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"before the letter", map[string]any{"replied_on": "2024-03-21", "summary": "Đã trả lời"}, "replied_on"},
		{"in the future", map[string]any{"replied_on": tomorrow, "summary": "Đã trả lời"}, "replied_on"},
		{"impossible date", map[string]any{"replied_on": "2024-04-31", "summary": "Đã trả lời"}, "replied_on"},
		{"no summary", map[string]any{"replied_on": "2024-04-10", "summary": "  "}, "summary"},
	} {
		if r := staff.Post(reply, b.body); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
			t.Errorf("reply %s: want 422 naming %s, got %s", b.name, b.field, r)
		}
	}
}

func TestDirectiveRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		org := env.App.DefaultOrg.ID
		session := newSession(staff, "regular", "2024-03-18")
		ok := map[string]any{"number": "1/UBND", "issued_on": "2024-03-22", "recipient": "  UBND  xã Gio Mỹ ", "session_id": session, "due_on": "2024-03-22"}
		d := newDirective(staff, ok)
		if d.Recipient != "UBND xã Gio Mỹ" || orZero(d.SessionID) != session || d.OrgID != org {
			t.Fatalf("created as sent, recipient tidied, any session kind: %+v", d)
		}
		with := func(k string, v any) map[string]any {
			m := map[string]any{"number": "2/UBND"}
			for key, val := range ok {
				if key != "number" {
					m[key] = val
				}
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		for _, b := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"due before issued", with("due_on", "2024-03-21"), "due_on"},
			{"impossible due date", with("due_on", "2024-02-30"), "due_on"},
			{"no issue date", with("issued_on", nil), "issued_on"},
			{"no recipient", with("recipient", " "), "recipient"},
			{"unknown case", with("case_id", uuid.NewString()), "case_id"},
			{"unknown session", with("session_id", uuid.NewString()), "session_id"},
		} {
			if r := staff.Post("/api/v1/directives", b.body); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%s: want 422 naming %s, got %s", b.name, b.field, r)
			}
		}
		if r := staff.Post("/api/v1/directives", with("number", "1/UBND")); r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("duplicate number: want 409, got %s", r)
		}
		if r := staff.Post("/api/v1/directives", `{"number": "3/UBND", "issued_on": "2024-03-22", "recipient": "X", "due": "2024-04-01"}`); r.Status != http.StatusBadRequest {
			t.Fatalf("unknown field: want 400, got %s", r)
		}

		path := "/api/v1/directives/" + d.ID
		etag := staff.Get(path).Header.Get("ETag")
		if r := staff.Patch(path, map[string]any{"due_on": "2024-03-01"}, "If-Match", etag); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("due_on") {
			t.Fatalf("PATCH keeps due_on after issued_on: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"request": "Báo cáo kết quả"}, "If-Match", etag); r.Status != http.StatusOK {
			t.Fatalf("PATCH with the current ETag: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"request": "Khác"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("stale If-Match: want 412, got %s", r)
		}
		if r := staff.Delete(path + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}
		if r := staff.Post(path+"/reply", map[string]any{"replied_on": "2024-03-25", "summary": "x"}); r.Status != http.StatusNotFound {
			t.Fatalf("a voided letter takes no reply: %s", r)
		}
		if l := testenv.ListAllAs[apiclient.RegistryDirective](staff, "/api/v1/directives", 50); len(l) != 0 {
			t.Fatalf("voided letters are left out of lists: %v", idsOf(l))
		}
		if l := testenv.ListAllAs[apiclient.RegistryDirective](staff, "/api/v1/directives?include_voided=true", 50); len(l) != 1 {
			t.Fatalf("include_voided lists them: %v", idsOf(l))
		}
		newDirective(staff, ok) // the voided letter's number is free again

		for i := 0; i < 6; i++ {
			newDirective(staff, with("number", fmt.Sprintf("%d/CV", i+10)))
		}
		all := testenv.ListAllAs[apiclient.RegistryDirective](staff, "/api/v1/directives", 3)
		seen := map[string]bool{}
		for _, id := range idsOf(all) {
			seen[id] = true
		}
		if len(all) != 7 || len(seen) != 7 || all[0].Number != "15/CV" {
			t.Fatalf("pages of 3 cover 7 letters once, newest first: %d items, %d distinct, first %+v", len(all), len(seen), all[0])
		}
	})
}

func TestDocumentRoutesByRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		session := newSession(staff, "periodic", "2024-03-15")
		rep := persons(t, staff, 1)
		dl := newDelegation(staff, map[string]any{"name": "Đoàn", "member_count": 6, "representative_ids": rep}).ID
		nt := testenv.CreateAs[apiclient.RegistryNotice](staff, "/api/v1/notices", map[string]any{"number": "1/TB", "issued_on": "2024-03-20", "session_id": session}).ID
		dr := newDirective(staff, map[string]any{"number": "1/CV", "issued_on": "2024-03-20", "recipient": "UBND huyện"}).ID
		type call struct{ method, path string }
		reads := []call{{"GET", "/api/v1/delegations"}, {"GET", "/api/v1/delegations/" + dl},
			{"GET", "/api/v1/notices"}, {"GET", "/api/v1/notices/" + nt},
			{"GET", "/api/v1/directives"}, {"GET", "/api/v1/directives/" + dr}}
		writes := []call{{"POST", "/api/v1/delegations"}, {"PATCH", "/api/v1/delegations/" + dl}, {"DELETE", "/api/v1/delegations/" + dl + "?reason=x"},
			{"POST", "/api/v1/notices"}, {"PATCH", "/api/v1/notices/" + nt}, {"DELETE", "/api/v1/notices/" + nt + "?reason=x"},
			{"POST", "/api/v1/directives"}, {"PATCH", "/api/v1/directives/" + dr}, {"DELETE", "/api/v1/directives/" + dr + "?reason=x"},
			{"POST", "/api/v1/directives/" + dr + "/reply"}}
		auditor, agency := env.As(auth.Auditor), env.As(auth.Agency)
		for _, c := range reads {
			if r := auditor.Do(c.method, c.path, nil); r.Status != http.StatusOK {
				t.Errorf("auditor %s %s: want 200, got %s", c.method, c.path, r)
			}
		}
		for _, c := range writes {
			if r := auditor.Do(c.method, c.path, `{}`); r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("auditor %s %s: want 403, got %s", c.method, c.path, r)
			}
		}
		for _, c := range append(reads, writes...) {
			if r := agency.Do(c.method, c.path, `{}`); r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("agency %s %s: want 403, got %s", c.method, c.path, r)
			}
		}
		for _, c := range reads {
			if r := staff.Get(c.path); r.Status != http.StatusOK || r.Header.Get("ETag") != "" && r.Header.Get("ETag") != `"v1"` {
				t.Errorf("refused writes change nothing: %s %s", c.path, r)
			}
		}
	})
}
