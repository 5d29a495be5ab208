package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// An entry's changes are free-form in the document (what they hold depends on the action): the
// tests read them as the map they are, and the rest of an entry as apiclient.AuditEntry.

// The audit log must not undo the secrecy of denouncers: only an admin sees which citizens a
// visit linked; an auditor sees that it linked some, and how many.
func TestAuditLogHidesIdentityLinksFromAuditors(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": newSession(staff, "regular", "2024-03-18"),
			"case":    map[string]any{"title": "Tố cáo cán bộ xã", "category": "denunciation", "field": "corruption"},
			"persons": []map[string]any{{"full_name": "Người Tố Cáo"}, {"full_name": "Người Đi Cùng"}}})
		path := "/api/v1/audit?entity=visit&entity_id=" + v.ID
		entry := func(c *testenv.Client) map[string]any {
			items := testenv.GetAs[apiclient.HttpapiAuditList](c, path).Items
			if len(items) != 1 {
				t.Fatalf("one create entry for the visit, got %+v", items)
			}
			return orZero(items[0].Changes)
		}
		if ch := entry(env.As(auth.Auditor)); ch["person_ids"] != nil || ch["person_count"] != float64(2) {
			t.Errorf("auditor: identity links reduced to a count, got %v", ch)
		}
		if linked, _ := entry(env.As(auth.Admin))["person_ids"].([]any); len(linked) != 2 {
			t.Errorf("admin: sees the persons linked, got %v", linked)
		}
		if r := env.As(auth.Auditor).Get("/api/v1/audit?from=2024-05-02&to=2024-05-01"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("from") {
			t.Errorf("from after to: want 422 naming from, got %s", r)
		}
	})
}

// Every entry carries its organisation and a reader reads only its subtree's; entries about a
// denouncer kept from the reader name the fields changed, never the values, and carry no request
// id that would tie them to the denunciation; only an admin (or a reader who may see the
// person) reads a person's values.
func TestAuditIsScopedAndKeepsDenouncersSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		_, a, b := orgTree(t, env)
		admin := env.As(auth.Admin)
		a1 := testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "A1", "name": "Ban Tiếp công dân xã A1", "parent_id": a}).ID
		staffA, staffB := env.Client(env.Token(auth.Staff, "A")), env.Client(env.Token(auth.Staff, "B"))
		session := newSession(staffA, "periodic", "2024-03-15")
		denounced := testenv.CreateAs[apiclient.RegistryCreatedVisit](staffA, "/api/v1/visits", map[string]any{"session_id": session,
			"case": map[string]any{"title": "Tố cáo cán bộ thuế", "category": "denunciation", "field": "corruption"},
			"persons": []any{map[string]any{"full_name": "Lý Thị Tố", "phone": "0912000111", "id_number": "045175001234",
				"birth_year": 1975, "gender": "female", "address": "Thôn Bí Mật"}}})
		denouncer := denounced.PersonIds[0]
		if r := staffA.Patch("/api/v1/persons/"+denouncer, map[string]any{"phone": "0987654321"}); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		citizen := newPerson(staffA, map[string]any{"full_name": "Nguyễn Văn Công", "phone": "0911222333"}).ID
		staffB.Create("/api/v1/persons", map[string]any{"full_name": "Trần Văn Bê"})
		secrets := []string{"Lý Thị Tố", "0912000111", "0987654321", "045175001234", "Thôn Bí Mật"}

		for _, c := range []struct {
			who    string
			reader *testenv.Client
			orgs   []string // the organisations whose entries it reads; nil: every one
		}{
			{"auditor of B", env.Client(env.Token(auth.Auditor, "B")), []string{b}},
			{"auditor of A1 (a child of A)", env.Client(env.Token(auth.Auditor, "A1")), []string{a1}},
			{"auditor of A", env.Client(env.Token(auth.Auditor, "A")), []string{a, a1}},
			{"unscoped auditor", env.As(auth.Auditor), nil},
		} {
			entries := testenv.ListAllAs[apiclient.AuditEntry](c.reader, "/api/v1/audit", 100)
			raw := c.reader.Get("/api/v1/audit?limit=500")
			for _, e := range entries {
				if c.orgs != nil && !slices.Contains(c.orgs, orZero(e.OrgID)) {
					t.Errorf("%s reads an entry of another organisation: %+v", c.who, e)
				}
			}
			for _, s := range secrets {
				if strings.Contains(string(raw.Body), s) {
					t.Errorf("%s reads %q in the audit log", c.who, s)
				}
			}
			about := testenv.ListAllAs[apiclient.AuditEntry](c.reader, "/api/v1/audit?entity=person&entity_id="+denouncer, 50)
			if c.orgs != nil && !slices.Contains(c.orgs, a) {
				if len(about) != 0 {
					t.Errorf("%s reads entries about A's person: %+v", c.who, about)
				}
				continue
			}
			if len(about) != 2 {
				t.Fatalf("%s reads the denouncer's create and update: %+v", c.who, about)
			}
			for _, e := range about {
				fields, _ := orZero(e.Changes)["fields"].([]any)
				if !orZero(e.IdentityHidden) || e.RequestID != nil || len(fields) == 0 || orZero(e.OrgID) != a {
					t.Errorf("%s reads an entry about the denouncer without identity, naming its fields: %+v", c.who, e)
				}
			}
			created := testenv.ListAllAs[apiclient.AuditEntry](c.reader, "/api/v1/audit?entity=person&entity_id="+citizen, 50)
			if len(created) != 1 || orZero(created[0].Changes)["full_name"] != "Nguyễn Văn Công" || created[0].IdentityHidden != nil {
				t.Errorf("%s reads the creation of a person it may see, with its values: %+v", c.who, created)
			}
		}
		about := testenv.ListAllAs[apiclient.AuditEntry](admin, "/api/v1/audit?entity=person&entity_id="+denouncer, 50)
		if len(about) != 2 || orZero(about[1].Changes)["full_name"] != "Lý Thị Tố" || about[1].RequestID == nil {
			t.Errorf("an admin reads the denouncer's entries whole: %+v", about)
		}
	})
}

