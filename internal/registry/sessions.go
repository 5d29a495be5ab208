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
)

// Session is a reception session (buổi tiếp): a day on which the Board or the head received.
type Session struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Kind      string    `json:"kind" enums:"regular,periodic,urgent"`
	Date      string    `json:"date" example:"2024-03-15"`
	HostName  *string   `json:"host_name" example:"Hà Sỹ Đồng"`
	HostTitle *string   `json:"host_title" example:"Phó Chủ tịch UBND tỉnh"`
	HostRole  *string   `json:"host_role" enums:"head,authorized"`
	Location  *string   `json:"location" example:"Trụ sở Ban Tiếp công dân tỉnh"`
	Note      *string   `json:"note"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Voiding
	Version int `json:"-"`
}

type sessionRow struct {
	Meta      `gorm:"embedded"`
	Kind      string
	Date      string
	HostName  *string
	HostTitle *string
	HostRole  *string
	Location  *string
	Note      *string
}

func (sessionRow) TableName() string { return "sessions" }

func (r *sessionRow) toSession() Session {
	return Session{ID: r.ID, OrgID: r.OrgID, Kind: r.Kind, Date: r.Date, HostName: r.HostName, HostTitle: r.HostTitle,
		HostRole: r.HostRole, Location: r.Location, Note: r.Note, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Voiding: r.voiding(), Version: r.Version}
}

// NewSession is the body of POST /sessions.
type NewSession struct {
	OrgID     *string `json:"org_id,omitempty"`
	Kind      string  `json:"kind" validate:"required,oneof=regular periodic urgent" enums:"regular,periodic,urgent"`
	Date      string  `json:"date" validate:"required,date" example:"2024-03-15"`
	HostName  *string `json:"host_name,omitempty" validate:"omitempty,max=200" example:"Hà Sỹ Đồng"`
	HostTitle *string `json:"host_title,omitempty" validate:"omitempty,max=200" example:"Phó Chủ tịch UBND tỉnh"`
	HostRole  *string `json:"host_role,omitempty" enums:"head,authorized"` // who hosted: required for periodic and urgent sessions, absent for regular ones
	Location  *string `json:"location,omitempty" validate:"omitempty,max=500"`
	Note      *string `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// SessionPatch is the body of PATCH /sessions/{id}: only the fields present change; an empty
