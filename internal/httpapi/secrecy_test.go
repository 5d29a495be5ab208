package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
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
		v := testenv.CreateAs[apiclient.RegistryCreatedVisit](staffA, "/api/v1/visits", map[string]any{"session_id": session,
			"case":    map[string]any{"title": "Tố cáo chủ tịch xã nhận hối lộ", "category": "denunciation", "field": "corruption"},
			"persons": []any{map[string]any{"full_name": "Lý Thị Tố", "phone": "0912000111"}}})
		rep := newPerson(staffA, map[string]any{"full_name": "Đỗ Văn Đại"}).ID
		secret := denounced{visit: v.ID, denouncers: []string{v.PersonIds[0], rep},
			delegation: newDelegation(staffA, map[string]any{"name": "Đoàn tố cáo", "member_count": 6, "representative_ids": []string{rep}, "case_id": v.CaseID}).ID}
		casePath := "/api/v1/cases/" + v.CaseID

		others := map[string]*testenv.Client{
			"staff of the parent":          env.Client(env.Token(auth.Staff, "TCD")),
			"unscoped staff (default org)": env.As(auth.Staff),
			"auditor":                      env.As(auth.Auditor),
		}
		for _, who := range []string{"staff of the parent", "unscoped staff (default org)"} {
			r := others[who].Patch(casePath, map[string]any{"category": "complaint"})
			if r.Status != http.StatusForbidden || !r.IsProblem() {
				t.Errorf("%s changes a denunciation of A into a complaint: want 403, got %s", who, r)
			}
		}
		secret.stillSecret(t, "after refused changes", others)

		if r := staffA.Patch(casePath, map[string]any{"category": "complaint"}); r.Status != http.StatusOK {
			t.Fatalf("the staff of the case's organisation may change its category: %s", r)
		}
		// an entry's changes are free-form in the document: read as a map
		entries := testenv.ListAllAs[apiclient.AuditEntry](env.As(auth.Admin), "/api/v1/audit?entity=case&entity_id="+v.CaseID, 50)
		change, _ := orZero(entries[0].Changes)["category"].(map[string]any)
		if entries[0].Action != "update" || change["from"] != "denunciation" || change["to"] != "complaint" {
			t.Errorf("the change of category is audited: %+v", entries[0])
		}
		secret.stillSecret(t, "once the denunciation is a complaint", others)
		for _, category := range []string{"denunciation", "petition"} {
			if r := staffA.Patch(casePath, map[string]any{"category": category}); r.Status != http.StatusOK {
				t.Fatal(r)
			}
		}
		secret.stillSecret(t, "after changing it back and forth", others)

		// the delegation moved to another matter takes its secret with it, and cannot drop it
		other := newCase(staffA, "Khiếu nại về bồi thường đất")
		if r := others["staff of the parent"].Patch("/api/v1/delegations/"+secret.delegation, map[string]any{"case_id": other}); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		secret.stillSecret(t, "once the delegation is about another case", others)
		if r := staffA.Patch("/api/v1/delegations/"+secret.delegation, map[string]any{"case_id": nil}); r.Status != http.StatusUnprocessableEntity || !r.HasFieldError("case_id") {
			t.Errorf("a delegation whose representatives denounced cannot be about nothing: want 422 naming case_id, got %s", r)
		}

		unmergedStaysSecret(t, staffA, others["auditor"], session)

		// who comes about the matter once it is no longer a denunciation did not denounce
		later := testenv.CreateAs[apiclient.RegistryCreatedVisit](staffA, "/api/v1/visits", map[string]any{"session_id": session, "case_id": v.CaseID,
			"persons": []any{map[string]any{"full_name": "Người Đến Sau"}}})
		if r := others["auditor"].Get("/api/v1/persons/" + later.PersonIds[0]); r.Status != http.StatusOK {
			t.Errorf("a petitioner who came after the change is not a denouncer: %s", r)
		}
		for who, c := range map[string]*testenv.Client{"an admin": env.As(auth.Admin), "the case's organisation": staffA} {
			if r := c.Get("/api/v1/persons/" + v.PersonIds[0]); r.Status != http.StatusOK {
				t.Errorf("%s reads the denouncer: %s", who, r)
			}
		}
	})
}

// denounced is a denunciation's visit, its delegation, and the persons who denounced (the
// visit's and the delegation's representative).
type denounced struct {
	visit, delegation string
	denouncers        []string
}

// stillSecret checks, when, that none of others reads the denouncers, who came, or the
// delegation's representatives, nor finds the visit's denouncer by phone.
func (d denounced) stillSecret(t *testing.T, when string, others map[string]*testenv.Client) {
	t.Helper()
	for who, c := range others {
		for _, p := range d.denouncers {
			if r := c.Get("/api/v1/persons/" + p); r.Status != http.StatusNotFound {
				t.Errorf("%s: %s reads a denouncer: %s", when, who, r)
			}
		}
		if got := testenv.GetAs[apiclient.RegistryVisit](c, "/api/v1/visits/"+d.visit); !orZero(got.IdentityHidden) || len(got.PersonIds) != 0 {
			t.Errorf("%s: %s reads who came: %+v", when, who, got)
		}
		if got := testenv.GetAs[apiclient.RegistryDelegation](c, "/api/v1/delegations/"+d.delegation); !orZero(got.IdentityHidden) {
			t.Errorf("%s: %s reads the delegation's representatives: %+v", when, who, got)
		}
		if got := testenv.ListAllAs[apiclient.RegistryPerson](c, "/api/v1/persons?q=0912000111", 50); len(got) != 0 {
			t.Errorf("%s: %s finds the denouncer by phone: %v", when, who, idsOf(got))
		}
	}
}

// unmergedStaysSecret: a case merged into a denunciation and then unmerged keeps who came
// about it secret from the auditor.
func unmergedStaysSecret(t *testing.T, staffA, auditor *testenv.Client, session string) {
	t.Helper()
	merged := testenv.CreateAs[apiclient.RegistryCreatedVisit](staffA, "/api/v1/visits", map[string]any{"session_id": session,
		"case":    map[string]any{"title": "Phản ánh cán bộ xã", "category": "feedback", "field": "corruption"},
		"persons": []any{map[string]any{"full_name": "Vũ Văn Gộp"}}})
	denunciation := testenv.CreateAs[apiclient.RegistryCase](staffA, "/api/v1/cases", map[string]any{"title": "Tố cáo cán bộ xã", "category": "denunciation", "field": "corruption"}).ID
	mergedCase := "/api/v1/cases/" + merged.CaseID
	for _, step := range []struct {
		path string
		body any
	}{{mergedCase + "/merge", map[string]any{"into": denunciation}}, {mergedCase + "/unmerge", nil}} {
		if r := staffA.Post(step.path, step.body); r.Status != http.StatusOK {
			t.Fatal(r)
		}
	}
	if r := auditor.Get("/api/v1/persons/" + merged.PersonIds[0]); r.Status != http.StatusNotFound {
		t.Errorf("who came about a case once merged into a denunciation stays hidden after the unmerge: %s", r)
	}
}
