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
	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/idnumber"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Person is a citizen as staff see them. ID number, phone and address are personal data.
type Person struct {
	ID         string    `json:"id" validate:"required"`
	OrgID      string    `json:"org_id" validate:"required"`
	FullName   string    `json:"full_name" example:"Nguyễn Văn An" validate:"required"`
	Gender     string    `json:"gender" vocab:"person.gender" enums:"male,female,unknown" validate:"required"`
	BirthYear  *int      `json:"birth_year" example:"1975" extensions:"x-nullable" validate:"required"`
	IDNumber   *string   `json:"id_number" example:"045075001234" extensions:"x-nullable" validate:"required"`
	IDKind     *string   `json:"id_kind" vocab:"person.id_kind" enums:"cccd,cmnd,passport" extensions:"x-nullable" validate:"required"`
	Phone      *string   `json:"phone" example:"0912345678" extensions:"x-nullable" validate:"required"`
	Address    *string   `json:"address" example:"Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị" extensions:"x-nullable" validate:"required"`
	MergedInto *string   `json:"merged_into" extensions:"x-nullable" validate:"required"`
	CreatedAt  time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt  time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (p Person) Ref() (id string, version int) { return p.ID, p.Version }

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
	// BlockAddress is the address's blocking key (dedup.PersonAddressKey), which the database
	// cannot compute: written with the address, derived for older records at a start.
	BlockAddress *string
	MergedInto   *string
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
	FullName  string  `json:"full_name" validate:"required,max=200" example:"Nguyễn Văn An" minLength:"1"`
	Gender    string  `json:"gender,omitempty" validate:"omitempty,vocab" vocab:"person.gender" enums:"male,female,unknown"`
	BirthYear *int    `json:"birth_year,omitempty" validate:"omitempty,gte=1900,lte=2100" example:"1975"`
	IDNumber  *string `json:"id_number,omitempty" validate:"omitempty,max=32" example:"045075001234"`
	Phone     *string `json:"phone,omitempty" validate:"omitempty,max=32" example:"0912345678"`
	Address   *string `json:"address,omitempty" validate:"omitempty,max=500"`
}

// PersonPatch is the body of PATCH /persons/{id}: only the fields present change; null (or "")
// clears birth_year, id_number, phone or address.
type PersonPatch struct {
	FullName  validate.Optional[string] `json:"full_name" validate:"omitempty,min=1,max=200" swaggertype:"string"`
	Gender    validate.Optional[string] `json:"gender" validate:"omitempty,vocab" vocab:"person.gender" enums:"male,female,unknown" swaggertype:"string"`
	BirthYear validate.Optional[int]    `json:"birth_year" validate:"omitempty,gte=1900,lte=2100" swaggertype:"integer" extensions:"x-nullable"`
	IDNumber  validate.Optional[string] `json:"id_number" validate:"omitempty,max=32" swaggertype:"string" extensions:"x-nullable"`
	Phone     validate.Optional[string] `json:"phone" validate:"omitempty,max=32" swaggertype:"string" extensions:"x-nullable"`
	Address   validate.Optional[string] `json:"address" validate:"omitempty,max=500" swaggertype:"string" extensions:"x-nullable"`
}

