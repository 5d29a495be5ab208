package stats

import (
	"context"
	"fmt"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/stats/report"
)

// counting is a validated query: the subtree resolved, dates as stored, the threshold chosen.
type counting struct {
	scope
	Range    period.Range
	From, To string
	Min      int
}

// prepare checks a query and resolves its subtree.
func (s *Service) prepare(ctx context.Context, actor auth.Actor, q Query) (counting, error) {
	if q.Range.From.IsZero() || q.Range.To.IsZero() {
		return counting{}, apperr.FieldAs(apperr.Required, "period", "is required: a period or from and to")
	}
	if q.Range.From.After(q.Range.To) {
		return counting{}, apperr.Field("from", "is after to")
	}
	min := q.DelegationMin
	if min == 0 {
		min = s.cfg.DelegationMin
	}
	if min < 2 {
		return counting{}, apperr.FieldAs(apperr.OutOfRange, "delegation_min", "must be at least 2: a delegation is a group")
	}
	sc, err := s.resolveScope(ctx, actor, q.OrgID)
	if err != nil {
		return counting{}, err
	}
	return counting{scope: sc, Range: q.Range, From: q.Range.FromDate(), To: q.Range.ToDate(), Min: min}, nil
}

// Summary counts the period's figures as GET /stats/summary answers them (docs/contract.md,
// "Statistics").
func (s *Service) Summary(ctx context.Context, actor auth.Actor, q Query) (report.Summary, error) {
	c, err := s.prepare(ctx, actor, q)
	if err != nil {
		return report.Summary{}, err
	}
	kindOf := func(kind, _ string) string { return kind }
	cells, err := s.rollupCount(ctx, c.IDs, c.Range, c.Min, kindOf, false)
	if err != nil {
		return report.Summary{}, err
	}
	out := report.Summary{From: c.From, To: c.To, OrgID: c.RootID, RootIDs: c.Roots,
		ByKind:      map[string]report.KindFigures{report.KindRegular: {}, report.KindPeriodic: {}, report.KindUrgent: {}},
		Delegations: report.DelegationFigures{MinSize: c.Min}}
	for _, cl := range cells {
		if cl.Total {
			out.Visits, out.Persons, out.Cases = cl.Visits, cl.Persons, cl.Cases
			out.CasesFirst, out.CasesRepeat = cl.first(), cl.Repeat
			out.Delegations.Visits, out.Delegations.Persons, out.Delegations.Cases = cl.DVisits, cl.DPersons, cl.DCases
			continue
		}
		out.ByKind[cl.Group] = report.KindFigures{Sessions: cl.Sessions, Visits: cl.Visits, Persons: cl.Persons, Cases: cl.Cases}
	}
	if out.ConclusionNotices, out.DirectiveLetters, err = s.countIssued(ctx, c.IDs, c.From, c.To); err != nil {
		return report.Summary{}, err
	}
	if out.Petitions, err = s.countPetitions(ctx, c.IDs, c.From, c.To); err != nil {
		return report.Summary{}, err
	}
	// Every checked figure comes from the same roll-up rows, so a failure here is a bug in this
	// package; refusing beats publishing a paragraph that contradicts itself.
	if err := out.Validate(); err != nil {
		return report.Summary{}, fmt.Errorf("inconsistent summary: %w", err)
	}
	return out, nil
}
