package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func sessionOf(c *testenv.Client, body map[string]any) apiclient.RegistrySession {
	return testenv.CreateAs[apiclient.RegistrySession](c, "/api/v1/sessions", body)
}

func TestSessionRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		reg := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-03-18", "host_name": "Trần  Văn Hùng", "location": "Trụ sở TCD"})
		if reg.HostRole != nil || reg.Kind != "regular" || reg.Date.String() != "2024-03-18" || orZero(reg.HostName) != "Trần Văn Hùng" || reg.OrgID == "" {
			t.Fatalf("a regular session has no host_role; text is stored tidy: %+v", reg)
		}
		per := sessionOf(staff, map[string]any{"kind": "periodic", "date": "2024-03-15", "host_name": "Hà Sỹ Đồng",
			"host_title": "Phó Chủ tịch UBND tỉnh", "host_role": "authorized"})
		if orZero(per.HostRole) != "authorized" {
			t.Fatalf("a periodic session keeps its host_role: %+v", per)
		}
		sessionOf(staff, map[string]any{"kind": "urgent", "date": "2024-04-01", "host_role": "head"})

		bad := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"kind": "periodic", "date": "2024-03-15"}, "host_role"},
			{map[string]any{"kind": "urgent", "date": "2024-03-15"}, "host_role"},
			{map[string]any{"kind": "regular", "date": "2024-03-15", "host_role": "head"}, "host_role"},
			{map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "deputy"}, "host_role"},
			{map[string]any{"kind": "weekly", "date": "2024-03-15"}, "kind"},
			{map[string]any{"date": "2024-03-15"}, "kind"},
			{map[string]any{"kind": "periodic", "date": "2024-02-30", "host_role": "head"}, "date"},
			{map[string]any{"kind": "regular", "date": "15/03/2024"}, "date"},
			{map[string]any{"kind": "regular"}, "date"},
			{map[string]any{"kind": "regular", "date": "2024-03-15", "org_id": "no-such-org"}, "org_id"},
		}
		for _, b := range bad {
			r := staff.Post("/api/v1/sessions", b.body)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%v: want 422 naming %s, got %s", b.body, b.field, r)
			}
		}
		if r := staff.Post("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-15", "hostname": "x"}); r.Status != http.StatusBadRequest {
			t.Errorf("an unknown field is a malformed request: %s", r)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistrySession](staff, "/api/v1/sessions", 50)); n != 3 {
			t.Errorf("refused sessions write nothing: %d sessions", n)
		}
	})
}

func TestSessionFilters(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		a := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-02-28"}).ID
		b := sessionOf(staff, map[string]any{"kind": "periodic", "date": "2024-03-01", "host_role": "head"}).ID
		c := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-03-31"}).ID
		d := sessionOf(staff, map[string]any{"kind": "urgent", "date": "2024-04-01", "host_role": "head"}).ID
		cases := []struct {
			query string
			want  []string
		}{
			{"", []string{d, c, b, a}},
			{"kind=regular", []string{c, a}},
			{"from=2024-03-01&to=2024-03-31", []string{c, b}},
			{"from=2024-03-31", []string{d, c}},
			{"to=2024-02-29&kind=regular", []string{a}},
			{"kind=urgent&to=2024-03-31", nil},
		}
		for _, tc := range cases {
			if got := idsOf(testenv.ListAllAs[apiclient.RegistrySession](staff, "/api/v1/sessions?"+tc.query, 2)); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
			}
		}
		for _, bad := range []string{"kind=weekly", "from=2024-02-30", "to=yesterday", "include_voided=maybe"} {
			r := staff.Get("/api/v1/sessions?" + bad)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() {
				t.Errorf("%s: want 422, got %s", bad, r)
			}
		}
	})
}

