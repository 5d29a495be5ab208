package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// The audit log must not undo the secrecy of denouncers: only an admin sees which citizens a
// visit linked; an auditor sees that it linked some, and how many.
func TestAuditLogHidesIdentityLinksFromAuditors(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		sess := staff.Create("/api/v1/sessions", map[string]any{"kind": "regular", "date": "2024-03-18"})
		v := staff.Create("/api/v1/visits", map[string]any{"session_id": sess["id"],
			"case":    map[string]any{"title": "Tố cáo cán bộ xã", "category": "denunciation", "field": "corruption"},
			"persons": []map[string]any{{"full_name": "Người Tố Cáo"}, {"full_name": "Người Đi Cùng"}}})
		path := "/api/v1/audit?entity=visit&entity_id=" + v["id"].(string)
		entry := func(c *testenv.Client) map[string]any {
			items := c.Get(path).Items()
			if len(items) != 1 {
				t.Fatalf("one create entry for the visit, got %v", items)
			}
			return items[0]["changes"].(map[string]any)
		}
		if ch := entry(env.As(auth.Auditor)); ch["person_ids"] != nil || ch["person_count"] != float64(2) {
			t.Errorf("auditor: identity links reduced to a count, got %v", ch)
		}
		if ch := entry(env.As(auth.Admin)); len(ch["person_ids"].([]any)) != 2 {
			t.Errorf("admin: sees the persons linked, got %v", ch)
		}
		if r := env.As(auth.Auditor).Get("/api/v1/audit?from=2024-05-02&to=2024-05-01"); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("from") {
			t.Errorf("from after to: want 422 naming from, got %s", r)
		}
	})
}
