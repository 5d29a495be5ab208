package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A record that live records still name is not voided (409, saying what names it); once they
// are voided, it is.
func TestVoidRefusedWhileLiveRecordsNameIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		number := 0
		docNumber := func() string {
			number++
			return fmt.Sprintf("%d/UBND", number)
		}
		session := func() string { return newSession(staff, "periodic", "2024-03-15") }
		person := func() string { return persons(t, staff, 1)[0] }
		visit := func(sessionID, caseID, personID string) string {
			return testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": sessionID, "case_id": caseID, "person_ids": []string{personID}}).ID
		}
		tests := []struct {
			name      string
			target    func() string // makes the record to void, returns its path
			dependent func(id string) string
			says      string
		}{
			{"case named by a visit", func() string { return "/api/v1/cases/" + newCase(staff, "Tranh chấp đất") },
				func(id string) string { return "/api/v1/visits/" + visit(session(), id, person()) }, "visits"},
			{"case named by a delegation", func() string { return "/api/v1/cases/" + newCase(staff, "Tranh chấp đất") },
				func(id string) string {
					return "/api/v1/delegations/" + newDelegation(staff, map[string]any{"name": "Đoàn thôn 3", "member_count": 3,
						"representative_ids": []string{}, "case_id": id}).ID
				}, "delegations"},
			{"case named by a notice", func() string { return "/api/v1/cases/" + newCase(staff, "Tranh chấp đất") },
				func(id string) string {
					return "/api/v1/notices/" + testenv.CreateAs[apiclient.RegistryNotice](staff, "/api/v1/notices", map[string]any{"number": docNumber(), "issued_on": "2024-03-20",
						"session_id": session(), "case_ids": []string{id}}).ID
				}, "conclusion notices"},
			{"case named by a directive", func() string { return "/api/v1/cases/" + newCase(staff, "Tranh chấp đất") },
				func(id string) string {
					return "/api/v1/directives/" + newDirective(staff, map[string]any{"number": docNumber(), "issued_on": "2024-03-20",
						"recipient": "UBND huyện Gio Linh", "case_id": id}).ID
				}, "directive letters"},
			{"session named by a visit", func() string { return "/api/v1/sessions/" + session() },
				func(id string) string {
					return "/api/v1/visits/" + visit(id, newCase(staff, "Đường liên thôn"), person())
				}, "visits"},
			{"session named by a notice", func() string { return "/api/v1/sessions/" + session() },
				func(id string) string {
					return "/api/v1/notices/" + testenv.CreateAs[apiclient.RegistryNotice](staff, "/api/v1/notices", map[string]any{"number": docNumber(), "issued_on": "2024-03-20",
						"session_id": id}).ID
				}, "conclusion notices"},
			{"session named by a directive", func() string { return "/api/v1/sessions/" + session() },
				func(id string) string {
					return "/api/v1/directives/" + newDirective(staff, map[string]any{"number": docNumber(), "issued_on": "2024-03-20",
						"recipient": "UBND huyện Gio Linh", "session_id": id}).ID
				}, "directive letters"},
			{"person named by a visit", func() string { return "/api/v1/persons/" + person() },
				func(id string) string {
					return "/api/v1/visits/" + visit(session(), newCase(staff, "Đường liên thôn"), id)
				}, "visits"},
			{"person representing a delegation", func() string { return "/api/v1/persons/" + person() },
				func(id string) string {
					return "/api/v1/delegations/" + newDelegation(staff, map[string]any{"name": "Đoàn thôn 3", "member_count": 6,
						"representative_ids": []string{id}}).ID
				}, "delegations"},
			{"delegation named by a visit", func() string {
				return "/api/v1/delegations/" + newDelegation(staff, map[string]any{"name": "Đoàn thôn 4", "member_count": 6,
					"representative_ids": []string{person()}}).ID
			}, func(id string) string {
				return "/api/v1/visits/" + testenv.CreateAs[apiclient.RegistryCreatedVisit](staff, "/api/v1/visits", map[string]any{"session_id": session(), "case_id": newCase(staff, "Đường"),
					"person_ids": []string{person()}, "delegation_id": id}).ID
			}, "visits"},
		}
		for _, tc := range tests {
			target := tc.target()
			dependent := tc.dependent(target[strings.LastIndex(target, "/")+1:])
			r := staff.Delete(target + "?reason=nh%E1%BA%A7m")
			if r.Status != http.StatusConflict || !r.IsProblem() || !strings.Contains(r.Problem().Detail, tc.says) {
				t.Errorf("%s: want 409 saying %q, got %s", tc.name, tc.says, r)
				continue
			}
			if r := staff.Get(target); r.Status != http.StatusOK {
				t.Errorf("%s: a refused void leaves the record live: %s", tc.name, r)
			}
			if r := staff.Delete(dependent + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusOK {
				t.Fatalf("%s: void the dependent: %s", tc.name, r)
			}
			if r := staff.Delete(target + "?reason=nh%E1%BA%A7m"); r.Status != http.StatusOK || recordOf(t, r).VoidedAt == nil {
				t.Errorf("%s: once nothing live names it, it is voided: %s", tc.name, r)
			}
		}

		c := newCase(staff, "Khiếu nại về bồi thường")
		visit(session(), c, person())
		staff.Create("/api/v1/directives", map[string]any{"number": docNumber(), "issued_on": "2024-03-20", "recipient": "UBND xã", "case_id": c})
		r := staff.Delete("/api/v1/cases/" + c + "?reason=x")
		if r.Status != http.StatusConflict || !strings.Contains(r.Problem().Detail, "visits and directive letters") {
			t.Fatalf("the refusal names every kind of record in the way: %s", r)
		}
	})
}