func TestSessionChangesReachItsVisits(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := sessionOf(staff, map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		path := "/api/v1/sessions/" + s.ID
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case": newCaseBody("Tranh chấp lối đi chung"),
			"persons": []any{map[string]any{"full_name": "Lê Thị Hoa"}}})

		g := staff.Get(path)
		etag := g.Header.Get("ETag")
		if g.Status != http.StatusOK || etag == "" {
			t.Fatalf("GET one returns an ETag: %s", g)
		}
		if r := staff.Patch(path, map[string]any{"kind": "regular"}, "If-Match", etag); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("host_role") {
			t.Fatalf("a session turned regular must drop its host_role: want 422 naming host_role, got %s", r)
		}
		r := staff.Patch(path, map[string]any{"kind": "regular", "host_role": "", "date": "2024-03-16"}, "If-Match", etag)
		if r.Status != http.StatusOK {
			t.Fatalf("PATCH with the current ETag: %s", r)
		}
		if p := testenv.Decode[apiclient.RegistrySession](t, r); p.Kind != "regular" || p.HostRole != nil || p.Date.String() != "2024-03-16" {
			t.Fatalf("PATCH with the current ETag: %+v", p)
		}
		if r.Header.Get("ETag") == etag {
			t.Fatalf("a change gives a new ETag")
		}
		if r := staff.Patch(path, map[string]any{"note": "x"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("PATCH with a stale ETag: want 412, got %s", r)
		}
		got := testenv.GetAs[apiclient.RegistryVisit](staff, "/api/v1/visits/"+v.ID)
		if got.Kind != "regular" || got.Date.String() != "2024-03-16" {
			t.Fatalf("the visit follows its session's kind and date (statistics read visits): %+v", got)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistryVisit](staff, "/api/v1/visits?kind=regular&from=2024-03-16&to=2024-03-16", 50)); n != 1 {
			t.Fatalf("the visit is found under its new kind and date: %d", n)
		}
		if r := staff.Patch(path, map[string]any{"kind": "urgent"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("host_role") {
			t.Fatalf("a session turned urgent needs a host_role: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"date": "2024-02-30"}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("date") {
			t.Fatalf("PATCH to an impossible date: %s", r)
		}
		if got := testenv.GetAs[apiclient.RegistrySession](staff, path); got.Date.String() != "2024-03-16" || got.Kind != "regular" {
			t.Fatalf("refused PATCHes change nothing: %+v", got)
		}
		if r := staff.Patch("/api/v1/sessions/nope", map[string]any{"note": "x"}); r.Status != http.StatusNotFound {
			t.Fatalf("PATCH of an unknown session: want 404, got %s", r)
		}
	})
}

func TestSessionVoidWaitsForItsVisits(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		s := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-03-18"})
		path := "/api/v1/sessions/" + s.ID
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": s.ID, "case": newCaseBody("Kiến nghị sửa đường liên thôn"),
			"persons": []any{map[string]any{"full_name": "Hoàng Văn Nam"}}})
		if r := staff.Delete(path + "?reason=nh%E1%BA%ADp%20nh%E1%BA%A7m"); r.Status != http.StatusConflict || !r.IsProblem() {
			t.Fatalf("a session with live visits cannot be voided: want 409, got %s", r)
		}
		if r := staff.Delete("/api/v1/visits/" + v.ID + "?reason=nh%E1%BA%ADp%20nh%E1%BA%A7m"); r.Status != http.StatusOK {
			t.Fatalf("void the visit: %s", r)
		}
		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reason") {
			t.Fatalf("void without a reason: %s", r)
		}
		if r := staff.Delete(path + "?reason=nh%E1%BA%ADp%20nh%E1%BA%A7m"); r.Status != http.StatusOK || orZero(testenv.Decode[apiclient.RegistrySession](t, r).VoidReason) != "nhập nhầm" {
			t.Fatalf("then the session can be voided: %s", r)
		}
		if r := staff.Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("a voided session is gone from plain reads: %s", r)
		}
		if r := staff.Get(path + "?include_voided=true"); r.Status != http.StatusOK {
			t.Fatalf("and readable with include_voided: %s", r)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistrySession](staff, "/api/v1/sessions", 50)); n != 0 {
			t.Fatalf("voided sessions are left out of lists: %d", n)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistrySession](staff, "/api/v1/sessions?include_voided=true", 50)); n != 1 {
			t.Fatalf("include_voided lists them: %d", n)
		}
		r := staff.Post("/api/v1/visits", map[string]any{"session_id": s.ID, "case_id": v.CaseID, "person_ids": v.PersonIds})
		if r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("session_id") {
			t.Fatalf("no visit is recorded on a voided session: %s", r)
		}

		// POST /notices is built on another branch; the notice is written as it stores one.
		per := sessionOf(staff, map[string]any{"kind": "periodic", "date": "2024-03-15", "host_role": "head"})
		now := time.Now().UTC()
		err := env.App.Store.DB.Exec(`INSERT INTO notices (id, org_id, number, issued_on, session_id, version, created_at, updated_at)
			VALUES (?, ?, '5/TB-UBND', '2024-03-20', ?, 1, ?, ?)`, "0190c0de-0000-7000-8000-00000000b001", per.OrgID, per.ID, now, now).Error
		if err != nil {
			t.Fatal(err)
		}
		perPath := "/api/v1/sessions/" + per.ID
		if r := staff.Patch(perPath, map[string]any{"kind": "regular", "host_role": ""}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("kind") {
			t.Fatalf("a session with a conclusion notice stays periodic or urgent: want 422 naming kind, got %s", r)
		}
		if r := staff.Patch(perPath, map[string]any{"kind": "urgent"}); r.Status != http.StatusOK {
			t.Fatalf("periodic to urgent keeps the notice valid: %s", r)
		}
		if r := staff.Delete(perPath + "?reason=x"); r.Status != http.StatusConflict {
			t.Fatalf("a session with a live notice cannot be voided: want 409, got %s", r)
		}
	})
}
