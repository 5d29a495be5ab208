package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// Secrecy sticks to the people who denounced, not to the case's label: a denunciation may be
// turned into another category only by an admin or the staff of its own organisation (and the
// change is audited), and whatever its category becomes, merges or moved delegations included,
// its denouncers stay hidden from everyone who may not see denouncers.
func TestRecategorisedDenunciationKeepsItsDenouncersSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		orgTree(t, env)
		staffA := env.Client(env.Token(auth.Staff, "A"))
		session := newSession(staffA, "periodic", "2024-03-15")
		v := staffA.Create("/api/v1/visits", map[string]any{"session_id": session,
			"case":    map[string]any{"title": "Tố cáo chủ tịch xã nhận hối lộ", "category": "denunciation", "field": "corruption"},
			"persons": []any{map[string]any{"full_name": "Lý Thị Tố", "phone": "0912000111"}}})
		kase, denouncer := v["case_id"].(string), v["person_ids"].([]any)[0].(string)
		rep := staffA.Create("/api/v1/persons", map[string]any{"full_name": "Đỗ Văn Đại"})["id"].(string)
		delegation := staffA.Create("/api/v1/delegations", map[string]any{"name": "Đoàn tố cáo", "member_count": 6,
			"representative_ids": []string{rep}, "case_id": kase})["id"].(string)
		casePath := "/api/v1/cases/" + kase

		others := map[string]*testenv.Client{
			"staff of the parent":          env.Client(env.Token(auth.Staff, "TCD")),
			"unscoped staff (default org)": env.As(auth.Staff),
			"auditor":                      env.As(auth.Auditor),
		}
		stillSecret := func(when string) {
			t.Helper()
			for who, c := range others {
				for _, p := range []string{denouncer, rep} {
					if r := c.Get("/api/v1/persons/" + p); r.Status != http.StatusNotFound {
						t.Errorf("%s: %s reads a denouncer: %s", when, who, r)
					}
				}
				if got := c.Get("/api/v1/visits/" + v["id"].(string)).JSON(); got["identity_hidden"] != true || len(got["person_ids"].([]any)) != 0 {
					t.Errorf("%s: %s reads who came: %v", when, who, got)
				}
				if got := c.Get("/api/v1/delegations/" + delegation).JSON(); got["identity_hidden"] != true {
					t.Errorf("%s: %s reads the delegation's representatives: %v", when, who, got)
				}
				if got := c.ListAll("/api/v1/persons?q=0912000111", 50); len(got) != 0 {
					t.Errorf("%s: %s finds the denouncer by phone: %v", when, who, got)
				}
			}
		}

		for _, who := range []string{"staff of the parent", "unscoped staff (default org)"} {
			r := others[who].Patch(casePath, map[string]any{"category": "complaint"})
			if r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("%s changes a denunciation of A into a complaint: want 403, got %s", who, r)
			}
		}
		stillSecret("after refused changes")

		if r := staffA.Patch(casePath, map[string]any{"category": "complaint"}); r.Status != http.StatusOK {
			t.Fatalf("the staff of the case's organisation may change its category: %s", r)
		}
		entries := env.As(auth.Admin).ListAll("/api/v1/audit?entity=case&entity_id="+kase, 50)
		change, _ := entries[0]["changes"].(map[string]any)["category"].(map[string]any)
		if entries[0]["action"] != "update" || change["from"] != "denunciation" || change["to"] != "complaint" {
			t.Errorf("the change of category is audited: %v", entries[0])
		}
		stillSecret("once the denunciation is a complaint")
		for _, category := range []string{"denunciation", "petition"} {
			if r := staffA.Patch(casePath, map[string]any{"category": category}); r.Status != http.StatusOK {
				t.Fatal(r)
			}
		}
		stillSecret("after changing it back and forth")

		// the delegation moved to another matter takes its secret with it, and cannot drop it
		other := newCase(staffA, "Khiếu nại về bồi thường đất")
		if r := others["staff of the parent"].Patch("/api/v1/delegations/"+delegation, map[string]any{"case_id": other}); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		stillSecret("once the delegation is about another case")
		if r := staffA.Patch("/api/v1/delegations/"+delegation, map[string]any{"case_id": nil}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("case_id") {
			t.Errorf("a delegation whose representatives denounced cannot be about nothing: want 422 naming case_id, got %s", r)
		}

		// a case merged into a denunciation and then unmerged keeps who came about it secret
		merged := staffA.Create("/api/v1/visits", map[string]any{"session_id": session,
			"case":    map[string]any{"title": "Phản ánh cán bộ xã", "category": "feedback", "field": "corruption"},
			"persons": []any{map[string]any{"full_name": "Vũ Văn Gộp"}}})
		denunciation := staffA.Create("/api/v1/cases", map[string]any{"title": "Tố cáo cán bộ xã", "category": "denunciation", "field": "corruption"})["id"].(string)
		mergedCase := "/api/v1/cases/" + merged["case_id"].(string)
		for _, step := range []struct {
			path string
			body any
		}{{mergedCase + "/merge", map[string]any{"into": denunciation}}, {mergedCase + "/unmerge", nil}} {
			if r := staffA.Post(step.path, step.body); r.Status != http.StatusOK {
				t.Fatal(r)
			}
		}
		if r := others["auditor"].Get("/api/v1/persons/" + merged["person_ids"].([]any)[0].(string)); r.Status != http.StatusNotFound {
			t.Errorf("who came about a case once merged into a denunciation stays hidden after the unmerge: %s", r)
		}

		// who comes about the matter once it is no longer a denunciation did not denounce
		later := staffA.Create("/api/v1/visits", map[string]any{"session_id": session, "case_id": kase,
			"persons": []any{map[string]any{"full_name": "Người Đến Sau"}}})
		if r := others["auditor"].Get("/api/v1/persons/" + later["person_ids"].([]any)[0].(string)); r.Status != http.StatusOK {
			t.Errorf("a petitioner who came after the change is not a denouncer: %s", r)
		}
		if r := env.As(auth.Admin).Get("/api/v1/persons/" + denouncer); r.Status != http.StatusOK {
			t.Errorf("an admin reads the denouncer: %s", r)
		}
		if r := staffA.Get("/api/v1/persons/" + denouncer); r.Status != http.StatusOK {
			t.Errorf("the case's organisation reads its denouncer: %s", r)
		}
	})
}
