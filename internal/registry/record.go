package registry

// What every register record is and how one is written: its metadata, creation, an edit
// under optimistic concurrency, voiding.

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Meta is what every register record carries: the public id, the owning organisation, the
// version used as ETag, and the void marker (records are voided, never deleted).
type Meta struct {
	Seq        int64 `gorm:"primaryKey"`
	ID         string
	OrgID      string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	VoidedAt   *time.Time
	VoidReason *string
}

func (m *Meta) meta() *Meta { return m }

// model is a GORM row of a register table.
type model interface {
	meta() *Meta
	TableName() string
}

// Voiding is how a voided record says so; absent on live records.
type Voiding struct {
	VoidedAt   *time.Time `json:"voided_at,omitempty" format:"date-time"`
	VoidReason *string    `json:"void_reason,omitempty"`
}

func (m *Meta) voiding() Voiding { return Voiding{VoidedAt: m.VoidedAt, VoidReason: m.VoidReason} }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newMeta starts a record owned by orgID.
func (s *Service) newMeta(orgID string) Meta {
	now := s.now()
	return Meta{ID: newID(), OrgID: orgID, Version: 1, CreatedAt: now, UpdatedAt: now}
}

// update writes changes to one live record, bumping its version; with ifMatch set it succeeds
// only if the stored version is still that one (optimistic concurrency, 412 otherwise).
func (s *Service) update(ctx context.Context, tx *gorm.DB, m model, ifMatch *int, changes map[string]any) error {
	meta := m.meta()
	if ifMatch != nil && *ifMatch != meta.Version {
		return apperr.New(apperr.PreconditionFailed, "the record changed since it was read (version %d, If-Match names %d)", meta.Version, *ifMatch)
	}
	changes["version"] = gorm.Expr("version + 1")
	changes["updated_at"] = s.now()
	res := tx.WithContext(ctx).Table(m.TableName()).Where("seq = ? AND version = ?", meta.Seq, meta.Version).Updates(changes)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.PreconditionFailed, "the record changed while this request was processed; read it again")
	}
	return nil
}

// void marks a record void (never deletes it) and audits it, in tx.
func (s *Service) void(ctx context.Context, tx *gorm.DB, actor auth.Actor, entity string, m model, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.FieldAs(apperr.Required, "reason", "is required: say why the record is voided")
	}
	if len(reason) > 1000 {
		return apperr.FieldAs(apperr.TooLong, "reason", "must be at most 1000 characters")
	}
	now := s.now()
	if err := s.update(ctx, tx, m, nil, map[string]any{"voided_at": now, "void_reason": reason}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, "void", entity, m.meta().ID, map[string]any{"reason": reason})
}

func derefOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// optText stores free text NFC with tidy spacing; blank text is no text.
func optText(p *string) *string {
	if p == nil {
		return nil
	}
	s := vntext.NFC(*p)
	if s == "" {
		return nil
	}
	return &s
}

// idsOf lists the public ids of a page of rows.
func idsOf[T any, PT rowPtr[T]](rows []T) []string {
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = PT(&rows[i]).meta().ID
	}
	return out
}

// nonNil keeps an empty list a list ([]) in JSON and the audit log.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
