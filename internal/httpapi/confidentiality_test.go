package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// Who denounced is shown only to admins and to the staff of the organisation that owns the
// denunciation; auditors and the staff of other organisations (the parent's included) read the
// same visits and delegations without their persons, and do not find a person known only as a
// denouncer.
func TestDenouncersAreKeptSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		orgTree(t, env)
		staffA := env.Client(env.Token(auth.Staff, "A"))
		session := newSession(staffA, "periodic", "2024-03-15")
		both := staffA.Create("/api/v1/persons", map[string]any{"full_name": "Phan Văn Hai", "id_number": "045075001234", "birth_year": 1975, "gender": "male"})["id"].(string)
		denounced := staffA.Create("/api/v1/visits", map[string]any{"session_id": session, "person_ids": []string{both},
			"case":    map[string]any{"title": "Tố cáo cán bộ địa chính nhận tiền", "category": "denunciation", "field": "corruption"},
			"persons": []any{map[string]any{"full_name": "Lý Thị Tố", "phone": "0912000111"}}})
		denunciation := denounced["case_id"].(string)
		denouncer := denounced["person_ids"].([]any)[1].(string)
		rep := staffA.Create("/api/v1/persons", map[string]any{"full_name": "Đỗ Văn Đại"})["id"].(string)
		delegation := staffA.Create("/api/v1/delegations", map[string]any{"name": "Đoàn tố cáo", "member_count": 6,
			"representative_ids": []string{rep}, "case_id": denunciation})["id"].(string)
		complaint := staffA.Create("/api/v1/visits", map[string]any{"session_id": session, "person_ids": []string{both},
			"case": map[string]any{"title": "Khiếu nại bồi thường", "category": "complaint", "field": "land"}})

		visitPath := "/api/v1/visits/" + denounced["id"].(string)
		delegationPath := "/api/v1/delegations/" + delegation
		owner := map[string]*testenv.Client{"staff of the case's organisation": staffA, "admin": env.As(auth.Admin)}
		others := map[string]*testenv.Client{
			"auditor":                          env.As(auth.Auditor),
			"unscoped staff (default org)":     env.As(auth.Staff),
			"staff scoped to the parent":       env.Client(env.Token(auth.Staff, "TCD")),
			"auditor scoped to the case's org": env.Client(env.Token(auth.Auditor, "A")),
		}
		for who, c := range owner {
			v := c.Get(visitPath).JSON()
			if got := v["person_ids"].([]any); len(got) != 2 || v["identity_hidden"] != nil {
				t.Errorf("%s sees who denounced: %v", who, v)
			}
			if d := c.Get(delegationPath).JSON(); len(d["representative_ids"].([]any)) != 1 {
				t.Errorf("%s sees the delegation's representatives: %v", who, d)
			}
			if r := c.Get("/api/v1/persons/" + denouncer); r.Status != http.StatusOK {
				t.Errorf("%s reads the denouncer: %s", who, r)
			}
			if got := ids(c.ListAll("/api/v1/visits?person_id="+denouncer, 50)); len(got) != 1 {
				t.Errorf("%s finds the denouncer's visit: %v", who, got)
			}
		}
		for who, c := range others {
			for _, v := range append(c.ListAll("/api/v1/visits?case_id="+denunciation, 50), c.Get(visitPath).JSON()) {
				if len(v["person_ids"].([]any)) != 0 || v["identity_hidden"] != true || v["headcount"] != float64(2) {
					t.Errorf("%s reads the denunciation's visit without its persons (headcount kept): %v", who, v)
				}
			}
			for _, d := range append(c.ListAll("/api/v1/delegations", 50), c.Get(delegationPath).JSON()) {
				if len(d["representative_ids"].([]any)) != 0 || d["identity_hidden"] != true {
					t.Errorf("%s reads the delegation without its representatives: %v", who, d)
				}
			}
			if v := c.Get("/api/v1/visits/" + complaint["id"].(string)).JSON(); len(v["person_ids"].([]any)) != 1 || v["identity_hidden"] != nil {
				t.Errorf("%s reads a complaint's visit whole: %v", who, v)
			}
			for _, p := range []string{denouncer, rep} {
				if r := c.Get("/api/v1/persons/" + p); r.Status != http.StatusNotFound {
					t.Errorf("%s does not find a person known only as a denouncer: %s", who, r)
				}
				if r := c.Get("/api/v1/persons/" + p + "?include_voided=true"); r.Status != http.StatusNotFound {
					t.Errorf("%s does not find them with include_voided either: %s", who, r)
				}
			}
			listed := ids(c.ListAll("/api/v1/persons?include_voided=true", 50))
			if slices.Contains(listed, denouncer) || slices.Contains(listed, rep) || !slices.Contains(listed, both) {
				t.Errorf("%s lists the persons without the denouncers: %v", who, listed)
			}
			if got := c.ListAll("/api/v1/persons?q=0912000111", 50); len(got) != 0 {
				t.Errorf("%s cannot find a denouncer by phone: %v", who, got)
			}
			if r := c.Get("/api/v1/persons/" + both); r.Status != http.StatusOK {
				t.Errorf("%s reads a person who also came about another matter: %s", who, r)
			}
			if got := ids(c.ListAll("/api/v1/visits?person_id="+both, 50)); len(got) != 1 || got[0] != complaint["id"] {
				t.Errorf("%s finds by person only the visits that do not keep a secret: %v", who, got)
			}
			if got := c.ListAll("/api/v1/visits?person_id="+denouncer, 50); len(got) != 0 {
				t.Errorf("%s cannot find the denouncer's visit by person: %v", who, got)
			}
		}
		sibling := env.Client(env.Token(auth.Staff, "B"))
		if r := sibling.Get(visitPath); r.Status != http.StatusNotFound {
			t.Errorf("a sibling organisation does not reach the visit at all: %s", r)
		}
		// a staff member who may not see the denouncer cannot change their record either
		if r := env.As(auth.Staff).Patch("/api/v1/persons/"+denouncer, map[string]any{"address": "x"}); r.Status != http.StatusNotFound {
			t.Errorf("PATCH of a hidden person: want 404, got %s", r)
		}

		// pages stay full and cover every person the auditor may see once, however many hidden
		// ones lie between them
		for i := range 5 {
			staffA.Create("/api/v1/visits", map[string]any{"session_id": session, "case_id": denunciation,
				"persons": []any{map[string]any{"full_name": fmt.Sprintf("Người tố cáo %d", i)}}})
			staffA.Create("/api/v1/persons", map[string]any{"full_name": fmt.Sprintf("Công dân %d", i)})
		}
		auditor := others["auditor"]
		var want []string
		for _, id := range ids(env.As(auth.Admin).ListAll("/api/v1/persons", 50)) {
			if auditor.Get("/api/v1/persons/"+id).Status == http.StatusOK {
				want = append(want, id)
			}
		}
		var got []string
		for cursor := ""; ; {
			var pg struct {
				Items      []map[string]any `json:"items"`
				NextCursor *string          `json:"next_cursor"`
			}
			auditor.Get("/api/v1/persons?limit=2&cursor="+cursor).Decode(t, &pg)
			got = append(got, ids(pg.Items)...)
			if pg.NextCursor == nil {
				break
			}
			if len(pg.Items) != 2 {
				t.Errorf("a page before the last is full: %d items", len(pg.Items))
			}
			cursor = *pg.NextCursor
		}
		if !slices.Equal(got, want) || len(want) != 6 {
			t.Errorf("the auditor's pages list exactly the persons it may see, newest first:\n got %v\nwant %v", got, want)
		}

		// the rule follows the case's category as it is now
		complaintCase := "/api/v1/cases/" + complaint["case_id"].(string)
		if r := staffA.Patch(complaintCase, map[string]any{"category": "denunciation"}); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		if v := auditor.Get("/api/v1/visits/" + complaint["id"].(string)).JSON(); v["identity_hidden"] != true {
			t.Errorf("a case recategorised as a denunciation hides its visits' persons from then on: %v", v)
		}
		if r := auditor.Get("/api/v1/persons/" + both); r.Status != http.StatusNotFound {
			t.Errorf("and a person known only from denunciations is not found any more: %s", r)
		}

		// a case merged into a denunciation counts as one
		merged := staffA.Create("/api/v1/visits", map[string]any{"session_id": session, "persons": []any{map[string]any{"full_name": "Vũ Văn Gộp"}},
			"case": map[string]any{"title": "Phản ánh cán bộ địa chính", "category": "feedback", "field": "corruption"}})
		if v := auditor.Get("/api/v1/visits/" + merged["id"].(string)).JSON(); v["identity_hidden"] != nil {
			t.Fatalf("a feedback's visit is read whole: %v", v)
		}
		if r := staffA.Post("/api/v1/cases/"+merged["case_id"].(string)+"/merge", map[string]any{"into": denunciation}); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		if v := auditor.Get("/api/v1/visits/" + merged["id"].(string)).JSON(); v["identity_hidden"] != true {
			t.Errorf("once its case is merged into a denunciation, a visit keeps its persons secret: %v", v)
		}

		// reading a denunciation is audited with the reader, as reading a person is
		admin := env.As(auth.Admin)
		before := len(admin.ListAll("/api/v1/audit?entity=case&entity_id="+denunciation, 50))
		if r := auditor.Get("/api/v1/cases/" + denunciation); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		entries := admin.ListAll("/api/v1/audit?entity=case&entity_id="+denunciation, 50)
		if len(entries) != before+1 || entries[0]["action"] != "read" || entries[0]["actor_role"] != "auditor" {
			t.Errorf("the auditor's read of the denunciation is in the audit log: %v", entries)
		}
		other := newCase(staffA, "Khiếu nại về lối đi chung")
		staffA.Get("/api/v1/cases/" + other)
		if n := len(admin.ListAll("/api/v1/audit?entity=case&entity_id="+other, 50)); n != 1 {
			t.Errorf("reading any other case is not: %d entries (the create alone expected)", n)
		}
	})
}
