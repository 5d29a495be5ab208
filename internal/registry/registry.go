// Package registry keeps the reception register: persons, sessions, visits, delegations, cases,
// conclusion notices and directive letters, with the rules of Law 42/2013 and Circular 04/2021.
package registry

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Config is what the rules depend on.
type Config struct {
	DelegationMin int            // a visit with at least this many people is a delegation visit
	Location      *time.Location // "today" for overdue directives is the organisation's day
	DefaultOrgID  string         // records of unscoped tokens belong here unless they say otherwise
}

// Service applies the register's rules and stores the records.
type Service struct {
	store *store.Store
	cfg   Config
	now   func() time.Time
	dedup dedupCache // the register's term weights for duplicate scoring (duplicates.go)
}

// NewService returns the registry service.
func NewService(s *store.Store, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Service{store: s, cfg: cfg, now: func() time.Time { return time.Now().UTC() }}
}

// DelegationMin is the configured delegation threshold.
func (s *Service) DelegationMin() int { return s.cfg.DelegationMin }

// today is the current date in the organisation's time zone, as YYYY-MM-DD.
func (s *Service) today() string { return s.now().In(s.cfg.Location).Format(time.DateOnly) }

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
	VoidedAt   *time.Time `json:"voided_at,omitempty"`
	VoidReason *string    `json:"void_reason,omitempty"`
}

func (m *Meta) voiding() Voiding { return Voiding{VoidedAt: m.VoidedAt, VoidReason: m.VoidReason} }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newMeta starts a record owned by orgID.
func (s *Service) newMeta(orgID string) Meta {
	now := s.now()
	return Meta{ID: newID(), OrgID: orgID, Version: 1, CreatedAt: now, UpdatedAt: now}
}

// ownerOrg decides which organisation a new record belongs to: the one requested (which must be
// inside the actor's subtree), else the actor's own, else the default organisation.
func (s *Service) ownerOrg(ctx context.Context, db *gorm.DB, actor auth.Actor, requested *string) (string, error) {
	if requested == nil || *requested == "" {
		if actor.Scoped() {
			return actor.OrgID, nil
		}
		return s.cfg.DefaultOrgID, nil
	}
	var path string
	err := db.WithContext(ctx).Table("orgs").Select("path").Where("id = ?", *requested).Scan(&path).Error
	if err != nil {
		return "", err
	}
	if path == "" || !actor.Reaches(path) {
		return "", apperr.Field("org_id", "no such organisation")
	}
	return *requested, nil
}

// ReadOptions says whether voided records are visible.
type ReadOptions struct {
	IncludeVoided bool
}

// load reads one record the actor may see; out of scope looks exactly like absent (404), so a
// token cannot probe another organisation's records.
func load[T any, PT interface {
	*T
	model
}](ctx context.Context, db *gorm.DB, actor auth.Actor, entity, id string, opt ReadOptions) (*T, error) {
	row := PT(new(T))
	q := orgs.InScope(db.WithContext(ctx).Where(row.TableName()+".id = ?", id), actor, row.TableName()+".org_id")
	if !opt.IncludeVoided {
		q = q.Where(row.TableName() + ".voided_at IS NULL")
	}
	if err := q.Take(row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.New(apperr.NotFound, "no %s with id %q", entity, id)
		}
		return nil, err
	}
	return (*T)(row), nil
}

// reference checks that a record named in the body exists, is live and is in scope: a missing
// reference is the client's input error (422 naming the field), not a 404 of the URL.
func reference[T any, PT interface {
	*T
	model
}](ctx context.Context, db *gorm.DB, actor auth.Actor, field, entity, id string) (*T, error) {
	row, err := load[T, PT](ctx, db, actor, entity, id, ReadOptions{})
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, apperr.Field(field, "no %s with id %q", entity, id)
	}
	return row, err
}

// ETag is the entity tag of a record version.
func ETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// ParseIfMatch reads an If-Match header: nil when absent or "*", else the version it names.
// A value this service never issued can match nothing, so it is a failed precondition.
func ParseIfMatch(h string) (*int, error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return nil, nil
	}
	h = strings.TrimPrefix(h, "W/")
	v, ok := strings.CutPrefix(strings.Trim(h, `"`), "v")
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		return nil, apperr.New(apperr.PreconditionFailed, "If-Match does not match the current version")
	}
	return &n, nil
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

// VoidInput is why a record is voided.
type VoidInput struct {
	Reason string
}

// void marks a record void (never deletes it) and audits it, in tx.
func (s *Service) void(ctx context.Context, tx *gorm.DB, actor auth.Actor, entity string, m model, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Field("reason", "is required: say why the record is voided")
	}
	if len(reason) > 1000 {
		return apperr.Field("reason", "must be at most 1000 characters")
	}
	now := s.now()
	if err := s.update(ctx, tx, m, nil, map[string]any{"voided_at": now, "void_reason": reason}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, "void", entity, m.meta().ID, map[string]any{"reason": reason})
}

// changed lists old→new for the audit log.
type changed map[string]any

func (c changed) set(field string, old, new any) {
	c[field] = map[string]any{"from": old, "to": new}
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

// refuseIfReferenced fails when a live row of table names id in column: with field set it is
// the client's input error about that field (422), else a conflict with the record's state (409).
func refuseIfReferenced(ctx context.Context, tx *gorm.DB, field, table, column, id, message string) error {
	var hits []int
	err := tx.WithContext(ctx).Table(table).Select("1").Where(column+" = ? AND voided_at IS NULL", id).Limit(1).Scan(&hits).Error
	switch {
	case err != nil:
		return err
	case len(hits) == 0:
		return nil
	case field != "":
		return apperr.Field(field, "%s", message)
	default:
		return apperr.New(apperr.Conflict, "%s", message)
	}
}

// whereDates bounds a YYYY-MM-DD text column to an inclusive range; such dates compare as
// strings on both databases.
func whereDates(q *gorm.DB, column, from, to string) *gorm.DB {
	if from != "" {
		q = q.Where(column+" >= ?", from)
	}
	if to != "" {
		q = q.Where(column+" <= ?", to)
	}
	return q
}
