package stats

import "context"

// figures are the counts of one group of visits. Cases are distinct surviving (root) cases;
// Repeat counts those with a live visit in the history scope dated before the period, so the
// first-time cases are Cases-Repeat. Delegation figures restrict to visits whose headcount
// reaches the threshold; DCases counts the cases with at least one such visit.
type figures struct {
	Visits, Persons   int
	DVisits, DPersons int
	Cases, Repeat     int
	DCases, DRepeat   int
}

func (f figures) first() int  { return f.Cases - f.Repeat }
func (f figures) dFirst() int { return f.DCases - f.DRepeat }

// cell is the figures of one group within one unit; Group is "" on the unit's total line,
// whose cases are counted once however many groups they appear in.
type cell struct {
	Unit  string
	Group string
	Total bool
	figures
}

// grouping says how to split the period's visits.
type grouping struct {
	// group is the SQL expression of a visit's group (over v = visits, c = its case, and
	// whatever joins adds); groupArgs are its parameters.
	group     string
	groupArgs []any
	joins     string
	// perOrg makes each organisation a unit of its own: its cases, and whether they are
	// first-time, are judged from its own records only (the rows of Form 01). Otherwise the
	// whole scope is one unit with Unit "".
	perOrg bool
	// history computes Repeat; without it Repeat is 0 and the query skips the look-back.
	history bool
}

// count runs the one aggregate every statistic is made of. It reads only live visits dated in
// [from, to] of the scope's organisations, maps each to its surviving case through
// cases.root_seq (so merges need no chain walk), and counts per (unit, group) and per unit.
//
// A visit counts even if its case was voided: voiding a case does not undo a reception that
// took place; only voiding the visit removes it from the figures.
func (s *Service) count(ctx context.Context, ids []string, from, to string, min int, g grouping) ([]cell, error) {
	// The look-back must walk from the root to its cases and their visits by case
	// (cases_root_idx, visits_case_seq_date_idx): a handful of rows per root. "|| ''" keeps
	// the organisation test out of index selection, since SQLite would otherwise scan every
	// earlier visit of the organisation once per root.
	unit, lookBackScope := "''", "v2.org_id || '' IN (?)"
	if g.perOrg {
		unit, lookBackScope = "v.org_id", "v2.org_id || '' = r.u"
	}
	repeat := "0"
	if g.history {
		repeat = `CASE WHEN EXISTS (SELECT 1 FROM cases c2 JOIN visits v2 ON v2.case_seq = c2.seq
			WHERE c2.root_seq = r.root AND v2.date < ? AND v2.voided_at IS NULL AND ` + lookBackScope + `) THEN 1 ELSE 0 END`
	}
	sql := `WITH pv AS (
	SELECT ` + unit + ` AS u, ` + g.group + ` AS g, c.root_seq AS root, v.headcount AS hc,
		CASE WHEN v.headcount >= ? THEN 1 ELSE 0 END AS d
	FROM visits v JOIN cases c ON c.seq = v.case_seq ` + g.joins + `
	WHERE v.org_id IN (?) AND v.date >= ? AND v.date <= ? AND v.voided_at IS NULL
), rg AS (
	SELECT u, g, root, COUNT(*) AS n, SUM(hc) AS p, SUM(d) AS dn, SUM(d * hc) AS dp, MAX(d) AS del
	FROM pv GROUP BY u, g, root
), r AS (
	SELECT u, root, SUM(n) AS n, SUM(p) AS p, SUM(dn) AS dn, SUM(dp) AS dp, MAX(del) AS del
	FROM rg GROUP BY u, root
), rr AS (
	SELECT u, root, n, p, dn, dp, del, ` + repeat + ` AS rep FROM r
)
SELECT rg.u, rg.g, 0 AS total, SUM(rg.n), SUM(rg.p), SUM(rg.dn), SUM(rg.dp), COUNT(*), SUM(rr.rep), SUM(rg.del), SUM(rg.del * rr.rep)
FROM rg JOIN rr ON rr.u = rg.u AND rr.root = rg.root GROUP BY rg.u, rg.g
UNION ALL
SELECT u, '', 1, SUM(n), SUM(p), SUM(dn), SUM(dp), COUNT(*), SUM(rep), SUM(del), SUM(del * rep)
FROM rr GROUP BY u`
	args := append([]any{}, g.groupArgs...)
	args = append(args, min, ids, from, to)
	if g.history {
		args = append(args, from)
		if !g.perOrg {
			args = append(args, ids)
		}
	}
	rows, err := s.store.DB.WithContext(ctx).Raw(sql, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cell
	for rows.Next() {
		var c cell
		var total int
		if err := rows.Scan(&c.Unit, &c.Group, &total, &c.Visits, &c.Persons, &c.DVisits, &c.DPersons,
			&c.Cases, &c.Repeat, &c.DCases, &c.DRepeat); err != nil {
			return nil, err
		}
		c.Total = total == 1
		out = append(out, c)
	}
	return out, rows.Err()
}

// sessionCount is how many live sessions of a kind and host role one unit held in a period.
type sessionCount struct {
	Unit     string
	Kind     string
	HostRole string
	N        int
}

// countSessions counts the live sessions held in [from, to], per kind and host role, per
// organisation when perOrg.
func (s *Service) countSessions(ctx context.Context, ids []string, from, to string, perOrg bool) ([]sessionCount, error) {
	unit, groupBy := "''", "kind, COALESCE(host_role, '')"
	if perOrg {
		unit, groupBy = "org_id", "org_id, "+groupBy
	}
	var out []sessionCount
	err := s.store.DB.WithContext(ctx).Raw(`SELECT `+unit+` AS unit, kind, COALESCE(host_role, '') AS host_role, COUNT(*) AS n
		FROM sessions WHERE org_id IN (?) AND date >= ? AND date <= ? AND voided_at IS NULL
		GROUP BY `+groupBy, ids, from, to).Scan(&out).Error
	return out, err
}

// countIssued counts the live documents of table (notices or directives) issued in [from, to].
func (s *Service) countIssued(ctx context.Context, table string, ids []string, from, to string) (int, error) {
	var n int
	err := s.store.DB.WithContext(ctx).Raw(`SELECT COUNT(*) FROM `+table+`
		WHERE org_id IN (?) AND issued_on >= ? AND issued_on <= ? AND voided_at IS NULL`, ids, from, to).Scan(&n).Error
	return n, err
}
