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
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Directive statuses. They are derived on every read from replied_on, due_on and today, never
// stored, so a letter turns overdue at midnight without anything being written.
const (
	DirectivePending = "pending"
	DirectiveReplied = "replied"
	DirectiveOverdue = "overdue"
)

// Directive is a directive letter (công văn chỉ đạo): a numbered letter asking an agency or
// locality to verify, resolve and reply, with a due date and the reply tracked (Circular 04/2021
// Art. 9).
type Directive struct {
	ID           string    `json:"id" validate:"required"`
	OrgID        string    `json:"org_id" validate:"required"`
	Number       string    `json:"number" example:"88/UBND-TCD" validate:"required"`
	IssuedOn     string    `json:"issued_on" example:"2024-03-22" validate:"required" format:"date"`
	Recipient    string    `json:"recipient" example:"UBND huyện Gio Linh" validate:"required"`
	CaseID       *string   `json:"case_id" extensions:"x-nullable" validate:"required"`
	SessionID    *string   `json:"session_id" extensions:"x-nullable" validate:"required"`
	Request      *string   `json:"request" example:"Xác minh, giải quyết và trả lời công dân" extensions:"x-nullable" validate:"required"`
	DueOn        *string   `json:"due_on" example:"2024-04-22" extensions:"x-nullable" validate:"required" format:"date"`
	Status       string    `json:"status" vocab:"directive.status" enums:"pending,replied,overdue" validate:"required"`
	RepliedOn    *string   `json:"replied_on" example:"2024-04-10" extensions:"x-nullable" validate:"required" format:"date"`
	ReplySummary *string   `json:"reply_summary" extensions:"x-nullable" validate:"required"`
	CreatedAt    time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt    time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (d Directive) Ref() (id string, version int) { return d.ID, d.Version }

type directiveRow struct {
	Meta            `gorm:"embedded"`
	Number          string
	IssuedOn        string
	Recipient       string
	RecipientFolded string
	CaseID          *string
	SessionID       *string
	Request         *string
	DueOn           *string
	RepliedOn       *string
	ReplySummary    *string
}

func (directiveRow) TableName() string { return "directives" }

func (r *directiveRow) toDirective(today string) Directive {
	return Directive{ID: r.ID, OrgID: r.OrgID, Number: r.Number, IssuedOn: r.IssuedOn, Recipient: r.Recipient,
		CaseID: r.CaseID, SessionID: r.SessionID, Request: r.Request, DueOn: r.DueOn,
		Status: directiveStatus(r.RepliedOn, r.DueOn, today), RepliedOn: r.RepliedOn, ReplySummary: r.ReplySummary,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Voiding: r.voiding(), Version: r.Version}
}

// directiveStatus derives the status on the day today (YYYY-MM-DD in the organisation's zone).
// A letter due today is not yet overdue; one without a due date never becomes overdue.
func directiveStatus(repliedOn, dueOn *string, today string) string {
	switch {
	case repliedOn != nil:
		return DirectiveReplied
	case dueOn != nil && *dueOn < today:
		return DirectiveOverdue
	default:
		return DirectivePending
	}
}

// whereDirectiveStatus is directiveStatus as SQL, so that the status filter lists exactly what
// reads would show; (org_id, replied_on, due_on) serves all three.
func whereDirectiveStatus(q *gorm.DB, status, today string) *gorm.DB {
	switch status {
	case DirectiveReplied:
		return q.Where("replied_on IS NOT NULL")
	case DirectiveOverdue:
		return q.Where("replied_on IS NULL AND due_on < ?", today)
	case DirectivePending:
		return q.Where("replied_on IS NULL AND (due_on IS NULL OR due_on >= ?)", today)
	}
	return q
}

// NewDirective is the body of POST /directives.
type NewDirective struct {
	OrgID     *string `json:"org_id,omitempty"`
	Number    string  `json:"number" validate:"required,max=100" example:"88/UBND-TCD" minLength:"1"`
	IssuedOn  string  `json:"issued_on" validate:"required,date" example:"2024-03-22" format:"date"`
	Recipient string  `json:"recipient" validate:"required,max=300" example:"UBND huyện Gio Linh" minLength:"1"`
	CaseID    *string `json:"case_id,omitempty"`
	SessionID *string `json:"session_id,omitempty"`
	Request   *string `json:"request,omitempty" validate:"omitempty,max=20000" example:"Xác minh, giải quyết và trả lời công dân"`
	DueOn     *string `json:"due_on,omitempty" validate:"omitnil,date" example:"2024-04-22" format:"date"`
}

// DirectivePatch is the body of PATCH /directives/{id}: only the fields present change; null (or
// "") clears case_id, session_id, request or due_on. replied_on and reply_summary correct a reply
// already recorded (the reply itself is recorded with POST /directives/{id}/reply); replied_on
// null withdraws it, summary and all.
type DirectivePatch struct {
	Number       validate.Optional[string] `json:"number" validate:"omitempty,min=1,max=100" swaggertype:"string"`
	IssuedOn     validate.Optional[string] `json:"issued_on" validate:"omitnil,date" swaggertype:"string" format:"date"`
	Recipient    validate.Optional[string] `json:"recipient" validate:"omitempty,min=1,max=300" swaggertype:"string"`
	CaseID       validate.Optional[string] `json:"case_id" validate:"omitnil,min=1" swaggertype:"string" extensions:"x-nullable"`
	SessionID    validate.Optional[string] `json:"session_id" validate:"omitnil,min=1" swaggertype:"string" extensions:"x-nullable"`
	Request      validate.Optional[string] `json:"request" validate:"omitempty,max=20000" swaggertype:"string" extensions:"x-nullable"`
	DueOn        validate.Optional[string] `json:"due_on" validate:"omitnil,date" swaggertype:"string" extensions:"x-nullable" format:"date"`
	RepliedOn    validate.Optional[string] `json:"replied_on" validate:"omitnil,date" swaggertype:"string" extensions:"x-nullable" format:"date"`
	ReplySummary validate.Optional[string] `json:"reply_summary" validate:"omitempty,min=1,max=20000" swaggertype:"string" extensions:"x-nullable"`
}

// DirectiveReply is the body of POST /directives/{id}/reply: the recipient's answer.
type DirectiveReply struct {
	RepliedOn string `json:"replied_on" validate:"required,date" example:"2024-04-10" format:"date"`
	Summary   string `json:"summary" validate:"required,max=20000" example:"Đã xác minh và trả lời công dân"`
}

// checkDirective applies the directive rules to the final values of a record. summaryField is
// what the client called the reply summary (reply_summary in a PATCH, summary in a reply).
func (s *Service) checkDirective(ctx context.Context, tx *gorm.DB, actor auth.Actor, row *directiveRow, summaryField string) error {
	var fe apperr.Fields
	row.Number = vntext.NFC(row.Number)
	if row.Number == "" {
		fe.AddAs(apperr.Required, "number", "is required")
	}
	row.Recipient = vntext.NFC(row.Recipient)
	row.RecipientFolded = vntext.Fold(row.Recipient)
	if row.RecipientFolded == "" {
		fe.AddAs(apperr.Required, "recipient", "is required")
	}
	row.Request, row.ReplySummary = optText(row.Request), optText(row.ReplySummary)
	s.notFuture(&fe, "issued_on", "the letter's date", row.IssuedOn)
	if row.DueOn != nil && *row.DueOn < row.IssuedOn {
		fe.Add("due_on", "is before issued_on (%s)", row.IssuedOn)
	}
	if row.RepliedOn != nil {
		if *row.RepliedOn < row.IssuedOn {
			fe.Add("replied_on", "is before the letter was issued (%s)", row.IssuedOn)
		}
		s.notFuture(&fe, "replied_on", "the reply's date", *row.RepliedOn)
		if row.ReplySummary == nil {
			fe.AddAs(apperr.Required, summaryField, "is required: say what the recipient answered")
		}
	}
	if row.CaseID != nil {
		if _, err := reference[caseRow](ctx, tx, actor, "case_id", "case", *row.CaseID); err != nil && !addInvalid(&fe, "", err) {
			return err
		}
	}
	if row.SessionID != nil {
		if _, err := reference[sessionRow](ctx, tx, actor, "session_id", "session", *row.SessionID); err != nil && !addInvalid(&fe, "", err) {
			return err
		}
	}
	return fe.Err()
}

var directiveKind = kind[directiveRow, *directiveRow, Directive]{entity: "directive", out: directivesOut}

// directivesOut answers a page of directives with their status as of today.
func directivesOut(_ context.Context, s *Service, _ *gorm.DB, _ auth.Actor, rows []directiveRow) ([]Directive, error) {
	today := s.today()
	out := make([]Directive, len(rows))
	for i := range rows {
		out[i] = rows[i].toDirective(today)
	}
	return out, nil
}

// CreateDirective records a directive letter. Its number is unique among the organisation's
// live letters (409 otherwise).
func (s *Service) CreateDirective(ctx context.Context, actor auth.Actor, in NewDirective) (Directive, error) {
	if err := validate.Struct(in); err != nil {
		return Directive{}, err
	}
	return directiveKind.create(ctx, s, actor, in.OrgID, func(tx *gorm.DB, orgID string) (*directiveRow, error) {
		row := &directiveRow{Meta: s.newMeta(orgID), Number: in.Number, IssuedOn: in.IssuedOn, Recipient: in.Recipient,
			CaseID: in.CaseID, SessionID: in.SessionID, Request: in.Request, DueOn: in.DueOn}
		if err := s.checkDirective(ctx, tx, actor, row, "reply_summary"); err != nil {
			return nil, err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return nil, numberTaken(err, "directive", row.Number)
		}
		return row, audit.Record(ctx, tx, actor, "create", "directive", row.ID, map[string]any{
			"number": row.Number, "issued_on": row.IssuedOn, "recipient": row.Recipient, "due_on": row.DueOn,
			"case_id": row.CaseID, "session_id": row.SessionID})
	})
}

// GetDirective reads one directive with its status as of today.
func (s *Service) GetDirective(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Directive, error) {
	return directiveKind.get(ctx, s, actor, id, opt)
}

// UpdateDirective applies a partial update.
func (s *Service) UpdateDirective(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in DirectivePatch) (Directive, error) {
	return s.changeDirective(ctx, actor, id, "update", ifMatch, in, "reply_summary", func(row *directiveRow) error {
		if row.RepliedOn == nil && (in.RepliedOn.Value != nil || in.ReplySummary.Value != nil) {
			return apperr.Field("replied_on", "the letter has no reply yet: record it with POST /directives/%s/reply", id)
		}
		var fe apperr.Fields
		setValue(&fe, "number", &row.Number, in.Number)
		setValue(&fe, "issued_on", &row.IssuedOn, in.IssuedOn)
		setValue(&fe, "recipient", &row.Recipient, in.Recipient)
		setNullable(&row.CaseID, in.CaseID)
		setNullable(&row.SessionID, in.SessionID)
		setNullable(&row.Request, in.Request)
		setNullable(&row.DueOn, in.DueOn)
		setNullable(&row.RepliedOn, in.RepliedOn)
		setNullable(&row.ReplySummary, in.ReplySummary)
		if in.RepliedOn.Null() {
			if in.ReplySummary.Value != nil {
				fe.AddAs(apperr.Conflicting, "reply_summary", "cannot be given when replied_on withdraws the reply")
			}
			row.ReplySummary = nil
		}
		return fe.Err()
	})
}

// ReplyDirective records the recipient's reply. A letter is answered once: a second reply is a
// conflict (409); a reply recorded wrongly is corrected with PATCH.
func (s *Service) ReplyDirective(ctx context.Context, actor auth.Actor, id string, in DirectiveReply) (Directive, error) {
	return s.changeDirective(ctx, actor, id, "reply", nil, in, "summary", func(row *directiveRow) error {
		if row.RepliedOn != nil {
			return apperr.ConflictOn("replied_on", "directive %s was already replied to on %s", row.Number, *row.RepliedOn)
		}
		row.RepliedOn, row.ReplySummary = &in.RepliedOn, &in.Summary
		return nil
	})
}

// changeDirective edits a directive as the body in asks: apply sets the new values, which are
// then checked as a whole. summaryField is what the client called the reply summary.
func (s *Service) changeDirective(ctx context.Context, actor auth.Actor, id, action string, ifMatch *int, in any, summaryField string,
	apply func(*directiveRow) error) (Directive, error) {
	var number string
	out, err := directiveKind.edit(ctx, s, actor, id, action, ifMatch, in, func(tx *gorm.DB, row *directiveRow, before directiveRow, c edits) error {
		if err := apply(row); err != nil {
			return err
		}
		if err := s.checkDirective(ctx, tx, actor, row, summaryField); err != nil {
			return err
		}
		number = row.Number
		track(c, "number", before.Number, row.Number)
		track(c, "issued_on", before.IssuedOn, row.IssuedOn)
		track(c, "recipient", before.Recipient, row.Recipient)
		derived(c, "recipient_folded", before.RecipientFolded, row.RecipientFolded)
		trackPtr(c, "case_id", before.CaseID, row.CaseID)
		trackPtr(c, "session_id", before.SessionID, row.SessionID)
		trackPtr(c, "request", before.Request, row.Request)
		trackPtr(c, "due_on", before.DueOn, row.DueOn)
		trackPtr(c, "replied_on", before.RepliedOn, row.RepliedOn)
		trackPtr(c, "reply_summary", before.ReplySummary, row.ReplySummary)
		return nil
	})
	return out, numberTaken(err, "directive", number)
}

// VoidDirective voids a directive, which frees its number.
func (s *Service) VoidDirective(ctx context.Context, actor auth.Actor, id, reason string) (Directive, error) {
	return directiveKind.void(ctx, s, actor, id, reason)
}

// DirectiveFilter narrows ListDirectives; the json names are the query parameters.
type DirectiveFilter struct {
	Status        string `json:"status" validate:"omitempty,vocab" vocab:"directive.status" enums:"pending,replied,overdue"` // as of today
	Recipient     string `json:"recipient" validate:"max=200"`                                                               // folded substring
	From          string `json:"from" validate:"omitempty,date" format:"date"`                                               // issued_on, inclusive
	To            string `json:"to" validate:"omitempty,date" format:"date"`
	CaseID        string `json:"case_id" validate:"max=100"`
	SessionID     string `json:"session_id" validate:"max=100"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListDirectives lists directives newest first.
func (s *Service) ListDirectives(ctx context.Context, actor auth.Actor, f DirectiveFilter) ([]Directive, string, error) {
	if err := checkFilter(f, f.From, f.To); err != nil {
		return nil, "", err
	}
	q := whereDirectiveStatus(directiveKind.query(ctx, s, actor, f.IncludeVoided), f.Status, s.today())
	q = whereDates(q, "issued_on", f.From, f.To)
	if folded := vntext.Fold(f.Recipient); folded != "" {
		q = q.Where("recipient_folded LIKE ?", "%"+folded+"%")
	}
	if f.CaseID != "" {
		q = q.Where("case_id = ?", f.CaseID)
	}
	if f.SessionID != "" {
		q = q.Where("session_id = ?", f.SessionID)
	}
	return directiveKind.list(ctx, s, actor, q, f.Page)
}