// Whatever answers personal data is audited: a page of persons (one entry naming them all), the
// organisations created, and tokens made or revoked (tokens: cmd/tcd).
func TestPersonListsAndOrganisationsAreAudited(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff, admin := env.As(auth.Staff), env.As(auth.Admin)
		p := newPerson(staff, map[string]any{"full_name": "Nguyễn Văn An", "id_number": "045075001234",
			"birth_year": 1975, "gender": "male"}).ID
		newPerson(staff, map[string]any{"full_name": "Trần Thị Bình"})
		personEntries := func() []apiclient.AuditEntry {
			return testenv.ListAllAs[apiclient.AuditEntry](admin, "/api/v1/audit?entity=person&entity_id=", 50)
		}
		for _, query := range []string{"?q=045075001234", "?limit=500"} {
			before := len(personEntries())
			found := testenv.GetAs[apiclient.HttpapiPageRegistryPerson](staff, "/api/v1/persons"+query).Items
			entries := personEntries()
			if len(entries) != before+1 {
				t.Fatalf("GET /persons%s answers %d persons and writes one audit entry: %d → %d", query, len(found), before, len(entries))
			}
			e := entries[0]
			listed, _ := orZero(e.Changes)["person_ids"].([]any)
			if e.Action != "list" || len(listed) != len(found) || !slices.Contains(listed, any(p)) {
				t.Errorf("the entry names who was listed: %+v", e)
			}
		}
		before := len(personEntries())
		if got := testenv.GetAs[apiclient.HttpapiPageRegistryPerson](staff, "/api/v1/persons?q=khong+ai+ca").Items; len(got) != 0 || len(personEntries()) != before {
			t.Errorf("a search that finds nobody discloses nothing and writes nothing")
		}
		org := testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh"}).ID
		entries := testenv.ListAllAs[apiclient.AuditEntry](admin, "/api/v1/audit?entity=org&entity_id="+org, 50)
		if len(entries) != 1 || entries[0].Action != "create" || orZero(entries[0].OrgID) != org || entries[0].ActorRole != "admin" ||
			orZero(entries[0].Changes)["code"] != "GL" {
			t.Errorf("creating an organisation is audited with its actor: %+v", entries)
		}
	})
}
