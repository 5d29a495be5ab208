package registry

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Notice is a conclusion notice (thông báo kết luận): the numbered document the head issues
// after a periodic or urgent session, naming the cases it concludes on.
type Notice struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Number    string    `json:"number" example:"12/TB-UBND"`
	IssuedOn  string    `json:"issued_on" example:"2024-03-20"`
	SessionID string    `json:"session_id"`
	Signer    *string   `json:"signer" example:"Hà Sỹ Đồng"`
	Summary   *string   `json:"summary"`
	CaseIDs   []string  `json:"case_ids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Voiding
	Version int `json:"-"`
}

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
	Number    string   `json:"number" validate:"required,max=100" example:"12/TB-UBND"`
	IssuedOn  string   `json:"issued_on" validate:"required,date" example:"2024-03-20"`
	SessionID string   `json:"session_id" validate:"required"`
	Signer    *string  `json:"signer,omitempty" validate:"omitempty,max=200" example:"Hà Sỹ Đồng"`
	Summary   *string  `json:"summary,omitempty" validate:"omitempty,max=20000"`
	CaseIDs   []string `json:"case_ids,omitempty" validate:"max=500,dive,required"`
}

// NoticePatch is the body of PATCH /notices/{id}; case_ids, when present, replaces the list.
type NoticePatch struct {
	Number    *string   `json:"number,omitempty" validate:"omitempty,min=1,max=100"`
	IssuedOn  *string   `json:"issued_on,omitempty" validate:"omitempty,date"`
	SessionID *string   `json:"session_id,omitempty" validate:"omitempty,min=1"`
	Signer    *string   `json:"signer,omitempty" validate:"omitempty,max=200"`
	Summary   *string   `json:"summary,omitempty" validate:"omitempty,max=20000"`
	CaseIDs   *[]string `json:"case_ids,omitempty" validate:"omitempty,max=500,dive,required"`
}

var noticeCases = linkTable{table: "notice_cases", owner: "notice_id", member: "case_id"}

// checkNotice applies the notice rules to the final values of a record, new or patched.
func (s *Service) checkNotice(ctx context.Context, tx *gorm.DB, actor auth.Actor, row *noticeRow, caseIDs []string) error {
	var fe apperr.Fields
	row.Number = vntext.NFC(row.Number) // one spelling per number, so the unique index sees clashes
	if row.Number == "" {
		fe.Add("number", "is required")
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
	if err := refIDs(ctx, tx, actor, "cases", "case", "case_ids", caseIDs); err != nil && !addInvalid(&fe, "", err) {
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
	var out Notice
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		orgID, err := s.ownerOrg(ctx, tx, actor, in.OrgID)
		if err != nil {
			return err
		}
		row := &noticeRow{Meta: s.newMeta(orgID), Number: in.Number, IssuedOn: in.IssuedOn, SessionID: in.SessionID,
			Signer: in.Signer, Summary: in.Summary}
		if err := s.checkNotice(ctx, tx, actor, row, in.CaseIDs); err != nil {
			return err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return numberTaken(err, "notice", row.Number)
		}
		if err := noticeCases.replace(ctx, tx, row.ID, in.CaseIDs); err != nil {
			return err
		}
		out = row.toNotice(slices.Clone(in.CaseIDs))
		return audit.Record(ctx, tx, actor, "create", "notice", row.ID, map[string]any{
			"number": row.Number, "issued_on": row.IssuedOn, "session_id": row.SessionID, "case_ids": out.CaseIDs})
	})
	return out, err
}

// GetNotice reads one notice.
func (s *Service) GetNotice(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Notice, error) {
	row, err := load[noticeRow](ctx, s.store.DB, actor, "notice", id, opt)
	if err != nil {
		return Notice{}, err
	}
	return s.noticeOut(ctx, s.store.DB, row)
}

// UpdateNotice applies a partial update.
func (s *Service) UpdateNotice(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in NoticePatch) (Notice, error) {
	if err := validate.Struct(in); err != nil {
		return Notice{}, err
	}
	var out Notice
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[noticeRow](ctx, tx, actor, "notice", id, ReadOptions{})
		if err != nil {
			return err
		}
		links, err := noticeCases.load(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		before, oldCases := *row, links[id]
		caseIDs := oldCases
		if in.CaseIDs != nil {
			caseIDs = *in.CaseIDs
		}
		setIf(&row.Number, in.Number)
		setIf(&row.IssuedOn, in.IssuedOn)
		setIf(&row.SessionID, in.SessionID)
		setPtrIf(&row.Signer, in.Signer)
		setPtrIf(&row.Summary, in.Summary)
		if err := s.checkNotice(ctx, tx, actor, row, caseIDs); err != nil {
			return err
		}
		diff := changed{}
		cols := map[string]any{}
		track(diff, cols, "number", before.Number, row.Number)
		track(diff, cols, "issued_on", before.IssuedOn, row.IssuedOn)
		track(diff, cols, "session_id", before.SessionID, row.SessionID)
		trackPtr(diff, cols, "signer", before.Signer, row.Signer)
		trackPtr(diff, cols, "summary", before.Summary, row.Summary)
		if err := s.update(ctx, tx, row, ifMatch, cols); err != nil {
			return numberTaken(err, "notice", row.Number)
		}
		if !slices.Equal(oldCases, caseIDs) {
			diff.set("case_ids", nonNil(oldCases), caseIDs)
			if err := noticeCases.replace(ctx, tx, id, caseIDs); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor, "update", "notice", id, diff); err != nil {
			return err
		}
		fresh, err := load[noticeRow](ctx, tx, actor, "notice", id, ReadOptions{})
		if err != nil {
			return err
		}
		out = fresh.toNotice(slices.Clone(caseIDs))
		return nil
	})
	return out, err
}

// VoidNotice voids a notice, which frees its number for a corrected one.
func (s *Service) VoidNotice(ctx context.Context, actor auth.Actor, id, reason string) (Notice, error) {
	var out Notice
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := voidAndReload[noticeRow](ctx, s, tx, actor, "notice", id, reason)
		if err != nil {
			return err
		}
		out, err = s.noticeOut(ctx, tx, row)
		return err
	})
	return out, err
}

// NoticeFilter narrows ListNotices; the json names are the query parameters, so that a bad
// value is reported under the name the client sent.
type NoticeFilter struct {
	From          string `json:"from" validate:"omitempty,date"` // issued_on, inclusive
	To            string `json:"to" validate:"omitempty,date"`
	SessionID     string `json:"session_id"`
	CaseID        string `json:"case_id"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListNotices lists notices newest first.