// checkPerson applies the person rules to the final values of a record, new or patched.
func (s *Service) checkPerson(row *personRow) error {
	var fe apperr.Fields
	row.FullName = vntext.NFC(row.FullName)
	row.NameFolded = vntext.Fold(row.FullName)
	if row.NameFolded == "" {
		fe.AddAs(apperr.Required, "full_name", "is required")
	}
	if row.Gender == "" {
		row.Gender = "unknown"
	}
	if row.BirthYear != nil && *row.BirthYear > s.now().In(s.cfg.Location).Year() {
		fe.AddAs(apperr.OutOfRange, "birth_year", "is in the future")
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
	row.BlockAddress = blockAddress(row.Address)
	return fe.Err()
}

// blockAddress is the blocking key of an address (nil for none).
func blockAddress(address *string) *string {
	if address == nil {
		return nil
	}
	if k := dedup.PersonAddressKey(*address); k != "" {
		return &k
	}
	return nil
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

var personKind = kind[personRow, *personRow, Person]{entity: "person", hide: hideSecretPersons, out: each((*personRow).toPerson)}

// createPerson validates and inserts a person in tx (shared by POST /persons and inline persons
// of a visit, so both obey the same rules).
func (s *Service) createPerson(ctx context.Context, tx *gorm.DB, actor auth.Actor, orgID string, in NewPerson) (*personRow, error) {
	row, err := s.newPersonRow(orgID, in)
	if err != nil {
		return nil, err
	}
	if err := tx.WithContext(ctx).Create(row).Error; err != nil {
		return nil, err
	}
	if err := countPerson(ctx, tx, row, 1); err != nil {
		return nil, err
	}
	return row, audit.Record(ctx, tx, actor, "create", "person", row.ID, row.given())
}

// newPersonRow is the checked row of a person to register.
func (s *Service) newPersonRow(orgID string, in NewPerson) (*personRow, error) {
	if err := validate.Struct(in); err != nil {
		return nil, err
	}
	row := &personRow{Meta: s.newMeta(orgID), FullName: in.FullName, Gender: in.Gender, BirthYear: in.BirthYear,
		IDNumber: in.IDNumber, Phone: in.Phone, Address: in.Address}
	if err := s.checkPerson(row); err != nil {
		return nil, err
	}
	return row, nil
}

// given is what the audit entry of a new person's creation records.
func (r *personRow) given() map[string]any {
	given := map[string]any{"full_name": r.FullName, "gender": r.Gender}
	addGiven(given, "birth_year", r.BirthYear)
	addGiven(given, "id_number", r.IDNumber)
	addGiven(given, "phone", r.Phone)
	addGiven(given, "address", r.Address)
	return given
}

// addGiven notes in an audit entry's changes a field the new record has.
func addGiven[T any](changes map[string]any, field string, v *T) {
	if v != nil {
		changes[field] = *v
	}
}

// CreatePerson adds a citizen to the register.
func (s *Service) CreatePerson(ctx context.Context, actor auth.Actor, in NewPerson) (CreatedPerson, error) {
	p, err := personKind.create(ctx, s, actor, in.OrgID, func(tx *gorm.DB, orgID string) (*personRow, error) {
		return s.createPerson(ctx, tx, actor, orgID, in)
	})
	if err != nil {
		return CreatedPerson{}, err
	}
	// After the commit, as for a visit's case (CreateVisit): a failed suggestion answers none
	// rather than reporting the committed write as failed.
	// Only a suggestion that shows someone is written to the audit log (most new citizens match
	// nobody, and an entry for each would bury the disclosures among the creations), and only
	// what was written there is shown.
	out := CreatedPerson{Person: p, PossibleDuplicates: []PersonCandidate{}}
	found, err := s.dups.personCandidates(ctx, actor, p.ID, DuplicateQuery{Limit: duplicateMax})
	if err == nil && len(found) > 0 && s.dups.auditDisclosed(ctx, actor, p.ID, found) == nil {
		out.PossibleDuplicates = found
	}
	return out, nil
}

// CreatedPerson is the answer to POST /persons: the person, and the persons already registered
// who may be the same citizen (as GET /persons/{id}/duplicates lists them, at most five, best
// first), so that staff can use one of them instead.
type CreatedPerson struct {
	Person
	PossibleDuplicates []PersonCandidate `json:"possible_duplicates" validate:"required"`
}

// GetPerson reads one person. The read itself is audited: personal data is disclosed. A person
// known only as the denouncer of cases the actor may not see is not found (confidential.go).
func (s *Service) GetPerson(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Person, error) {
	p, err := personKind.get(ctx, s, actor, id, opt)
	if err != nil {
		return Person{}, err
	}
	return p, audit.Record(ctx, s.store.DB, actor, "read", "person", id, nil)
}

// UpdatePerson applies a partial update.
func (s *Service) UpdatePerson(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in PersonPatch) (Person, error) {
	return personKind.edit(ctx, s, actor, id, "update", ifMatch, in, func(tx *gorm.DB, row *personRow, before personRow, c edits) error {
		var fe apperr.Fields
		setValue(&fe, "full_name", &row.FullName, in.FullName)
		setValue(&fe, "gender", &row.Gender, in.Gender)
		setNullable(&row.BirthYear, in.BirthYear)
		setNullable(&row.IDNumber, in.IDNumber)
		setNullable(&row.Phone, in.Phone)
		setNullable(&row.Address, in.Address)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := s.checkPerson(row); err != nil {
			return err
		}
		track(c, "full_name", before.FullName, row.FullName)
		derived(c, "name_folded", before.NameFolded, row.NameFolded)
		track(c, "gender", before.Gender, row.Gender)
		trackPtr(c, "birth_year", before.BirthYear, row.BirthYear)
		trackPtr(c, "id_number", before.IDNumber, row.IDNumber)
		trackPtr(c, "id_kind", before.IDKind, row.IDKind)
		trackPtr(c, "phone", before.Phone, row.Phone)
		trackPtr(c, "address", before.Address, row.Address)
		derivedPtr(c, "block_address", before.BlockAddress, row.BlockAddress)
		return recountPerson(ctx, tx, &before, row)
	})
}

// VoidPerson voids a person no live visit, delegation or petition names, and no other person record is
// merged into (409): the visits would otherwise name someone who is not in the register.
func (s *Service) VoidPerson(ctx context.Context, actor auth.Actor, id, reason string) (Person, error) {
	return personKind.void(ctx, s, actor, id, reason, refuseVoid(ctx, "person", id,
		visitPersons.naming("visits"),
		delegationReps.naming("delegations"),
		petitionPersons.naming("petitions"),
		namedBy("persons merged into it", "persons", "merged_into")),
		// after the guards, in the voiding transaction: a voided person leaves the counts
		// that weigh duplicates
		func(tx *gorm.DB) error {
			var row personRow
			if err := tx.WithContext(ctx).Select(personColumns).Where("id = ?", id).Take(&row).Error; err != nil {
				return err
			}
			if row.MergedInto != nil {
				return nil // counted no more since the merge
			}
			return countPerson(ctx, tx, &row, -1)
		})
}

// PersonFilter narrows ListPersons.
type PersonFilter struct {
	Q             string `json:"q" validate:"max=200"` // folded name substring, or an exact ID number or phone
	IncludeVoided bool
	IncludeMerged bool
	Page          page.Request
}

// personSearch is the condition of a search term: a term with a digit is an ID number or a
// phone, matched exactly (no name has digits, and a substring test on names would make the
// database read every person instead of two index entries); any other term is a diacritic-
// insensitive substring of the name, and one of punctuation alone matches nothing.
func personSearch(db *gorm.DB, term string) *gorm.DB {
	if folded := vntext.Fold(term); folded != "" && !strings.ContainsFunc(term, unicode.IsDigit) {
		return db.Where("name_folded LIKE ?", "%"+folded+"%")
	}
	exact := strings.ToUpper(strings.Join(strings.Fields(term), ""))
	phone, _ := normalisePhone(term)
	return db.Where("id_number = ?", exact).Or("phone = ?", phone)
}

// ListPersons lists persons newest first. A page that lists anyone is audited.
func (s *Service) ListPersons(ctx context.Context, actor auth.Actor, f PersonFilter) ([]Person, string, error) {
	if err := validate.Struct(f); err != nil {
		return nil, "", err
	}
	q := personKind.query(ctx, s, actor, f.IncludeVoided)
	if !f.IncludeMerged {
		q = q.Where("merged_into IS NULL")
	}
	if term := strings.TrimSpace(f.Q); term != "" {
		q = q.Where(personSearch(s.store.DB, term))
	}
	out, next, err := personKind.list(ctx, s, actor, q, f.Page)
	if err != nil || len(out) == 0 {
		return out, next, err
	}
	// the page discloses personal data, as reading each person would: one entry names them all
	listed := make([]string, len(out))
	for i, p := range out {
		listed[i] = p.ID
	}
	return out, next, audit.Record(ctx, s.store.DB, actor, "list", "person", "", map[string]any{"person_ids": listed, "search": f.Q != ""})
}
