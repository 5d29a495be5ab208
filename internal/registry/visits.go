package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
)

// Visit is one reception turn (lượt tiếp): one citizen or one group received once about one
// case, during a session.
type Visit struct {
	ID           string   `json:"id"`
	OrgID        string   `json:"org_id"`
	SessionID    string   `json:"session_id"`
	Kind         string   `json:"kind" enums:"regular,periodic,urgent"`
	Date         string   `json:"date" example:"2024-03-15"`
	CaseID       string   `json:"case_id"`
	PersonIDs    []string `json:"person_ids"`
	Headcount    int      `json:"headcount" example:"3"`
	DelegationID *string  `json:"delegation_id"`
	// IsDelegation: headcount at or above the configured threshold (TCD_DELEGATION_MIN).
	IsDelegation bool      `json:"is_delegation"`
	Content      *string   `json:"content" example:"Đề nghị giải quyết dứt điểm tranh chấp ranh giới đất"`
	Outcome      *string   `json:"outcome" enums:"accepted,guided,transferred,urged,answered,refused"`
	Note         *string   `json:"note"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Voiding
	Version int `json:"-"`
}

// CreatedVisit is the answer to POST /visits. PossibleDuplicates is present when the request
// opened a case: existing cases that look like the same matter, best first, so that staff can
// link the visit to one of them instead.
type CreatedVisit struct {
	Visit
	PossibleDuplicates []CaseCandidate `json:"possible_duplicates,omitzero"`
}

type visitRow struct {
	Meta         `gorm:"embedded"`
	SessionID    string
	Kind         string // copied from the session, as is Date: statistics read visits alone
	Date         string
	CaseID       string
	CaseSeq      int64
	Headcount    int
	DelegationID *string
	Content      *string
	Outcome      *string
	Note         *string
}

func (visitRow) TableName() string { return "visits" }

type visitPersonRow struct {
	VisitID  string
	PersonID string
	Position int
}

func (visitPersonRow) TableName() string { return "visit_persons" }

func (s *Service) toVisit(r *visitRow, personIDs []string) Visit {
	if personIDs == nil {
		personIDs = []string{}
	}
	return Visit{ID: r.ID, OrgID: r.OrgID, SessionID: r.SessionID, Kind: r.Kind, Date: r.Date, CaseID: r.CaseID,
		PersonIDs: personIDs, Headcount: r.Headcount, DelegationID: r.DelegationID,
		IsDelegation: r.Headcount >= s.cfg.DelegationMin, Content: r.Content, Outcome: r.Outcome, Note: r.Note,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Voiding: r.voiding(), Version: r.Version}
}

// NewVisit is the body of POST /visits. The visit belongs to its session's organisation and
// takes the session's kind and date. The case is case_id or an inline case (one of the two); the
// people are person_ids and/or inline persons, at least one in all.
type NewVisit struct {
	SessionID    string      `json:"session_id" validate:"required"`
	CaseID       *string     `json:"case_id,omitempty"`
	Case         *NewCase    `json:"case,omitempty" validate:"-"` // a case to open with the visit, as POST /cases; its errors are named case.FIELD
	PersonIDs    []string    `json:"person_ids,omitempty" validate:"max=500"`
	Persons      []NewPerson `json:"persons,omitempty" validate:"max=500"` // persons to register with the visit, as POST /persons; errors are named persons[i].FIELD
	Headcount    *int        `json:"headcount,omitempty" validate:"omitempty,gte=1,lte=100000" example:"3"`
	DelegationID *string     `json:"delegation_id,omitempty"`
	Content      *string     `json:"content,omitempty" validate:"omitempty,max=10000"`
	Outcome      *string     `json:"outcome,omitempty" enums:"accepted,guided,transferred,urged,answered,refused"`
	Note         *string     `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// VisitPatch is the body of PATCH /visits/{id}: only the fields present change; an empty
// string clears content, outcome or note.
type VisitPatch struct {
	Headcount *int    `json:"headcount,omitempty" validate:"omitempty,gte=1,lte=100000"`
	Content   *string `json:"content,omitempty" validate:"omitempty,max=10000"`
	Outcome   *string `json:"outcome,omitempty" enums:"accepted,guided,transferred,urged,answered,refused"`
	Note      *string `json:"note,omitempty" validate:"omitempty,max=2000"`
}

var outcomes = []string{"accepted", "guided", "transferred", "urged", "answered", "refused"}

// checkVisitText tidies the free text of a visit, new or patched, and checks the outcome.
func checkVisitText(row *visitRow) error {
	row.Content, row.Outcome, row.Note = optText(row.Content), optText(row.Outcome), optText(row.Note)
	if row.Outcome != nil && !slices.Contains(outcomes, *row.Outcome) {
		return apperr.Field("outcome", "must be one of: accepted, guided, transferred, urged, answered, refused")
	}
	return nil
}

// checkHeadcount: everyone named in the visit came, so the headcount cannot be lower.
func checkHeadcount(headcount, persons int) error {
	if headcount < persons {
		return apperr.Field("headcount", "is %d but the visit names %d persons: it cannot be lower", headcount, persons)
	}
	return nil
}

// addInvalid collects the field errors of err into fe under prefix (none when empty) and
// reports whether err was only that; any other error must stop the request.
func addInvalid(fe *apperr.Fields, prefix string, err error) bool {
	if apperr.CodeOf(err) != apperr.Invalid {
		return false
	}
	var e *apperr.Error
	errors.As(err, &e)
	for _, f := range e.Fields {
		if prefix == "" {
			fe.Add(f.Field, "%s", f.Message)
		} else {
			fe.Add(prefix+"."+f.Field, "%s", f.Message)
		}
	}
	return true
}

// checkNewVisit applies the rules that need no database, collecting every problem.
func checkNewVisit(in NewVisit) error {
	var fe apperr.Fields
	if err := validate.Struct(in); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	switch {
	case in.CaseID != nil && in.Case != nil:
		fe.Add("case_id", "give case_id or case, not both")
	case in.CaseID == nil && in.Case == nil:
		fe.Add("case_id", "is required, or case to open a new one")
	}
	persons := len(in.PersonIDs) + len(in.Persons)
	if persons == 0 {
		fe.Add("persons", "at least one person is required: person_ids of registered persons and/or persons to register")
	}
	for i, id := range in.PersonIDs {
		if slices.Index(in.PersonIDs, id) < i {
			fe.Add(fmt.Sprintf("person_ids[%d]", i), "repeats person %q", id)
		}
	}
	if in.Headcount != nil && *in.Headcount >= 1 {
		if err := checkHeadcount(*in.Headcount, persons); err != nil {
			addInvalid(&fe, "", err)
		}
	}
	return fe.Err()
}

// CreateVisit records a visit, opening its case and registering its new persons in the same
// transaction: a single bad part writes nothing at all.
func (s *Service) CreateVisit(ctx context.Context, actor auth.Actor, in NewVisit) (CreatedVisit, error) {
	if err := checkNewVisit(in); err != nil {
		return CreatedVisit{}, err
	}
	var out CreatedVisit
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		session, err := reference[sessionRow](ctx, tx, actor, "session_id", "session", in.SessionID)
		if err != nil {
			return err
		}
		orgID := session.OrgID
		var fe apperr.Fields
		// a reference or inline record that fails is noted and the rest still checked, so the
		// client learns every problem at once; the transaction is rolled back at the end
		note := func(prefix string, err error) error {
			if addInvalid(&fe, prefix, err) {
				return nil
			}
			return err
		}
		row := &visitRow{Meta: s.newMeta(orgID), SessionID: session.ID, Kind: session.Kind, Date: session.Date,
			Content: in.Content, Outcome: in.Outcome, Note: in.Note}
		if err := note("", checkVisitText(row)); err != nil {
			return err
		}

		var newCase *caseRow
		if in.CaseID != nil {
			c, err := reference[caseRow](ctx, tx, actor, "case_id", "case", *in.CaseID)
			if err := note("", err); err != nil {
				return err
			}
			if c != nil {
				row.CaseID, row.CaseSeq = c.ID, c.Seq
			}
		} else {
			if in.Case.OrgID != nil && *in.Case.OrgID != orgID {
				fe.Add("case.org_id", "a case opened with a visit belongs to the session's organisation")
			}
			c, err := s.createCase(ctx, tx, actor, orgID, *in.Case)
			if err := note("case", err); err != nil {
				return err
			}
			if c != nil {
				newCase, row.CaseID, row.CaseSeq = c, c.ID, c.Seq
			}
		}

		personIDs := slices.Clone(in.PersonIDs)
		if err := note("", checkPersonsExist(ctx, tx, actor, in.PersonIDs)); err != nil {
			return err
		}
		for i, np := range in.Persons {
			prefix := fmt.Sprintf("persons[%d]", i)
			if np.OrgID != nil && *np.OrgID != orgID {
				fe.Add(prefix+".org_id", "a person registered with a visit belongs to the session's organisation")
			}
			p, err := s.createPerson(ctx, tx, actor, orgID, np)
			if err := note(prefix, err); err != nil {
				return err
			}
			if p != nil {
				personIDs = append(personIDs, p.ID)
			}
		}

		members := 0
		if in.DelegationID != nil {
			d, err := delegationMembers(ctx, tx, actor, *in.DelegationID)
			if err := note("", err); err != nil {
				return err
			}
			row.DelegationID, members = in.DelegationID, d
		}
		if err := fe.Err(); err != nil {
			return err
		}
		row.Headcount = derefOr(in.Headcount, max(len(personIDs), members))

		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return err
		}
		if err := linkPersons(ctx, tx, row.ID, personIDs); err != nil {
			return err
		}
		err = audit.Record(ctx, tx, actor, "create", "visit", row.ID, map[string]any{"session_id": row.SessionID,
			"case_id": row.CaseID, "person_ids": personIDs, "headcount": row.Headcount, "delegation_id": row.DelegationID})
		if err != nil {
			return err
		}
		out.Visit = s.toVisit(row, personIDs)
		if newCase != nil {
			out.PossibleDuplicates, err = s.possibleDuplicates(ctx, tx, newCase)
		}
		return err
	})
	return out, err
}

