package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/testenv"
	"github.com/tcd-registry/tcd/internal/validate"
)

// oracle computes the summary's visit and case figures straight from the rows, the slow and
// obvious way, to check the roll-ups after every kind of write.
func oracle(t *testing.T, st *store.Store, orgIDs []string, from, to string, min int) [9]int {
	t.Helper()
	var rows []struct {
		OrgID, Date, Kind string
		Headcount         int
		RootSeq           int64
	}
	if err := st.DB.Raw(`SELECT v.org_id, v.date, v.kind, v.headcount, c.root_seq FROM visits v JOIN cases c ON c.seq = v.case_seq
		WHERE v.voided_at IS NULL`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	inScope := map[string]bool{}
	for _, o := range orgIDs {
		inScope[o] = true
	}
	earlier, roots, periodic, dRoots := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	// visits, persons, cases, first, periodic visits, periodic cases, delegation visits, delegation
	// cases, periodic sessions
	var out [9]int
	for _, r := range rows {
		if !inScope[r.OrgID] {
			continue
		}
		if r.Date < from {
			earlier[r.RootSeq] = true
		}
		if r.Date < from || r.Date > to {
			continue
		}
		out[0]++
		out[1] += r.Headcount
		roots[r.RootSeq] = true
		if r.Kind == "periodic" {
			out[4]++
			periodic[r.RootSeq] = true
		}
		if r.Headcount >= min {
			out[6]++
			dRoots[r.RootSeq] = true
		}
	}
	out[2], out[5], out[7] = len(roots), len(periodic), len(dRoots)
	var sessions []struct{ OrgID, Date, Kind string }
	if err := st.DB.Raw(`SELECT org_id, date, kind FROM sessions WHERE voided_at IS NULL`).Scan(&sessions).Error; err != nil {
		t.Fatal(err)
	}
	for _, s := range sessions {
		if inScope[s.OrgID] && s.Kind == "periodic" && s.Date >= from && s.Date <= to {
			out[8]++
		}
	}
	for r := range roots {
		if !earlier[r] {
			out[3]++
		}
	}
	return out
}

// TestRollupsFollowEveryWrite applies random writes of every kind the register makes (new
// sessions and visits, voids, headcount changes, merges and unmerges, sessions moved to another
// day or host) and checks after each round that the summary, read from the incrementally kept
// roll-ups, equals the figures computed from the rows.
func TestRollupsFollowEveryWrite(t *testing.T) {
	testRollups(t)
}

// TestRollupsRebuiltWhole does the same with every refresh rebuilding the whole register, the
// path a bulk load or the first request after the migration takes.
func TestRollupsRebuiltWhole(t *testing.T) {
	defer stats.SetFullRebuildAt(1)()
	testRollups(t)
}

func testRollups(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		st := openStore(t, backend, 2)
		osvc := orgs.NewService(st)
		p, _ := osvc.Create(ctx, auth.System, orgs.NewOrg{Code: "P", Name: "P"})
		d1, _ := osvc.Create(ctx, auth.System, orgs.NewOrg{Code: "D1", Name: "D1", ParentID: validate.Some(p.ID)})
		d2, _ := osvc.Create(ctx, auth.System, orgs.NewOrg{Code: "D2", Name: "D2", ParentID: validate.Some(p.ID)})
		orgIDs := []string{p.ID, d1.ID, d2.ID}
		svc := stats.NewService(st, stats.Config{DelegationMin: 4, DefaultOrgID: p.ID})
		r := &register{t: t, st: st}
		rng := rand.New(rand.NewPCG(1, uint64(len(backend))))

		type sess struct{ id, org string }
		var sessions []sess
		var cases []caseRef
		var visits []string
		randomDate := func() string {
			return fmt.Sprintf("%d-%02d-%02d", 2021+rng.IntN(3), 1+rng.IntN(12), 1+rng.IntN(28))
		}
		kinds := []string{"regular", "periodic", "urgent"}
		newSession := func() {
			org := orgIDs[rng.IntN(3)]
			kind := kinds[rng.IntN(3)]
			role := ""
			if kind != "regular" {
				role = []string{"head", "authorized"}[rng.IntN(2)]
			}
			sessions = append(sessions, sess{r.session(org, kind, randomDate(), role), org})
		}
		for range 12 {
			newSession()
		}
		caseOrg := map[caseRef]string{}
		for i := range 15 {
			c := r.newCase(orgIDs[i%3], "complaint")
			cases, caseOrg[c] = append(cases, c), orgIDs[i%3]
		}
		// half the visits come back to their case's own organisation, so that cases received by
		// one organisation alone, on an earlier or a later day, are common
		sessionOf := func(org string) sess {
			for range 50 {
				if s := sessions[rng.IntN(len(sessions))]; org == "" || s.org == org {
					return s
				}
			}
			return sessions[rng.IntN(len(sessions))]
		}
		newVisit := func() {
			c := cases[rng.IntN(len(cases))]
			own := ""
			if rng.IntN(2) == 0 {
				own = caseOrg[c]
			}
			s := sessionOf(own)
			visits = append(visits, r.visit(s.org, s.id, c, 1+rng.IntN(6), ""))
		}
		openCase := func() { // as POST /visits opens one: inserted with root 0, given its root last
			s := sessionOf("")
			seq, id := r.next("c")
			r.exec(`INSERT INTO cases (seq, id, org_id, code, title, title_folded, category, field, root_seq, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'x', 'x', 'complaint', 'land', 0, ?, ?)`, seq, id, s.org, id, now, now)
			c := caseRef{seq, id}
			visits = append(visits, r.visit(s.org, s.id, c, 1+rng.IntN(6), ""))
			r.exec("UPDATE cases SET root_seq = seq WHERE seq = ?", c.seq)
			cases, caseOrg[c] = append(cases, c), s.org
		}
		for range 40 {
			newVisit()
		}
		ops := []func(){
			newVisit,
			newVisit,
			openCase,
			newSession,
			func() { r.void("sessions", sessions[rng.IntN(len(sessions))].id) },
			func() {
				r.exec("UPDATE sessions SET voided_at = NULL WHERE id = ?", sessions[rng.IntN(len(sessions))].id)
			},
			func() { r.void("visits", visits[rng.IntN(len(visits))]) },
			func() {
				r.exec("UPDATE visits SET headcount = ? WHERE id = ?", 1+rng.IntN(6), visits[rng.IntN(len(visits))])
			},
			func() {
				c := cases[rng.IntN(len(cases))]
				r.exec("UPDATE visits SET case_id = ?, case_seq = ? WHERE id = ?", c.id, c.seq, visits[rng.IntN(len(visits))])
			},
			func() { // merge one case's root into another's
				a, b := cases[rng.IntN(len(cases))], cases[rng.IntN(len(cases))]
				r.exec(`UPDATE cases SET root_seq = (SELECT root_seq FROM cases WHERE seq = ?)
					WHERE root_seq = (SELECT root_seq FROM cases WHERE seq = ?)`, b.seq, a.seq)
			},
			func() { // unmerge: a case becomes its own root again
				r.exec("UPDATE cases SET root_seq = seq, merged_into = NULL WHERE seq = ?", cases[rng.IntN(len(cases))].seq)
			},
			func() { // a session moved to another day: its visits follow, as the registry does
				s, d := sessions[rng.IntN(len(sessions))], randomDate()
				r.exec("UPDATE sessions SET date = ? WHERE id = ?", d, s.id)
				r.exec("UPDATE visits SET date = ? WHERE session_id = ?", d, s.id)
			},
			func() {
				r.exec("UPDATE sessions SET host_role = CASE WHEN host_role = 'head' THEN 'authorized' ELSE 'head' END WHERE id = ? AND kind <> 'regular'",
					sessions[rng.IntN(len(sessions))].id)
			},
		}
		partial, err := period.FromTo("2022-03-10", "2022-11-20") // whole months between partial ones
		if err != nil {
			t.Fatal(err)
		}
		periods := []period.Range{mustPeriod(t, "2022", period.Calendar), mustPeriod(t, "2022", period.Statutory),
			mustPeriod(t, "2023-Q1", period.Statutory), mustPeriod(t, "2021-6M", period.Calendar), partial}
		scopes := []struct {
			org string
			ids []string
		}{{p.ID, orgIDs}, {d1.ID, []string{d1.ID}}, {d2.ID, []string{d2.ID}}}
		// 40 rounds of writes of every kind, then 20 of new visits alone: what a statistics read
		// meets under a steady stream of receptions, which PostgreSQL reads add in memory
		for round := range 60 {
			writes := ops
			if round >= 40 {
				writes = []func(){newVisit, newVisit, openCase}
			}
			for range 1 + rng.IntN(4) {
				writes[rng.IntN(len(writes))]()
			}
			for _, pr := range periods {
				for _, sc := range scopes {
					s, err := svc.Summary(ctx, auth.System, stats.Query{Range: pr, OrgID: sc.org})
					if err != nil {
						t.Fatal(err)
					}
					got := [9]int{s.Visits, s.Persons, s.Cases, s.CasesFirst, s.ByKind["periodic"].Visits, s.ByKind["periodic"].Cases,
						s.Delegations.Visits, s.Delegations.Cases, s.ByKind["periodic"].Sessions}
					if want := oracle(t, st, sc.ids, pr.FromDate(), pr.ToDate(), 4); got != want {
						t.Fatalf("round %d, %s %s, org %s: roll-ups say %v, the rows %v", round, pr.Label, pr.Basis, sc.org, got, want)
					}
				}
			}
		}
		// the roll-ups kept day by day (and their months, which the summaries above only partly
		// read) hold exactly what a rebuild from the register writes
		kept := rollupRows(t, st)
		restore := stats.SetFullRebuildAt(1)
		defer restore()
		r.exec("INSERT INTO stats_dirty_roots (root_seq) VALUES (0)")
		if err := svc.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if rebuilt := rollupRows(t, st); !reflect.DeepEqual(kept, rebuilt) {
			t.Fatalf("kept roll-ups differ from rebuilt ones:\n%v\n%v", kept, rebuilt)
		}
	})
}

