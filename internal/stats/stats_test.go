package stats_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/stats/report"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
	"github.com/tcd-registry/tcd/internal/validate"
)

// register writes rows straight into the tables, so that these tests pin the SQL of the
// statistics to hand-checked figures independently of the registry's HTTP rules (the HTTP
// test builds the report's register through the API).
type register struct {
	t   *testing.T
	st  *store.Store
	seq int
}

func (r *register) exec(sql string, args ...any) {
	r.t.Helper()
	if err := r.st.DB.Exec(sql, args...).Error; err != nil {
		r.t.Fatalf("%s: %v", sql, err)
	}
}

func (r *register) next(prefix string) (int, string) {
	r.seq++
	return r.seq, fmt.Sprintf("%s-%d", prefix, r.seq)
}

var now = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func (r *register) session(org, kind, date, hostRole string) string {
	seq, id := r.next("s")
	var role any
	if hostRole != "" {
		role = hostRole
	}
	r.exec(`INSERT INTO sessions (seq, id, org_id, kind, date, host_role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		seq, id, org, kind, date, role, now, now)
	return id
}

type caseRef struct {
	seq int
	id  string
}

func (r *register) newCase(org, category string) caseRef {
	seq, id := r.next("c")
	r.exec(`INSERT INTO cases (seq, id, org_id, code, title, title_folded, category, field, root_seq, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'x', 'x', ?, 'land', ?, ?, ?)`, seq, id, org, id, category, seq, now, now)
	return caseRef{seq, id}
}

// merge records dup as a duplicate of into, as the de-duplication service does.
func (r *register) merge(dup, into caseRef) {
	r.exec(`UPDATE cases SET merged_into = ?, root_seq = ? WHERE root_seq = ?`, into.id, into.seq, dup.seq)
}

func (r *register) visit(org, session string, c caseRef, headcount int, outcome string) string {
	seq, id := r.next("v")
	var out any
	if outcome != "" {
		out = outcome
	}
	r.exec(`INSERT INTO visits (seq, id, org_id, session_id, kind, date, case_id, case_seq, headcount, outcome, created_at, updated_at)
		SELECT ?, ?, ?, id, kind, date, ?, ?, ?, ?, ?, ? FROM sessions WHERE id = ?`,
		seq, id, org, c.id, c.seq, headcount, out, now, now, session)
	return id
}

func (r *register) void(table, id string) {
	r.exec(`UPDATE `+table+` SET voided_at = ?, void_reason = 'test' WHERE id = ?`, now, id)
}

func (r *register) notice(org, session, issued string) string {
	seq, id := r.next("n")
	r.exec(`INSERT INTO notices (seq, id, org_id, number, issued_on, session_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		seq, id, org, id, issued, session, now, now)
	return id
}

func (r *register) directive(org, issued string) {
	seq, id := r.next("d")
	r.exec(`INSERT INTO directives (seq, id, org_id, number, issued_on, recipient, recipient_folded, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'UBND huyện', 'ubnd huyen', ?, ?)`, seq, id, org, id, issued, now, now)
}

// fixture is a province P with one district D1 under it:
//
//	case  category      visits (org, kind/host, date, headcount)
//	A     complaint     P regular 2022-03-01 x1 (accepted), P regular 2022-03-01 x2,
//	                    P regular 2022-07-07 x1 VOIDED
//	B     denunciation  P periodic/head 2022-04-10 x6, D1 regular 2021-06-01 x1
//	C     petition      P periodic/authorized 2022-05-10 x1, P regular 2021-11-01 x1
//	D     complaint     D1 regular 2022-06-01 x3, P regular 2022-12-14 x1, P regular 2023-01-03 x1
//	E     feedback      P urgent/head 2022-12-20 x5; E is merged into A
//
// plus a voided periodic session on 2022-08-08, two notices in 2022 (and one voided, one in
// 2023) and three directive letters in 2022.
type fixture struct {
	svc    *stats.Service
	p, d1  orgs.Org
	visits map[string]string
}

func newFixture(t *testing.T, backend string) fixture {
	ctx := context.Background()
	st := openStore(t, backend, 2)
	os := orgs.NewService(st)
	p, err := os.Create(ctx, auth.System, orgs.NewOrg{Code: "P", Name: "Ban Tiếp công dân tỉnh"})
	if err != nil {
		t.Fatal(err)
	}
	d1, err := os.Create(ctx, auth.System, orgs.NewOrg{Code: "D1", Name: "Ban Tiếp công dân huyện", ParentID: validate.Some(p.ID)})
	if err != nil {
		t.Fatal(err)
	}
	r := &register{t: t, st: st}
	a, b, c, d, e := r.newCase(p.ID, "complaint"), r.newCase(p.ID, "denunciation"), r.newCase(p.ID, "petition"),
		r.newCase(d1.ID, "complaint"), r.newCase(p.ID, "feedback")
	r.merge(e, a)
	s1 := r.session(p.ID, "regular", "2022-03-01", "")
	v := map[string]string{}
	v["a1"] = r.visit(p.ID, s1, a, 1, "accepted")
	v["a2"] = r.visit(p.ID, s1, a, 2, "")
	v["a3"] = r.visit(p.ID, r.session(p.ID, "regular", "2022-07-07", ""), a, 1, "")
	r.void("visits", v["a3"])
	s2 := r.session(p.ID, "periodic", "2022-04-10", "head")
	v["b1"] = r.visit(p.ID, s2, b, 6, "")
	v["b0"] = r.visit(d1.ID, r.session(d1.ID, "regular", "2021-06-01", ""), b, 1, "")
	v["c1"] = r.visit(p.ID, r.session(p.ID, "periodic", "2022-05-10", "authorized"), c, 1, "")
	v["c0"] = r.visit(p.ID, r.session(p.ID, "regular", "2021-11-01", ""), c, 1, "")
	v["d1"] = r.visit(d1.ID, r.session(d1.ID, "regular", "2022-06-01", ""), d, 3, "")
	v["d2"] = r.visit(p.ID, r.session(p.ID, "regular", "2022-12-14", ""), d, 1, "")
	v["d3"] = r.visit(p.ID, r.session(p.ID, "regular", "2023-01-03", ""), d, 1, "")
	v["e1"] = r.visit(p.ID, r.session(p.ID, "urgent", "2022-12-20", "head"), e, 5, "")
	r.void("sessions", r.session(p.ID, "periodic", "2022-08-08", "head"))
	r.notice(p.ID, s2, "2022-04-20")
	r.notice(p.ID, s2, "2022-12-31")
	r.void("notices", r.notice(p.ID, s2, "2022-05-01"))
	r.notice(p.ID, s2, "2023-01-05")
	for _, day := range []string{"2022-01-01", "2022-06-30", "2022-12-31"} {
		r.directive(p.ID, day)
	}
	r.directive(d1.ID, "2021-12-31")
	svc := stats.NewService(st, stats.Config{DelegationMin: 5, DefaultOrgID: p.ID})
	return fixture{svc: svc, p: p, d1: d1, visits: v}
}

func mustPeriod(t *testing.T, spec string, basis period.Basis) period.Range {
	t.Helper()
	r, err := period.Parse(spec, basis)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSummaryCountsHandCheckedRegister(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		got, err := f.svc.Summary(ctx, auth.System, stats.Query{Range: mustPeriod(t, "2022", period.Calendar)})
		if err != nil {
			t.Fatal(err)
		}
		want := report.Summary{From: "2022-01-01", To: "2022-12-31", OrgID: f.p.ID,
			// a1 a2 b1 c1 d1 d2 e1; cases A (with E), B, C, D; B came to D1 and C to P before 2022
			Visits: 7, Persons: 19, Cases: 4, CasesFirst: 2, CasesRepeat: 2,
			ByKind: map[string]report.KindFigures{
				"regular":  {Sessions: 4, Visits: 4, Persons: 7, Cases: 2},
				"periodic": {Sessions: 2, Visits: 2, Persons: 7, Cases: 2},
				"urgent":   {Sessions: 1, Visits: 1, Persons: 5, Cases: 1},
			},
			Delegations:       report.DelegationFigures{MinSize: 5, Visits: 2, Persons: 11, Cases: 2},
			ConclusionNotices: 2, DirectiveLetters: 3,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("calendar 2022:\n got %+v\nwant %+v", got, want)
		}

		got, err = f.svc.Summary(ctx, auth.System, stats.Query{Range: mustPeriod(t, "2022", period.Calendar), DelegationMin: 6})
		if err != nil {
			t.Fatal(err)
		}
		if d := got.Delegations; d != (report.DelegationFigures{MinSize: 6, Visits: 1, Persons: 6, Cases: 1}) {
			t.Errorf("delegations from 6 people: %+v", d)
		}

		// Statutory 2022 runs 2021-12-15 to 2022-12-14: d2 (14 Dec) is in, e1 (20 Dec) is not,
		// and C's visit of 2021-11-01 makes it a repeat case.
		got, err = f.svc.Summary(ctx, auth.System, stats.Query{Range: mustPeriod(t, "2022", period.Statutory)})
		if err != nil {
			t.Fatal(err)
		}
		if got.From != "2021-12-15" || got.To != "2022-12-14" || got.Visits != 6 || got.Persons != 14 ||
			got.Cases != 4 || got.CasesFirst != 2 || got.ByKind["urgent"].Visits != 0 || got.DirectiveLetters != 3 {
			t.Errorf("statutory 2022: %+v", got)
		}
		got, err = f.svc.Summary(ctx, auth.System, stats.Query{Range: mustPeriod(t, "2023", period.Statutory)})
		if err != nil {
			t.Fatal(err)
		}
		// e1 (counted as A, merged) and d3; both cases were received before 2022-12-15
		if got.Visits != 2 || got.Persons != 6 || got.Cases != 2 || got.CasesFirst != 0 || got.CasesRepeat != 2 ||
			got.ByKind["urgent"].Cases != 1 || got.ConclusionNotices != 2 {
			t.Errorf("statutory 2023: %+v", got)
		}
	})
}

