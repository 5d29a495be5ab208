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

// A duplicate suggestion must not disclose a person the reader may not see: someone known to the
// register only as a denouncer stays out of another reader's candidate lists.
func TestDuplicateSuggestionsKeepDenouncersSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		sess := newSession(staff, "regular", "2024-05-06")
		citizen := map[string]any{"full_name": "Trương Văn Khải", "id_number": "045082004321", "birth_year": 1982, "gender": "male"}
		visit := func(body map[string]any) apiclient.RegistryCreatedVisit {
			return testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", body)
		}
		secret := visit(map[string]any{"session_id": sess, "persons": []any{citizen},
			"case": map[string]any{"title": "Tố cáo trưởng thôn", "category": "denunciation", "field": "corruption"}}).PersonIds[0]
		open := visit(map[string]any{"session_id": sess, "persons": []any{citizen},
			"case": map[string]any{"title": "Kiến nghị làm đường thôn", "category": "petition", "field": "other"}}).PersonIds[0]
		candidates := func(c *testenv.Client) []string {
			var out []string
			for _, d := range testenv.GetAs[[]apiclient.RegistryPersonCandidate](c, "/api/v1/persons/"+open+"/duplicates") {
				out = append(out, d.Person.ID)
			}
			return out
		}
		if got := candidates(env.As(auth.Admin)); len(got) != 1 || got[0] != secret {
			t.Fatalf("admin: the same CCCD is a duplicate, got %v", got)
		}
		if got := candidates(env.As(auth.Auditor)); len(got) != 0 {
			t.Fatalf("auditor: a person known only as a denouncer is not suggested, got %v", got)
		}
		pairs := func(c *testenv.Client) int {
			return len(testenv.GetAs[apiclient.HttpapiDuplicatePairList](c, "/api/v1/dedup/candidates?type=person").Items)
		}
		if n := pairs(env.As(auth.Admin)); n != 1 {
			t.Fatalf("admin: the register-wide review lists the pair, got %d", n)
		}
		if n := pairs(env.As(auth.Auditor)); n != 0 {
			t.Fatalf("auditor: a pair with a denouncer is not listed, got %d", n)
		}
		if r := env.As(auth.Auditor).Get("/api/v1/persons/" + secret + "/duplicates"); r.Status != http.StatusNotFound {
			t.Fatalf("auditor: the denouncer's own duplicates are 404 like the person, got %s", r)
		}
	})
}

// Nor must a case suggestion: "same citizen: X" between a petition and a denunciation would
// name the denouncer to a reader who may not know them.
func TestCaseDuplicateSuggestionsKeepDenouncersSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		sess := newSession(staff, "regular", "2024-05-06")
		citizen := map[string]any{"full_name": "Trương Văn Khải", "id_number": "045082004321", "birth_year": 1982, "gender": "male"}
		visit := func(category string) string {
			return testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": sess, "persons": []any{citizen},
				"case": map[string]any{"title": "Cán bộ địa chính xã Gio Mỹ thu tiền trái phép khi tách thửa 125",
					"category": category, "field": "civil_service", "respondent": "UBND huyện Gio Linh"}}).CaseID
		}
		denunciation, feedback := visit("denunciation"), visit("feedback")
		reasons := func(c *testenv.Client) (found bool, all []string) {
			for _, d := range testenv.GetAs[[]apiclient.RegistryCaseDuplicate](c, "/api/v1/cases/"+feedback+"/duplicates?min_score=0.000001") {
				if d.Case.ID == denunciation {
					return true, d.Reasons
				}
			}
			return false, nil
		}
		if found, why := reasons(env.As(auth.Admin)); !found || !slices.ContainsFunc(why, func(r string) bool { return strings.HasPrefix(r, "same citizen: Trương Văn Khải") }) {
			t.Fatalf("admin: the citizen in common is a reason, got %v", why)
		}
		if _, why := reasons(env.As(auth.Auditor)); slices.ContainsFunc(why, func(r string) bool { return strings.Contains(r, "Khải") }) {
			t.Fatalf("auditor: the denouncer is not named, got %v", why)
		}
		pairs := func(c *testenv.Client) int {
			return len(testenv.GetAs[apiclient.HttpapiDuplicatePairList](c, "/api/v1/dedup/candidates?type=case").Items)
		}
		if n := pairs(env.As(auth.Admin)); n != 1 {
			t.Fatalf("admin: the register-wide review lists the pair, got %d", n)
		}
		if n := pairs(env.As(auth.Auditor)); n != 0 {
			t.Fatalf("auditor: a pair with a denunciation is not listed, got %d", n)
		}
	})
}

// At intake too: a parent organisation's staff recording a visit in a district does not see the
// district's denouncers, so a citizen in common with a district denunciation counts for nothing
// in the possible duplicates they are answered.
func TestPossibleDuplicatesKeepDenouncersSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin := env.As(auth.Admin)
		root := testenv.GetAs[apiclient.HttpapiOrgList](admin, "/api/v1/orgs").Items[0]
		admin.Create("/api/v1/orgs", map[string]any{"code": "GL", "name": "Ban Tiếp công dân huyện Gio Linh", "parent_id": root.ID})
		district := env.Client(env.Token(auth.Staff, "GL"))
		province := env.Client(env.Token(auth.Staff, root.Code))
		sess := newSession(district, "regular", "2024-05-06")
		citizen := newPerson(district, map[string]any{"full_name": "Trương Văn Khải", "birth_year": 1982}).ID
		visit := func(c *testenv.Client, title string) apiclient.RegistryCreatedVisit {
			return testenv.CreateAs[apiclient.RegistryCreatedVisit](c, "/api/v1/visits", map[string]any{"session_id": sess, "person_ids": []string{citizen},
				"case": map[string]any{"title": title, "category": "denunciation", "field": "civil_service"}})
		}
		denunciation := visit(district, "Tố cáo cán bộ địa chính thu tiền khi tách thửa").CaseID
		// the same visit recorded by each, the first voided again so that both meet one register
		scoreFor := func(c *testenv.Client) float32 {
			v := visit(c, "Tố cáo cán bộ địa chính xã thu tiền khi tách thửa")
			for _, path := range []string{"/api/v1/visits/" + v.ID, "/api/v1/cases/" + v.CaseID} {
				if r := admin.Delete(path + "?reason=test"); r.Status != http.StatusOK {
					t.Fatalf("void %s: %s", path, r)
				}
			}
			for _, p := range orZero(v.PossibleDuplicates) {
				if p.CaseID == denunciation {
					return p.Score
				}
			}
			return 0
		}
		unseen, seen := scoreFor(province), scoreFor(district)
		if seen == 0 || unseen >= seen {
			t.Fatalf("the district's own staff are flagged the denunciation of the same citizen (%v); the province's staff, who may not know its denouncer, get no help from the citizen (%v)", seen, unseen)
		}
	})
}
