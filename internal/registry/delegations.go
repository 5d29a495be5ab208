package registry

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Delegation is a group of citizens who came together about one matter (đoàn đông người),
// speaking through the representatives they named.
type Delegation struct {
	ID                string   `json:"id" validate:"required"`
	OrgID             string   `json:"org_id" validate:"required"`
	Name              string   `json:"name" example:"Đoàn công dân thôn Tân Định" validate:"required"`
	MemberCount       int      `json:"member_count" example:"12" validate:"required"`
	RepresentativeIDs []string `json:"representative_ids" validate:"required"`
	// IdentityHidden: the delegation is about a denunciation whose denouncers this token may not
	// see, so representative_ids is empty.
	IdentityHidden bool      `json:"identity_hidden,omitempty"`
	CaseID         *string   `json:"case_id" extensions:"x-nullable" validate:"required"`
	Note           *string   `json:"note" extensions:"x-nullable" validate:"required"`
	CreatedAt      time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt      time.Time `json:"updated_at" validate:"required" format:"date-time"`
	Voiding
	Version int `json:"-"`
}

// Ref is the record's id and its version, the ETag.
func (d Delegation) Ref() (id string, version int) { return d.ID, d.Version }

type delegationRow struct {
	Meta        `gorm:"embedded"`
	Name        string
	MemberCount int
	CaseID      *string
	Note        *string
}

func (delegationRow) TableName() string { return "delegations" }

func (r *delegationRow) toDelegation(reps []string) Delegation {
	return Delegation{ID: r.ID, OrgID: r.OrgID, Name: r.Name, MemberCount: r.MemberCount, RepresentativeIDs: nonNil(reps),
		CaseID: r.CaseID, Note: r.Note, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Voiding: r.voiding(), Version: r.Version}
}

