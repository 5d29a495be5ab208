package registry

import (
	"context"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/idnumber"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Person is a citizen as staff see them. ID number, phone and address are personal data.
type Person struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"org_id"`
	FullName   string    `json:"full_name" example:"Nguyễn Văn An"`
	Gender     string    `json:"gender" enums:"male,female,unknown"`
	BirthYear  *int      `json:"birth_year" example:"1975"`
	IDNumber   *string   `json:"id_number" example:"045075001234"`
	IDKind     *string   `json:"id_kind" enums:"cccd,cmnd,passport"`
	Phone      *string   `json:"phone" example:"0912345678"`
	Address    *string   `json:"address" example:"Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"`
	MergedInto *string   `json:"merged_into"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Voiding
	Version int `json:"-"`
}

type personRow struct {
	Meta       `gorm:"embedded"`
	FullName   string
	NameFolded string
	Gender     string
	BirthYear  *int
	IDNumber   *string
	IDKind     *string
	Phone      *string
	Address    *string
	MergedInto *string
}

func (personRow) TableName() string { return "persons" }

func (r *personRow) toPerson() Person {
	return Person{ID: r.ID, OrgID: r.OrgID, FullName: r.FullName, Gender: r.Gender, BirthYear: r.BirthYear,
		IDNumber: r.IDNumber, IDKind: r.IDKind, Phone: r.Phone, Address: r.Address, MergedInto: r.MergedInto,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Voiding: r.voiding(), Version: r.Version}
}

// NewPerson is the body of POST /persons, and of an inline person in a visit.
type NewPerson struct {
	OrgID     *string `json:"org_id,omitempty"`
	FullName  string  `json:"full_name" validate:"required,max=200" example:"Nguyễn Văn An"`
	Gender    string  `json:"gender,omitempty" validate:"omitempty,oneof=male female unknown" enums:"male,female,unknown"`
	BirthYear *int    `json:"birth_year,omitempty" validate:"omitempty,gte=1900,lte=2100" example:"1975"`
	IDNumber  *string `json:"id_number,omitempty" validate:"omitempty,max=32" example:"045075001234"`
	Phone     *string `json:"phone,omitempty" validate:"omitempty,max=32" example:"0912345678"`
	Address   *string `json:"address,omitempty" validate:"omitempty,max=500"`
}

// PersonPatch is the body of PATCH /persons/{id}: only the fields present change.
type PersonPatch struct {
	FullName  *string `json:"full_name,omitempty" validate:"omitempty,min=1,max=200"`
	Gender    *string `json:"gender,omitempty" validate:"omitempty,oneof=male female unknown" enums:"male,female,unknown"`
	BirthYear *int    `json:"birth_year,omitempty" validate:"omitempty,gte=1900,lte=2100"`
	IDNumber  *string `json:"id_number,omitempty" validate:"omitempty,max=32"`
	Phone     *string `json:"phone,omitempty" validate:"omitempty,max=32"`
	Address   *string `json:"address,omitempty" validate:"omitempty,max=500"`
}

// checkPerson applies the person rules to the final values of a record, new or patched.
func (s *Service) checkPerson(row *personRow) error {
	var fe apperr.Fields
	row.FullName = vntext.NFC(row.FullName)
	row.NameFolded = vntext.Fold(row.FullName)
	if row.NameFolded == "" {
		fe.Add("full_name", "is required")
	}
	if row.Gender == "" {
		row.Gender = "unknown"
	}
	if row.BirthYear != nil && *row.BirthYear > s.now().In(s.cfg.Location).Year() {
		fe.Add("birth_year", "is in the future")
	}
	row.IDKind = nil
	if row.IDNumber != nil && strings.TrimSpace(*row.IDNumber) == "" {
		row.IDNumber = nil
	}
	if row.IDNumber != nil {
		n, err := idnumber.Parse(*row.IDNumber)
		if err != nil {
			fe.Add("id_number", "%s", err.Error())
		} else if err := n.CheckPerson(row.BirthYear, row.Gender); err != nil {
			fe.Add("id_number", "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
		} else {
			kind := string(n.Kind)
			row.IDNumber, row.IDKind = &n.Value, &kind
		}
	}
	if row.Phone != nil {
		p, ok := normalisePhone(*row.Phone)
		switch {
		case p == "":
			row.Phone = nil
		case !ok:
			fe.Add("phone", "must be 9 to 15 digits, optionally starting with +")
		default:
			row.Phone = &p
		}
	}
	row.Address = optText(row.Address)
	return fe.Err()
}

// normalisePhone keeps digits and a leading +, so that "091 234 5678" and "0912345678" are the
// same number for search and de-duplication.
func normalisePhone(raw string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case unicode.IsDigit(r) && r < 128:
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return raw, false
		}
	}
	p := b.String()
	digits := len(strings.TrimPrefix(p, "+"))
	return p, p == "" || (digits >= 9 && digits <= 15)
}

// createPerson validates and inserts a person in tx (shared by POST /persons and inline persons
// of a visit, so both obey the same rules).
func (s *Service) createPerson(ctx context.Context, tx *gorm.DB, actor auth.Actor, orgID string, in NewPerson) (*personRow, error) {
	if err := validate.Struct(in); err != nil {
		return nil, err
	}
	row := &personRow{Meta: s.newMeta(orgID), FullName: in.FullName, Gender: in.Gender, BirthYear: in.BirthYear,
		IDNumber: in.IDNumber, Phone: in.Phone, Address: in.Address}
	if err := s.checkPerson(row); err != nil {
		return nil, err
	}
	if err := tx.WithContext(ctx).Create(row).Error; err != nil {
		return nil, err
	}
	return row, audit.Record(ctx, tx, actor, "create", "person", row.ID, map[string]any{"full_name": row.FullName})
}

