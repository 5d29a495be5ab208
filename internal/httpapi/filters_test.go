package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// Every list refuses filters it cannot honour (422 naming the parameter) rather than answering
// an empty or unfiltered page, and honours the ones it can.
func TestListFiltersAreChecked(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		long := strings.Repeat("a", 201)
		bad := []struct{ query, field string }{
			{"/api/v1/sessions?from=2024-03-02&to=2024-03-01", "from"},
			{"/api/v1/visits?from=2024-03-02&to=2024-03-01", "from"},
			{"/api/v1/notices?from=2024-03-02&to=2024-03-01", "from"},
			{"/api/v1/directives?from=2024-03-02&to=2024-03-01", "from"},
			{"/api/v1/sessions?from=2024-02-30", "from"},
			{"/api/v1/visits?to=yesterday", "to"},
			{"/api/v1/sessions?kind=weekly", "kind"},
			{"/api/v1/visits?kind=weekly", "kind"},
			{"/api/v1/cases?status=lost", "status"},
			{"/api/v1/cases?category=rumour", "category"},
			{"/api/v1/cases?field=weather", "field"},
			{"/api/v1/directives?status=late", "status"},
			{"/api/v1/persons?q=" + long, "q"},
			{"/api/v1/cases?q=" + long, "q"},
			{"/api/v1/directives?recipient=" + long, "recipient"},
			{"/api/v1/visits?person_id=" + long, "person_id"},
			{"/api/v1/delegations?case_id=" + long, "case_id"},
			{"/api/v1/notices?session_id=" + long, "session_id"},
			{"/api/v1/persons?include_voided=maybe", "include_voided"},
			{"/api/v1/cases?include_merged=maybe", "include_merged"},
			{"/api/v1/visits?limit=501", "limit"},
			{"/api/v1/persons?limit=0", "limit"},
			{"/api/v1/sessions?limit=x", "limit"},
			{"/api/v1/directives?cursor=nonsense", "cursor"},
		}
		for _, b := range bad {
			if r := staff.Get(b.query); r.Status != http.StatusUnprocessableEntity || !r.IsProblem() || !r.HasFieldError(b.field) {
				t.Errorf("GET %.80s: want 422 naming %s, got %s", b.query, b.field, r)
			}
		}

		s := newSession(staff, "periodic", "2024-03-15")
		staff.Create("/api/v1/directives", map[string]any{"number": "1/UBND", "issued_on": "2024-03-15", "recipient": "UBND xã", "session_id": s})
		good := []struct {
			query string
			n     int
		}{
			{"/api/v1/sessions?from=2024-03-15&to=2024-03-15", 1},
			{"/api/v1/sessions?from=2024-03-16", 0},
			{"/api/v1/directives?from=2024-03-15&to=2024-03-15&status=pending", 1},
			{"/api/v1/directives?session_id=" + s, 1},
		}
		for _, g := range good {
			if got := len(staff.ListAll(g.query, 50)); got != g.n {
				t.Errorf("GET %s: want %d items, got %d", g.query, g.n, got)
			}
		}
	})
}