// rollupRows lists the rows of stats_days and stats_months in a comparable form: bitmaps as
// their members, group visits in order.
func rollupRows(t *testing.T, st *store.Store) []string {
	t.Helper()
	var rows []struct {
		Tbl, OrgID, Key, Bucket   string
		Sessions, Visits, Persons int
		Roots, GroupVisits        []byte
	}
	if err := st.DB.Raw(`SELECT 'day' AS tbl, org_id, date AS key, bucket, sessions, visits, persons, roots, group_visits FROM stats_days
		UNION ALL SELECT 'month', org_id, month, bucket, sessions, visits, persons, roots, group_visits FROM stats_months
		ORDER BY 1, 2, 3, 4`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		bm := roaring.New()
		if err := bm.UnmarshalBinary(r.Roots); err != nil {
			t.Fatal(err)
		}
		groups := make([]string, 0, len(r.GroupVisits)/8)
		for g := range slices.Chunk(r.GroupVisits, 8) {
			groups = append(groups, fmt.Sprintf("%x", g))
		}
		slices.Sort(groups)
		out[i] = fmt.Sprint(r.Tbl, r.OrgID, r.Key, r.Bucket, r.Sessions, r.Visits, r.Persons, bm.ToArray(), groups)
	}
	return out
}

// Visits recorded while refreshes run, and edits that make those refreshes recompute the same
// days, are each counted once: a refresh sees the register as of one moment. Two services
// refresh at once, as two replicas of tcd serve folding the queue of one database do: their
// refreshes serialise on the database, not on a lock of one process.
func TestRollupsRefreshedWhileWritten(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		st := openStore(t, backend, 8)
		org, _ := orgs.NewService(st).Create(ctx, auth.System, orgs.NewOrg{Code: "P", Name: "P"})
		svc := stats.NewService(st, stats.Config{DelegationMin: 4, DefaultOrgID: org.ID})
		r := &register{t: t, st: st}
		var sessions []string
		for d := range 3 {
			sessions = append(sessions, r.session(org.ID, "periodic", fmt.Sprintf("2022-05-%02d", 10+d), "head"))
		}
		c := r.newCase(org.ID, "complaint")
		first := r.visit(org.ID, sessions[0], c, 1, "")

		const writers, each = 3, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers+3)
		for w := range writers {
			wg.Go(func() {
				for k := range each {
					seq := 100_000*(w+1) + k
					if err := st.DB.Exec(`INSERT INTO visits (seq, id, org_id, session_id, kind, date, case_id, case_seq, headcount, created_at, updated_at)
						SELECT ?, ?, org_id, id, kind, date, ?, ?, 2, ?, ? FROM sessions WHERE id = ?`,
						seq, fmt.Sprintf("w-%d", seq), c.id, c.seq, now, now, sessions[k%len(sessions)]).Error; err != nil {
						errs <- err
						return
					}
				}
			})
		}
		stop := make(chan struct{})
		var background sync.WaitGroup
		background.Go(func() { // edits that queue whole days to recompute
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := st.DB.Exec("UPDATE visits SET headcount = ? WHERE id = ?", 1+i%3, first).Error; err != nil {
					errs <- err
					return
				}
			}
		})
		for _, replica := range []*stats.Service{svc, stats.NewService(st, stats.Config{DelegationMin: 4, DefaultOrgID: org.ID})} {
			background.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := replica.Refresh(ctx); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(stop)
		background.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		year := mustPeriod(t, "2022", period.Calendar)
		s, err := svc.Summary(ctx, auth.System, stats.Query{Range: year, OrgID: org.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := oracle(t, st, []string{org.ID}, year.FromDate(), year.ToDate(), 4)
		if got := [2]int{s.Visits, s.Persons}; got != [2]int{want[0], want[1]} || s.Visits != 1+writers*each {
			t.Fatalf("roll-ups say %d visits, %d persons; the rows %d, %d (%d recorded)", s.Visits, s.Persons, want[0], want[1], 1+writers*each)
		}
	})
}
