package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestPersonRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		p := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1975,
			"id_number": "045 075 001 234", "phone": "091 234 5678", "address": "Gio Linh, Quảng Trị"})
		if p["id_kind"] != "cccd" || p["id_number"] != "045075001234" || p["phone"] != "0912345678" {
			t.Fatalf("CCCD and phone normalised and recognised: %v", p)
		}
		cm := staff.Create("/api/v1/persons", map[string]any{"full_name": "Phạm Thị Thuỷ", "gender": "female", "id_number": "197123456"})
		if cm["id_kind"] != "cmnd" {
			t.Fatalf("9 digits is a CMND: %v", cm)
		}
		pp := staff.Create("/api/v1/persons", map[string]any{"full_name": "Lê Hoà", "id_number": "c1234567"})
		if pp["id_kind"] != "passport" || pp["id_number"] != "C1234567" {
			t.Fatalf("letter and 7 digits is a passport: %v", pp)
		}
		nfd := staff.Create("/api/v1/persons", map[string]any{"full_name": "Tra\u0302\u0300n  Thi\u0323 Be\u0301"})
		if nfd["full_name"] != "Trần Thị Bé" {
			t.Fatalf("names are stored NFC with single spaces: %q", nfd["full_name"])
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
		an := staff.Create("/api/v1/persons", map[string]any{"full_name": "Nguyễn Văn An", "id_number": "045075001234", "phone": "0912345678", "birth_year": 1975, "gender": "male"})
		thuy := staff.Create("/api/v1/persons", map[string]any{"full_name": "Phạm Thị Thuỷ"})
		hoa := staff.Create("/api/v1/persons", map[string]any{"full_name": "Đặng Thị Hòa"})
		staff.Create("/api/v1/persons", map[string]any{"full_name": "Trần Văn Bình"})
		cases := []struct {
			q    string
			want []string
		}{
			{"nguyen van an", []string{an["id"].(string)}},
			{"NGUYỄN VĂN AN", []string{an["id"].(string)}},
			{"Thủy", []string{thuy["id"].(string)}},
			{"thuy", []string{thuy["id"].(string)}},
			{"Hoà", []string{hoa["id"].(string)}},
			{"dang thi", []string{hoa["id"].(string)}},
			{"045075001234", []string{an["id"].(string)}},
			{"0912 345 678", []string{an["id"].(string)}},
			{"xuyen", nil},
			{"!!!", nil},    // punctuation alone names no one
			{"045075", nil}, // ID numbers and phones match whole, not by their digits
		}
		for _, c := range cases {
			got := ids(staff.ListAll("/api/v1/persons?q="+urlQuery(c.q), 50))
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
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
			staff.Create("/api/v1/persons", map[string]any{"full_name": fmt.Sprintf("Khổng Văn Xuyến %d", i)})
		}
		all := staff.ListAll("/api/v1/persons?q=xuyen", 3)
		seen := map[string]bool{}
		for _, id := range ids(all) {
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
		p := staff.Create("/api/v1/persons", map[string]any{"full_name": "Hồ Văn Tài"})
		path := "/api/v1/persons/" + p["id"].(string)
		g := staff.Get(path)
		etag := g.Header.Get("ETag")
		if g.Status != http.StatusOK || etag == "" {
			t.Fatalf("GET one returns an ETag: %s", g)
		}
		if r := staff.Patch(path, map[string]any{"phone": "0905123456"}, "If-Match", etag); r.Status != http.StatusOK || r.JSON()["phone"] != "0905123456" {
			t.Fatalf("PATCH with the current ETag: %s", r)
		}
		if r := staff.Patch(path, map[string]any{"phone": "0905000000"}, "If-Match", etag); r.Status != http.StatusPreconditionFailed || !r.IsProblem() {
			t.Fatalf("PATCH with a stale ETag: want 412, got %s", r)
		}
		if r := staff.Patch(path, map[string]any{"id_number": "12"}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("PATCH breaking a rule: want 422, got %s", r)
		}
		if r := staff.Get(path); r.JSON()["phone"] != "0905123456" {
			t.Fatalf("a refused PATCH changes nothing: %s", r)
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
		if r := staff.Get(path + "?include_voided=true"); r.Status != http.StatusOK || r.JSON()["void_reason"] != "Nhập trùng" {
			t.Fatalf("a voided person stays readable with include_voided: %s", r)
		}
		if n := len(staff.ListAll("/api/v1/persons", 50)); n != 0 {
			t.Fatalf("voided persons are left out of lists, got %d", n)
		}
		if n := len(staff.ListAll("/api/v1/persons?include_voided=true", 50)); n != 1 {
			t.Fatalf("include_voided lists them, got %d", n)
		}

		body := map[string]any{"full_name": "Võ Thị Lan"}
		r1 := staff.Post("/api/v1/persons", body, "Idempotency-Key", "k-1")
		r2 := staff.Post("/api/v1/persons", body, "Idempotency-Key", "k-1")
		if r1.Status != http.StatusCreated || r2.Status != http.StatusCreated || r1.JSON()["id"] != r2.JSON()["id"] || r2.Header.Get("Location") == "" {
			t.Fatalf("a replay answers the first response: %s / %s", r1, r2)
		}
		if n := len(staff.ListAll("/api/v1/persons?q=vo%20thi%20lan", 50)); n != 1 {
			t.Fatalf("a replay writes nothing: %d persons", n)
		}
		if r := staff.Post("/api/v1/persons", map[string]any{"full_name": "Võ Thị Lan B"}, "Idempotency-Key", "k-1"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("same key, other body: want 422, got %s", r)
		}
		if r := env.As(auth.Staff).Post("/api/v1/persons", body, "Idempotency-Key", "k-1"); r.Status != http.StatusCreated || r.JSON()["id"] == r1.JSON()["id"] {
			t.Fatalf("keys belong to one token: another token's k-1 is a new request: %s", r)
		}
	})
}

func TestPersonAccessByRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		p := env.As(auth.Staff).Create("/api/v1/persons", map[string]any{"full_name": "Lý Thị Mai", "id_number": "045305001234", "gender": "female"})
		auditor := env.As(auth.Auditor)
		if r := auditor.Get("/api/v1/persons/" + p["id"].(string)); r.Status != http.StatusOK || r.JSON()["id_number"] != "045305001234" {
			t.Fatalf("auditor reads a person: %s", r)
		}
		if r := auditor.Post("/api/v1/persons", map[string]any{"full_name": "X"}); r.Status != http.StatusForbidden {
			t.Fatalf("auditor cannot write: %s", r)
		}
		agency := env.As(auth.Agency)
		for _, r := range []*testenv.Response{agency.Get("/api/v1/persons"), agency.Get("/api/v1/persons/" + p["id"].(string)),
			agency.Post("/api/v1/persons", map[string]any{"full_name": "X"})} {
			if r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("agency on persons: want 403, got %s", r)
			}
		}
		log := env.As(auth.Admin).Get("/api/v1/audit?entity=person&entity_id=" + p["id"].(string)).Items()
		var actions []string
		for _, e := range log {
			actions = append(actions, e["action"].(string))
		}
		if fmt.Sprint(actions) != "[read create]" {
			t.Fatalf("the audit log has the creation and the auditor's read, newest first: %v", actions)
		}
	})
}
