package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// Text fields refuse characters that are invisible where the text is read (controls, bidi
// overrides, zero-width characters, a byte order mark) with 422 naming the field, wherever the
// field is, and write nothing; whitespace is tidied and text stored NFC as before.
func TestTextFieldsRefuseInvisibleCharacters(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff, admin := env.As(auth.Staff), env.As(auth.Admin)
		p := newPerson(staff, map[string]any{"full_name": "Nguyễn Văn An"}).ID
		session := newSession(staff, "regular", "2024-03-18")
		for _, bad := range []string{"Nguyễn\x00Văn", "Nguyễn Văn \u202Ena", "Nguyễn\u200BVăn", "\uFEFFNguyễn Văn", "Lê\u2066 Văn\u2069", "A\x1bB"} {
			for _, c := range []struct {
				client       *testenv.Client
				method, path string
				body         map[string]any
				field        string
			}{
				{staff, http.MethodPost, "/api/v1/persons", map[string]any{"full_name": bad}, "full_name"},
				{staff, http.MethodPost, "/api/v1/persons", map[string]any{"full_name": "Trần Bình", "address": bad}, "address"},
				{staff, http.MethodPatch, "/api/v1/persons/" + p, map[string]any{"full_name": bad}, "full_name"},
				{staff, http.MethodPost, "/api/v1/cases", map[string]any{"title": bad, "category": "complaint", "field": "land"}, "title"},
				{staff, http.MethodPost, "/api/v1/visits", map[string]any{"session_id": session, "persons": []any{map[string]any{"full_name": "Trần Bình"},
					map[string]any{"full_name": bad}}, "case": map[string]any{"title": "Tranh chấp đất", "category": "complaint", "field": "land"}}, "persons[1].full_name"},
				{staff, http.MethodPost, "/api/v1/visits", map[string]any{"session_id": session, "person_ids": []string{p},
					"case": map[string]any{"title": bad, "category": "complaint", "field": "land"}}, "case.title"},
				{staff, http.MethodPost, "/api/v1/delegations", map[string]any{"name": bad, "member_count": 3, "representative_ids": []string{p}}, "name"},
				{admin, http.MethodPost, "/api/v1/orgs", map[string]any{"code": "X", "name": bad}, "name"},
			} {
				r := c.client.Do(c.method, c.path, c.body)
				if r.Status != http.StatusUnprocessableEntity || !r.HasFieldError(c.field) {
					t.Errorf("%s %s with %q in %s: want 422 naming it, got %s", c.method, c.path, bad, c.field, r)
				}
			}
		}
		if n := len(staff.ListAll("/api/v1/persons", 50)); n != 1 {
			t.Errorf("nothing refused was written: %d persons", n)
		}
		if n := len(staff.ListAll("/api/v1/cases", 50)); n != 0 {
			t.Errorf("nothing refused was written: %d cases", n)
		}
		// whitespace of any kind is tidied into single spaces, and text is stored NFC
		if got := newPerson(staff, map[string]any{"full_name": " Nguye\u0302\u0303n\tVa\u0306n\n An "}).FullName; got != "Nguyễn Văn An" {
			t.Errorf("stored %q, want NFC with single spaces", got)
		}
	})
}