// checkPersonsExist checks in one query that every id names a live person the actor reaches.
func checkPersonsExist(ctx context.Context, tx *gorm.DB, actor auth.Actor, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var found []string
	q := tx.WithContext(ctx).Table("persons").Where("id IN ? AND voided_at IS NULL", ids)
	if err := orgs.InScope(q, actor, "org_id").Pluck("id", &found).Error; err != nil {
		return err
	}
	var fe apperr.Fields
	for i, id := range ids {
		if !slices.Contains(found, id) {
			fe.Add(fmt.Sprintf("person_ids[%d]", i), "no person with id %q", id)
		}
	}
	return fe.Err()
}

// delegationMembers reads the member count of a live delegation the actor reaches.
func delegationMembers(ctx context.Context, tx *gorm.DB, actor auth.Actor, id string) (int, error) {
	var counts []int
	q := tx.WithContext(ctx).Table("delegations").Where("id = ? AND voided_at IS NULL", id)
	if err := orgs.InScope(q, actor, "org_id").Pluck("member_count", &counts).Error; err != nil {
		return 0, err
	}
	if len(counts) == 0 {
		return 0, apperr.Field("delegation_id", "no delegation with id %q", id)
	}
	return counts[0], nil
}

func linkPersons(ctx context.Context, tx *gorm.DB, visitID string, personIDs []string) error {
	links := make([]visitPersonRow, len(personIDs))
	for i, id := range personIDs {
		links[i] = visitPersonRow{VisitID: visitID, PersonID: id, Position: i}
	}
	return tx.WithContext(ctx).Create(&links).Error
}

