package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A client learns what is wrong with each field as a code it can act on, beside the message a
// person reads; a 409 names its field too.
func TestFieldErrorsCarryACode(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		person := newPerson(admin, map[string]any{"full_name": "Lê Văn Tám"}).ID
		admin.Create("/api/v1/orgs", map[string]any{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh"})
		for _, c := range []struct {
			name        string
			resp        *testenv.Response
			status      int
			field, code string
		}{
			{"missing name", admin.Post("/api/v1/persons", map[string]any{}), 422, "full_name", "required"},
			{"invisible character", admin.Post("/api/v1/persons", map[string]any{"full_name": "Lê\u202eVăn"}), 422, "full_name", "forbidden_character"},
			{"unknown field", admin.Post("/api/v1/persons", map[string]any{"full_name": "A", "colour": "red"}), 400, "colour", "unknown_field"},
			{"wrong type", admin.Post("/api/v1/persons", map[string]any{"full_name": 12}), 400, "full_name", "invalid"},
			{"unknown session", admin.Post("/api/v1/visits", map[string]any{"session_id": "nope", "person_ids": []string{person}, "case_id": "nope"}), 422, "session_id", "not_found"},
			{"page too large", admin.Get("/api/v1/persons?limit=501"), 422, "limit", "out_of_range"},
			{"value outside the enum", admin.Get("/api/v1/cases?category=lawsuit"), 422, "category", "forbidden_value"},
			{"empty enum filter", admin.Get("/api/v1/cases?category="), 422, "category", "required"},
			{"empty kind filter", admin.Get("/api/v1/sessions?kind="), 422, "kind", "required"},
			{"flag as a number", admin.Get("/api/v1/persons?include_voided=1"), 422, "include_voided", "forbidden_value"},
			{"empty flag", admin.Get("/api/v1/cases?include_voided="), 422, "include_voided", "forbidden_value"},
			{"void without reason", admin.Delete("/api/v1/persons/" + person), 422, "reason", "required"},
			{"code taken", admin.Post("/api/v1/orgs", map[string]any{"code": "GL", "name": "again"}), 409, "code", "conflict"},
		} {
			if c.resp.Status != c.status || !c.resp.IsProblem() {
				t.Errorf("%s: want %d problem+json, got %s", c.name, c.status, c.resp)
				continue
			}
			if got := c.resp.FieldCode(c.field); got != c.code {
				t.Errorf("%s: want %s coded %q, got %q in %s", c.name, c.field, c.code, got, c.resp)
			}
		}
		for _, ok := range []string{"/api/v1/persons?include_voided=true", "/api/v1/persons?include_voided=false", "/api/v1/cases?category=complaint"} {
			if r := admin.Get(ok); r.Status != http.StatusOK {
				t.Errorf("GET %s: want 200, got %s", ok, r)
			}
		}
	})
}

// list is a page of a list answer as a client reads it.
type list struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      *int64  `json:"total"`
}

// count=true adds the number of records of the whole list, with the list's own filters and
// what the caller may see; without it no total is answered (counting costs a query).
func TestListsCountOnRequest(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		var ids []string
		for _, name := range []string{"Phan Văn Một", "Phan Thị Hai", "Võ Văn Ba"} {
			ids = append(ids, newPerson(admin, map[string]any{"full_name": name}).ID)
		}
		if r := admin.Delete("/api/v1/persons/" + ids[0] + "?reason=" + urlQuery("ghi nhầm")); r.Status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}
		for _, c := range []struct {
			query string
			total *int64
			items int
		}{
			{"?count=true&limit=1", ptr(int64(2)), 1},
			{"?count=true&include_voided=true", ptr(int64(3)), 3},
			{"?count=true&q=phan", ptr(int64(1)), 1},
			{"?limit=1", nil, 1},
			{"?count=false", nil, 2},
		} {
			var l list
			r := admin.Get("/api/v1/persons" + c.query)
			if r.Status != http.StatusOK {
				t.Fatalf("GET /persons%s: %s", c.query, r)
			}
			r.Decode(t, &l)
			if len(l.Items) != c.items || (l.Total == nil) != (c.total == nil) || (c.total != nil && *l.Total != *c.total) {
				t.Errorf("GET /persons%s: want %d items and total %v, got %s", c.query, c.items, deref(c.total), r)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

func deref(p *int64) any {
	if p == nil {
		return "absent"
	}
	return *p
}

// Registering a citizen who may already be registered says so at once, as a visit does for a
// case, with the person the clerk can use instead; someone new gets an empty list.
func TestNewPersonAnswersPossibleDuplicates(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		type created struct {
			ID                 string `json:"id"`
			PossibleDuplicates []struct {
				Person struct {
					ID string `json:"id"`
				} `json:"person"`
				Score   float64  `json:"score"`
				Reasons []string `json:"reasons"`
			} `json:"possible_duplicates"`
		}
		create := func(body map[string]any) created {
			t.Helper()
			r := staff.Post("/api/v1/persons", body)
			if r.Status != http.StatusCreated {
				t.Fatalf("POST /persons: %s", r)
			}
			var c created
			r.Decode(t, &c)
			return c
		}
		an := create(map[string]any{"full_name": "Nguyễn Văn An", "birth_year": 1960, "phone": "0912345678",
			"address": "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"})
		if an.PossibleDuplicates == nil || len(an.PossibleDuplicates) != 0 {
			t.Errorf("the first citizen: want an empty possible_duplicates, got %+v", an.PossibleDuplicates)
		}
		again := create(map[string]any{"full_name": "Nguyen Van An", "birth_year": 1960, "phone": "0912 345 678",
			"address": "Th. 3, X. Gio Mỹ, H. Gio Linh"})
		if len(again.PossibleDuplicates) == 0 || again.PossibleDuplicates[0].Person.ID != an.ID || len(again.PossibleDuplicates[0].Reasons) == 0 {
			t.Errorf("the same citizen written otherwise: want %s offered first with reasons, got %+v", an.ID, again.PossibleDuplicates)
		}
		other := create(map[string]any{"full_name": "Trần Thị Lan", "birth_year": 1985})
		if len(other.PossibleDuplicates) != 0 {
			t.Errorf("someone else: want no candidates, got %+v", other.PossibleDuplicates)
		}
	})
}

