package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vocab"
)

const (
	nationalCode = "VN"
	provinces    = 34
	firstYear    = 2014
	years        = 10
)

// the values a visit's outcome and a case's category and field take
var (
	outcomes   = vocab.VisitOutcome.Values()
	categories = vocab.CaseCategory.Values()
	fields     = vocab.CaseField.Values()
)

func provinceCode(i int) string { return fmt.Sprintf("P%02d", i+1) }

// generator keeps the state of the synthetic register while it is written year by year.
type generator struct {
	rng     *rand.Rand
	st      *store.Store
	orgIDs  []string
	weights []float64 // share of the national visits per province
	active  [][]caseRef
	nextSeq map[string]int64
}

type caseRef struct {
	seq int64
	id  string
}

// load writes the register straight through the store, year by year and in date order, the
// way years of receptions would have filled it: about 0.75 cases per visit (repeat visits
// reuse a recent case of the province), 1% delegations of 5-30 people, 1% voided visits and
// 3% of cases merged into another.
func load(ctx context.Context, st *store.Store, visits int) error {
	g := &generator{rng: rand.New(rand.NewPCG(42, 4242)), st: st, nextSeq: map[string]int64{}}
	orgSvc := orgs.NewService(st)
	national, err := orgSvc.EnsureDefault(ctx, nationalCode, "Thanh tra Chính phủ (toàn quốc)")
	if err != nil {
		return err
	}
	total := 0.0
	for i := range provinces {
		p, err := orgSvc.Create(ctx, auth.System, orgs.NewOrg{Code: provinceCode(i), Name: fmt.Sprintf("Ban Tiếp công dân tỉnh %02d", i+1), ParentID: validate.Some(national.ID)})
		if err != nil {
			return err
		}
		g.orgIDs = append(g.orgIDs, p.ID)
		w := 0.4 + g.rng.Float64()*1.6
		g.weights = append(g.weights, w)
		total += w
	}
	for i := range g.weights {
		g.weights[i] /= total
	}
	g.active = make([][]caseRef, provinces)
	for y := range years {
		if err := g.year(ctx, firstYear+y, visits/years); err != nil {
			return err
		}
	}
	if err := g.mergeSome(ctx); err != nil {
		return err
	}
	if st.Dialect == store.Postgres { // the seqs were chosen here: records made later take the next
		for table := range g.nextSeq {
			if err := st.DB.Exec(fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'seq'), (SELECT MAX(seq) FROM %[1]s))", table)).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

type visitRow struct {
	date string
	org  int
}

// year writes one year's sessions, cases and visits.
func (g *generator) year(ctx context.Context, year, n int) error {
	var workdays []string
	for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			workdays = append(workdays, d.Format(time.DateOnly))
		}
	}
	now := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	// sessions: each province receives every working day, the head once a month, and urgently
	// twice a year
	type session struct{ id, org, kind, date string }
	byKey := map[string][]session{} // org|kind|date-month → sessions
	var sessionRows [][]any
	for p, org := range g.orgIDs {
		add := func(kind, date string, role any) {
			s := session{uuid.Must(uuid.NewV7()).String(), org, kind, date}
			key := fmt.Sprintf("%d|%s|%s", p, kind, date[:7])
			if kind == "regular" {
				key = fmt.Sprintf("%d|%s|%s", p, kind, date)
			}
			byKey[key] = append(byKey[key], s)
			sessionRows = append(sessionRows, []any{g.seq("sessions"), s.id, org, kind, date, role, now, now})
		}
		for _, d := range workdays {
			add("regular", d, nil)
		}
		for m := 1; m <= 12; m++ {
			role := "head"
			if g.rng.IntN(10) < 3 {
				role = "authorized"
			}
			add("periodic", fmt.Sprintf("%04d-%02d-%02d", year, m, 10+g.rng.IntN(10)), role)
		}
		for _, m := range []int{4, 10} {
			add("urgent", fmt.Sprintf("%04d-%02d-%02d", year, m, 1+g.rng.IntN(27)), "head")
		}
	}
	if err := insertRows(ctx, g.st, "sessions", "seq, id, org_id, kind, date, host_role, created_at, updated_at", sessionRows); err != nil {
		return err
	}

	rows := make([]visitRow, n)
	for i := range rows {
		rows[i] = visitRow{date: workdays[g.rng.IntN(len(workdays))], org: g.pick()}
	}
	slices.SortFunc(rows, func(a, b visitRow) int { return strings.Compare(a.date, b.date) })
	var caseRows, visitRows [][]any
	for _, r := range rows {
		kind, key := "regular", fmt.Sprintf("%d|regular|%s", r.org, r.date)
		switch x := g.rng.IntN(100); {
		case x < 2:
			kind = "urgent"
		case x < 20:
			kind = "periodic"
		}
		if kind != "regular" {
			key = fmt.Sprintf("%d|%s|%s", r.org, kind, r.date[:7])
			if len(byKey[key]) == 0 { // no urgent session that month: the regular one
				kind, key = "regular", fmt.Sprintf("%d|regular|%s", r.org, r.date)
			}
		}
		s := byKey[key][0]
		var c caseRef
		if act := g.active[r.org]; len(act) > 0 && g.rng.IntN(100) < 25 {
			c = act[len(act)-1-g.rng.IntN(min(len(act), 3000))]
		} else {
			c = caseRef{g.seq("cases"), uuid.Must(uuid.NewV7()).String()}
			g.active[r.org] = append(g.active[r.org], c)
			caseRows = append(caseRows, []any{c.seq, c.id, s.org, fmt.Sprintf("VV-%d-%07d", year, c.seq), "Vụ việc tổng hợp", "vu viec tong hop",
				categories[g.rng.IntN(len(categories))], fields[g.rng.IntN(len(fields))], c.seq, now, now})
		}
		headcount := 1
		switch x := g.rng.IntN(100); {
		case x < 1:
			headcount = 5 + g.rng.IntN(26)
		case x < 2:
			headcount = 4
		case x < 7:
			headcount = 2 + g.rng.IntN(2)
		}
		var voided any
		if g.rng.IntN(100) == 0 {
			voided = now
		}
		visitRows = append(visitRows, []any{g.seq("visits"), uuid.Must(uuid.NewV7()).String(), s.org, s.id, kind, s.date, c.id, c.seq,
			headcount, outcomes[g.rng.IntN(len(outcomes))], "Công dân trình bày nội dung đề nghị xem xét giải quyết theo quy định.", voided, now, now})
	}
	if err := insertRows(ctx, g.st, "cases", "seq, id, org_id, code, title, title_folded, category, field, root_seq, created_at, updated_at", caseRows); err != nil {
		return err
	}
	return insertRows(ctx, g.st, "visits", "seq, id, org_id, session_id, kind, date, case_id, case_seq, headcount, outcome, content, voided_at, created_at, updated_at", visitRows)
}

