package registry

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/calendar"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
)

// Petition is a written submission (đơn) the board received: by post, online, handed in or
// forwarded by another body, about one case, from its senders (none when anonymous). It must be
// handled (decided) within the rule petition.decision, counted on the working-day calendar.
type Petition struct {
	ID         string   `json:"id" validate:"required"`
	OrgID      string   `json:"org_id" validate:"required"`
	Code       string   `json:"code" example:"DON-2026-000012" validate:"required"`
	ReceivedOn string   `json:"received_on" example:"2026-02-10" validate:"required" format:"date"`
	Channel    string   `json:"channel" vocab:"petition.channel" enums:"in_person,post,online,forwarded" validate:"required"`
	PersonIDs  []string `json:"person_ids" validate:"required"`
	// IdentityHidden: the petition is about a denunciation whose denouncers this caller may not
	// see, so person_ids is empty.
	IdentityHidden bool    `json:"identity_hidden,omitempty"`
	CaseID         string  `json:"case_id" validate:"required"`
	SenderCount    int     `json:"sender_count" example:"1" validate:"required"`
	DocumentDate   *string `json:"document_date" example:"2026-02-05" extensions:"x-nullable" validate:"required" format:"date"`
	Content        *string `json:"content" extensions:"x-nullable" validate:"required"`
	ForwardedFrom  *string `json:"forwarded_from" example:"Ban Dân nguyện, Ủy ban Thường vụ Quốc hội" extensions:"x-nullable" validate:"required"`
	Decision       *string `json:"decision" vocab:"petition.decision" enums:"accepted,guided,transferred,stored,returned" extensions:"x-nullable" validate:"required"`
	DecidedOn      *string `json:"decided_on" example:"2026-02-24" extensions:"x-nullable" validate:"required" format:"date"`
	DecisionNumber *string `json:"decision_number" example:"15/TB-TCD" extensions:"x-nullable" validate:"required"`
	TransferredTo  *string `json:"transferred_to" example:"UBND huyện Hải Lăng" extensions:"x-nullable" validate:"required"`
	Guidance       *string `json:"guidance" extensions:"x-nullable" validate:"required"`
	// DueOn: the last day to decide, derived from the rule petition.decision and the calendar
	DueOn string `json:"due_on" example:"2026-03-03" validate:"required" format:"date"`
	// Status is derived on every read from due_on, decided_on and today.
	Status    string    `json:"status" vocab:"deadline.status" enums:"pending,due_soon,overdue,decided,decided_late" validate:"required"`
	Note      *string   `json:"note" extensions:"x-nullable" validate:"required"`
	CreatedAt time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (p Petition) Ref() (id string, version int) { return p.ID, p.Version }

// CreatedPetition is the answer to POST /petitions: with possible duplicates of the case it
// opened, as for a visit.
type CreatedPetition struct {
	Petition
	PossibleDuplicates []CaseCandidate `json:"possible_duplicates,omitzero"`
}

type petitionRow struct {
	Meta           `gorm:"embedded"`
	Code           string
	ReceivedOn     string
	Channel        string
	CaseID         string
	CaseSeq        int64
	SenderCount    int
	DocumentDate   *string
	Content        *string
	ForwardedFrom  *string
	Decision       *string
	DecidedOn      *string
	DecisionNumber *string
	TransferredTo  *string
	Guidance       *string
	DueOn          string
	Note           *string
}

func (petitionRow) TableName() string { return "petitions" }

var petitionPersons = linkTable{table: "petition_persons", owners: "petitions", owner: "petition_id", member: "person_id"}

var petitionKind = kind[petitionRow, *petitionRow, Petition]{entity: "petition",
	out: keepingSecrets[petitionRow]("petitions", (*Service).secretPetition, petitionsOut, func(p *Petition) {
		p.PersonIDs, p.IdentityHidden = []string{}, true
	})}

// petitionsOut answers a page of petitions with their senders and their status as of today.
func petitionsOut(ctx context.Context, s *Service, db *gorm.DB, _ auth.Actor, rows []petitionRow) ([]Petition, error) {
	links, err := petitionPersons.load(ctx, db, idsOf[petitionRow](rows))
	if err != nil {
		return nil, err
	}
	rules, err := s.deadlines(ctx, db)
	if err != nil {
		return nil, err
	}
	today := s.todayDate()
	out := make([]Petition, len(rows))
	for i := range rows {
		r := &rows[i]
		status, err := petitionStatus(rules, r, today)
		if err != nil {
			return nil, err
		}
		out[i] = Petition{ID: r.ID, OrgID: r.OrgID, Code: r.Code, ReceivedOn: r.ReceivedOn, Channel: r.Channel,
			PersonIDs: nonNil(links[r.ID]), CaseID: r.CaseID, SenderCount: r.SenderCount, DocumentDate: r.DocumentDate,
			Content: r.Content, ForwardedFrom: r.ForwardedFrom, Decision: r.Decision, DecidedOn: r.DecidedOn,
			DecisionNumber: r.DecisionNumber, TransferredTo: r.TransferredTo, Guidance: r.Guidance, DueOn: r.DueOn,
			Status: string(status), Note: r.Note, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
			Voiding: r.voiding(), Version: r.Version}
	}
	return out, nil
}

// petitionStatus derives where a petition stands against its due date as of today.
func petitionStatus(rules *calendar.Rules, r *petitionRow, today calendar.Date) (calendar.Status, error) {
	due, err := calendar.ParseDate(r.DueOn)
	if err != nil {
		return "", err
	}
	var decided *calendar.Date
	if r.DecidedOn != nil {
		d, err := calendar.ParseDate(*r.DecidedOn)
		if err != nil {
			return "", err
		}
		decided = &d
	}
	return rules.Calendar().Status(due, decided, today), nil
}

// PetitionStatuses derives petitions' statuses as of today on the calendar in force, for readers
// of the petitions table outside the registry (the register export): the status is the
// registry's to derive, the same on every route.
func (s *Service) PetitionStatuses(ctx context.Context) (func(dueOn string, decidedOn *string) (string, error), error) {
	rules, err := s.deadlines(ctx, s.store.DB)
	if err != nil {
		return nil, err
	}
	today := s.todayDate()
	return func(dueOn string, decidedOn *string) (string, error) {
		status, err := petitionStatus(rules, &petitionRow{DueOn: dueOn, DecidedOn: decidedOn}, today)
		return string(status), err
	}, nil
}

// NewPetition is the body of POST /petitions. The case is case_id or an inline case (one of
// the two); the senders are person_ids and/or inline persons, none for an anonymous petition.
type NewPetition struct {
	OrgID      *string     `json:"org_id,omitempty"`
	ReceivedOn string      `json:"received_on" validate:"required,date" example:"2026-02-10" format:"date"`
	Channel    string      `json:"channel" validate:"required,vocab" vocab:"petition.channel" enums:"in_person,post,online,forwarded"`
	CaseID     *string     `json:"case_id,omitempty"`
	Case       *NewCase    `json:"case,omitempty" validate:"-"` // a case to open with the petition, as POST /cases; its errors are named case.FIELD
	PersonIDs  []string    `json:"person_ids,omitempty" validate:"max=500"`
	Persons    []NewPerson `json:"persons,omitempty" validate:"max=500"` // senders to register with the petition; errors are named persons[i].FIELD
	// SenderCount: how many signed it; defaults to the persons given and may not be below them
	SenderCount   *int    `json:"sender_count,omitempty" validate:"omitempty,gte=0,lte=100000" example:"1"`
	DocumentDate  *string `json:"document_date,omitempty" validate:"omitnil,date" example:"2026-02-05" format:"date"`
	Content       *string `json:"content,omitempty" validate:"omitempty,max=20000"`
	ForwardedFrom *string `json:"forwarded_from,omitempty" validate:"omitempty,max=500"` // required for the channel forwarded
	Note          *string `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// PetitionPatch is the body of PATCH /petitions/{id}: only the fields present change; null (or
// "") clears the optional ones. The case and senders stay; the decision changes through
// POST /petitions/{id}/decide.
type PetitionPatch struct {
	ReceivedOn    validate.Optional[string] `json:"received_on" validate:"omitnil,date" swaggertype:"string" format:"date"`
	Channel       validate.Optional[string] `json:"channel" validate:"omitempty,vocab" vocab:"petition.channel" enums:"in_person,post,online,forwarded" swaggertype:"string"`
	SenderCount   validate.Optional[int]    `json:"sender_count" validate:"omitnil,gte=0,lte=100000" swaggertype:"integer"`
	DocumentDate  validate.Optional[string] `json:"document_date" validate:"omitnil,date" swaggertype:"string" extensions:"x-nullable" format:"date"`
	Content       validate.Optional[string] `json:"content" validate:"omitempty,max=20000" swaggertype:"string" extensions:"x-nullable"`
	ForwardedFrom validate.Optional[string] `json:"forwarded_from" validate:"omitempty,max=500" swaggertype:"string" extensions:"x-nullable"`
	Note          validate.Optional[string] `json:"note" validate:"omitempty,max=2000" swaggertype:"string" extensions:"x-nullable"`
}

// PetitionDecision is the body of POST /petitions/{id}/decide: how the petition was handled.
// A decision recorded wrongly is corrected by deciding again.
type PetitionDecision struct {
	Decision       string  `json:"decision" validate:"required,vocab" vocab:"petition.decision" enums:"accepted,guided,transferred,stored,returned"`
	DecidedOn      string  `json:"decided_on" validate:"required,date" example:"2026-02-24" format:"date"`
	DecisionNumber *string `json:"decision_number,omitempty" validate:"omitempty,max=100" example:"15/TB-TCD"`
	TransferredTo  *string `json:"transferred_to,omitempty" validate:"omitempty,max=500" example:"UBND huyện Hải Lăng"` // required for transferred
	Guidance       *string `json:"guidance,omitempty" validate:"omitempty,max=5000"`
}

// checkPetition applies the rules to the final values of a petition, new or patched, and
// derives its due date: senders is how many persons it names.
func (s *Service) checkPetition(ctx context.Context, tx *gorm.DB, row *petitionRow, senders int) error {
	row.Content, row.ForwardedFrom, row.Note = optText(row.Content), optText(row.ForwardedFrom), optText(row.Note)
	var fe apperr.Fields
	if today := s.today(); row.ReceivedOn > today {
		fe.AddAs(apperr.OutOfRange, "received_on", "is in the future (today is %s)", today)
	}
	if row.DocumentDate != nil && *row.DocumentDate > row.ReceivedOn {
		fe.Add("document_date", "is after received_on (%s): a petition is written before it arrives", row.ReceivedOn)
	}
	if row.Channel == "forwarded" && row.ForwardedFrom == nil {
		fe.AddAs(apperr.Required, "forwarded_from", "is required for a forwarded petition: the body that forwarded it")
	}
	if row.SenderCount < senders {
		fe.Add("sender_count", "is %d but the petition names %d senders: it cannot be lower", row.SenderCount, senders)
	}
	if row.DecidedOn != nil && *row.DecidedOn < row.ReceivedOn {
		fe.Add("received_on", "is after the decision (%s)", *row.DecidedOn)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	rules, err := s.deadlines(ctx, tx)
	if err != nil {
		return err
	}
	row.DueOn, err = petitionDue(rules, row.ReceivedOn)
	return err
}

// CreatePetition records a petition, opening its case and registering its new senders in the
// same transaction: a single bad part writes nothing at all.
func (s *Service) CreatePetition(ctx context.Context, actor auth.Actor, in NewPetition) (CreatedPetition, error) {
	if err := checkNewPetition(in); err != nil {
		return CreatedPetition{}, err
	}
	var newCase *caseRow
	out, err := inTxOpeningCases(ctx, s, actor, func(tx *gorm.DB, cases *caseOpener) (CreatedPetition, error) {
		row, opened, err := s.createPetition(ctx, tx, actor, cases, in)
		if err != nil {
			return CreatedPetition{}, err
		}
		newCase = opened
		p, err := petitionKind.one(ctx, s, tx, actor, row)
		return CreatedPetition{Petition: p}, err
	})
	if err != nil || newCase == nil {
		return out, err
	}
	// after the commit, as for a visit (CreateVisit): a failed suggestion answers none
	if out.PossibleDuplicates, err = s.possibleDuplicates(ctx, actor, newCase); err != nil {
		out.PossibleDuplicates = []CaseCandidate{}
	}
	return out, nil
}

// checkNewPetition applies the rules that need no database, collecting every problem.
func checkNewPetition(in NewPetition) error {
	var fe apperr.Fields
	if err := validate.Struct(in); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	checkCaseChoice(&fe, in.CaseID, in.Case)
	return fe.Err()
}

// createPetition checks and inserts a petition with its inline case and senders, and numbers
// it; newCase is the case it opened, if any.
func (s *Service) createPetition(ctx context.Context, tx *gorm.DB, actor auth.Actor, cases *caseOpener, in NewPetition) (*petitionRow, *caseRow, error) {
	orgID, err := s.ownerOrg(ctx, tx, actor, in.OrgID)
	if err != nil {
		return nil, nil, err
	}
	var fe apperr.Fields
	row := &petitionRow{Meta: s.newMeta(orgID), ReceivedOn: in.ReceivedOn, Channel: in.Channel, DocumentDate: in.DocumentDate,
		Content: in.Content, ForwardedFrom: in.ForwardedFrom, Note: in.Note}
	taken, err := s.takeIn(ctx, tx, actor, cases, orgID, "the petition's organisation", in.CaseID, in.Case, in.PersonIDs, in.Persons, &fe)
	if err != nil {
		return nil, nil, err
	}
	var newCase *caseRow
	if taken.kase != nil {
		row.CaseID, row.CaseSeq = taken.kase.ID, taken.kase.Seq
		if taken.opened {
			newCase = taken.kase
		}
	}
	personIDs := taken.personIDs
	row.SenderCount = derefOr(in.SenderCount, len(personIDs))
	if err := s.checkPetition(ctx, tx, row, len(personIDs)); err != nil && !addInvalid(&fe, "", err) {
		return nil, nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, nil, err
	}
	if row.Code, err = s.petitionCode(ctx, tx, row); err != nil {
		return nil, nil, err
	}
	if err := tx.WithContext(ctx).Create(row).Error; err != nil {
		return nil, nil, err
	}
	if err := petitionPersons.insert(ctx, tx, row.ID, personIDs); err != nil {
		return nil, nil, err
	}
	if taken.category() == denunciation || taken.merged() {
		if err := s.recordDenouncers(ctx, tx, petitionLinks, row.ID); err != nil {
			return nil, nil, err
		}
	}
	return row, newCase, audit.Record(ctx, tx, actor, "create", "petition", row.ID, map[string]any{"code": row.Code,
		"received_on": row.ReceivedOn, "channel": row.Channel, "case_id": row.CaseID, "person_ids": nonNil(personIDs),
		"sender_count": row.SenderCount, "due_on": row.DueOn})
}

// petitionCode takes the next number of the organisation's petitions of the year received
// (DON-2026-000012). The counter row stays locked until the commit, so no two petitions share a
// number and a rolled-back one gives its number back.
func (s *Service) petitionCode(ctx context.Context, tx *gorm.DB, row *petitionRow) (string, error) {
	year := row.CreatedAt.In(s.cfg.Location).Year()
	var n int64
	err := tx.WithContext(ctx).Raw(`INSERT INTO petition_counters (org_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (org_id, year) DO UPDATE SET last = petition_counters.last + 1 RETURNING last`, row.OrgID, year).Scan(&n).Error
	return fmt.Sprintf("DON-%04d-%06d", year, n), err
}

// GetPetition reads one petition.
func (s *Service) GetPetition(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Petition, error) {
	return petitionKind.get(ctx, s, actor, id, opt)
}

// UpdatePetition applies a partial update; a new received_on moves the due date.
func (s *Service) UpdatePetition(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in PetitionPatch) (Petition, error) {
	return petitionKind.edit(ctx, s, actor, id, "update", ifMatch, in, func(tx *gorm.DB, row *petitionRow, before petitionRow, c edits) error {
		var fe apperr.Fields
		setValue(&fe, "received_on", &row.ReceivedOn, in.ReceivedOn)
		setValue(&fe, "channel", &row.Channel, in.Channel)
		setValue(&fe, "sender_count", &row.SenderCount, in.SenderCount)
		setNullable(&row.DocumentDate, in.DocumentDate)
		setNullable(&row.Content, in.Content)
		setNullable(&row.ForwardedFrom, in.ForwardedFrom)
		setNullable(&row.Note, in.Note)
		if err := fe.Err(); err != nil {
			return err
		}
		var senders int64
		if err := tx.WithContext(ctx).Table(petitionPersons.table).Where("petition_id = ?", id).Count(&senders).Error; err != nil {
			return err
		}
		if err := s.checkPetition(ctx, tx, row, int(senders)); err != nil {
			return err
		}
		track(c, "received_on", before.ReceivedOn, row.ReceivedOn)
		track(c, "channel", before.Channel, row.Channel)
		track(c, "sender_count", before.SenderCount, row.SenderCount)
		trackPtr(c, "document_date", before.DocumentDate, row.DocumentDate)
		trackPtr(c, "content", before.Content, row.Content)
		trackPtr(c, "forwarded_from", before.ForwardedFrom, row.ForwardedFrom)
		trackPtr(c, "note", before.Note, row.Note)
		track(c, "due_on", before.DueOn, row.DueOn)
		return nil
	})
}

// DecidePetition records how a petition was handled. Accepting it (thụ lý) puts its case under
// resolution from that day, unless the case was accepted already: the resolution's period runs
// from the first acceptance.
func (s *Service) DecidePetition(ctx context.Context, actor auth.Actor, id string, in PetitionDecision) (Petition, error) {
	return petitionKind.edit(ctx, s, actor, id, "decide", nil, in, func(tx *gorm.DB, row *petitionRow, before petitionRow, c edits) error {
		var fe apperr.Fields
		if in.DecidedOn < row.ReceivedOn {
			fe.Add("decided_on", "is before the petition was received (%s)", row.ReceivedOn)
		}
		if today := s.today(); in.DecidedOn > today {
			fe.AddAs(apperr.OutOfRange, "decided_on", "is in the future (today is %s)", today)
		}
		transferredTo := optText(in.TransferredTo)
		switch {
		case in.Decision == "transferred" && transferredTo == nil:
			fe.AddAs(apperr.Required, "transferred_to", "is required for a transfer: the body the petition goes to")
		case in.Decision != "transferred" && transferredTo != nil:
			fe.Add("transferred_to", "is only for the decision transferred")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		row.Decision, row.DecidedOn, row.DecisionNumber = &in.Decision, &in.DecidedOn, optText(in.DecisionNumber)
		row.TransferredTo, row.Guidance = transferredTo, optText(in.Guidance)
		trackPtr(c, "decision", before.Decision, row.Decision)
		trackPtr(c, "decided_on", before.DecidedOn, row.DecidedOn)
		trackPtr(c, "decision_number", before.DecisionNumber, row.DecisionNumber)
		trackPtr(c, "transferred_to", before.TransferredTo, row.TransferredTo)
		trackPtr(c, "guidance", before.Guidance, row.Guidance)
		if in.Decision == "accepted" {
			return s.acceptCase(ctx, tx, actor, row.CaseID, in.DecidedOn)
		}
		return nil
	})
}

// acceptCase puts a case not yet under resolution under it from day, deriving its due date.
func (s *Service) acceptCase(ctx context.Context, tx *gorm.DB, actor auth.Actor, caseID, day string) error {
	var c caseRow
	if err := tx.WithContext(ctx).Where("id = ?", caseID).Take(&c).Error; err != nil {
		return err
	}
	if c.AcceptedOn != nil {
		return nil
	}
	c.AcceptedOn = &day
	rules, err := s.deadlines(ctx, tx)
	if err != nil {
		return err
	}
	due, err := resolutionDue(rules, &c)
	if err != nil {
		return err
	}
	if err := s.update(ctx, tx, &c, nil, map[string]any{"accepted_on": day, "resolution_due_on": due}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, "update", "case", c.ID, auditDiff{"accepted_on": map[string]any{"from": nil, "to": day}})
}

// VoidPetition voids a petition: it stays readable and counts nowhere.
func (s *Service) VoidPetition(ctx context.Context, actor auth.Actor, id, reason string) (Petition, error) {
	return petitionKind.void(ctx, s, actor, id, reason)
}

// PetitionFilter narrows ListPetitions; the json names are the query parameters.
type PetitionFilter struct {
	Status        string `json:"status" validate:"omitempty,vocab" vocab:"deadline.status" enums:"pending,due_soon,overdue,decided,decided_late"` // as of today
	Channel       string `json:"channel" validate:"omitempty,vocab" vocab:"petition.channel" enums:"in_person,post,online,forwarded"`
	Decision      string `json:"decision" validate:"omitempty,vocab" vocab:"petition.decision" enums:"accepted,guided,transferred,stored,returned"`
	From          string `json:"from" validate:"omitempty,date" format:"date"` // received_on, inclusive
	To            string `json:"to" validate:"omitempty,date" format:"date"`
	CaseID        string `json:"case_id" validate:"max=100"`
	PersonID      string `json:"person_id" validate:"max=100"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListPetitions lists petitions newest first.
func (s *Service) ListPetitions(ctx context.Context, actor auth.Actor, f PetitionFilter) ([]Petition, string, error) {
	if err := checkFilter(f, f.From, f.To); err != nil {
		return nil, "", err
	}
	db := s.store.DB.WithContext(ctx)
	rules, err := s.deadlines(ctx, db)
	if err != nil {
		return nil, "", err
	}
	q := whereDates(petitionKind.query(ctx, s, actor, f.IncludeVoided), "received_on", f.From, f.To)
	q = whereDeadlineStatus(q, rules.Calendar(), f.Status, s.todayDate(), "decided_on", "due_on")
	for _, eq := range [][2]string{{"channel", f.Channel}, {"decision", f.Decision}, {"case_id", f.CaseID}} {
		if eq[1] != "" {
			q = q.Where(eq[0]+" = ?", eq[1])
		}
	}
	if f.PersonID != "" {
		// finding a denunciation's petitions by person would name its denouncer
		q = q.Where("petitions.id IN (?)", db.Table(petitionPersons.table).Select("petition_id").Where("person_id = ?", f.PersonID))
		if secret, args := s.secretPetition(actor); secret != "" {
			q = q.Where("NOT "+secret, args...)
		}
	}
	return petitionKind.list(ctx, s, actor, q, f.Page)
}

// whereDeadlineStatus is calendar.Status as SQL over the columns decided (the decision's day,
// null while undecided) and due, so that a status filter lists exactly what reads would show.
func whereDeadlineStatus(q *gorm.DB, cal *calendar.Calendar, status string, today calendar.Date, decided, due string) *gorm.DB {
	soon := cal.DueSoonUntil(today).String()
	switch calendar.Status(status) {
	case calendar.StatusDecided:
		return q.Where(decided + " IS NOT NULL AND " + decided + " <= " + due)
	case calendar.StatusDecidedLate:
		return q.Where(decided + " IS NOT NULL AND " + decided + " > " + due)
	case calendar.StatusOverdue:
		return q.Where(decided+" IS NULL AND "+due+" < ?", today.String())
	case calendar.StatusDueSoon:
		return q.Where(decided+" IS NULL AND "+due+" >= ? AND "+due+" <= ?", today.String(), soon)
	case calendar.StatusPending:
		return q.Where(decided+" IS NULL AND "+due+" > ?", soon)
	}
	return q
}
