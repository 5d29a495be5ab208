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

// orgTree makes two sibling organisations, A and B, under the default one, and returns the ids
// of the default organisation, A and B.
func orgTree(t *testing.T, env *testenv.Env) (root, a, b string) {
	t.Helper()
	admin := env.As(auth.Admin)
	orgs := testenv.GetAs[apiclient.HttpapiOrgList](admin, "/api/v1/orgs").Items
	if len(orgs) != 1 {
		t.Fatalf("a fresh service has its default organisation alone: %+v", orgs)
	}
	root = orgs[0].ID
	a = testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "A", "name": "Ban Tiếp công dân huyện A", "parent_id": root}).ID
	b = testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "B", "name": "Ban Tiếp công dân huyện B", "parent_id": root}).ID
	return root, a, b
}

// register is one of every register record, made by one client.
type register struct {
	person, rep, session, kase, visit, delegation, notice, directive string
}

func fillRegister(t *testing.T, c *testenv.Client, number string) register {
	t.Helper()
	var r register
	r.person = newPerson(c, map[string]any{"full_name": "Nguyễn Văn An"}).ID
	r.rep = newPerson(c, map[string]any{"full_name": "Trần Thị Bình"}).ID
	r.session = newSession(c, "periodic", "2024-03-15")
	r.kase = newCase(c, "Tranh chấp ranh giới đất")
	r.delegation = newDelegation(c, map[string]any{"name": "Đoàn thôn 3", "member_count": 6,
		"representative_ids": []string{r.rep}, "case_id": r.kase}).ID
	r.visit = testenv.CreateAs[apiclient.RegistryCreatedVisit](c, "/api/v1/visits", map[string]any{"session_id": r.session, "case_id": r.kase, "person_ids": []string{r.person},
		"delegation_id": r.delegation}).ID
	r.notice = testenv.CreateAs[apiclient.RegistryNotice](c, "/api/v1/notices", map[string]any{"number": number + "/TB", "issued_on": "2024-03-20",
		"session_id": r.session, "case_ids": []string{r.kase}}).ID
	r.directive = newDirective(c, map[string]any{"number": number + "/CV", "issued_on": "2024-03-20",
		"recipient": "UBND xã Gio Mỹ", "case_id": r.kase, "session_id": r.session}).ID
	return r
}

func (r register) paths() map[string]string {
	return map[string]string{
		"/api/v1/persons/" + r.person: "persons", "/api/v1/sessions/" + r.session: "sessions", "/api/v1/cases/" + r.kase: "cases",
		"/api/v1/visits/" + r.visit: "visits", "/api/v1/delegations/" + r.delegation: "delegations",
		"/api/v1/notices/" + r.notice: "notices", "/api/v1/directives/" + r.directive: "directives",
	}
}

// record is what every register record has, whatever its kind: the checks below read records
// of every kind alike. (Read leniently, as the model of each kind holds more.)
type record struct {
	OrgID    string     `json:"org_id"`
	VoidedAt *time.Time `json:"voided_at"`
}

// recordAt is the record at path, read by c; any answer but 200 fails the test.
func recordAt(t *testing.T, c *testenv.Client, path string) record {
	t.Helper()
	r := c.Get(path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %s", path, r)
	}
	return recordOf(t, r)
}

// recordOf is the record, of any kind, an answer carries.
func recordOf(t *testing.T, r *testenv.Response) record {
	t.Helper()
	var rec record
	r.Decode(t, &rec)
	return rec
}

// caller makes a client of role, scoped to the organisation with orgCode when not empty.
type caller func(env *testenv.Env, role auth.Role, orgCode string) *testenv.Client

func tokenCaller(env *testenv.Env, role auth.Role, orgCode string) *testenv.Client {
	return env.Client(env.Token(role, orgCode))
}

// A token scoped to an organisation reads and writes only within its subtree, on every
// registry route: a sibling's records look absent (404), cannot be named in bodies (422), never
// appear in lists; what it creates belongs to its organisation, and it cannot create elsewhere.
func TestOrganisationScopingOnEveryRoute(t *testing.T) { testScopingOnEveryRoute(t, tokenCaller) }

// A signed-in user is scoped exactly as a token, through the same checks.
func TestOrganisationScopingOfSignedInUsers(t *testing.T) {
	t.Parallel()
	testScopingOnEveryRoute(t, (*testenv.Env).User)
}

