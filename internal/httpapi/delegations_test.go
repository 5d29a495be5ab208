package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func newSession(c *testenv.Client, kind, date string) string {
	body := map[string]any{"kind": kind, "date": date}
	if kind != "regular" {
		body["host_role"] = "head"
	}
	return c.Create("/api/v1/sessions", body)["id"].(string)
}

func newCase(c *testenv.Client, title string) string {
	return c.Create("/api/v1/cases", map[string]any{"title": title, "category": "complaint", "field": "land"})["id"].(string)
}

func persons(t *testing.T, c *testenv.Client, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = c.Create("/api/v1/persons", map[string]any{"full_name": fmt.Sprintf("Trần Văn Đại Diện %d", i)})["id"].(string)
	}
	return out
}

func TestDelegationRepresentativesFollowArticle29(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		reps := persons(t, staff, 6)
		for _, c := range []struct {
			members, named int
			status         int
		}{
			{8, 3, http.StatusUnprocessableEntity},
			{30, 6, http.StatusUnprocessableEntity},
			{10, 3, http.StatusUnprocessableEntity},
			{5, 0, http.StatusUnprocessableEntity}, // a delegation must speak through someone
			{3, 4, http.StatusUnprocessableEntity}, // more representatives than members
			{12, 4, http.StatusCreated},
			{5, 2, http.StatusCreated},
			{11, 5, http.StatusCreated},
			{3, 0, http.StatusCreated},
		} {
			r := staff.Post("/api/v1/delegations", map[string]any{"name": "Đoàn thôn Tân Định", "member_count": c.members, "representative_ids": reps[:c.named]})
			if r.Status != c.status {
				t.Errorf("%d members, %d representatives: want %d, got %s", c.members, c.named, c.status, r)
			}
			if c.status == http.StatusUnprocessableEntity && (!r.IsProblem() || !r.HasFieldError("representative_ids")) {
				t.Errorf("%d members, %d representatives: the problem must name representative_ids: %s", c.members, c.named, r)
			}
		}
		if r := staff.Post("/api/v1/delegations", map[string]any{"name": "Một người", "member_count": 1, "representative_ids": reps[:1]}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("member_count") {
			t.Errorf("a delegation of 1: want 422 naming member_count, got %s", r)
		}
	})
}

func TestDelegationReferencesAndOrder(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		reps := persons(t, staff, 4)
		caseID := newCase(staff, "Tranh chấp đất đai thôn 3")
		order := []string{reps[2], reps[0], reps[3]}
		d := staff.Create("/api/v1/delegations", map[string]any{"name": "  Đoàn  xã Gio Mỹ ", "member_count": 14, "representative_ids": order, "case_id": caseID})
		if fmt.Sprint(d["representative_ids"]) != fmt.Sprint(order) || d["name"] != "Đoàn xã Gio Mỹ" || d["case_id"] != caseID {
			t.Fatalf("created as sent, representatives in the order given, name tidied: %v", d)
		}
		if g := staff.Get("/api/v1/delegations/" + d["id"].(string)).JSON(); fmt.Sprint(g["representative_ids"]) != fmt.Sprint(order) {
			t.Fatalf("GET keeps the order: %v", g["representative_ids"])
		}
		voided := staff.Create("/api/v1/persons", map[string]any{"full_name": "Người đã huỷ"})["id"].(string)
		staff.Delete("/api/v1/persons/" + voided + "?reason=nh%E1%BA%A7m")
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown representative", map[string]any{"name": "X", "member_count": 6, "representative_ids": []string{uuid.NewString()}}, "representative_ids"},
			{"voided representative", map[string]any{"name": "X", "member_count": 6, "representative_ids": []string{voided}}, "representative_ids"},
			{"representative twice", map[string]any{"name": "X", "member_count": 6, "representative_ids": []string{reps[0], reps[0]}}, "representative_ids"},
			{"unknown case", map[string]any{"name": "X", "member_count": 6, "representative_ids": reps[:1], "case_id": uuid.NewString()}, "case_id"},
			{"no name", map[string]any{"name": "  ", "member_count": 6, "representative_ids": reps[:1]}, "name"},
		}
		for _, b := range bad {
			if r := staff.Post("/api/v1/delegations", b.body); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%s: want 422 naming %s, got %s", b.name, b.field, r)
			}
		}
		if n := len(staff.ListAll("/api/v1/delegations", 50)); n != 1 {
			t.Fatalf("refused delegations write nothing: %d listed", n)
		}

		other := staff.Create("/api/v1/delegations", map[string]any{"name": "Đoàn khác", "member_count": 2, "representative_ids": []string{}})
		if got := ids(staff.ListAll("/api/v1/delegations?case_id="+caseID, 50)); fmt.Sprint(got) != fmt.Sprint([]string{d["id"].(string)}) {
			t.Fatalf("case_id filter: %v", got)
		}
		all := staff.ListAll("/api/v1/delegations", 1)
		if len(all) != 2 || all[0]["id"] != other["id"] || fmt.Sprint(all[1]["representative_ids"]) != fmt.Sprint(order) {
			t.Fatalf("pages of one, newest first, each with its representatives: %v", all)
		}
		if fmt.Sprint(all[0]["representative_ids"]) != "[]" {
			t.Fatalf("no representatives is an empty list, not null: %v", all[0])
		}
	})
}