// string clears a text field (host_role too, as a session turned regular needs).
type SessionPatch struct {
	Kind      *string `json:"kind,omitempty" validate:"omitempty,oneof=regular periodic urgent" enums:"regular,periodic,urgent"`
	Date      *string `json:"date,omitempty" validate:"omitempty,date" example:"2024-03-15"`
	HostName  *string `json:"host_name,omitempty" validate:"omitempty,max=200"`
	HostTitle *string `json:"host_title,omitempty" validate:"omitempty,max=200"`
	HostRole  *string `json:"host_role,omitempty" enums:"head,authorized"`
	Location  *string `json:"location,omitempty" validate:"omitempty,max=500"`
	Note      *string `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// checkSession applies the session rules to the final values of a record, new or patched:
// the head (or an authorised deputy) hosts periodic and urgent sessions (Law 42/2013 Art. 12,
// 18), and host_role means nothing on a regular one.
func checkSession(row *sessionRow) error {
	row.HostName, row.HostTitle = optText(row.HostName), optText(row.HostTitle)
	row.Location, row.Note = optText(row.Location), optText(row.Note)
	row.HostRole = optText(row.HostRole)
	switch {
	case row.Kind == "regular" && row.HostRole != nil:
		return apperr.Field("host_role", "must be empty for a regular session (send \"\" to clear it)")
	case row.Kind != "regular" && row.HostRole == nil:
		return apperr.Field("host_role", "is required for a %s session: head or authorized", row.Kind)
	case row.HostRole != nil && *row.HostRole != "head" && *row.HostRole != "authorized":
		return apperr.Field("host_role", "must be one of: head, authorized")
	}
	return nil
}

// CreateSession records a reception session.
func (s *Service) CreateSession(ctx context.Context, actor auth.Actor, in NewSession) (Session, error) {
	if err := validate.Struct(in); err != nil {
		return Session{}, err
	}
	var out Session
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		orgID, err := s.ownerOrg(ctx, tx, actor, in.OrgID)
		if err != nil {
			return err
		}
		row := &sessionRow{Meta: s.newMeta(orgID), Kind: in.Kind, Date: in.Date, HostName: in.HostName,
			HostTitle: in.HostTitle, HostRole: in.HostRole, Location: in.Location, Note: in.Note}
		if err := checkSession(row); err != nil {
			return err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return err
		}
		out = row.toSession()
		return audit.Record(ctx, tx, actor, "create", "session", row.ID, map[string]any{"kind": row.Kind, "date": row.Date})
	})
	return out, err
}

// GetSession reads one session.
func (s *Service) GetSession(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Session, error) {
	row, err := load[sessionRow](ctx, s.store.DB, actor, "session", id, opt)
	if err != nil {
		return Session{}, err
	}
	return row.toSession(), nil
}

// UpdateSession applies a partial update. Visits carry a copy of their session's kind and date
// (statistics read visits alone), so a change of either is written to them in the same
// transaction.
func (s *Service) UpdateSession(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in SessionPatch) (Session, error) {
	if err := validate.Struct(in); err != nil {
		return Session{}, err
	}
	var out Session
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[sessionRow](ctx, tx, actor, "session", id, ReadOptions{})
		if err != nil {
			return err
		}
		before := *row
		setIf(&row.Kind, in.Kind)
		setIf(&row.Date, in.Date)
		setPtrIf(&row.HostName, in.HostName)
		setPtrIf(&row.HostTitle, in.HostTitle)
		setPtrIf(&row.HostRole, in.HostRole)
		setPtrIf(&row.Location, in.Location)
		setPtrIf(&row.Note, in.Note)
		if err := checkSession(row); err != nil {
			return err
		}
		if row.Kind == "regular" && before.Kind != "regular" {
			if err := refuseIfReferenced(ctx, tx, "kind", "notices", "session_id", id,
				"conclusion notices follow only periodic and urgent sessions: void the session's notices first"); err != nil {
				return err
			}
		}
		diff := changed{}
		cols := map[string]any{}
		track(diff, cols, "kind", before.Kind, row.Kind)
		track(diff, cols, "date", before.Date, row.Date)
		trackPtr(diff, cols, "host_name", before.HostName, row.HostName)
		trackPtr(diff, cols, "host_title", before.HostTitle, row.HostTitle)
		trackPtr(diff, cols, "host_role", before.HostRole, row.HostRole)
		trackPtr(diff, cols, "location", before.Location, row.Location)
		trackPtr(diff, cols, "note", before.Note, row.Note)
		if err := s.update(ctx, tx, row, ifMatch, cols); err != nil {
			return err
		}
		if row.Kind != before.Kind || row.Date != before.Date {
			// voided visits follow too, so that un-voiding never resurrects a stale copy
			err := tx.WithContext(ctx).Table("visits").Where("session_id = ?", id).Updates(map[string]any{
				"kind": row.Kind, "date": row.Date, "version": gorm.Expr("version + 1"), "updated_at": s.now()}).Error
			if err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor, "update", "session", id, diff); err != nil {
			return err
		}
		fresh, err := load[sessionRow](ctx, tx, actor, "session", id, ReadOptions{})
		if err != nil {
			return err
		}
		out = fresh.toSession()
		return nil
	})
	return out, err
}

// VoidSession voids a session that nothing live depends on any more. Voiding it under its
// visits would silently drop them from every statistic, so staff void (or move) the visits,
// and the conclusion notices issued for it, first (409).
func (s *Service) VoidSession(ctx context.Context, actor auth.Actor, id, reason string) (Session, error) {
	var out Session
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[sessionRow](ctx, tx, actor, "session", id, ReadOptions{})
		if err != nil {
			return err
		}
		if err := refuseIfReferenced(ctx, tx, "", "visits", "session_id", id, "the session has live visits: void its visits first"); err != nil {
			return err
		}
		if err := refuseIfReferenced(ctx, tx, "", "notices", "session_id", id, "the session has live conclusion notices: void them first"); err != nil {
			return err
		}
		if err := s.void(ctx, tx, actor, "session", row, reason); err != nil {
			return err
		}
		fresh, err := load[sessionRow](ctx, tx, actor, "session", id, ReadOptions{IncludeVoided: true})
		if err != nil {
			return err
		}
		out = fresh.toSession()
		return nil
	})
	return out, err
}

// SessionFilter narrows ListSessions; the json names are the query parameters, so that a bad
// value is reported under the name the client sent.
type SessionFilter struct {
	Kind          string `json:"kind" validate:"omitempty,oneof=regular periodic urgent"`
	From          string `json:"from" validate:"omitempty,date"`
	To            string `json:"to" validate:"omitempty,date"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListSessions lists sessions newest first.
func (s *Service) ListSessions(ctx context.Context, actor auth.Actor, f SessionFilter) ([]Session, string, error) {
	if err := validate.Struct(f); err != nil {
		return nil, "", err
	}
	q := orgs.InScope(s.store.DB.WithContext(ctx).Model(&sessionRow{}), actor, "org_id")
	if !f.IncludeVoided {
		q = q.Where("voided_at IS NULL")
	}
	q = whereDates(q, "date", f.From, f.To)
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	var rows []sessionRow
	next, err := page.Fetch(q, f.Page, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	out := make([]Session, len(rows))
	for i := range rows {
		out[i] = rows[i].toSession()
	}
	return out, next, nil
}