func testScopingOnEveryRoute(t *testing.T, as caller) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		root, orgA, orgB := orgTree(t, env)
		staffA := as(env, auth.Staff, "A")
		staffB := as(env, auth.Staff, "B")
		auditorB := as(env, auth.Auditor, "B")
		a := fillRegister(t, staffA, "1")
		b := fillRegister(t, staffB, "1") // the same numbers: they are unique per organisation

		for path := range a.paths() {
			if got := recordAt(t, staffA, path).OrgID; got != orgA {
				t.Errorf("%s made by A's token belongs to A, got %v", path, got)
			}
		}

		patches := map[string]map[string]any{
			"persons": {"address": "Gio Linh"}, "sessions": {"note": "x"}, "cases": {"status": "resolved"}, "visits": {"note": "x"},
			"delegations": {"note": "x"}, "notices": {"summary": "x"}, "directives": {"request": "x"},
		}
		for path, collection := range a.paths() {
			for _, r := range []*testenv.Response{
				staffB.Get(path), staffB.Get(path + "?include_voided=true"), auditorB.Get(path),
				staffB.Patch(path, patches[collection]), staffB.Delete(path + "?reason=x"),
			} {
				if r.Status != http.StatusNotFound || !r.IsProblem() {
					t.Errorf("%s: B's token must find nothing there, got %s", path, r)
				}
			}
			if rec := recordAt(t, staffA, path); rec.VoidedAt != nil {
				t.Errorf("%s: B's attempts changed nothing: %+v", path, rec)
			}
		}
		if r := staffB.Post("/api/v1/directives/"+a.directive+"/reply", map[string]any{"replied_on": "2024-04-01", "summary": "x"}); r.Status != http.StatusNotFound {
			t.Errorf("B replies to A's directive: want 404, got %s", r)
		}

		a.listedNowhere(t, staffB, auditorB)
		refusedAcrossOrganisations(t, staffB, a, b, root, orgA)

		// a token of the parent organisation, scoped or not, and an admin's, reach both
		for _, c := range []*testenv.Client{as(env, auth.Staff, "TCD"), as(env, auth.Staff, ""), as(env, auth.Auditor, ""), as(env, auth.Admin, "")} {
			for _, reg := range []register{a, b} {
				for path := range reg.paths() {
					if r := c.Get(path); r.Status != http.StatusOK {
						t.Errorf("the parent organisation reads %s: %s", path, r)
					}
				}
			}
			if n := len(testenv.ListAllAs[apiclient.RegistryVisit](c, "/api/v1/visits", 50)); n != 2 {
				t.Errorf("the parent organisation lists both organisations' visits: %d", n)
			}
		}
		parent := as(env, auth.Staff, "TCD")
		p := newPerson(parent, map[string]any{"full_name": "Lê Văn Cường", "org_id": orgB})
		if p.OrgID != orgB || staffB.Get("/api/v1/persons/"+p.ID).Status != http.StatusOK {
			t.Errorf("the parent organisation may place a record in a child: %+v", p)
		}
		if p := newPerson(parent, map[string]any{"full_name": "Lê Văn Dũng"}); p.OrgID != root {
			t.Errorf("a token scoped to the default organisation makes its records there: %+v", p)
		}
	})
}

// listedNowhere: no list of the register, filtered or searched, voided records included,
// lists one of r's records to any of readers.
func (r register) listedNowhere(t *testing.T, readers ...*testenv.Client) {
	t.Helper()
	lists := []string{"/api/v1/persons", "/api/v1/sessions", "/api/v1/cases", "/api/v1/visits", "/api/v1/delegations", "/api/v1/notices",
		"/api/v1/directives", "/api/v1/visits?case_id=" + r.kase, "/api/v1/visits?person_id=" + r.person, "/api/v1/visits?session_id=" + r.session,
		"/api/v1/visits?delegation_id=" + r.delegation, "/api/v1/delegations?case_id=" + r.kase, "/api/v1/notices?case_id=" + r.kase,
		"/api/v1/notices?session_id=" + r.session, "/api/v1/directives?case_id=" + r.kase, "/api/v1/directives?session_id=" + r.session,
		"/api/v1/persons?q=nguyen%20van%20an", "/api/v1/cases?q=tranh%20chap"}
	own := []string{r.person, r.rep, r.session, r.kase, r.visit, r.delegation, r.notice, r.directive}
	for _, l := range lists {
		for _, c := range readers {
			for _, id := range ids(c.ListAll(l+sep(l)+"include_voided=true", 50)) {
				if slices.Contains(own, id) {
					t.Errorf("GET %s lists another organisation's record %v", l, id)
				}
			}
		}
	}
}

