package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// denunciationRegister is organisation A's register with a denunciation: a visit about it by
// a person who also came about a complaint (both) and a person known only as its denouncer, and
// a delegation about it whose one representative (rep) is known from nowhere else.
type denunciationRegister struct {
	env                       *testenv.Env
	staffA                    *testenv.Client
	session, denunciation     string
	both, denouncer, rep      string
	denounced, complaint      apiclient.RegistryCreatedVisit
	visitPath, delegationPath string
}

func newDenunciationRegister(t *testing.T, env *testenv.Env) *denunciationRegister {
	t.Helper()
	orgTree(t, env)
	staffA := env.Client(env.Token(auth.Staff, "A"))
	reg := &denunciationRegister{env: env, staffA: staffA, session: newSession(staffA, "periodic", "2024-03-15")}
	person := func(body map[string]any) string {
		return testenv.CreateAs[apiclient.RegistryCreatedPerson](staffA, "/api/v1/persons", body).ID
	}
	visit := func(body map[string]any) apiclient.RegistryCreatedVisit {
		body["session_id"] = reg.session
		return testenv.CreateAs[apiclient.RegistryCreatedVisit](staffA, "/api/v1/visits", body)
	}
	reg.both = person(map[string]any{"full_name": "Phan Văn Hai", "id_number": "045075001234", "birth_year": 1975, "gender": "male"})
	reg.denounced = visit(map[string]any{"person_ids": []string{reg.both},
		"case":    map[string]any{"title": "Tố cáo cán bộ địa chính nhận tiền", "category": "denunciation", "field": "corruption"},
		"persons": []any{map[string]any{"full_name": "Lý Thị Tố", "phone": "0912000111"}}})
	reg.denunciation, reg.denouncer = reg.denounced.CaseID, reg.denounced.PersonIds[1]
	reg.rep = person(map[string]any{"full_name": "Đỗ Văn Đại"})
	delegation := testenv.CreateAs[apiclient.RegistryDelegation](staffA, "/api/v1/delegations", map[string]any{"name": "Đoàn tố cáo", "member_count": 6,
		"representative_ids": []string{reg.rep}, "case_id": reg.denunciation})
	reg.complaint = visit(map[string]any{"person_ids": []string{reg.both},
		"case": map[string]any{"title": "Khiếu nại bồi thường", "category": "complaint", "field": "land"}})
	reg.visitPath, reg.delegationPath = "/api/v1/visits/"+reg.denounced.ID, "/api/v1/delegations/"+delegation.ID
	return reg
}

// Who denounced is shown only to admins and to the staff of the organisation that owns the
// denunciation; auditors and the staff of other organisations (the parent's included) read the
// same visits and delegations without their persons, and do not find a person known only as a
// denouncer.
func TestDenouncersAreKeptSecret(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		reg := newDenunciationRegister(t, env)
		owner := map[string]*testenv.Client{"staff of the case's organisation": reg.staffA, "admin": env.As(auth.Admin)}
		others := map[string]*testenv.Client{
			"auditor":                          env.As(auth.Auditor),
			"unscoped staff (default org)":     env.As(auth.Staff),
			"staff scoped to the parent":       env.Client(env.Token(auth.Staff, "TCD")),
			"auditor scoped to the case's org": env.Client(env.Token(auth.Auditor, "A")),
		}
		for who, c := range owner {
			reg.ownerSeesTheDenouncers(t, who, c)
		}
		for who, c := range others {
			reg.otherSeesNoDenouncer(t, who, c)
		}
		sibling := env.Client(env.Token(auth.Staff, "B"))
		if r := sibling.Get(reg.visitPath); r.Status != http.StatusNotFound {
			t.Errorf("a sibling organisation does not reach the visit at all: %s", r)
		}
		// a staff member who may not see the denouncer cannot change their record either
		if r := env.As(auth.Staff).Patch("/api/v1/persons/"+reg.denouncer, map[string]any{"address": "x"}); r.Status != http.StatusNotFound {
			t.Errorf("PATCH of a hidden person: want 404, got %s", r)
		}
		reg.pagesSkipHiddenPersons(t, others["auditor"])
		reg.secrecyFollowsTheCategory(t, others["auditor"])
		reg.readsOfDenunciationsAreAudited(t, others["auditor"])
	})
}