// visitPersonIDs returns the person ids of each visit, in the order given, in one query.
func visitPersonIDs(ctx context.Context, db *gorm.DB, visitIDs []string) (map[string][]string, error) {
	out := make(map[string][]string, len(visitIDs))
	if len(visitIDs) == 0 {
		return out, nil
	}
	var links []visitPersonRow
	err := db.WithContext(ctx).Where("visit_id IN ?", visitIDs).Order("visit_id, position").Find(&links).Error
	for _, l := range links {
		out[l.VisitID] = append(out[l.VisitID], l.PersonID)
	}
	return out, err
}

func (s *Service) visitWithPersons(ctx context.Context, db *gorm.DB, row *visitRow) (Visit, error) {
	ids, err := visitPersonIDs(ctx, db, []string{row.ID})
	if err != nil {
		return Visit{}, err
	}
	return s.toVisit(row, ids[row.ID]), nil
}

// GetVisit reads one visit.
func (s *Service) GetVisit(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Visit, error) {
	row, err := load[visitRow](ctx, s.store.DB, actor, "visit", id, opt)
	if err != nil {
		return Visit{}, err
	}
	return s.visitWithPersons(ctx, s.store.DB, row)
}

// UpdateVisit applies a partial update. The session, case and persons of a visit are what
// happened and stay; a visit recorded against the wrong ones is voided and recorded again.
func (s *Service) UpdateVisit(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in VisitPatch) (Visit, error) {
	if err := validate.Struct(in); err != nil {
		return Visit{}, err
	}
	var out Visit
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[visitRow](ctx, tx, actor, "visit", id, ReadOptions{})
		if err != nil {
			return err
		}
		before := *row
		setIf(&row.Headcount, in.Headcount)
		setPtrIf(&row.Content, in.Content)
		setPtrIf(&row.Outcome, in.Outcome)
		setPtrIf(&row.Note, in.Note)
		if err := checkVisitText(row); err != nil {
			return err
		}
		if row.Headcount != before.Headcount {
			var persons int64
			if err := tx.WithContext(ctx).Model(&visitPersonRow{}).Where("visit_id = ?", id).Count(&persons).Error; err != nil {
				return err
			}
			if err := checkHeadcount(row.Headcount, int(persons)); err != nil {
				return err
			}
		}
		diff := changed{}
		cols := map[string]any{}
		track(diff, cols, "headcount", before.Headcount, row.Headcount)
		trackPtr(diff, cols, "content", before.Content, row.Content)
		trackPtr(diff, cols, "outcome", before.Outcome, row.Outcome)
		trackPtr(diff, cols, "note", before.Note, row.Note)
		if err := s.update(ctx, tx, row, ifMatch, cols); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "update", "visit", id, diff); err != nil {
			return err
		}
		fresh, err := load[visitRow](ctx, tx, actor, "visit", id, ReadOptions{})
		if err != nil {
			return err
		}
		out, err = s.visitWithPersons(ctx, tx, fresh)
		return err
	})
	return out, err
}

