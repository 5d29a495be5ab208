package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func newSession(c *testenv.Client, kind, date string) string {
	body := map[string]any{"kind": kind, "date": date}
	if kind != "regular" {
		body["host_role"] = "head"
	}
	return testenv.CreateAs[apiclient.RegistrySession](c, "/api/v1/sessions", body).ID
}

func newCase(c *testenv.Client, title string) string {
	return testenv.CreateAs[apiclient.RegistryCase](c, "/api/v1/cases", map[string]any{"title": title, "category": "complaint", "field": "land"}).ID
}

func persons(t *testing.T, c *testenv.Client, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = testenv.CreateAs[apiclient.RegistryCreatedPerson](c, "/api/v1/persons", map[string]any{"full_name": fmt.Sprintf("Trần Văn Đại Diện %d", i)}).ID
	}
	return out
}

func newDelegation(c *testenv.Client, body map[string]any) apiclient.RegistryDelegation {
	return testenv.CreateAs[apiclient.RegistryDelegation](c, "/api/v1/delegations", body)
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
		d := newDelegation(staff, map[string]any{"name": "  Đoàn  xã Gio Mỹ ", "member_count": 14, "representative_ids": order, "case_id": caseID})
		if !slices.Equal(d.RepresentativeIds, order) || d.Name != "Đoàn xã Gio Mỹ" || orZero(d.CaseID) != caseID {
			t.Fatalf("created as sent, representatives in the order given, name tidied: %+v", d)
		}
		if g := testenv.GetAs[apiclient.RegistryDelegation](staff, "/api/v1/delegations/"+d.ID); !slices.Equal(g.RepresentativeIds, order) {
			t.Fatalf("GET keeps the order: %v", g.RepresentativeIds)
		}
		voided := testenv.CreateAs[apiclient.RegistryCreatedPerson](staff, "/api/v1/persons", map[string]any{"full_name": "Người đã huỷ"}).ID
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
		if n := len(testenv.ListAllAs[apiclient.RegistryDelegation](staff, "/api/v1/delegations", 50)); n != 1 {
			t.Fatalf("refused delegations write nothing: %d listed", n)
		}

		other := newDelegation(staff, map[string]any{"name": "Đoàn khác", "member_count": 2, "representative_ids": []string{}})
		if got := idsOf(testenv.ListAllAs[apiclient.RegistryDelegation](staff, "/api/v1/delegations?case_id="+caseID, 50)); !slices.Equal(got, []string{d.ID}) {
			t.Fatalf("case_id filter: %v", got)
		}
		all := testenv.ListAllAs[apiclient.RegistryDelegation](staff, "/api/v1/delegations", 1)
		if len(all) != 2 || all[0].ID != other.ID || !slices.Equal(all[1].RepresentativeIds, order) {
			t.Fatalf("pages of one, newest first, each with its representatives: %+v", all)
		}
		if all[0].RepresentativeIds == nil || len(all[0].RepresentativeIds) != 0 {
			t.Fatalf("no representatives is an empty list, not null: %+v", all[0])
		}
	})
}

func TestDelegationUpdateAndVoid(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		reps := persons(t, staff, 5)
		d := newDelegation(staff, map[string]any{"name": "Đoàn thôn 5", "member_count": 20, "representative_ids": reps[:4]})
		path := "/api/v1/delegations/" + d.ID
		etag := staff.Get(path).Header.Get("ETag")
		if r := staff.Patch(path, map[string]any{"member_count": 8}, "If-Match", etag); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("representative_ids") {
			t.Fatalf("shrinking to 8 members with 4 representatives breaks Art. 29: %s", r)
		}
		r := staff.Patch(path, map[string]any{"member_count": 8, "representative_ids": []string{reps[4], reps[1]}}, "If-Match", etag)
		if r.Status != http.StatusOK {
			t.Fatalf("members and representatives change together: %s", r)
		}
		if p := testenv.Decode[apiclient.RegistryDelegation](t, r); !slices.Equal(p.RepresentativeIds, []string{reps[4], reps[1]}) || p.MemberCount != 8 {
			t.Fatalf("members and representatives change together: %+v", p)
		}
		if r := staff.Patch(path, map[string]any{"note": "x"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("stale If-Match: want 412, got %s", r)
		}
		if g := testenv.GetAs[apiclient.RegistryDelegation](staff, path); !slices.Equal(g.RepresentativeIds, []string{reps[4], reps[1]}) || g.Note != nil {
			t.Fatalf("a refused PATCH changes nothing: %+v", g)
		}
		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reason") {
			t.Fatalf("void without reason: %s", r)
		}
		if r := staff.Delete(path + "?reason=tr%C3%B9ng"); r.Status != http.StatusOK || orZero(testenv.Decode[apiclient.RegistryDelegation](t, r).VoidReason) != "trùng" {
			t.Fatalf("void: %s", r)
		}
		if r := staff.Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("voided delegation is gone from plain reads: %s", r)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistryDelegation](staff, "/api/v1/delegations", 50)); n != 0 {
			t.Fatalf("voided delegations are left out of lists: %d", n)
		}
		if l := testenv.ListAllAs[apiclient.RegistryDelegation](staff, "/api/v1/delegations?include_voided=true", 50); len(l) != 1 || len(l[0].RepresentativeIds) != 2 {
			t.Fatalf("include_voided lists it with its representatives: %+v", l)
		}
		if actions := auditActions(env.As(auth.Auditor), "delegation", d.ID); fmt.Sprint(actions) != "[void update create]" {
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
		d := newDelegation(staff, map[string]any{"name": "Đoàn thôn An Xá", "member_count": 9, "representative_ids": reps, "case_id": caseID})
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": newSession(staff, "periodic", "2024-03-15"), "case_id": caseID,
			"person_ids": reps, "delegation_id": d.ID})
		if v.Headcount != 9 || !v.IsDelegation {
			t.Fatalf("a delegation's visit counts its members: %+v", v)
		}
		path := "/api/v1/delegations/" + d.ID
		if r := staff.Delete(path + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("voiding a delegation a live visit names: want 409, got %s", r)
		}
		if r := staff.Get(path); r.Status != http.StatusOK {
			t.Fatalf("the refused void changed nothing: %s", r)
		}
		if r := staff.Delete("/api/v1/visits/" + v.ID + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("void the visit: %s", r)
		}
		if r := staff.Delete(path + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("with its visit voided the delegation can go: %s", r)
		}
	})
}