func (reg *denunciationRegister) ownerSeesTheDenouncers(t *testing.T, who string, c *testenv.Client) {
	t.Helper()
	if v := testenv.GetAs[apiclient.RegistryVisit](c, reg.visitPath); len(v.PersonIds) != 2 || v.IdentityHidden != nil {
		t.Errorf("%s sees who denounced: %+v", who, v)
	}
	if d := testenv.GetAs[apiclient.RegistryDelegation](c, reg.delegationPath); len(d.RepresentativeIds) != 1 {
		t.Errorf("%s sees the delegation's representatives: %+v", who, d)
	}
	if r := c.Get("/api/v1/persons/" + reg.denouncer); r.Status != http.StatusOK {
		t.Errorf("%s reads the denouncer: %s", who, r)
	}
	if got := testenv.ListAllAs[apiclient.RegistryVisit](c, "/api/v1/visits?person_id="+reg.denouncer, 50); len(got) != 1 {
		t.Errorf("%s finds the denouncer's visit: %v", who, idsOf(got))
	}
}

func (reg *denunciationRegister) otherSeesNoDenouncer(t *testing.T, who string, c *testenv.Client) {
	t.Helper()
	visits := append(testenv.ListAllAs[apiclient.RegistryVisit](c, "/api/v1/visits?case_id="+reg.denunciation, 50), testenv.GetAs[apiclient.RegistryVisit](c, reg.visitPath))
	for _, v := range visits {
		if len(v.PersonIds) != 0 || !orZero(v.IdentityHidden) || v.Headcount != 2 {
			t.Errorf("%s reads the denunciation's visit without its persons (headcount kept): %+v", who, v)
		}
	}
	delegations := append(testenv.ListAllAs[apiclient.RegistryDelegation](c, "/api/v1/delegations", 50), testenv.GetAs[apiclient.RegistryDelegation](c, reg.delegationPath))
	for _, d := range delegations {
		if len(d.RepresentativeIds) != 0 || !orZero(d.IdentityHidden) {
			t.Errorf("%s reads the delegation without its representatives: %+v", who, d)
		}
	}
	if v := testenv.GetAs[apiclient.RegistryVisit](c, "/api/v1/visits/"+reg.complaint.ID); len(v.PersonIds) != 1 || v.IdentityHidden != nil {
		t.Errorf("%s reads a complaint's visit whole: %+v", who, v)
	}
	for _, p := range []string{reg.denouncer, reg.rep} {
		if r := c.Get("/api/v1/persons/" + p); r.Status != http.StatusNotFound {
			t.Errorf("%s does not find a person known only as a denouncer: %s", who, r)
		}
		if r := c.Get("/api/v1/persons/" + p + "?include_voided=true"); r.Status != http.StatusNotFound {
			t.Errorf("%s does not find them with include_voided either: %s", who, r)
		}
	}
	listed := idsOf(testenv.ListAllAs[apiclient.RegistryPerson](c, "/api/v1/persons?include_voided=true", 50))
	if slices.Contains(listed, reg.denouncer) || slices.Contains(listed, reg.rep) || !slices.Contains(listed, reg.both) {
		t.Errorf("%s lists the persons without the denouncers: %v", who, listed)
	}
	if got := testenv.ListAllAs[apiclient.RegistryPerson](c, "/api/v1/persons?q=0912000111", 50); len(got) != 0 {
		t.Errorf("%s cannot find a denouncer by phone: %v", who, idsOf(got))
	}
	if r := c.Get("/api/v1/persons/" + reg.both); r.Status != http.StatusOK {
		t.Errorf("%s reads a person who also came about another matter: %s", who, r)
	}
	if got := idsOf(testenv.ListAllAs[apiclient.RegistryVisit](c, "/api/v1/visits?person_id="+reg.both, 50)); len(got) != 1 || got[0] != reg.complaint.ID {
		t.Errorf("%s finds by person only the visits that do not keep a secret: %v", who, got)
	}
	if got := testenv.ListAllAs[apiclient.RegistryVisit](c, "/api/v1/visits?person_id="+reg.denouncer, 50); len(got) != 0 {
		t.Errorf("%s cannot find the denouncer's visit by person: %v", who, idsOf(got))
	}
}

