package registry

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Notice is a conclusion notice (thông báo kết luận): the numbered document the head issues
// after a periodic or urgent session, naming the cases it concludes on.
type Notice struct {
	ID        string    `json:"id" validate:"required"`
	OrgID     string    `json:"org_id" validate:"required"`
	Number    string    `json:"number" example:"12/TB-UBND" validate:"required"`
	IssuedOn  string    `json:"issued_on" example:"2024-03-20" validate:"required" format:"date"`
	SessionID string    `json:"session_id" validate:"required"`
	Signer    *string   `json:"signer" example:"Hà Sỹ Đồng" extensions:"x-nullable" validate:"required"`
	Summary   *string   `json:"summary" extensions:"x-nullable" validate:"required"`
	CaseIDs   []string  `json:"case_ids" validate:"required"`
	CreatedAt time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (n Notice) Ref() (id string, version int) { return n.ID, n.Version }

type noticeRow struct {
	Meta      `gorm:"embedded"`
	Number    string
	IssuedOn  string
	SessionID string
	Signer    *string
	Summary   *string
}

func (noticeRow) TableName() string { return "notices" }

func (r *noticeRow) toNotice(caseIDs []string) Notice {
	return Notice{ID: r.ID, OrgID: r.OrgID, Number: r.Number, IssuedOn: r.IssuedOn, SessionID: r.SessionID,
		Signer: r.Signer, Summary: r.Summary, CaseIDs: nonNil(caseIDs), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Voiding: r.voiding(), Version: r.Version}
}

// NewNotice is the body of POST /notices.
type NewNotice struct {
	OrgID     *string  `json:"org_id,omitempty"`
	Number    string   `json:"number" validate:"required,max=100" example:"12/TB-UBND" minLength:"1"`
	IssuedOn  string   `json:"issued_on" validate:"required,date" example:"2024-03-20" format:"date"`
	SessionID string   `json:"session_id" validate:"required" minLength:"1"`
	Signer    *string  `json:"signer,omitempty" validate:"omitempty,max=200" example:"Hà Sỹ Đồng"`
	Summary   *string  `json:"summary,omitempty" validate:"omitempty,max=20000"`
	CaseIDs   []string `json:"case_ids,omitempty" validate:"max=500,dive,required"`
}

// NoticePatch is the body of PATCH /notices/{id}: only the fields present change; case_ids
// replaces the whole list (null: none); null (or "") clears signer or summary.
type NoticePatch struct {
	Number    validate.Optional[string]   `json:"number" validate:"omitempty,min=1,max=100" swaggertype:"string"`
	IssuedOn  validate.Optional[string]   `json:"issued_on" validate:"omitnil,date" swaggertype:"string" format:"date"`
	SessionID validate.Optional[string]   `json:"session_id" validate:"omitnil,min=1" swaggertype:"string"`
	Signer    validate.Optional[string]   `json:"signer" validate:"omitempty,max=200" swaggertype:"string" extensions:"x-nullable"`
	Summary   validate.Optional[string]   `json:"summary" validate:"omitempty,max=20000" swaggertype:"string" extensions:"x-nullable"`
	CaseIDs   validate.Optional[[]string] `json:"case_ids" validate:"omitempty,max=500,dive,required" swaggertype:"array,string" extensions:"x-nullable"`
}

var (
	noticeCases = linkTable{table: "notice_cases", owners: "notices", owner: "notice_id", member: "case_id"}
	noticeKind  = kind[noticeRow, *noticeRow, Notice]{entity: "notice",
		out: withLinks(noticeCases, func(_ *Service, r *noticeRow, cases []string) Notice { return r.toNotice(cases) })}
)

// checkNotice applies the notice rules to the final values of a record, new or patched.
func (s *Service) checkNotice(ctx context.Context, tx *gorm.DB, actor auth.Actor, row *noticeRow, caseIDs []string) error {
	var fe apperr.Fields
	row.Number = vntext.NFC(row.Number) // one spelling per number, so the unique index sees clashes
	if row.Number == "" {
		fe.AddAs(apperr.Required, "number", "is required")
	}
	row.Signer, row.Summary = optText(row.Signer), optText(row.Summary)
	sess, err := refSession(ctx, tx, actor, "session_id", row.SessionID)
	if err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	switch {
	case sess.ID == "":
	case sess.Kind == "regular":
		fe.Add("session_id", "is a regular session: conclusion notices follow periodic or urgent sessions only")
	case row.IssuedOn < sess.Date:
		fe.Add("issued_on", "is before the session it concludes (%s)", sess.Date)
	}
	s.notFuture(&fe, "issued_on", "the notice's date", row.IssuedOn)
	if err := references(ctx, tx, actor, "cases", "case", "case_ids", caseIDs); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	return fe.Err()
}

// CreateNotice records a conclusion notice. Its number is unique among the organisation's live
// notices: the partial unique index decides (409), so two concurrent requests cannot both win.
func (s *Service) CreateNotice(ctx context.Context, actor auth.Actor, in NewNotice) (Notice, error) {
	if err := validate.Struct(in); err != nil {
		return Notice{}, err
	}
	return noticeKind.create(ctx, s, actor, in.OrgID, func(tx *gorm.DB, orgID string) (*noticeRow, error) {
		row := &noticeRow{Meta: s.newMeta(orgID), Number: in.Number, IssuedOn: in.IssuedOn, SessionID: in.SessionID,
			Signer: in.Signer, Summary: in.Summary}
		if err := s.checkNotice(ctx, tx, actor, row, in.CaseIDs); err != nil {
			return nil, err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return nil, numberTaken(err, "notice", row.Number)
		}
		if err := noticeCases.insert(ctx, tx, row.ID, in.CaseIDs); err != nil {
			return nil, err
		}
		return row, audit.Record(ctx, tx, actor, "create", "notice", row.ID, map[string]any{
			"number": row.Number, "issued_on": row.IssuedOn, "session_id": row.SessionID, "case_ids": nonNil(in.CaseIDs)})
	})
}

// GetNotice reads one notice.
func (s *Service) GetNotice(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Notice, error) {
	return noticeKind.get(ctx, s, actor, id, opt)
}

// UpdateNotice applies a partial update.
func (s *Service) UpdateNotice(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in NoticePatch) (Notice, error) {
	var number string
	out, err := noticeKind.edit(ctx, s, actor, id, "update", ifMatch, in, func(tx *gorm.DB, row *noticeRow, before noticeRow, c edits) error {
		old, caseIDs, err := noticeCases.patched(ctx, tx, id, in.CaseIDs)
		if err != nil {
			return err
		}
		var fe apperr.Fields
		setValue(&fe, "number", &row.Number, in.Number)
		setValue(&fe, "issued_on", &row.IssuedOn, in.IssuedOn)
		setValue(&fe, "session_id", &row.SessionID, in.SessionID)
		setNullable(&row.Signer, in.Signer)
		setNullable(&row.Summary, in.Summary)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := s.checkNotice(ctx, tx, actor, row, caseIDs); err != nil {
			return err
		}
		number = row.Number
		track(c, "number", before.Number, row.Number)
		track(c, "issued_on", before.IssuedOn, row.IssuedOn)
		track(c, "session_id", before.SessionID, row.SessionID)
		trackPtr(c, "signer", before.Signer, row.Signer)
		trackPtr(c, "summary", before.Summary, row.Summary)
		return noticeCases.change(ctx, tx, c, "case_ids", id, old, caseIDs)
	})
	return out, numberTaken(err, "notice", number)
}

// VoidNotice voids a notice, which frees its number for a corrected one.
func (s *Service) VoidNotice(ctx context.Context, actor auth.Actor, id, reason string) (Notice, error) {
	return noticeKind.void(ctx, s, actor, id, reason)
}

// NoticeFilter narrows ListNotices; the json names are the query parameters, so that a bad
// value is reported under the name the client sent.
type NoticeFilter struct {
	From          string `json:"from" validate:"omitempty,date" format:"date"` // issued_on, inclusive
	To            string `json:"to" validate:"omitempty,date" format:"date"`
	SessionID     string `json:"session_id" validate:"max=100"`
	CaseID        string `json:"case_id" validate:"max=100"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListNotices lists notices newest first.
func (s *Service) ListNotices(ctx context.Context, actor auth.Actor, f NoticeFilter) ([]Notice, string, error) {
	if err := checkFilter(f, f.From, f.To); err != nil {
		return nil, "", err
	}
	q := whereDates(noticeKind.query(ctx, s, actor, f.IncludeVoided), "issued_on", f.From, f.To)
	if f.SessionID != "" {
		q = q.Where("session_id = ?", f.SessionID)
	}
	if f.CaseID != "" {
		q = q.Where("id IN (SELECT notice_id FROM notice_cases WHERE case_id = ?)", f.CaseID)
	}
	return noticeKind.list(ctx, s, actor, q, f.Page)
}

// sessionRef is what a notice needs to know of the session it concludes.
type sessionRef struct {
	ID, Kind, Date string
}

func refSession(ctx context.Context, db *gorm.DB, actor auth.Actor, field, id string) (sessionRef, error) {
	var rows []sessionRef
	if err := liveIn(ctx, db, actor, "sessions", []string{id}).Select("id, kind, date").Scan(&rows).Error; err != nil {
		return sessionRef{}, err
	}
	if len(rows) == 0 {
		return sessionRef{}, apperr.FieldAs(apperr.UnknownReference, field, "no session with id %q", id)
	}
	return rows[0], nil
}

// The helpers below are shared by notices and directives, the two numbered documents.

// numberTaken turns a clash on a (org_id, number) unique index into 409; any other error passes.
func numberTaken(err error, entity, number string) error {
	if store.IsUniqueViolation(err) {
		return apperr.ConflictOn("number", "the organisation already has a live %s numbered %q", entity, number)
	}
	return err
}