func (s *Service) ListNotices(ctx context.Context, actor auth.Actor, f NoticeFilter) ([]Notice, string, error) {
	if err := validate.Struct(f); err != nil {
		return nil, "", err
	}
	q := orgs.InScope(s.store.DB.WithContext(ctx).Model(&noticeRow{}), actor, "org_id")
	if !f.IncludeVoided {
		q = q.Where("voided_at IS NULL")
	}
	q = whereDates(q, "issued_on", f.From, f.To)
	if f.SessionID != "" {
		q = q.Where("session_id = ?", f.SessionID)
	}
	if f.CaseID != "" {
		q = q.Where("id IN (SELECT notice_id FROM notice_cases WHERE case_id = ?)", f.CaseID)
	}
	var rows []noticeRow
	next, err := page.Fetch(q, f.Page, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	links, err := noticeCases.load(ctx, s.store.DB, idsOf(rows))
	if err != nil {
		return nil, "", err
	}
	out := make([]Notice, len(rows))
	for i := range rows {
		out[i] = rows[i].toNotice(links[rows[i].ID])
	}
	return out, next, nil
}

func (s *Service) noticeOut(ctx context.Context, db *gorm.DB, row *noticeRow) (Notice, error) {
	links, err := noticeCases.load(ctx, db, []string{row.ID})
	if err != nil {
		return Notice{}, err
	}
	return row.toNotice(links[row.ID]), nil
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
		return sessionRef{}, apperr.Field(field, "no session with id %q", id)
	}
	return rows[0], nil
}

// The helpers below are shared by notices and directives, the two numbered documents.

// numberTaken turns a clash on a (org_id, number) unique index into 409; any other error passes.
func numberTaken(err error, entity, number string) error {
	if store.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "the organisation already has a live %s numbered %q", entity, number)
	}
	return err
}
