package registry

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// Visit is one reception turn (lượt tiếp): one citizen or one group received once about one
// case, during a session.
type Visit struct {
	ID        string   `json:"id" validate:"required"`
	OrgID     string   `json:"org_id" validate:"required"`
	SessionID string   `json:"session_id" validate:"required"`
	Kind      string   `json:"kind" vocab:"session.kind" enums:"regular,periodic,urgent" validate:"required"`
	Date      string   `json:"date" example:"2024-03-15" validate:"required" format:"date"`
	CaseID    string   `json:"case_id" validate:"required"`
	PersonIDs []string `json:"person_ids" validate:"required"`
	// IdentityHidden: the visit is about a denunciation whose denouncers this token may not see,
	// so person_ids is empty (only admins and the staff of the case's organisation see them).
	IdentityHidden bool    `json:"identity_hidden,omitempty"`
	Headcount      int     `json:"headcount" example:"3" validate:"required"`
	DelegationID   *string `json:"delegation_id" extensions:"x-nullable" validate:"required"`
	// IsDelegation: headcount at or above the configured threshold (TCD_DELEGATION_MIN).
	IsDelegation bool    `json:"is_delegation" validate:"required"`
	Content      *string `json:"content" example:"Đề nghị giải quyết dứt điểm tranh chấp ranh giới đất" extensions:"x-nullable" validate:"required"`
	Outcome      *string `json:"outcome" vocab:"visit.outcome" enums:"accepted,guided,transferred,urged,answered,refused" extensions:"x-nullable" validate:"required"`
	Handling
	Note      *string   `json:"note" extensions:"x-nullable" validate:"required"`
	CreatedAt time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (v Visit) Ref() (id string, version int) { return v.ID, v.Version }

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
	Handling     `gorm:"embedded"`
	Note         *string
}

func (visitRow) TableName() string { return "visits" }

// Handling is the detail Form 03's handling column ("Hướng xử lý") prints beside the outcome:
// the number of the guidance document a citizen was returned with, or the body the matter was
// transferred to and the number of the transfer document.
type Handling struct {
	// GuidanceNumber: the guidance document's number, for the outcome guided
	GuidanceNumber *string `json:"guidance_number" example:"12/HD-TCD" extensions:"x-nullable" validate:"required"`
	// TransferredTo: the body the matter went to, for the outcome transferred
	TransferredTo *string `json:"transferred_to" example:"UBND huyện Hải Lăng" extensions:"x-nullable" validate:"required"`
	// TransferNumber: the transfer document's number, for the outcome transferred
	TransferNumber *string `json:"transfer_number" example:"45/PC-TCD" extensions:"x-nullable" validate:"required"`
}

var visitPersons = linkTable{table: "visit_persons", owners: "visits", owner: "visit_id", member: "person_id"}

var visitKind = kind[visitRow, *visitRow, Visit]{entity: "visit",
	out: keepingSecrets[visitRow]("visits", (*Service).secretVisit, withLinks(visitPersons, (*Service).toVisit), func(v *Visit) {
		v.PersonIDs, v.IdentityHidden = []string{}, true
	})}

func (s *Service) toVisit(r *visitRow, personIDs []string) Visit {
	return Visit{ID: r.ID, OrgID: r.OrgID, SessionID: r.SessionID, Kind: r.Kind, Date: r.Date, CaseID: r.CaseID,
		PersonIDs: nonNil(personIDs), Headcount: r.Headcount, DelegationID: r.DelegationID,
		IsDelegation: r.Headcount >= s.cfg.DelegationMin, Content: r.Content, Outcome: r.Outcome, Handling: r.Handling, Note: r.Note,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Voiding: r.voiding(), Version: r.Version}
}

