// Package orgs keeps the tree of organisations (a province's Reception Board and the bodies
// under it). Every registry record belongs to one; tokens may be scoped to a subtree.
package orgs

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Org is an organisation as clients see it.
type Org struct {
	ID       string  `json:"id" validate:"required"`
	Code     string  `json:"code" validate:"required"`
	Name     string  `json:"name" validate:"required"`
	ParentID *string `json:"parent_id" extensions:"x-nullable" validate:"required"`
}

type orgRow struct {
	Seq       int64 `gorm:"primaryKey"`
	ID        string
	Code      string
	Name      string
	ParentID  *string
	Path      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (orgRow) TableName() string { return "orgs" }

func (r orgRow) toOrg() Org { return Org{ID: r.ID, Code: r.Code, Name: r.Name, ParentID: r.ParentID} }

// Service reads and writes organisations.
type Service struct {
	store     *store.Store
	defaultID string // the default organisation (EnsureDefault), where an unscoped caller's new organisations go
}

// NewService returns the organisation service.
func NewService(s *store.Store) *Service { return &Service{store: s} }

// EnsureDefault creates the default organisation on first start and returns it.
func (s *Service) EnsureDefault(ctx context.Context, code, name string) (Org, error) {
	var row orgRow
	err := s.store.DB.WithContext(ctx).Where("code = ?", code).Take(&row).Error
	if err == nil {
		s.defaultID = row.ID
		return row.toOrg(), nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return Org{}, err
	}
	org, err := s.Create(ctx, auth.System, NewOrg{Code: code, Name: name, ParentID: validate.Optional[string]{Set: true}})
	if err != nil && store.IsUniqueViolation(err) {
		// another replica created it first
		org, err = s.ByCode(ctx, code)
	}
	if err == nil {
		s.defaultID = org.ID
	}
	return org, err
}

// NewOrg is the input of Create.
type NewOrg struct {
	Code string `json:"code" example:"UBND-GL"`
	Name string `json:"name" example:"Ban Tiếp công dân huyện Gio Linh"`
	// ParentID: left out, the caller's own organisation (the default one for an unscoped
	// token); null, a new top organisation, which only an unscoped admin may add.
	ParentID validate.Optional[string] `json:"parent_id" swaggertype:"string" extensions:"x-nullable"`
}

// Create adds an organisation under ParentID, and audits it.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in NewOrg) (Org, error) {
	if err := validate.Struct(in); err != nil {
		return Org{}, err
	}
	var fe apperr.Fields
	code := strings.TrimSpace(in.Code)
	name := vntext.NFC(in.Name)
	if code == "" || len(code) > 64 {
		fe.AddAs(apperr.Required, "code", "is required, at most 64 characters")
	}
	if name == "" || len(name) > 300 {
		fe.AddAs(apperr.Required, "name", "is required, at most 300 characters")
	}
	if err := fe.Err(); err != nil {
		return Org{}, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	row := orgRow{ID: id, Code: code, Name: name, Path: "/" + id + "/"}
	db := s.store.DB.WithContext(ctx)
	parentID := in.ParentID.Value
	if own := s.defaultID; !in.ParentID.Set {
		if actor.Scoped() {
			own = actor.OrgID
		}
		if own != "" { // empty only while the default organisation itself is made
			parentID = &own
		}
	}
	if parentID != nil {
		var parent orgRow
		if err := db.Where("id = ?", *parentID).Take(&parent).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) || !actor.Reaches(parent.Path) {
				return Org{}, apperr.FieldAs(apperr.UnknownReference, "parent_id", "no such organisation")
			}
			return Org{}, err
		}
		if !actor.Reaches(parent.Path) {
			return Org{}, apperr.FieldAs(apperr.UnknownReference, "parent_id", "no such organisation")
		}
		row.ParentID = &parent.ID
		row.Path = parent.Path + id + "/"
	} else if actor.Scoped() {
		return Org{}, apperr.FieldAs(apperr.ForbiddenValue, "parent_id", "a scoped token can only add organisations inside its subtree")
	}
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
			return err
		}
		return audit.RecordFor(ctx, tx, actor, row.ID, "create", "org", row.ID, map[string]any{"code": row.Code, "name": row.Name, "parent_id": row.ParentID})
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return Org{}, apperr.ConflictOn("code", "an organisation with code %q already exists", code)
		}
		return Org{}, err
	}
	return row.toOrg(), nil
}

// ByCode finds an organisation by its code.
func (s *Service) ByCode(ctx context.Context, code string) (Org, error) {
	var row orgRow
	if err := s.store.DB.WithContext(ctx).Where("code = ?", code).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Org{}, apperr.New(apperr.NotFound, "no organisation with code %q", code)
		}
		return Org{}, err
	}
	return row.toOrg(), nil
}

// Path returns the materialised path of an organisation, for scoping checks.
func (s *Service) Path(ctx context.Context, id string) (string, error) {
	var row orgRow
	if err := s.store.DB.WithContext(ctx).Select("path").Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return "", apperr.New(apperr.NotFound, "no such organisation")
		}
		return "", err
	}
	return row.Path, nil
}

// Get returns one organisation the actor reaches.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id string) (Org, error) {
	var row orgRow
	err := s.store.DB.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !actor.Reaches(row.Path)) {
		return Org{}, apperr.New(apperr.NotFound, "no such organisation")
	}
	if err != nil {
		return Org{}, err
	}
	return row.toOrg(), nil
}

// List returns the organisations the actor reaches, in tree order.
func (s *Service) List(ctx context.Context, actor auth.Actor) ([]Org, error) {
	var rows []orgRow
	q := s.store.DB.WithContext(ctx).Order("path")
	if actor.Scoped() {
		q = q.Where("path LIKE ?", actor.OrgPath+"%")
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Org, len(rows))
	for i, r := range rows {
		out[i] = r.toOrg()
	}
	return out, nil
}

// InScope narrows a query on a table with an org_id column to the actor's subtree.
func InScope(q *gorm.DB, actor auth.Actor, column string) *gorm.DB {
	if !actor.Scoped() {
		return q
	}
	return q.Where(column+" IN (SELECT id FROM orgs WHERE path LIKE ?)", actor.OrgPath+"%")
}
