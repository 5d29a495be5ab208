package registry

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
)

// intake is what a visit or a petition names: its case, an existing one or one opened in the
// same request, and its persons, registered already or registered in the same request.
type intake struct {
	kase      *caseRow // nil when case_id named nothing the actor reaches (noted as a field error)
	opened    bool     // the request opened the case
	personIDs []string // in the order given: person_ids, then the new persons
}

// merged reports whether the case counts for another by a merge.
func (in intake) merged() bool { return in.kase != nil && !in.opened && in.kase.RootSeq != in.kase.Seq }

// category is the case's category, "" when there is no case.
func (in intake) category() string {
	if in.kase == nil {
		return ""
	}
	return in.kase.Category
}

// takeIn resolves in tx the case (caseID, or newCase opened with cases) and the persons
// (personIDs, and persons registered now) of a record of organisation orgID; owner names that
// organisation in messages ("the session's organisation"). Problems with the input are added to
// fe, so that the client learns every one at once; any other error is returned.
func (s *Service) takeIn(ctx context.Context, tx *gorm.DB, actor auth.Actor, cases *caseOpener, orgID, owner string,
	caseID *string, newCase *NewCase, personIDs []string, persons []NewPerson, fe *apperr.Fields) (intake, error) {
	var out intake
	note := func(prefix string, err error) error {
		if addInvalid(fe, prefix, err) {
			return nil
		}
		return err
	}
	if caseID != nil {
		c, err := reference[caseRow](ctx, tx, actor, "case_id", "case", *caseID)
		if err := note("", err); err != nil {
			return out, err
		}
		out.kase = c
	} else {
		if newCase.OrgID != nil && *newCase.OrgID != orgID {
			fe.Add("case.org_id", "a case opened with it belongs to %s", owner)
		}
		c, err := cases.open(ctx, tx, orgID, *newCase)
		if err := note("case", err); err != nil {
			return out, err
		}
		out.kase, out.opened = c, c != nil
	}
	out.personIDs = slices.Clone(personIDs)
	if err := note("", references(ctx, tx, actor, "persons", "person", "person_ids", personIDs)); err != nil {
		return out, err
	}
	for i, np := range persons {
		prefix := fmt.Sprintf("persons[%d]", i)
		if np.OrgID != nil && *np.OrgID != orgID {
			fe.Add(prefix+".org_id", "a person registered with it belongs to %s", owner)
		}
		p, err := s.createPerson(ctx, tx, actor, orgID, np)
		if err := note(prefix, err); err != nil {
			return out, err
		}
		if p != nil {
			out.personIDs = append(out.personIDs, p.ID)
		}
	}
	return out, nil
}

// checkCaseChoice: a record names an existing case or opens one, never both, never neither.
func checkCaseChoice(fe *apperr.Fields, caseID *string, newCase *NewCase) {
	switch {
	case caseID != nil && newCase != nil:
		fe.AddAs(apperr.Conflicting, "case_id", "give case_id or case, not both")
	case caseID == nil && newCase == nil:
		fe.AddAs(apperr.Required, "case_id", "is required, or case to open a new one")
	}
}