func TestSummaryScopesToSubtree(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		y2022 := mustPeriod(t, "2022", period.Calendar)
		district := auth.Actor{Name: "district", Role: auth.Agency, OrgID: f.d1.ID, OrgPath: "/" + f.p.ID + "/" + f.d1.ID + "/"}
		got, err := f.svc.Summary(ctx, district, stats.Query{Range: y2022})
		if err != nil {
			t.Fatal(err)
		}
		if got.OrgID != f.d1.ID || got.Visits != 1 || got.Persons != 3 || got.Cases != 1 || got.CasesFirst != 1 ||
			got.ConclusionNotices != 0 || got.DirectiveLetters != 0 {
			t.Errorf("a district token counts its own subtree: %+v", got)
		}
		if _, err := f.svc.Summary(ctx, district, stats.Query{Range: y2022, OrgID: f.p.ID}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a district token asking for the province: want forbidden, got %v", err)
		}
		if _, err := f.svc.Summary(ctx, auth.System, stats.Query{Range: y2022, OrgID: "nope"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("an unknown organisation: want invalid, got %v", err)
		}
		// the province's token may narrow to the district
		got, err = f.svc.Summary(ctx, auth.System, stats.Query{Range: y2022, OrgID: f.d1.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.Visits != 1 || got.Cases != 1 {
			t.Errorf("org=D1: %+v", got)
		}
	})
}

func TestForm01Columns(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		form, err := f.svc.Form01(context.Background(), auth.System, stats.Query{Range: mustPeriod(t, "2022", period.Calendar)})
		if err != nil {
			t.Fatal(err)
		}
		if len(form.Columns) != 29 || form.Columns[28].Number != 29 || form.Columns[11].Header[len(form.Columns[11].Header)-1] != "Số kỳ tiếp" {
			t.Fatalf("columns: %+v", form.Columns)
		}
		if form.Subtitle != "Số liệu tính từ ngày 01/01/2022 đến ngày 31/12/2022" {
			t.Errorf("subtitle %q", form.Subtitle)
		}
		want := [][]int{
			// total: regular a1 a2 d1 d2 (A, D first); head b1 e1 (B repeat: D1 2021; A first), both
			// delegations; authorised c1 (C repeat)
			{7, 19, 5, 4, 7, 2, 0, 0, 0, 0, 0, 2, 2, 11, 1, 1, 2, 11, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0},
			// P's own records: B was never received in P before, so it is first here
			{6, 16, 5, 3, 4, 2, 0, 0, 0, 0, 0, 2, 2, 11, 2, 0, 2, 11, 2, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0},
			{1, 3, 1, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		}
		if len(form.Rows) != 3 || !form.Rows[0].Total || form.Rows[1].OrgID != f.p.ID || form.Rows[2].OrgID != f.d1.ID || form.Rows[2].Depth != 1 {
			t.Fatalf("rows: %+v", form.Rows)
		}
		for i, w := range want {
			if !reflect.DeepEqual(form.Rows[i].Values, w) {
				t.Errorf("row %d (%s):\n got %v\nwant %v", i, form.Rows[i].OrgName, form.Rows[i].Values, w)
			}
		}
	})
}

