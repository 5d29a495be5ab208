package registry

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
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
	ID           string    `json:"id"`
	OrgID        string    `json:"org_id"`
	Number       string    `json:"number" example:"88/UBND-TCD"`
	IssuedOn     string    `json:"issued_on" example:"2024-03-22"`
	Recipient    string    `json:"recipient" example:"UBND huyện Gio Linh"`
	CaseID       *string   `json:"case_id"`
	SessionID    *string   `json:"session_id"`
	Request      *string   `json:"request" example:"Xác minh, giải quyết và trả lời công dân"`
	DueOn        *string   `json:"due_on" example:"2024-04-22"`
	Status       string    `json:"status" enums:"pending,replied,overdue"`
	RepliedOn    *string   `json:"replied_on" example:"2024-04-10"`
	ReplySummary *string   `json:"reply_summary"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Voiding
	Version int `json:"-"`
}

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
	Number    string  `json:"number" validate:"required,max=100" example:"88/UBND-TCD"`
	IssuedOn  string  `json:"issued_on" validate:"required,date" example:"2024-03-22"`
	Recipient string  `json:"recipient" validate:"required,max=300" example:"UBND huyện Gio Linh"`
	CaseID    *string `json:"case_id,omitempty"`
	SessionID *string `json:"session_id,omitempty"`
	Request   *string `json:"request,omitempty" validate:"omitempty,max=20000" example:"Xác minh, giải quyết và trả lời công dân"`
	DueOn     *string `json:"due_on,omitempty" validate:"omitempty,date" example:"2024-04-22"`
}

// DirectivePatch is the body of PATCH /directives/{id}. replied_on and reply_summary correct a
// reply already recorded; the reply itself is recorded with POST /directives/{id}/reply.
type DirectivePatch struct {
	Number       *string `json:"number,omitempty" validate:"omitempty,min=1,max=100"`
	IssuedOn     *string `json:"issued_on,omitempty" validate:"omitempty,date"`
	Recipient    *string `json:"recipient,omitempty" validate:"omitempty,min=1,max=300"`
	CaseID       *string `json:"case_id,omitempty" validate:"omitempty,min=1"`
	SessionID    *string `json:"session_id,omitempty" validate:"omitempty,min=1"`
	Request      *string `json:"request,omitempty" validate:"omitempty,max=20000"`
	DueOn        *string `json:"due_on,omitempty" validate:"omitempty,date"`
	RepliedOn    *string `json:"replied_on,omitempty" validate:"omitempty,date"`
	ReplySummary *string `json:"reply_summary,omitempty" validate:"omitempty,min=1,max=20000"`
}

// DirectiveReply is the body of POST /directives/{id}/reply: the recipient's answer.
type DirectiveReply struct {
	RepliedOn string `json:"replied_on" validate:"required,date" example:"2024-04-10"`
	Summary   string `json:"summary" validate:"required,max=20000" example:"Đã xác minh và trả lời công dân"`
}

// checkDirective applies the directive rules to the final values of a record. summaryField is
// what the client called the reply summary (reply_summary in a PATCH, summary in a reply).
func (s *Service) checkDirective(ctx context.Context, tx *gorm.DB, actor auth.Actor, row *directiveRow, summaryField string) error {
	var fe apperr.Fields
	row.Number = vntext.NFC(row.Number)
	if row.Number == "" {
		fe.Add("number", "is required")
	}
	row.Recipient = vntext.NFC(row.Recipient)
	row.RecipientFolded = vntext.Fold(row.Recipient)
	if row.RecipientFolded == "" {
		fe.Add("recipient", "is required")
	}
	row.Request, row.ReplySummary = optText(row.Request), optText(row.ReplySummary)
	if row.DueOn != nil && *row.DueOn < row.IssuedOn {
		fe.Add("due_on", "is before issued_on (%s)", row.IssuedOn)
	}
	if row.RepliedOn != nil {
		if *row.RepliedOn < row.IssuedOn {
			fe.Add("replied_on", "is before the letter was issued (%s)", row.IssuedOn)
		}
		if today := s.today(); *row.RepliedOn > today {
			fe.Add("replied_on", "is in the future (today is %s)", today)
		}
		if row.ReplySummary == nil {
			fe.Add(summaryField, "is required: say what the recipient answered")
		}
	}
	if row.CaseID != nil {
		if err := refID(ctx, tx, actor, "cases", "case", "case_id", *row.CaseID); err != nil && !addInvalid(&fe, "", err) {
			return err
		}
	}
	if row.SessionID != nil {
		if err := refID(ctx, tx, actor, "sessions", "session", "session_id", *row.SessionID); err != nil && !addInvalid(&fe, "", err) {
			return err
		}
	}
	return fe.Err()
}

// CreateDirective records a directive letter. Its number is unique among the organisation's
// live letters (409 otherwise).
func (s *Service) CreateDirective(ctx context.Context, actor auth.Actor, in NewDirective) (Directive, error) {
	if err := validate.Struct(in); err != nil {
		return Directive{}, err
	}
	var out Directive
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		orgID, err := s.ownerOrg(ctx, tx, actor, in.OrgID)
		if err != nil {
			return err
		}
		row := &directiveRow{Meta: s.newMeta(orgID), Number: in.Number, IssuedOn: in.IssuedOn, Recipient: in.Recipient,
			CaseID: in.CaseID, SessionID: in.SessionID, Request: in.Request, DueOn: in.DueOn}
		if err := s.checkDirective(ctx, tx, actor, row, "reply_summary"); err != nil {
			return err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return numberTaken(err, "directive", row.Number)
		}
		out = row.toDirective(s.today())
		return audit.Record(ctx, tx, actor, "create", "directive", row.ID, map[string]any{
			"number": row.Number, "issued_on": row.IssuedOn, "recipient": row.Recipient, "due_on": row.DueOn,
			"case_id": row.CaseID, "session_id": row.SessionID})
	})
	return out, err
}

// GetDirective reads one directive with its status as of today.
func (s *Service) GetDirective(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Directive, error) {
	row, err := load[directiveRow](ctx, s.store.DB, actor, "directive", id, opt)
	if err != nil {
		return Directive{}, err
	}
	return row.toDirective(s.today()), nil
}

// UpdateDirective applies a partial update.
func (s *Service) UpdateDirective(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in DirectivePatch) (Directive, error) {
	if err := validate.Struct(in); err != nil {
		return Directive{}, err
	}
	return s.changeDirective(ctx, actor, id, "update", func(row *directiveRow) error {
		if row.RepliedOn == nil && (in.RepliedOn != nil || in.ReplySummary != nil) {
			return apperr.Field("replied_on", "the letter has no reply yet: record it with POST /directives/%s/reply", id)
		}
		setIf(&row.Number, in.Number)
		setIf(&row.IssuedOn, in.IssuedOn)
		setIf(&row.Recipient, in.Recipient)
		setPtrIf(&row.CaseID, in.CaseID)
		setPtrIf(&row.SessionID, in.SessionID)
		setPtrIf(&row.Request, in.Request)
		setPtrIf(&row.DueOn, in.DueOn)
		setPtrIf(&row.RepliedOn, in.RepliedOn)
		setPtrIf(&row.ReplySummary, in.ReplySummary)
		return nil
	}, ifMatch, "reply_summary")
}

// ReplyDirective records the recipient's reply. A letter is answered once: a second reply is a
// conflict (409); a reply recorded wrongly is corrected with PATCH.
func (s *Service) ReplyDirective(ctx context.Context, actor auth.Actor, id string, in DirectiveReply) (Directive, error) {
	if err := validate.Struct(in); err != nil {
		return Directive{}, err
	}
	return s.changeDirective(ctx, actor, id, "reply", func(row *directiveRow) error {
		if row.RepliedOn != nil {
			return apperr.New(apperr.Conflict, "directive %s was already replied to on %s", row.Number, *row.RepliedOn)
		}
		row.RepliedOn, row.ReplySummary = &in.RepliedOn, &in.Summary
		return nil
	}, nil, "summary")
}

// changeDirective loads a live directive, lets apply change it, checks the final values and
// writes and audits the difference, in one transaction.
func (s *Service) changeDirective(ctx context.Context, actor auth.Actor, id, action string, apply func(*directiveRow) error,
	ifMatch *int, summaryField string) (Directive, error) {
	var out Directive
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[directiveRow](ctx, tx, actor, "directive", id, ReadOptions{})
		if err != nil {
			return err
		}
		before := *row
		if err := apply(row); err != nil {
			return err
		}
		if err := s.checkDirective(ctx, tx, actor, row, summaryField); err != nil {
			return err
		}
		diff := changed{}
		cols := map[string]any{}
		track(diff, cols, "number", before.Number, row.Number)
		track(diff, cols, "issued_on", before.IssuedOn, row.IssuedOn)
		track(diff, cols, "recipient", before.Recipient, row.Recipient)
		track(diff, cols, "recipient_folded", before.RecipientFolded, row.RecipientFolded)
		trackPtr(diff, cols, "case_id", before.CaseID, row.CaseID)
		trackPtr(diff, cols, "session_id", before.SessionID, row.SessionID)
		trackPtr(diff, cols, "request", before.Request, row.Request)
		trackPtr(diff, cols, "due_on", before.DueOn, row.DueOn)
		trackPtr(diff, cols, "replied_on", before.RepliedOn, row.RepliedOn)
		trackPtr(diff, cols, "reply_summary", before.ReplySummary, row.ReplySummary)
		delete(diff, "recipient_folded")
		if err := s.update(ctx, tx, row, ifMatch, cols); err != nil {
			return numberTaken(err, "directive", row.Number)
		}
		if err := audit.Record(ctx, tx, actor, action, "directive", id, diff); err != nil {
			return err
		}
		fresh, err := load[directiveRow](ctx, tx, actor, "directive", id, ReadOptions{})
		if err != nil {
			return err
		}
		out = fresh.toDirective(s.today())
		return nil
	})
	return out, err
}

// VoidDirective voids a directive, which frees its number.
func (s *Service) VoidDirective(ctx context.Context, actor auth.Actor, id, reason string) (Directive, error) {
	var out Directive
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := voidAndReload[directiveRow](ctx, s, tx, actor, "directive", id, reason)
		if err != nil {
			return err
		}
		out = row.toDirective(s.today())
		return nil
	})
	return out, err
}

// DirectiveFilter narrows ListDirectives; the json names are the query parameters.
type DirectiveFilter struct {
	Status        string `json:"status" validate:"omitempty,oneof=pending replied overdue"` // as of today
	Recipient     string `json:"recipient" validate:"max=200"`                              // folded substring
	From          string `json:"from" validate:"omitempty,date"`                            // issued_on, inclusive
	To            string `json:"to" validate:"omitempty,date"`
	CaseID        string `json:"case_id"`
	SessionID     string `json:"session_id"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListDirectives lists directives newest first.
func (s *Service) ListDirectives(ctx context.Context, actor auth.Actor, f DirectiveFilter) ([]Directive, string, error) {
	if err := validate.Struct(f); err != nil {
		return nil, "", err
	}
	today := s.today()
	q := orgs.InScope(s.store.DB.WithContext(ctx).Model(&directiveRow{}), actor, "org_id")
	q = whereDirectiveStatus(q, f.Status, today)
	if !f.IncludeVoided {
		q = q.Where("voided_at IS NULL")
	}
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
	var rows []directiveRow
	next, err := page.Fetch(q, f.Page, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	out := make([]Directive, len(rows))
	for i := range rows {
		out[i] = rows[i].toDirective(today)
	}
	return out, next, nil
}
