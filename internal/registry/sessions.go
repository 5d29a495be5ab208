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

// Session is a reception session (buổi tiếp): a day on which the Board or the head received.
type Session struct {
	ID        string    `json:"id" validate:"required"`
	OrgID     string    `json:"org_id" validate:"required"`
	Kind      string    `json:"kind" vocab:"session.kind" enums:"regular,periodic,urgent" validate:"required"`
	Date      string    `json:"date" example:"2024-03-15" validate:"required" format:"date"`
	HostName  *string   `json:"host_name" example:"Hà Sỹ Đồng" extensions:"x-nullable" validate:"required"`
	HostTitle *string   `json:"host_title" example:"Phó Chủ tịch UBND tỉnh" extensions:"x-nullable" validate:"required"`
	HostRole  *string   `json:"host_role" vocab:"session.host_role" enums:"head,authorized" extensions:"x-nullable" validate:"required"`
	Location  *string   `json:"location" example:"Trụ sở Ban Tiếp công dân tỉnh" extensions:"x-nullable" validate:"required"`
	Note      *string   `json:"note" extensions:"x-nullable" validate:"required"`
	CreatedAt time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (s Session) Ref() (id string, version int) { return s.ID, s.Version }

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
	Kind      string  `json:"kind" validate:"required,vocab" vocab:"session.kind" enums:"regular,periodic,urgent"`
	Date      string  `json:"date" validate:"required,date" example:"2024-03-15" format:"date"`
	HostName  *string `json:"host_name,omitempty" validate:"omitempty,max=200" example:"Hà Sỹ Đồng"`
	HostTitle *string `json:"host_title,omitempty" validate:"omitempty,max=200" example:"Phó Chủ tịch UBND tỉnh"`
	HostRole  *string `json:"host_role,omitempty" vocab:"session.host_role" enums:"head,authorized"` // who hosted: required for periodic and urgent sessions, absent for regular ones
	Location  *string `json:"location,omitempty" validate:"omitempty,max=500"`
	Note      *string `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// SessionPatch is the body of PATCH /sessions/{id}: only the fields present change; null (or "")
// clears a text field (host_role too, as a session turned regular needs).
type SessionPatch struct {
	Kind      validate.Optional[string] `json:"kind" validate:"omitempty,vocab" vocab:"session.kind" enums:"regular,periodic,urgent" swaggertype:"string"`
	Date      validate.Optional[string] `json:"date" validate:"omitnil,date" example:"2024-03-15" swaggertype:"string" format:"date"`
	HostName  validate.Optional[string] `json:"host_name" validate:"omitempty,max=200" swaggertype:"string" extensions:"x-nullable"`
	HostTitle validate.Optional[string] `json:"host_title" validate:"omitempty,max=200" swaggertype:"string" extensions:"x-nullable"`
	HostRole  validate.Optional[string] `json:"host_role" vocab:"session.host_role" enums:"head,authorized" swaggertype:"string" extensions:"x-nullable"`
	Location  validate.Optional[string] `json:"location" validate:"omitempty,max=500" swaggertype:"string" extensions:"x-nullable"`
	Note      validate.Optional[string] `json:"note" validate:"omitempty,max=2000" swaggertype:"string" extensions:"x-nullable"`
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
		return apperr.Field("host_role", "must be empty for a regular session (send null to clear it)")
	case row.Kind != "regular" && row.HostRole == nil:
		return apperr.FieldAs(apperr.Required, "host_role", "is required for a %s session: head or authorized", row.Kind)
	case row.HostRole != nil && !vocab.SessionHostRole.Has(*row.HostRole):
		return apperr.FieldAs(apperr.ForbiddenValue, "host_role", "%s", vocab.SessionHostRole.OneOf())
	}
	return nil
}

var sessionKind = kind[sessionRow, *sessionRow, Session]{entity: "session", out: each((*sessionRow).toSession)}

// CreateSession records a reception session.
func (s *Service) CreateSession(ctx context.Context, actor auth.Actor, in NewSession) (Session, error) {
	if err := validate.Struct(in); err != nil {
		return Session{}, err
	}
	return sessionKind.create(ctx, s, actor, in.OrgID, func(tx *gorm.DB, orgID string) (*sessionRow, error) {
		row := &sessionRow{Meta: s.newMeta(orgID), Kind: in.Kind, Date: in.Date, HostName: in.HostName,
			HostTitle: in.HostTitle, HostRole: in.HostRole, Location: in.Location, Note: in.Note}
		if err := checkSession(row); err != nil {
			return nil, err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return nil, err
		}
		return row, audit.Record(ctx, tx, actor, "create", "session", row.ID, map[string]any{"kind": row.Kind, "date": row.Date})
	})
}

// GetSession reads one session.
func (s *Service) GetSession(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Session, error) {
	return sessionKind.get(ctx, s, actor, id, opt)
}

// UpdateSession applies a partial update. Visits carry a copy of their session's kind and date
// (statistics read visits alone), so a change of either is written to them in the same
// transaction.
func (s *Service) UpdateSession(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in SessionPatch) (Session, error) {
	return sessionKind.edit(ctx, s, actor, id, "update", ifMatch, in, func(tx *gorm.DB, row *sessionRow, before sessionRow, c edits) error {
		var fe apperr.Fields
		setValue(&fe, "kind", &row.Kind, in.Kind)
		setValue(&fe, "date", &row.Date, in.Date)
		setNullable(&row.HostName, in.HostName)
		setNullable(&row.HostTitle, in.HostTitle)
		setNullable(&row.HostRole, in.HostRole)
		setNullable(&row.Location, in.Location)
		setNullable(&row.Note, in.Note)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := checkSession(row); err != nil {
			return err
		}
		if row.Kind == "regular" && before.Kind != "regular" {
			notices, err := stillNamed(ctx, tx, id, namedBy("conclusion notices", "notices", "session_id"))
			if err != nil {
				return err
			}
			if len(notices) > 0 {
				return apperr.Field("kind", "conclusion notices follow only periodic and urgent sessions: void the session's notices first")
			}
		}
		track(c, "kind", before.Kind, row.Kind)
		track(c, "date", before.Date, row.Date)
		trackPtr(c, "host_name", before.HostName, row.HostName)
		trackPtr(c, "host_title", before.HostTitle, row.HostTitle)
		trackPtr(c, "host_role", before.HostRole, row.HostRole)
		trackPtr(c, "location", before.Location, row.Location)
		trackPtr(c, "note", before.Note, row.Note)
		if row.Kind == before.Kind && row.Date == before.Date {
			return nil
		}
		// voided visits follow too, so that un-voiding never resurrects a stale copy
		return tx.WithContext(ctx).Table("visits").Where("session_id = ?", id).Updates(map[string]any{
			"kind": row.Kind, "date": row.Date, "version": gorm.Expr("version + 1"), "updated_at": s.now()}).Error
	})
}

// VoidSession voids a session that nothing live names any more. Voiding it under its visits
// would silently drop them from every statistic, so staff void (or move) the visits, and the
// documents issued after it, first (409).
func (s *Service) VoidSession(ctx context.Context, actor auth.Actor, id, reason string) (Session, error) {
	return sessionKind.void(ctx, s, actor, id, reason, refuseVoid(ctx, "session", id,
		namedBy("visits", "visits", "session_id"),
		namedBy("conclusion notices", "notices", "session_id"),
		namedBy("directive letters", "directives", "session_id")))
}

// SessionFilter narrows ListSessions; the json names are the query parameters, so that a bad
// value is reported under the name the client sent.
type SessionFilter struct {
	Kind          string `json:"kind" validate:"omitempty,vocab" vocab:"session.kind" enums:"regular,periodic,urgent"`
	From          string `json:"from" validate:"omitempty,date" format:"date"`
	To            string `json:"to" validate:"omitempty,date" format:"date"`
	IncludeVoided bool   `json:"-"`
	Page          page.Request
}

// ListSessions lists sessions newest first.
func (s *Service) ListSessions(ctx context.Context, actor auth.Actor, f SessionFilter) ([]Session, string, error) {
	if err := checkFilter(f, f.From, f.To); err != nil {
		return nil, "", err
	}
	q := whereDates(sessionKind.query(ctx, s, actor, f.IncludeVoided), "date", f.From, f.To)
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	return sessionKind.list(ctx, s, actor, q, f.Page)
}