// NewDelegation is the body of POST /delegations.
type NewDelegation struct {
	OrgID             *string  `json:"org_id,omitempty"`
	Name              string   `json:"name" validate:"required,max=300" example:"Đoàn công dân thôn Tân Định" minLength:"1"`
	MemberCount       int      `json:"member_count" validate:"required,gte=2,lte=100000" example:"12"`
	RepresentativeIDs []string `json:"representative_ids" validate:"max=50,dive,required"`
	CaseID            *string  `json:"case_id,omitempty"`
	Note              *string  `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// DelegationPatch is the body of PATCH /delegations/{id}: only the fields present change;
// representative_ids replaces the whole list (null: none); null (or "") clears case_id or note.
type DelegationPatch struct {
	Name              validate.Optional[string]   `json:"name" validate:"omitempty,min=1,max=300" swaggertype:"string"`
	MemberCount       validate.Optional[int]      `json:"member_count" validate:"omitempty,gte=2,lte=100000" swaggertype:"integer"`
	RepresentativeIDs validate.Optional[[]string] `json:"representative_ids" validate:"omitempty,max=50,dive,required" swaggertype:"array,string" extensions:"x-nullable"`
	CaseID            validate.Optional[string]   `json:"case_id" validate:"omitnil,min=1" swaggertype:"string" extensions:"x-nullable"`
	Note              validate.Optional[string]   `json:"note" validate:"omitempty,max=2000" swaggertype:"string" extensions:"x-nullable"`
}

// RepresentativeRange is how many representatives a delegation of members people names.
// Law 42/2013 Art. 29: 5 to 10 people name 1 or 2, more than 10 at most 5 (Decree 124/2020 Art. 6
// words it "11 or more", which settles the overlap at exactly 10). The law sets nothing for
// groups under 5, so they may name none, or as many as they are.
func RepresentativeRange(members int) (min, max int) {
	switch {
	case members > 10:
		return 1, 5
	case members >= 5:
		return 1, 2
	default:
		return 0, members
	}
}

// checkRepresentatives applies the Art. 29 counts to the final values of a delegation.
func checkRepresentatives(members, named int) error {
	lo, hi := RepresentativeRange(members)
	if named >= lo && named <= hi {
		return nil
	}
	var rule string
	switch {
	case members > 10:
		rule = "more than 10 members name 1 to 5 representatives"
	case members >= 5:
		rule = "5 to 10 members name 1 or 2 representatives"
	default:
		rule = fmt.Sprintf("a group of %d cannot name more representatives than it has members", members)
	}
	return apperr.Field("representative_ids", "%d given for %d members: under Law 42/2013 Art. 29, %s", named, members, rule)
}

func (s *Service) checkDelegation(ctx context.Context, tx *gorm.DB, actor auth.Actor, row *delegationRow, reps []string) error {
	var fe apperr.Fields
	row.Name = vntext.NFC(row.Name)
	if row.Name == "" {
		fe.AddAs(apperr.Required, "name", "is required")
	}
	row.Note = optText(row.Note)
	if err := checkRepresentatives(row.MemberCount, len(reps)); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	if err := references(ctx, tx, actor, "persons", "person", "representative_ids", reps); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	if row.CaseID != nil {
		if _, err := reference[caseRow](ctx, tx, actor, "case_id", "case", *row.CaseID); err != nil && !addInvalid(&fe, "", err) {
			return err
		}
	}
	return fe.Err()
}

var (
	delegationReps = linkTable{table: "delegation_representatives", owners: "delegations", owner: "delegation_id", member: "person_id"}
	delegationKind = kind[delegationRow, *delegationRow, Delegation]{entity: "delegation",
		out: keepingSecrets[delegationRow]("delegations", (*Service).secretDelegation,
			withLinks(delegationReps, func(_ *Service, r *delegationRow, reps []string) Delegation { return r.toDelegation(reps) }),
			func(d *Delegation) { d.RepresentativeIDs, d.IdentityHidden = []string{}, true })}
)

// CreateDelegation registers a delegation and its representatives.
func (s *Service) CreateDelegation(ctx context.Context, actor auth.Actor, in NewDelegation) (Delegation, error) {
	if err := validate.Struct(in); err != nil {
		return Delegation{}, err
	}
	return delegationKind.create(ctx, s, actor, in.OrgID, func(tx *gorm.DB, orgID string) (*delegationRow, error) {
		row := &delegationRow{Meta: s.newMeta(orgID), Name: in.Name, MemberCount: in.MemberCount, CaseID: in.CaseID, Note: in.Note}
		if err := s.checkDelegation(ctx, tx, actor, row, in.RepresentativeIDs); err != nil {
			return nil, err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return nil, err
		}
		if err := delegationReps.insert(ctx, tx, row.ID, in.RepresentativeIDs); err != nil {
			return nil, err
		}
		if err := s.recordDenouncers(ctx, tx, delegationLinks, row.ID); err != nil {
			return nil, err
		}
		return row, audit.Record(ctx, tx, actor, "create", "delegation", row.ID, map[string]any{
			"name": row.Name, "member_count": row.MemberCount, "representative_ids": nonNil(in.RepresentativeIDs), "case_id": row.CaseID})
	})
}

// GetDelegation reads one delegation.
func (s *Service) GetDelegation(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Delegation, error) {
	return delegationKind.get(ctx, s, actor, id, opt)
}

// UpdateDelegation applies a partial update; the representative counts are checked again on
// the final values, so a smaller member_count cannot leave too many representatives behind.
func (s *Service) UpdateDelegation(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in DelegationPatch) (Delegation, error) {
	return delegationKind.edit(ctx, s, actor, id, "update", ifMatch, in, func(tx *gorm.DB, row *delegationRow, before delegationRow, c edits) error {
		old, reps, err := delegationReps.patched(ctx, tx, id, in.RepresentativeIDs)
		if err != nil {
			return err
		}
		var fe apperr.Fields
		setValue(&fe, "name", &row.Name, in.Name)
		setValue(&fe, "member_count", &row.MemberCount, in.MemberCount)
		setNullable(&row.CaseID, in.CaseID)
		setNullable(&row.Note, in.Note)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := s.checkDelegation(ctx, tx, actor, row, reps); err != nil {
			return err
		}
		track(c, "name", before.Name, row.Name)
		track(c, "member_count", before.MemberCount, row.MemberCount)
		trackPtr(c, "case_id", before.CaseID, row.CaseID)
		trackPtr(c, "note", before.Note, row.Note)
		if err := delegationReps.change(ctx, tx, c, "representative_ids", id, old, reps); err != nil {
			return err
		}
		return s.keepDelegationSecrets(ctx, tx, id, before.CaseID, row.CaseID)
	})
}

// keepDelegationSecrets keeps an edited delegation's representatives as secret as before: a
// delegation that moves to another case takes its recorded denouncers with it, one about a
// denunciation cannot drop its case (its representatives would be named about nothing, in the
// open), and new representatives of a denunciation's delegation are recorded as denouncers.
func (s *Service) keepDelegationSecrets(ctx context.Context, tx *gorm.DB, id string, from, to *string) error {
	if from != nil && (to == nil || *to != *from) {
		if to == nil {
			recorded, err := recordedDenouncers(ctx, tx, id, *from)
			if err != nil {
				return err
			}
			if recorded {
				return apperr.Field("case_id", "cannot be cleared: the delegation's representatives were recorded as denouncers of its case")
			}
		} else if err := s.carryDenouncers(ctx, tx, id, *from, *to); err != nil {
			return err
		}
	}
	return s.recordDenouncers(ctx, tx, delegationLinks, id)
}

// VoidDelegation voids a delegation no live visit names: the visits would keep pointing at a
// voided record, so staff void or relink them first (409).
func (s *Service) VoidDelegation(ctx context.Context, actor auth.Actor, id, reason string) (Delegation, error) {
	return delegationKind.void(ctx, s, actor, id, reason, refuseVoid(ctx, "delegation", id, namedBy("visits", "visits", "delegation_id")))
}

// DelegationFilter narrows ListDelegations.
type DelegationFilter struct {
	CaseID        string `json:"case_id" validate:"max=100"`
	IncludeVoided bool
	Page          page.Request
}

// ListDelegations lists delegations newest first.
func (s *Service) ListDelegations(ctx context.Context, actor auth.Actor, f DelegationFilter) ([]Delegation, string, error) {
	if err := validate.Struct(f); err != nil {
		return nil, "", err
	}
	q := delegationKind.query(ctx, s, actor, f.IncludeVoided)
	if f.CaseID != "" {
		q = q.Where("case_id = ?", f.CaseID)
	}
	return delegationKind.list(ctx, s, actor, q, f.Page)
}
