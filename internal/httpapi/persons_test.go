package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func newPerson(c *testenv.Client, body map[string]any) apiclient.RegistryCreatedPerson {
	return testenv.CreateAs[apiclient.RegistryCreatedPerson](c, "/api/v1/persons", body)
}

func TestPersonRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		for _, c := range []struct {
			why                       string
			body                      map[string]any
			kind, number, phone, name string // as stored; "" for none
		}{
			{"CCCD and phone normalised and recognised", map[string]any{"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1975,
				"id_number": "045 075 001 234", "phone": "091 234 5678", "address": "Gio Linh, Quảng Trị"}, "cccd", "045075001234", "0912345678", "Nguyễn Văn An"},
			{"9 digits is a CMND", map[string]any{"full_name": "Phạm Thị Thuỷ", "gender": "female", "id_number": "197123456"}, "cmnd", "197123456", "", "Phạm Thị Thuỷ"},
			{"letter and 7 digits is a passport", map[string]any{"full_name": "Lê Hoà", "id_number": "c1234567"}, "passport", "C1234567", "", "Lê Hoà"},
			{"names are stored NFC with single spaces", map[string]any{"full_name": "Tra\u0302\u0300n  Thi\u0323 Be\u0301"}, "", "", "", "Trần Thị Bé"},
		} {
			if p := newPerson(staff, c.body); string(orZero(p.IDKind)) != c.kind || orZero(p.IDNumber) != c.number || orZero(p.Phone) != c.phone || p.FullName != c.name {
				t.Errorf("%s: %+v", c.why, p)
			}
		}
		bad := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"full_name": "Trần Thị Bé", "gender": "female", "birth_year": 1980, "id_number": "045075001235"}, "id_number"},
			{map[string]any{"full_name": "Lê Văn Cường", "id_number": "04507500123"}, "id_number"},
			{map[string]any{"full_name": "Lê Văn Cường", "id_number": "099075001234"}, "id_number"},
			{map[string]any{"gender": "male"}, "full_name"},
			{map[string]any{"full_name": "   "}, "full_name"},
			{map[string]any{"full_name": "X", "gender": "other"}, "gender"},
			{map[string]any{"full_name": "X", "birth_year": 1850}, "birth_year"},
			{map[string]any{"full_name": "X", "phone": "call me"}, "phone"},
		}
		for _, b := range bad {
			r := staff.Post("/api/v1/persons", b.body)
			if r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("%v: want 422 naming %s, got %s", b.body, b.field, r)
			}
		}
		if r := staff.Post("/api/v1/persons", `{"full_name": "x",`); r.Status != http.StatusBadRequest || !r.IsProblem() {
			t.Errorf("malformed JSON: want 400, got %s", r)
		}
	})
}

func TestPersonSearchFoldsVietnamese(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		an := newPerson(staff, map[string]any{"full_name": "Nguyễn Văn An", "id_number": "045075001234", "phone": "0912345678", "birth_year": 1975, "gender": "male"}).ID
		thuy := newPerson(staff, map[string]any{"full_name": "Phạm Thị Thuỷ"}).ID
		hoa := newPerson(staff, map[string]any{"full_name": "Đặng Thị Hòa"}).ID
		newPerson(staff, map[string]any{"full_name": "Trần Văn Bình"})
		cases := []struct {
			q    string
			want []string
		}{
			{"nguyen van an", []string{an}},
			{"NGUYỄN VĂN AN", []string{an}},
			{"Thủy", []string{thuy}},
			{"thuy", []string{thuy}},
			{"Hoà", []string{hoa}},
			{"dang thi", []string{hoa}},
			{"045075001234", []string{an}},
			{"0912 345 678", []string{an}},
			{"xuyen", nil},
			{"!!!", nil},    // punctuation alone names no one
			{"045075", nil}, // ID numbers and phones match whole, not by their digits
		}
		for _, c := range cases {
			if got := idsOf(testenv.ListAllAs[apiclient.RegistryPerson](staff, "/api/v1/persons?q="+urlQuery(c.q), 50)); !slices.Equal(got, c.want) {
				t.Errorf("q=%q: got %v, want %v", c.q, got, c.want)
			}
		}
	})
}

func TestPersonPagesCoverTheListOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		for i := 0; i < 7; i++ {
			newPerson(staff, map[string]any{"full_name": fmt.Sprintf("Khổng Văn Xuyến %d", i)})
		}
		all := testenv.ListAllAs[apiclient.RegistryPerson](staff, "/api/v1/persons?q=xuyen", 3)
		seen := map[string]bool{}
		for _, id := range idsOf(all) {
			seen[id] = true
		}
		if len(all) != 7 || len(seen) != 7 {
			t.Fatalf("pages of 3 must cover 7 persons exactly once: %d items, %d distinct", len(all), len(seen))
		}
	})
}

