package registry

import (
	"context"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
)

// caseBench loads a generated register of cases through the register's rules (the
// benchmark, and the tests that need a register of some size).
type caseBench struct {
	tb          testing.TB
	s           *Service
	orgID       string
	personIDs   []string
	delegations []string
	sessions    map[string]string // by date
}

type loadedCase struct {
	index int
	seq   int64
}

// session is the session of a date, made on first use.
func (cb *caseBench) session(date string) string {
	if id, ok := cb.sessions[date]; ok {
		return id
	}
	created, err := cb.s.CreateSession(context.Background(), auth.System, NewSession{OrgID: &cb.orgID, Kind: "regular", Date: date})
	if err != nil {
		cb.tb.Fatal(err)
	}
	cb.sessions[date] = created.ID
	return created.ID
}

func (cb *caseBench) idsOf(persons []int) []string {
	ids := make([]string, len(persons))
	for i, p := range persons {
		ids[i] = cb.personIDs[p]
	}
	return ids
}

func (cb *caseBench) newVisit(c dedup.LabelledCase) NewVisit {
	v := NewVisit{SessionID: cb.session(c.Date), PersonIDs: cb.idsOf(c.Persons), Case: &NewCase{Title: c.Title, Summary: c.Summary,
		Category: c.Category, Field: c.Field, Respondent: c.Respondent, Status: c.Status}}
	if c.Delegation >= 0 {
		v.DelegationID = &cb.delegations[c.Delegation]
	}
	return v
}

// loadCases opens the cases given, each with its visit, five hundred per transaction, through
// the rules a visit follows (numbering, keys, counts).
func (cb *caseBench) loadCases(reg dedup.CaseRegister, which []int) []loadedCase {
	ctx := context.Background()
	s := cb.s
	for _, i := range which {
		cb.session(reg.Cases[i].Date)
	}
	var out []loadedCase
	for lo := 0; lo < len(which); lo += 500 {
		_, err := inTxOpeningCases(ctx, s, auth.System, func(tx *gorm.DB, opener *caseOpener) (struct{}, error) {
			for _, i := range which[lo:min(lo+500, len(which))] {
				c := reg.Cases[i]
				in := cb.newVisit(c)
				row, err := opener.open(ctx, tx, cb.orgID, *in.Case)
				if err != nil {
					return struct{}{}, fmt.Errorf("case %d: %w", i, err)
				}
				visit := &visitRow{Meta: s.newMeta(cb.orgID), SessionID: in.SessionID, Kind: "regular", Date: c.Date,
					CaseID: row.ID, CaseSeq: row.Seq, Headcount: max(len(c.Persons), 1), DelegationID: in.DelegationID}
				if err := tx.WithContext(ctx).Create(visit).Error; err != nil {
					return struct{}{}, err
				}
				if err := visitPersons.insert(ctx, tx, visit.ID, in.PersonIDs); err != nil {
					return struct{}{}, err
				}
				if err := indexVisit(ctx, tx, row.Seq, cb.orgID, in.PersonIDs, in.DelegationID); err != nil {
					return struct{}{}, err
				}
				out = append(out, loadedCase{index: i, seq: row.Seq})
			}
			return struct{}{}, nil
		})
		if err != nil {
			cb.tb.Fatal(err)
		}
	}
	return out
}
