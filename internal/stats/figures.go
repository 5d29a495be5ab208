package stats

import (
	"context"
	"fmt"

	"github.com/tcd-registry/tcd/internal/stats/report"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// figures are the counts of one group of sessions and their visits. Cases are distinct
// surviving (root) cases; Repeat counts those with a live visit in the unit dated before the
// period, so the first-time cases are Cases-Repeat. Delegation figures restrict to visits whose
// headcount reaches the threshold; DCases counts the cases with at least one such visit.
type figures struct {
	Sessions          int
	Visits, Persons   int
	DVisits, DPersons int
	Cases, Repeat     int
	DCases, DRepeat   int
}

func (f figures) first() int  { return f.Cases - f.Repeat }
func (f figures) dFirst() int { return f.DCases - f.DRepeat }

// cell is the figures of one group within one unit (an organisation, or "" for the whole
// scope); Group is "" on the unit's total line, whose cases are counted once however many
// groups they appear in.
type cell struct {
	Unit  string
	Group string
	Total bool
	figures
}

// grouping says how to split the period's visits for a breakdown: group is the SQL expression
// of a visit's group (over v = visits, c = its case, and whatever joins adds), groupArgs its
// parameters.
type grouping struct {
	group     string
	groupArgs []any
	joins     string
}

// countGroups counts the live visits dated in [from, to] of the scope's organisations per group:
// visits, persons and distinct surviving cases (through cases.root_seq, so merges need no chain
// walk). Breakdowns group by what the roll-ups do not keep (category, field, outcome), so they
// read the visits; the covering index makes it one range scan per organisation.
func (s *Service) countGroups(ctx context.Context, ids []string, from, to string, g grouping) (map[string]figures, error) {
	var rows []struct {
		G                      string
		Visits, Persons, Cases int
	}
	args := append(append([]any{}, g.groupArgs...), ids, from, to)
	err := s.store.DB.WithContext(ctx).Raw(`SELECT g, SUM(n) AS visits, SUM(p) AS persons, COUNT(*) AS cases FROM (
		SELECT `+g.group+` AS g, c.root_seq AS root, COUNT(*) AS n, SUM(v.headcount) AS p
		FROM visits v JOIN cases c ON c.seq = v.case_seq `+g.joins+`
		WHERE v.org_id IN ? AND v.date >= ? AND v.date <= ? AND v.voided_at IS NULL
		GROUP BY 1, 2) r GROUP BY g`, args...).Scan(&rows).Error
	out := map[string]figures{}
	for _, r := range rows {
		out[r.G] = figures{Visits: r.Visits, Persons: r.Persons, Cases: r.Cases}
	}
	return out, err
}

// countIssued counts the live conclusion notices and directive letters issued in [from, to].
func (s *Service) countIssued(ctx context.Context, ids []string, from, to string) (notices, letters int, err error) {
	const count = `(SELECT COUNT(*) FROM %s WHERE org_id IN ? AND issued_on >= ? AND issued_on <= ? AND voided_at IS NULL)`
	row := s.store.DB.WithContext(ctx).Raw("SELECT "+fmt.Sprintf(count, "notices")+", "+fmt.Sprintf(count, "directives"),
		ids, from, to, ids, from, to).Row()
	err = row.Scan(&notices, &letters)
	return notices, letters, err
}

// countPetitions counts the live petitions of organisations ids received from from to to, and
// those decided in it by decision, on time (decided on or before their due date) or late.
func (s *Service) countPetitions(ctx context.Context, ids []string, from, to string) (report.PetitionFigures, error) {
	var out report.PetitionFigures // ByDecision stays nil without decisions: JSON and CSV list the zeros anyway
	db := s.store.DB.WithContext(ctx)
	if err := db.Raw(`SELECT COUNT(*) FROM petitions WHERE org_id IN ? AND received_on >= ? AND received_on <= ? AND voided_at IS NULL`,
		ids, from, to).Row().Scan(&out.Received); err != nil {
		return out, err
	}
	rows, err := db.Raw(`SELECT decision, COUNT(*), COALESCE(SUM(CASE WHEN decided_on <= due_on THEN 1 ELSE 0 END), 0) FROM petitions
		WHERE org_id IN ? AND decided_on >= ? AND decided_on <= ? AND voided_at IS NULL GROUP BY decision`, ids, from, to).Rows()
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var decision string
		var n, onTime int
		if err := rows.Scan(&decision, &n, &onTime); err != nil {
			return out, err
		}
		if out.ByDecision == nil {
			out.ByDecision = make(map[string]int, len(vocab.PetitionDecision.Terms))
		}
		out.ByDecision[decision] += n
		out.Decided += n
		out.OnTime += onTime
		out.Late += n - onTime
	}
	return out, rows.Err()
}
