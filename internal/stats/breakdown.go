package stats

import (
	"context"
	"strings"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// label is a row key with its Vietnamese name, in the order reports list them.
type label struct{ Key, Label string }

// noOutcome is the row of visits whose handling was not recorded; listed only when non-empty.
var noOutcome = label{"", "Chưa ghi hướng xử lý"}

// labelsOf lists an enum's values with their Vietnamese labels, one row each.
func labelsOf(e vocab.Enum) []label {
	out := make([]label, len(e.Terms))
	for i, t := range e.Terms {
		out[i] = label{t.Value, t.VI}
	}
	return out
}

// Breakdown splits the period's visits by one of the dimensions of vocab.BreakdownBy. Category
// and field are the surviving case's (a merged duplicate counts as the case it was merged into).
// Every value of an enum is listed, zeros included, so dashboards keep their rows stable.
func (s *Service) Breakdown(ctx context.Context, actor auth.Actor, q Query, by string) (Breakdown, error) {
	if !vocab.BreakdownBy.Has(by) {
		return Breakdown{}, apperr.FieldAs(apperr.ForbiddenValue, "by", "must be one of %s", strings.Join(vocab.BreakdownBy.Values(), ", "))
	}
	c, err := s.prepare(ctx, actor, q)
	if err != nil {
		return Breakdown{}, err
	}
	var (
		g    grouping
		rows []label
	)
	switch by {
	case ByCategory:
		g, rows = grouping{group: "rc.category", joins: "JOIN cases rc ON rc.seq = c.root_seq"}, labelsOf(vocab.CaseCategory)
	case ByField:
		g, rows = grouping{group: "rc.field", joins: "JOIN cases rc ON rc.seq = c.root_seq"}, labelsOf(vocab.CaseField)
	case ByOutcome:
		g, rows = grouping{group: "COALESCE(v.outcome, '')"}, append(labelsOf(vocab.VisitOutcome), noOutcome)
	case ByOrg:
		g = grouping{group: "v.org_id"}
		for _, o := range c.Orgs {
			rows = append(rows, label{o.ID, o.Name})
		}
	case ByMonth:
		g, rows = monthGrouping(q.Range)
	}
	got, err := s.countGroups(ctx, c.IDs, c.From, c.To, g)
	if err != nil {
		return Breakdown{}, err
	}
	out := Breakdown{From: c.From, To: c.To, OrgID: c.RootID, By: by, Rows: []BreakdownRow{}}
	for _, r := range rows {
		f, ok := got[r.Key]
		if !ok && r == noOutcome {
			continue
		}
		out.Rows = append(out.Rows, BreakdownRow{Key: r.Key, Label: r.Label, Visits: f.Visits, Persons: f.Persons, Cases: f.Cases})
	}
	return out, nil
}

// monthGrouping buckets visits into the reporting months the range overlaps, in the range's
// basis: a statutory month runs from the 15th of the month before to the 14th, so 20 Dec 2022
// belongs to January 2023. Bucket edges are parameters, the same SQL on both databases.
func monthGrouping(r period.Range) (grouping, []label) {
	var (
		when strings.Builder
		args []any
		rows []label
	)
	when.WriteString("CASE")
	for _, m := range monthsOf(r) {
		when.WriteString(" WHEN v.date <= ? THEN CAST(? AS TEXT)")
		args = append(args, m.ToDate(), m.Label)
		rows = append(rows, label{m.Label, "Tháng " + m.Label[5:] + "/" + m.Label[:4]})
	}
	when.WriteString(" END")
	return grouping{group: when.String(), groupArgs: args}, rows
}