// VoidVisit voids a visit: it stays readable and counts nowhere.
func (s *Service) VoidVisit(ctx context.Context, actor auth.Actor, id, reason string) (Visit, error) {
	var out Visit
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[visitRow](ctx, tx, actor, "visit", id, ReadOptions{})
		if err != nil {
			return err
		}
		if err := s.void(ctx, tx, actor, "visit", row, reason); err != nil {
			return err
		}
		fresh, err := load[visitRow](ctx, tx, actor, "visit", id, ReadOptions{IncludeVoided: true})
		if err != nil {
			return err
		}
		out, err = s.visitWithPersons(ctx, tx, fresh)
		return err
	})
	return out, err
}

// VisitFilter narrows ListVisits; the json names are the query parameters. CaseID finds the
// visits recorded against that case and, when it is the surviving case of merges, those of the
// cases merged into it: the visits that count for it.
type VisitFilter struct {
	From          string `json:"from" validate:"omitempty,date"`
	To            string `json:"to" validate:"omitempty,date"`
	Kind          string `json:"kind" validate:"omitempty,oneof=regular periodic urgent"`
	SessionID     string `json:"session_id"`
	CaseID        string `json:"case_id"`
	PersonID      string `json:"person_id"`
	DelegationID  string `json:"delegation_id"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListVisits lists visits newest first, with their person ids.
func (s *Service) ListVisits(ctx context.Context, actor auth.Actor, f VisitFilter) ([]Visit, string, error) {
	if err := validate.Struct(f); err != nil {
		return nil, "", err
	}
	db := s.store.DB.WithContext(ctx)
	q := orgs.InScope(db.Model(&visitRow{}), actor, "org_id")
	if !f.IncludeVoided {
		q = q.Where("voided_at IS NULL")
	}
	q = whereDates(q, "date", f.From, f.To)
	for _, eq := range [][2]string{{"kind", f.Kind}, {"session_id", f.SessionID}, {"delegation_id", f.DelegationID}} {
		if eq[1] != "" {
			q = q.Where(eq[0]+" = ?", eq[1])
		}
	}
	if f.PersonID != "" {
		q = q.Where("id IN (?)", db.Model(&visitPersonRow{}).Select("visit_id").Where("person_id = ?", f.PersonID))
	}
	if f.CaseID != "" {
		var c []caseRow
		if err := db.Select("seq", "root_seq").Where("id = ?", f.CaseID).Limit(1).Find(&c).Error; err != nil {
			return nil, "", err
		}
		switch {
		case len(c) == 0:
			return []Visit{}, "", nil
		case c[0].RootSeq == c[0].Seq:
			q = q.Where("case_seq IN (?)", db.Model(&caseRow{}).Select("seq").Where("root_seq = ?", c[0].Seq))
		default:
			q = q.Where("case_seq = ?", c[0].Seq)
		}
	}
	var rows []visitRow
	next, err := page.Fetch(q, f.Page, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	persons, err := visitPersonIDs(ctx, db, ids)
	if err != nil {
		return nil, "", err
	}
	out := make([]Visit, len(rows))
	for i := range rows {
		out[i] = s.toVisit(&rows[i], persons[rows[i].ID])
	}
	return out, next, nil
}