// CreatePerson adds a citizen to the register.
func (s *Service) CreatePerson(ctx context.Context, actor auth.Actor, in NewPerson) (Person, error) {
	var out Person
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		orgID, err := s.ownerOrg(ctx, tx, actor, in.OrgID)
		if err != nil {
			return err
		}
		row, err := s.createPerson(ctx, tx, actor, orgID, in)
		if err != nil {
			return err
		}
		out = row.toPerson()
		return nil
	})
	return out, err
}

// GetPerson reads one person. The read itself is audited: personal data is disclosed.
func (s *Service) GetPerson(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Person, error) {
	row, err := load[personRow](ctx, s.store.DB, actor, "person", id, opt)
	if err != nil {
		return Person{}, err
	}
	if err := audit.Record(ctx, s.store.DB, actor, "read", "person", id, nil); err != nil {
		return Person{}, err
	}
	return row.toPerson(), nil
}

// UpdatePerson applies a partial update.
func (s *Service) UpdatePerson(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in PersonPatch) (Person, error) {
	if err := validate.Struct(in); err != nil {
		return Person{}, err
	}
	var out Person
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[personRow](ctx, tx, actor, "person", id, ReadOptions{})
		if err != nil {
			return err
		}
		before := *row
		setIf(&row.FullName, in.FullName)
		setIf(&row.Gender, in.Gender)
		setPtrIf(&row.BirthYear, in.BirthYear)
		setPtrIf(&row.IDNumber, in.IDNumber)
		setPtrIf(&row.Phone, in.Phone)
		setPtrIf(&row.Address, in.Address)
		if err := s.checkPerson(row); err != nil {
			return err
		}
		diff := changed{}
		cols := map[string]any{}
		track(diff, cols, "full_name", before.FullName, row.FullName)
		track(diff, cols, "name_folded", before.NameFolded, row.NameFolded)
		track(diff, cols, "gender", before.Gender, row.Gender)
		trackPtr(diff, cols, "birth_year", before.BirthYear, row.BirthYear)
		trackPtr(diff, cols, "id_number", before.IDNumber, row.IDNumber)
		trackPtr(diff, cols, "id_kind", before.IDKind, row.IDKind)
		trackPtr(diff, cols, "phone", before.Phone, row.Phone)
		trackPtr(diff, cols, "address", before.Address, row.Address)
		delete(diff, "name_folded")
		if err := s.update(ctx, tx, row, ifMatch, cols); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "update", "person", id, diff); err != nil {
			return err
		}
		fresh, err := load[personRow](ctx, tx, actor, "person", id, ReadOptions{})
		if err != nil {
			return err
		}
		out = fresh.toPerson()
		return nil
	})
	return out, err
}

// VoidPerson voids a person record.
func (s *Service) VoidPerson(ctx context.Context, actor auth.Actor, id, reason string) (Person, error) {
	var out Person
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[personRow](ctx, tx, actor, "person", id, ReadOptions{})
		if err != nil {
			return err
		}
		if err := s.void(ctx, tx, actor, "person", row, reason); err != nil {
			return err
		}
		fresh, err := load[personRow](ctx, tx, actor, "person", id, ReadOptions{IncludeVoided: true})
		if err != nil {
			return err
		}
		out = fresh.toPerson()
		return nil
	})
	return out, err
}

// PersonFilter narrows ListPersons.
type PersonFilter struct {
	Q             string // folded name substring, or an exact ID number or phone
	IncludeVoided bool
	IncludeMerged bool
	Page          page.Request
}

// ListPersons lists persons newest first.
func (s *Service) ListPersons(ctx context.Context, actor auth.Actor, f PersonFilter) ([]Person, string, error) {
	q := orgs.InScope(s.store.DB.WithContext(ctx).Model(&personRow{}), actor, "org_id")
	if !f.IncludeVoided {
		q = q.Where("voided_at IS NULL")
	}
	if !f.IncludeMerged {
		q = q.Where("merged_into IS NULL")
	}
	if term := strings.TrimSpace(f.Q); term != "" {
		folded := vntext.Fold(term)
		exact := strings.ToUpper(strings.Join(strings.Fields(term), ""))
		phone, _ := normalisePhone(term)
		cond := s.store.DB.Where("id_number = ?", exact).Or("phone = ?", phone)
		if folded != "" {
			cond = cond.Or("name_folded LIKE ?", "%"+folded+"%")
		}
		q = q.Where(cond)
	}
	var rows []personRow
	next, err := page.Fetch(q, f.Page, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	out := make([]Person, len(rows))
	for i := range rows {
		out[i] = rows[i].toPerson()
	}
	return out, next, nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func setPtrIf[T any](dst **T, v *T) {
	if v != nil {
		c := *v
		*dst = &c
	}
}

// track records a column change for the UPDATE and the audit log when old and new differ.
func track[T comparable](diff changed, cols map[string]any, col string, old, new T) {
	if old != new {
		cols[col] = new
		diff.set(col, old, new)
	}
}

// trackPtr is track for nullable columns, comparing values rather than pointers.
func trackPtr[T comparable](diff changed, cols map[string]any, col string, old, new *T) {
	if (old == nil) != (new == nil) || (old != nil && *old != *new) {
		cols[col] = new
		diff.set(col, old, new)
	}
}