// pick chooses a province by its share of the visits.
func (g *generator) pick() int {
	x := g.rng.Float64()
	for i, w := range g.weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(g.weights) - 1
}

func (g *generator) seq(table string) int64 {
	g.nextSeq[table]++
	return g.nextSeq[table]
}

// mergeSome marks 3% of cases as duplicates of a later case of the same province. Cases are
// taken oldest first and merged only into later ones, so a merged case is still its own root
// when its turn comes and the target is still its own root too.
func (g *generator) mergeSome(ctx context.Context) error {
	return g.st.Tx(ctx, func(tx *gorm.DB) error {
		for _, act := range g.active {
			for i := 0; i+1 < len(act); i++ {
				if g.rng.IntN(100) >= 3 {
					continue
				}
				dup, into := act[i], act[i+1+g.rng.IntN(min(len(act)-i-1, 50))]
				if err := tx.Exec("UPDATE cases SET merged_into = ? WHERE seq = ?", into.id, dup.seq).Error; err != nil {
					return err
				}
				if err := tx.Exec("UPDATE cases SET root_seq = ? WHERE root_seq = ?", into.seq, dup.seq).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// insertRows writes rows with multi-row INSERTs in one transaction, about a thousand values a
// statement: the SQLite driver binds parameters in time quadratic in their number.
func insertRows(ctx context.Context, st *store.Store, table, columns string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	batch := 1000 / width
	placeholder := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return st.Tx(ctx, func(tx *gorm.DB) error {
		for start := 0; start < len(rows); start += batch {
			end := min(start+batch, len(rows))
			args := make([]any, 0, (end-start)*width)
			for _, r := range rows[start:end] {
				args = append(args, r...)
			}
			sql := "INSERT INTO " + table + " (" + columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(placeholder+", ", end-start), ", ")
			if err := tx.Exec(sql, args...).Error; err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
		}
		return nil
	})
}