func TestDelegationUpdateAndVoid(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		reps := persons(t, staff, 5)
		d := staff.Create("/api/v1/delegations", map[string]any{"name": "Đoàn thôn 5", "member_count": 20, "representative_ids": reps[:4]})
		path := "/api/v1/delegations/" + d["id"].(string)
		etag := staff.Get(path).Header.Get("ETag")
		if r := staff.Patch(path, map[string]any{"member_count": 8}, "If-Match", etag); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("representative_ids") {
			t.Fatalf("shrinking to 8 members with 4 representatives breaks Art. 29: %s", r)
		}
		r := staff.Patch(path, map[string]any{"member_count": 8, "representative_ids": []string{reps[4], reps[1]}}, "If-Match", etag)
		if r.Status != http.StatusOK || fmt.Sprint(r.JSON()["representative_ids"]) != fmt.Sprint([]string{reps[4], reps[1]}) || r.JSON()["member_count"] != 8.0 {
			t.Fatalf("members and representatives change together: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"note": "x"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("stale If-Match: want 412, got %s", r)
		}
		if g := staff.Get(path).JSON(); fmt.Sprint(g["representative_ids"]) != fmt.Sprint([]string{reps[4], reps[1]}) || g["note"] != nil {
			t.Fatalf("a refused PATCH changes nothing: %v", g)
		}
		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reason") {
			t.Fatalf("void without reason: %s", r)
		}
		if r := staff.Delete(path + "?reason=tr%C3%B9ng"); r.Status != http.StatusOK || r.JSON()["void_reason"] != "trùng" {
			t.Fatalf("void: %s", r)
		}
		if r := staff.Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("voided delegation is gone from plain reads: %s", r)
		}
		if n := len(staff.ListAll("/api/v1/delegations", 50)); n != 0 {
			t.Fatalf("voided delegations are left out of lists: %d", n)
		}
		if l := staff.ListAll("/api/v1/delegations?include_voided=true", 50); len(l) != 1 || len(l[0]["representative_ids"].([]any)) != 2 {
			t.Fatalf("include_voided lists it with its representatives: %v", l)
		}
		var actions []string
		for _, e := range env.As(auth.Auditor).Get("/api/v1/audit?entity=delegation&entity_id=" + d["id"].(string)).Items() {
			actions = append(actions, e["action"].(string))
		}
		if fmt.Sprint(actions) != "[void update create]" {
			t.Fatalf("create, update and void are audited: %v", actions)
		}
	})
}

func TestDelegationVisitsKeepTheirDelegation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		reps := persons(t, staff, 2)
		caseID := newCase(staff, "Đền bù giải phóng mặt bằng")
		d := staff.Create("/api/v1/delegations", map[string]any{"name": "Đoàn thôn An Xá", "member_count": 9, "representative_ids": reps, "case_id": caseID})
		v := staff.Create("/api/v1/visits", map[string]any{"session_id": newSession(staff, "periodic", "2024-03-15"), "case_id": caseID,
			"person_ids": reps, "delegation_id": d["id"]})
		if v["headcount"] != 9.0 || v["is_delegation"] != true {
			t.Fatalf("a delegation's visit counts its members: %v", v)
		}
		path := "/api/v1/delegations/" + d["id"].(string)
		if r := staff.Delete(path + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("voiding a delegation a live visit names: want 409, got %s", r)
		}
		if r := staff.Get(path); r.Status != http.StatusOK {
			t.Fatalf("the refused void changed nothing: %s", r)
		}
		if r := staff.Delete("/api/v1/visits/" + v["id"].(string) + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("void the visit: %s", r)
		}
		if r := staff.Delete(path + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("with its visit voided the delegation can go: %s", r)
		}
	})
}