func TestBreakdowns(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		y2022 := mustPeriod(t, "2022", period.Calendar)
		type row struct {
			key                    string
			visits, persons, cases int
		}
		check := func(q stats.Query, by string, want []row) {
			t.Helper()
			b, err := f.svc.Breakdown(ctx, auth.System, q, by)
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for _, r := range b.Rows {
				if r.Label == "" {
					t.Errorf("by %s: row %q has no label", by, r.Key)
				}
				got = append(got, row{r.Key, r.Visits, r.Persons, r.Cases})
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("by %s:\n got %v\nwant %v", by, got, want)
			}
		}
		// E is merged into A, so its visit is a complaint's and feedback has none.
		check(stats.Query{Range: y2022}, stats.ByCategory, []row{
			{"complaint", 5, 12, 2}, {"denunciation", 1, 6, 1}, {"petition", 1, 1, 1}, {"feedback", 0, 0, 0}})
		check(stats.Query{Range: y2022}, stats.ByOutcome, []row{{"accepted", 1, 1, 1}, {"guided", 0, 0, 0},
			{"transferred", 0, 0, 0}, {"urged", 0, 0, 0}, {"answered", 0, 0, 0}, {"refused", 0, 0, 0}, {"", 6, 18, 4}})
		check(stats.Query{Range: y2022}, stats.ByOrg, []row{{f.p.ID, 6, 16, 4}, {f.d1.ID, 1, 3, 1}})
		check(stats.Query{Range: mustPeriod(t, "2022-Q4", period.Calendar)}, stats.ByMonth, []row{
			{"2022-10", 0, 0, 0}, {"2022-11", 0, 0, 0}, {"2022-12", 2, 6, 2}})
		// statutory Q1 2023: 15 Dec 2022 to 14 Mar 2023; e1 (20 Dec) falls in January
		check(stats.Query{Range: mustPeriod(t, "2023-Q1", period.Statutory)}, stats.ByMonth, []row{
			{"2023-01", 2, 6, 2}, {"2023-02", 0, 0, 0}, {"2023-03", 0, 0, 0}})
		if _, err := f.svc.Breakdown(ctx, auth.System, stats.Query{Range: y2022}, "colour"); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("unknown dimension: want invalid, got %v", err)
		}
	})
}