// pagesSkipHiddenPersons: pages stay full and cover every person the auditor may see once,
// however many hidden ones lie between them.
func (reg *denunciationRegister) pagesSkipHiddenPersons(t *testing.T, auditor *testenv.Client) {
	t.Helper()
	for i := range 5 {
		reg.staffA.Create("/api/v1/visits", map[string]any{"session_id": reg.session, "case_id": reg.denunciation,
			"persons": []any{map[string]any{"full_name": fmt.Sprintf("Người tố cáo %d", i)}}})
		reg.staffA.Create("/api/v1/persons", map[string]any{"full_name": fmt.Sprintf("Công dân %d", i)})
	}
	var want []string
	for _, id := range idsOf(testenv.ListAllAs[apiclient.RegistryPerson](reg.env.As(auth.Admin), "/api/v1/persons", 50)) {
		if auditor.Get("/api/v1/persons/"+id).Status == http.StatusOK {
			want = append(want, id)
		}
	}
	var got []string
	for cursor := ""; ; {
		pg := testenv.GetAs[apiclient.HttpapiPageRegistryPerson](auditor, "/api/v1/persons?limit=2&cursor="+cursor)
		got = append(got, idsOf(pg.Items)...)
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
}

// secrecyFollowsTheCategory: the rule follows the case's category as it is now, a merged case's
// that of the case it was merged into.
func (reg *denunciationRegister) secrecyFollowsTheCategory(t *testing.T, auditor *testenv.Client) {
	t.Helper()
	hidden := func(visitID string) bool {
		return orZero(testenv.GetAs[apiclient.RegistryVisit](auditor, "/api/v1/visits/"+visitID).IdentityHidden)
	}
	if r := reg.staffA.Patch("/api/v1/cases/"+reg.complaint.CaseID, map[string]any{"category": "denunciation"}); r.Status != http.StatusOK {
		t.Fatal(r)
	}
	if !hidden(reg.complaint.ID) {
		t.Errorf("a case recategorised as a denunciation hides its visits' persons from then on")
	}
	if r := auditor.Get("/api/v1/persons/" + reg.both); r.Status != http.StatusNotFound {
		t.Errorf("and a person known only from denunciations is not found any more: %s", r)
	}

	merged := testenv.CreateAs[apiclient.RegistryCreatedVisit](reg.staffA, "/api/v1/visits", map[string]any{"session_id": reg.session, "persons": []any{map[string]any{"full_name": "Vũ Văn Gộp"}},
		"case": map[string]any{"title": "Phản ánh cán bộ địa chính", "category": "feedback", "field": "corruption"}})
	if v := testenv.GetAs[apiclient.RegistryVisit](auditor, "/api/v1/visits/"+merged.ID); v.IdentityHidden != nil {
		t.Fatalf("a feedback's visit is read whole: %+v", v)
	}
	if r := reg.staffA.Post("/api/v1/cases/"+merged.CaseID+"/merge", map[string]any{"into": reg.denunciation}); r.Status != http.StatusOK {
		t.Fatal(r)
	}
	if !hidden(merged.ID) {
		t.Errorf("once its case is merged into a denunciation, a visit keeps its persons secret")
	}
}

// readsOfDenunciationsAreAudited: reading a denunciation is audited with the reader, as reading
// a person is; reading another case is not.
func (reg *denunciationRegister) readsOfDenunciationsAreAudited(t *testing.T, auditor *testenv.Client) {
	t.Helper()
	admin := reg.env.As(auth.Admin)
	entries := func(caseID string) []apiclient.AuditEntry {
		return testenv.ListAllAs[apiclient.AuditEntry](admin, "/api/v1/audit?entity=case&entity_id="+caseID, 50)
	}
	before := len(entries(reg.denunciation))
	if r := auditor.Get("/api/v1/cases/" + reg.denunciation); r.Status != http.StatusOK {
		t.Fatal(r)
	}
	if after := entries(reg.denunciation); len(after) != before+1 || after[0].Action != "read" || after[0].ActorRole != "auditor" {
		t.Errorf("the auditor's read of the denunciation is in the audit log: %+v", after)
	}
	other := newCase(reg.staffA, "Khiếu nại về lối đi chung")
	reg.staffA.Get("/api/v1/cases/" + other)
	if n := len(entries(other)); n != 1 {
		t.Errorf("reading any other case is not: %d entries (the create alone expected)", n)
	}
}