type org struct {
	ID       string  `json:"id"`
	Code     string  `json:"code"`
	ParentID *string `json:"parent_id"`
}

// POST /orgs without parent_id adds under the caller's own organisation; only an unscoped admin
// adds a second top organisation, by saying parent_id: null, and the statistics of the whole
// register then name every top organisation they count.
func TestNewOrganisationsGoUnderTheCaller(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		defaultID := env.App.DefaultOrg.ID
		add := func(c *testenv.Client, body string) (org, *testenv.Response) {
			t.Helper()
			r := c.Post("/api/v1/orgs", body)
			var o org
			if r.Status == http.StatusCreated {
				r.Decode(t, &o)
			}
			return o, r
		}
		gl, r := add(admin, `{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh"}`)
		if r.Status != http.StatusCreated || gl.ParentID == nil || *gl.ParentID != defaultID {
			t.Fatalf("admin without parent_id: want a child of the default organisation %s, got %s", defaultID, r)
		}
		other, r := add(admin, `{"code": "QB", "name": "Ban Tiếp công dân tỉnh Quảng Bình", "parent_id": null}`)
		if r.Status != http.StatusCreated || other.ParentID != nil {
			t.Fatalf("admin with parent_id null: want a top organisation, got %s", r)
		}
		scoped := env.Client(env.Token(auth.Admin, "GL"))
		if child, r := add(scoped, `{"code": "GM", "name": "Xã Gio Mỹ"}`); r.Status != http.StatusCreated || child.ParentID == nil || *child.ParentID != gl.ID {
			t.Errorf("scoped admin without parent_id: want a child of GL, got %s", r)
		}
		if _, r := add(scoped, `{"code": "X", "name": "X", "parent_id": null}`); r.Status != http.StatusUnprocessableEntity || r.FieldCode("parent_id") != "forbidden_value" {
			t.Errorf("scoped admin with parent_id null: want 422 on parent_id, got %s", r)
		}

		var summary struct {
			OrgID   string   `json:"org_id"`
			RootIDs []string `json:"root_ids"`
		}
		r = admin.Get("/api/v1/stats/summary?period=2024")
		r.Decode(t, &summary)
		if r.Status != http.StatusOK || !slices.Equal(sorted(summary.RootIDs), sorted([]string{defaultID, other.ID})) {
			t.Errorf("the whole register over two top organisations: want root_ids of both, got %s", r)
		}
		summary.RootIDs = nil
		r = admin.Get("/api/v1/stats/summary?period=2024&org=" + gl.ID)
		r.Decode(t, &summary)
		if r.Status != http.StatusOK || summary.OrgID != gl.ID || summary.RootIDs != nil {
			t.Errorf("one organisation's subtree: want its org_id and no root_ids, got %s", r)
		}
	})
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// The register records what happened: a visit, a notice, a letter or a reply dated after today
// is refused, while a session may be scheduled ahead.
func TestFutureDatesAreRefused(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		// two days ahead is the future in every time zone the service may run in
		future := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		past := time.Now().AddDate(0, 0, -2).Format(time.DateOnly)
		ahead := newSession(staff, "periodic", future)
		held := newSession(staff, "periodic", past)
		person := newPerson(staff, map[string]any{"full_name": "Đặng Văn Năm"}).ID
		caseID := newCase(staff, "Khiếu nại về bồi thường đất")
		letter := newDirective(staff, map[string]any{"number": "1/TCD", "issued_on": past, "recipient": "UBND xã"}).ID
		for _, c := range []struct {
			name, path string
			body       map[string]any
			field      string
		}{
			{"visit at a session ahead", "/api/v1/visits", map[string]any{"session_id": ahead, "person_ids": []string{person}, "case_id": caseID}, "session_id"},
			{"notice dated ahead", "/api/v1/notices", map[string]any{"number": "1/TB", "issued_on": future, "session_id": held}, "issued_on"},
			{"letter dated ahead", "/api/v1/directives", map[string]any{"number": "2/TCD", "issued_on": future, "recipient": "UBND xã"}, "issued_on"},
			{"reply dated ahead", "/api/v1/directives/" + letter + "/reply", map[string]any{"replied_on": future, "summary": "Đã trả lời"}, "replied_on"},
		} {
			if r := staff.Post(c.path, c.body); r.Status != http.StatusUnprocessableEntity || r.FieldCode(c.field) != "out_of_range" {
				t.Errorf("%s: want 422 with %s out_of_range, got %s", c.name, c.field, r)
			}
		}
		staff.Create("/api/v1/visits", map[string]any{"session_id": held, "person_ids": []string{person}, "case_id": caseID})
		staff.Create("/api/v1/notices", map[string]any{"number": "1/TB", "issued_on": past, "session_id": held})
	})
}