// refusedAcrossOrganisations: B's token names A's records in bodies, or places records in A or
// in the root, and is refused naming the field each time.
func refusedAcrossOrganisations(t *testing.T, staffB *testenv.Client, a, b register, root, orgA string) {
	t.Helper()
	refusals := []struct {
		path, method string
		body         map[string]any
		field        string
	}{
		{"/api/v1/visits", "POST", map[string]any{"session_id": a.session, "case_id": b.kase, "person_ids": []string{b.person}}, "session_id"},
		{"/api/v1/visits", "POST", map[string]any{"session_id": b.session, "case_id": a.kase, "person_ids": []string{b.person}}, "case_id"},
		{"/api/v1/visits", "POST", map[string]any{"session_id": b.session, "case_id": b.kase, "person_ids": []string{a.person}}, "person_ids[0]"},
		{"/api/v1/visits", "POST", map[string]any{"session_id": b.session, "case_id": b.kase, "person_ids": []string{b.person}, "delegation_id": a.delegation}, "delegation_id"},
		{"/api/v1/delegations", "POST", map[string]any{"name": "Đoàn", "member_count": 6, "representative_ids": []string{a.rep}}, "representative_ids[0]"},
		{"/api/v1/delegations", "POST", map[string]any{"name": "Đoàn", "member_count": 3, "representative_ids": []string{}, "case_id": a.kase}, "case_id"},
		{"/api/v1/delegations/" + b.delegation, "PATCH", map[string]any{"case_id": a.kase}, "case_id"},
		{"/api/v1/delegations/" + b.delegation, "PATCH", map[string]any{"representative_ids": []string{a.rep}}, "representative_ids[0]"},
		{"/api/v1/notices", "POST", map[string]any{"number": "9/TB", "issued_on": "2024-03-20", "session_id": a.session}, "session_id"},
		{"/api/v1/notices", "POST", map[string]any{"number": "9/TB", "issued_on": "2024-03-20", "session_id": b.session, "case_ids": []string{a.kase}}, "case_ids[0]"},
		{"/api/v1/notices/" + b.notice, "PATCH", map[string]any{"case_ids": []string{a.kase}}, "case_ids[0]"},
		{"/api/v1/notices/" + b.notice, "PATCH", map[string]any{"session_id": a.session}, "session_id"},
		{"/api/v1/directives", "POST", map[string]any{"number": "9/CV", "issued_on": "2024-03-20", "recipient": "UBND", "case_id": a.kase}, "case_id"},
		{"/api/v1/directives", "POST", map[string]any{"number": "9/CV", "issued_on": "2024-03-20", "recipient": "UBND", "session_id": a.session}, "session_id"},
		{"/api/v1/directives/" + b.directive, "PATCH", map[string]any{"case_id": a.kase}, "case_id"},
		// a scoped token cannot place records outside its subtree, nor in its parent
		{"/api/v1/persons", "POST", map[string]any{"full_name": "X", "org_id": orgA}, "org_id"},
		{"/api/v1/sessions", "POST", map[string]any{"kind": "regular", "date": "2024-03-18", "org_id": orgA}, "org_id"},
		{"/api/v1/cases", "POST", map[string]any{"title": "X", "category": "complaint", "field": "land", "org_id": root}, "org_id"},
		{"/api/v1/delegations", "POST", map[string]any{"name": "Đoàn", "member_count": 3, "representative_ids": []string{}, "org_id": orgA}, "org_id"},
		{"/api/v1/notices", "POST", map[string]any{"number": "9/TB", "issued_on": "2024-03-20", "session_id": b.session, "org_id": orgA}, "org_id"},
		{"/api/v1/directives", "POST", map[string]any{"number": "9/CV", "issued_on": "2024-03-20", "recipient": "UBND", "org_id": orgA}, "org_id"},
		{"/api/v1/visits", "POST", map[string]any{"session_id": b.session, "case_id": b.kase, "persons": []any{map[string]any{"full_name": "X", "org_id": orgA}}}, "persons[0].org_id"},
		{"/api/v1/visits", "POST", map[string]any{"session_id": b.session, "person_ids": []string{b.person},
			"case": map[string]any{"title": "X", "category": "complaint", "field": "land", "org_id": orgA}}, "case.org_id"},
	}
	for _, rf := range refusals {
		r := staffB.Do(rf.method, rf.path, rf.body)
		if r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(rf.field) {
			t.Errorf("%s %s %v as B: want 422 naming %s, got %s", rf.method, rf.path, rf.body, rf.field, r)
		}
	}
}

func sep(path string) string {
	if slices.Contains([]byte(path), '?') {
		return "&"
	}
	return "?"
}