func TestPersonConcurrencyVoidAndIdempotency(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		path := "/api/v1/persons/" + newPerson(staff, map[string]any{"full_name": "Hồ Văn Tài"}).ID
		g := staff.Get(path)
		etag := g.Header.Get("ETag")
		if g.Status != http.StatusOK || etag == "" {
			t.Fatalf("GET one returns an ETag: %s", g)
		}
		if r := staff.Patch(path, map[string]any{"phone": "0905123456"}, "If-Match", etag); r.Status != http.StatusOK || orZero(testenv.Decode[apiclient.RegistryPerson](t, r).Phone) != "0905123456" {
			t.Fatalf("PATCH with the current ETag: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"phone": "0905000000"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("PATCH with a stale ETag: want 412, got %s", r)
		}
		if r := staff.Patch(path, map[string]any{"id_number": "12"}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("PATCH breaking a rule: want 422, got %s", r)
		}
		if got := testenv.GetAs[apiclient.RegistryPerson](staff, path); orZero(got.Phone) != "0905123456" {
			t.Fatalf("a refused PATCH changes nothing: %+v", got)
		}

		if r := staff.Delete(path); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("reason") {
			t.Fatalf("void without a reason: want 422 naming reason, got %s", r)
		}
		if r := staff.Delete(path + "?reason=Nh%E1%BA%ADp%20tr%C3%B9ng"); r.Status != http.StatusOK {
			t.Fatalf("void with a reason: %s", r)
		}
		if r := staff.Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("a voided person is gone from plain reads: %s", r)
		}
		if got := testenv.GetAs[apiclient.RegistryPerson](staff, path+"?include_voided=true"); orZero(got.VoidReason) != "Nhập trùng" {
			t.Fatalf("a voided person stays readable with include_voided: %+v", got)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistryPerson](staff, "/api/v1/persons", 50)); n != 0 {
			t.Fatalf("voided persons are left out of lists, got %d", n)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistryPerson](staff, "/api/v1/persons?include_voided=true", 50)); n != 1 {
			t.Fatalf("include_voided lists them, got %d", n)
		}

		body := map[string]any{"full_name": "Võ Thị Lan"}
		r1 := staff.Post("/api/v1/persons", body, "Idempotency-Key", "k-1")
		r2 := staff.Post("/api/v1/persons", body, "Idempotency-Key", "k-1")
		if r1.Status != http.StatusCreated || r2.Status != http.StatusCreated || r2.Header.Get("Location") == "" {
			t.Fatalf("a replay answers the first response: %s / %s", r1, r2)
		}
		first := testenv.Decode[apiclient.RegistryCreatedPerson](t, r1)
		if replayed := testenv.Decode[apiclient.RegistryCreatedPerson](t, r2); replayed.ID != first.ID {
			t.Fatalf("a replay answers the first response: %s / %s", r1, r2)
		}
		if n := len(testenv.ListAllAs[apiclient.RegistryPerson](staff, "/api/v1/persons?q=vo%20thi%20lan", 50)); n != 1 {
			t.Fatalf("a replay writes nothing: %d persons", n)
		}
		if r := staff.Post("/api/v1/persons", map[string]any{"full_name": "Võ Thị Lan B"}, "Idempotency-Key", "k-1"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("same key, other body: want 422, got %s", r)
		}
		if r := env.As(auth.Staff).Post("/api/v1/persons", body, "Idempotency-Key", "k-1"); r.Status != http.StatusCreated || testenv.Decode[apiclient.RegistryCreatedPerson](t, r).ID == first.ID {
			t.Fatalf("keys belong to one token: another token's k-1 is a new request: %s", r)
		}
	})
}

func TestPersonAccessByRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		p := newPerson(env.As(auth.Staff), map[string]any{"full_name": "Lý Thị Mai", "id_number": "045305001234", "gender": "female"}).ID
		auditor := env.As(auth.Auditor)
		if got := testenv.GetAs[apiclient.RegistryPerson](auditor, "/api/v1/persons/"+p); orZero(got.IDNumber) != "045305001234" {
			t.Fatalf("auditor reads a person: %+v", got)
		}
		if r := auditor.Post("/api/v1/persons", map[string]any{"full_name": "X"}); r.Status != http.StatusForbidden {
			t.Fatalf("auditor cannot write: %s", r)
		}
		agency := env.As(auth.Agency)
		for _, r := range []*testenv.Response{agency.Get("/api/v1/persons"), agency.Get("/api/v1/persons/" + p),
			agency.Post("/api/v1/persons", map[string]any{"full_name": "X"})} {
			if r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("agency on persons: want 403, got %s", r)
			}
		}
		if actions := auditActions(env.As(auth.Admin), "person", p); fmt.Sprint(actions) != "[read create]" {
			t.Fatalf("the audit log has the creation and the auditor's read, newest first: %v", actions)
		}
	})
}