// NewVisit is the body of POST /visits. The visit belongs to its session's organisation and
// takes the session's kind and date. The case is case_id or an inline case (one of the two); the
// people are person_ids and/or inline persons, at least one in all.
type NewVisit struct {
	SessionID    string      `json:"session_id" validate:"required" minLength:"1"`
	CaseID       *string     `json:"case_id,omitempty"`
	Case         *NewCase    `json:"case,omitempty" validate:"-"` // a case to open with the visit, as POST /cases; its errors are named case.FIELD
	PersonIDs    []string    `json:"person_ids,omitempty" validate:"max=500"`
	Persons      []NewPerson `json:"persons,omitempty" validate:"max=500"` // persons to register with the visit, as POST /persons; errors are named persons[i].FIELD
	Headcount    *int        `json:"headcount,omitempty" validate:"omitempty,gte=1,lte=100000" example:"3"`
	DelegationID *string     `json:"delegation_id,omitempty"`
	Content      *string     `json:"content,omitempty" validate:"omitempty,max=10000"`
	Outcome      *string     `json:"outcome,omitempty" vocab:"visit.outcome" enums:"accepted,guided,transferred,urged,answered,refused"`
	// GuidanceNumber only with the outcome guided; TransferredTo and TransferNumber only with
	// transferred
	GuidanceNumber *string `json:"guidance_number,omitempty" validate:"omitempty,max=100" example:"12/HD-TCD"`
	TransferredTo  *string `json:"transferred_to,omitempty" validate:"omitempty,max=500" example:"UBND huyện Hải Lăng"`
	TransferNumber *string `json:"transfer_number,omitempty" validate:"omitempty,max=100" example:"45/PC-TCD"`
	Note           *string `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// VisitPatch is the body of PATCH /visits/{id}: only the fields present change; null (or "")
// clears content, outcome or note.
type VisitPatch struct {
	Headcount validate.Optional[int]    `json:"headcount" validate:"omitempty,gte=1,lte=100000" swaggertype:"integer"`
	Content   validate.Optional[string] `json:"content" validate:"omitempty,max=10000" swaggertype:"string" extensions:"x-nullable"`
	Outcome   validate.Optional[string] `json:"outcome" vocab:"visit.outcome" enums:"accepted,guided,transferred,urged,answered,refused" swaggertype:"string" extensions:"x-nullable"`
	// the handling detail must fit the outcome the visit has after the patch
	GuidanceNumber validate.Optional[string] `json:"guidance_number" validate:"omitempty,max=100" swaggertype:"string" extensions:"x-nullable"`
	TransferredTo  validate.Optional[string] `json:"transferred_to" validate:"omitempty,max=500" swaggertype:"string" extensions:"x-nullable"`
	TransferNumber validate.Optional[string] `json:"transfer_number" validate:"omitempty,max=100" swaggertype:"string" extensions:"x-nullable"`
	Note           validate.Optional[string] `json:"note" validate:"omitempty,max=2000" swaggertype:"string" extensions:"x-nullable"`
}

// checkVisitText tidies the free text of a visit, new or patched, and checks the outcome and
// that its handling detail fits it.
func checkVisitText(row *visitRow) error {
	row.Content, row.Outcome, row.Note = optText(row.Content), optText(row.Outcome), optText(row.Note)
	if row.Outcome != nil && !vocab.VisitOutcome.Has(*row.Outcome) {
		return apperr.FieldAs(apperr.ForbiddenValue, "outcome", "%s", vocab.VisitOutcome.OneOf())
	}
	return row.Handling.check(derefOr(row.Outcome, ""))
}

// check tidies the handling detail and refuses detail that belongs to another outcome: a
// guidance number on a transferred visit would print in the register as if it had been guided.
func (h *Handling) check(outcome string) error {
	h.GuidanceNumber, h.TransferredTo, h.TransferNumber = optText(h.GuidanceNumber), optText(h.TransferredTo), optText(h.TransferNumber)
	var fe apperr.Fields
	if h.GuidanceNumber != nil && outcome != "guided" {
		fe.Add("guidance_number", "is only for the outcome guided")
	}
	if outcome != "transferred" {
		if h.TransferredTo != nil {
			fe.Add("transferred_to", "is only for the outcome transferred")
		}
		if h.TransferNumber != nil {
			fe.Add("transfer_number", "is only for the outcome transferred")
		}
	}
	return fe.Err()
}

// checkHeadcount: everyone named in the visit came, so the headcount cannot be lower.
func checkHeadcount(headcount, persons int) error {
	if headcount < persons {
		return apperr.Field("headcount", "is %d but the visit names %d persons: it cannot be lower", headcount, persons)
	}
	return nil
}

// checkNewVisit applies the rules that need no database, collecting every problem.
func checkNewVisit(in NewVisit) error {
	var fe apperr.Fields
	if err := validate.Struct(in); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	checkCaseChoice(&fe, in.CaseID, in.Case)
	persons := len(in.PersonIDs) + len(in.Persons)
	if persons == 0 {
		fe.AddAs(apperr.Required, "persons", "at least one person is required: person_ids of registered persons and/or persons to register")
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
	var newCase *caseRow
	out, err := inTxOpeningCases(ctx, s, actor, func(tx *gorm.DB, cases *caseOpener) (CreatedVisit, error) {
		row, opened, err := s.createVisit(ctx, tx, actor, cases, in)
		if err != nil {
			return CreatedVisit{}, err
		}
		newCase = opened
		visit, err := visitKind.one(ctx, s, tx, actor, row)
		return CreatedVisit{Visit: visit}, err
	})
	if err != nil || newCase == nil {
		return out, err
	}
	// Looked up after the commit: the search only reads, and inside the transaction it would
	// hold the organisation's case-number counter (and SQLite's write lock) while it runs, which
	// under load queued every other visit that opens a case behind it.
	// The visit is committed by now: a failed suggestion must not report the write as failed
	// (a client would retry and record it twice), so it answers no suggestions instead.
	if out.PossibleDuplicates, err = s.possibleDuplicates(ctx, actor, newCase); err != nil {
		out.PossibleDuplicates = []CaseCandidate{}
	}
	return out, nil
}

// createVisit checks and inserts a visit with its inline case (opened with cases) and persons;
// newCase is the case it opened, if any.
func (s *Service) createVisit(ctx context.Context, tx *gorm.DB, actor auth.Actor, cases *caseOpener, in NewVisit) (row *visitRow, newCase *caseRow, err error) {
	session, err := reference[sessionRow](ctx, tx, actor, "session_id", "session", in.SessionID)
	if err != nil {
		return nil, nil, err
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
	s.notFuture(&fe, "session_id", "the session's date", session.Date)
	row = &visitRow{Meta: s.newMeta(orgID), SessionID: session.ID, Kind: session.Kind, Date: session.Date,
		Content: in.Content, Outcome: in.Outcome, Note: in.Note,
		Handling: Handling{GuidanceNumber: in.GuidanceNumber, TransferredTo: in.TransferredTo, TransferNumber: in.TransferNumber}}
	if err := note("", checkVisitText(row)); err != nil {
		return nil, nil, err
	}

	taken, err := s.takeIn(ctx, tx, actor, cases, orgID, "the session's organisation", in.CaseID, in.Case, in.PersonIDs, in.Persons, &fe)
	if err != nil {
		return nil, nil, err
	}
	caseOrg := orgID // the organisation whose register finds the case (case_keys)
	if taken.kase != nil {
		row.CaseID, row.CaseSeq, caseOrg = taken.kase.ID, taken.kase.Seq, taken.kase.OrgID
		if taken.opened {
			newCase = taken.kase
		}
	}
	personIDs := taken.personIDs

	members := 0
	if in.DelegationID != nil {
		d, err := delegationMembers(ctx, tx, actor, *in.DelegationID)
		if err := note("", err); err != nil {
			return nil, nil, err
		}
		row.DelegationID, members = in.DelegationID, d
	}
	if err := fe.Err(); err != nil {
		return nil, nil, err
	}
	row.Headcount = derefOr(in.Headcount, max(len(personIDs), members))

	if err := tx.WithContext(ctx).Create(row).Error; err != nil {
		return nil, nil, err
	}
	if err := visitPersons.insert(ctx, tx, row.ID, personIDs); err != nil {
		return nil, nil, err
	}
	if err := indexVisit(ctx, tx, row.CaseSeq, caseOrg, personIDs, row.DelegationID); err != nil {
		return nil, nil, err
	}
	// a denunciation's visit records its persons as denouncers (confidential.go)
	if taken.category() == denunciation || taken.merged() {
		if err := s.recordDenouncers(ctx, tx, visitLinks, row.ID); err != nil {
			return nil, nil, err
		}
	}
	return row, newCase, audit.Record(ctx, tx, actor, "create", "visit", row.ID, map[string]any{"session_id": row.SessionID,
		"case_id": row.CaseID, "person_ids": nonNil(personIDs), "headcount": row.Headcount, "delegation_id": row.DelegationID})
}

// delegationMembers reads the member count of a live delegation the actor reaches.
func delegationMembers(ctx context.Context, tx *gorm.DB, actor auth.Actor, id string) (int, error) {
	var counts []int
	if err := liveIn(ctx, tx, actor, "delegations", []string{id}).Pluck("member_count", &counts).Error; err != nil {
		return 0, err
	}
	if len(counts) == 0 {
		return 0, apperr.FieldAs(apperr.UnknownReference, "delegation_id", "no delegation with id %q", id)
	}
	return counts[0], nil
}

// GetVisit reads one visit.
func (s *Service) GetVisit(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Visit, error) {
	return visitKind.get(ctx, s, actor, id, opt)
}

// UpdateVisit applies a partial update. The session, case and persons of a visit are what
// happened and stay; a visit recorded against the wrong ones is voided and recorded again.
func (s *Service) UpdateVisit(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in VisitPatch) (Visit, error) {
	return visitKind.edit(ctx, s, actor, id, "update", ifMatch, in, func(tx *gorm.DB, row *visitRow, before visitRow, c edits) error {
		var fe apperr.Fields
		setValue(&fe, "headcount", &row.Headcount, in.Headcount)
		setNullable(&row.Content, in.Content)
		setNullable(&row.Outcome, in.Outcome)
		setNullable(&row.GuidanceNumber, in.GuidanceNumber)
		setNullable(&row.TransferredTo, in.TransferredTo)
		setNullable(&row.TransferNumber, in.TransferNumber)
		setNullable(&row.Note, in.Note)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := checkVisitText(row); err != nil {
			return err
		}
		if row.Headcount != before.Headcount {
			var persons int64
			if err := tx.WithContext(ctx).Table(visitPersons.table).Where("visit_id = ?", id).Count(&persons).Error; err != nil {
				return err
			}
			if err := checkHeadcount(row.Headcount, int(persons)); err != nil {
				return err
			}
		}
		track(c, "headcount", before.Headcount, row.Headcount)
		trackPtr(c, "content", before.Content, row.Content)
		trackPtr(c, "outcome", before.Outcome, row.Outcome)
		trackPtr(c, "guidance_number", before.GuidanceNumber, row.GuidanceNumber)
		trackPtr(c, "transferred_to", before.TransferredTo, row.TransferredTo)
		trackPtr(c, "transfer_number", before.TransferNumber, row.TransferNumber)
		trackPtr(c, "note", before.Note, row.Note)
		return nil
	})
}

// VoidVisit voids a visit: it stays readable and counts nowhere.
func (s *Service) VoidVisit(ctx context.Context, actor auth.Actor, id, reason string) (Visit, error) {
	return visitKind.void(ctx, s, actor, id, reason)
}

// VisitFilter narrows ListVisits; the json names are the query parameters. CaseID finds the
// visits recorded against that case and, when it is the surviving case of merges, those of the
// cases merged into it: the visits that count for it.
type VisitFilter struct {
	From          string `json:"from" validate:"omitempty,date" format:"date"`
	To            string `json:"to" validate:"omitempty,date" format:"date"`
	Kind          string `json:"kind" validate:"omitempty,vocab" vocab:"session.kind" enums:"regular,periodic,urgent"`
	SessionID     string `json:"session_id" validate:"max=100"`
	CaseID        string `json:"case_id" validate:"max=100"`
	PersonID      string `json:"person_id" validate:"max=100"`
	DelegationID  string `json:"delegation_id" validate:"max=100"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListVisits lists visits newest first, with their person ids.
func (s *Service) ListVisits(ctx context.Context, actor auth.Actor, f VisitFilter) ([]Visit, string, error) {
	if err := checkFilter(f, f.From, f.To); err != nil {
		return nil, "", err
	}
	db := s.store.DB.WithContext(ctx)
	q := whereDates(visitKind.query(ctx, s, actor, f.IncludeVoided), "date", f.From, f.To)
	for _, eq := range [][2]string{{"kind", f.Kind}, {"session_id", f.SessionID}, {"delegation_id", f.DelegationID}} {
		if eq[1] != "" {
			q = q.Where(eq[0]+" = ?", eq[1])
		}
	}
	if f.PersonID != "" {
		// finding a denunciation's visits by person would name its denouncer
		q = q.Where("visits.id IN (?)", db.Table(visitPersons.table).Select("visit_id").Where("person_id = ?", f.PersonID))
		q = s.withoutSecretVisits(q, actor)
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
	return visitKind.list(ctx, s, actor, q, f.Page)
}
