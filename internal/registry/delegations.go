package registry

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Delegation is a group of citizens who came together about one matter (đoàn đông người),
// speaking through the representatives they named.
type Delegation struct {
	ID                string    `json:"id"`
	OrgID             string    `json:"org_id"`
	Name              string    `json:"name" example:"Đoàn công dân thôn Tân Định"`
	MemberCount       int       `json:"member_count" example:"12"`
	RepresentativeIDs []string  `json:"representative_ids"`
	CaseID            *string   `json:"case_id"`
	Note              *string   `json:"note"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	Voiding
	Version int `json:"-"`
}

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
	Name              string   `json:"name" validate:"required,max=300" example:"Đoàn công dân thôn Tân Định"`
	MemberCount       int      `json:"member_count" validate:"required,gte=2,lte=100000" example:"12"`
	RepresentativeIDs []string `json:"representative_ids" validate:"max=50,dive,required"`
	CaseID            *string  `json:"case_id,omitempty"`
	Note              *string  `json:"note,omitempty" validate:"omitempty,max=2000"`
}

// DelegationPatch is the body of PATCH /delegations/{id}; representative_ids, when present,
// replaces the whole list.
type DelegationPatch struct {
	Name              *string   `json:"name,omitempty" validate:"omitempty,min=1,max=300"`
	MemberCount       *int      `json:"member_count,omitempty" validate:"omitempty,gte=2,lte=100000"`
	RepresentativeIDs *[]string `json:"representative_ids,omitempty" validate:"omitempty,max=50,dive,required"`
	CaseID            *string   `json:"case_id,omitempty" validate:"omitempty,min=1"`
	Note              *string   `json:"note,omitempty" validate:"omitempty,max=2000"`
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
		fe.Add("name", "is required")
	}
	row.Note = optText(row.Note)
	if err := checkRepresentatives(row.MemberCount, len(reps)); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	if err := refIDs(ctx, tx, actor, "persons", "person", "representative_ids", reps); err != nil && !addInvalid(&fe, "", err) {
		return err
	}
	if row.CaseID != nil {
		if err := refID(ctx, tx, actor, "cases", "case", "case_id", *row.CaseID); err != nil && !addInvalid(&fe, "", err) {
			return err
		}
	}
	return fe.Err()
}

// CreateDelegation registers a delegation and its representatives.
func (s *Service) CreateDelegation(ctx context.Context, actor auth.Actor, in NewDelegation) (Delegation, error) {
	if err := validate.Struct(in); err != nil {
		return Delegation{}, err
	}
	var out Delegation
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		orgID, err := s.ownerOrg(ctx, tx, actor, in.OrgID)
		if err != nil {
			return err
		}
		row := &delegationRow{Meta: s.newMeta(orgID), Name: in.Name, MemberCount: in.MemberCount, CaseID: in.CaseID, Note: in.Note}
		if err := s.checkDelegation(ctx, tx, actor, row, in.RepresentativeIDs); err != nil {
			return err
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return err
		}
		if err := delegationReps.replace(ctx, tx, row.ID, in.RepresentativeIDs); err != nil {
			return err
		}
		out = row.toDelegation(slices.Clone(in.RepresentativeIDs))
		return audit.Record(ctx, tx, actor, "create", "delegation", row.ID, map[string]any{
			"name": row.Name, "member_count": row.MemberCount, "representative_ids": out.RepresentativeIDs, "case_id": row.CaseID})
	})
	return out, err
}

// GetDelegation reads one delegation.
func (s *Service) GetDelegation(ctx context.Context, actor auth.Actor, id string, opt ReadOptions) (Delegation, error) {
	row, err := load[delegationRow](ctx, s.store.DB, actor, "delegation", id, opt)
	if err != nil {
		return Delegation{}, err
	}
	return s.delegationOut(ctx, s.store.DB, row)
}

// UpdateDelegation applies a partial update; the representative counts are checked again on
// the final values, so a smaller member_count cannot leave too many representatives behind.
func (s *Service) UpdateDelegation(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in DelegationPatch) (Delegation, error) {
	if err := validate.Struct(in); err != nil {
		return Delegation{}, err
	}
	var out Delegation
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := load[delegationRow](ctx, tx, actor, "delegation", id, ReadOptions{})
		if err != nil {
			return err
		}
		links, err := delegationReps.load(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		before, oldReps := *row, links[id]
		reps := oldReps
		if in.RepresentativeIDs != nil {
			reps = *in.RepresentativeIDs
		}
		setIf(&row.Name, in.Name)
		setIf(&row.MemberCount, in.MemberCount)
		setPtrIf(&row.CaseID, in.CaseID)
		setPtrIf(&row.Note, in.Note)
		if err := s.checkDelegation(ctx, tx, actor, row, reps); err != nil {
			return err
		}
		diff := changed{}
		cols := map[string]any{}
		track(diff, cols, "name", before.Name, row.Name)
		track(diff, cols, "member_count", before.MemberCount, row.MemberCount)
		trackPtr(diff, cols, "case_id", before.CaseID, row.CaseID)
		trackPtr(diff, cols, "note", before.Note, row.Note)
		if err := s.update(ctx, tx, row, ifMatch, cols); err != nil {
			return err
		}
		if !slices.Equal(oldReps, reps) {
			diff.set("representative_ids", nonNil(oldReps), reps)
			if err := delegationReps.replace(ctx, tx, id, reps); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor, "update", "delegation", id, diff); err != nil {
			return err
		}
		fresh, err := load[delegationRow](ctx, tx, actor, "delegation", id, ReadOptions{})
		if err != nil {
			return err
		}
		out = fresh.toDelegation(slices.Clone(reps))
		return nil
	})
	return out, err
}

// VoidDelegation voids a delegation no live visit names: the visits would keep pointing at a
// voided record, so staff void or relink them first (409).
func (s *Service) VoidDelegation(ctx context.Context, actor auth.Actor, id, reason string) (Delegation, error) {
	var out Delegation
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := voidAndReload[delegationRow](ctx, s, tx, actor, "delegation", id, reason, func() error {
			return refuseIfReferenced(ctx, tx, "", "visits", "delegation_id", id, "the delegation has live visits: void them or unlink them first")
		})
		if err != nil {
			return err
		}
		out, err = s.delegationOut(ctx, tx, row)
		return err
	})
	return out, err
}

// DelegationFilter narrows ListDelegations.
type DelegationFilter struct {
	CaseID        string
	IncludeVoided bool
	Page          page.Request
}

// ListDelegations lists delegations newest first.
func (s *Service) ListDelegations(ctx context.Context, actor auth.Actor, f DelegationFilter) ([]Delegation, string, error) {
	q := orgs.InScope(s.store.DB.WithContext(ctx).Model(&delegationRow{}), actor, "org_id")
	if !f.IncludeVoided {
		q = q.Where("voided_at IS NULL")
	}
	if f.CaseID != "" {
		q = q.Where("case_id = ?", f.CaseID)
	}
	var rows []delegationRow
	next, err := page.Fetch(q, f.Page, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	links, err := delegationReps.load(ctx, s.store.DB, idsOf(rows))
	if err != nil {
		return nil, "", err
	}
	out := make([]Delegation, len(rows))
	for i := range rows {
		out[i] = rows[i].toDelegation(links[rows[i].ID])
	}
	return out, next, nil
}

func (s *Service) delegationOut(ctx context.Context, db *gorm.DB, row *delegationRow) (Delegation, error) {
	links, err := delegationReps.load(ctx, db, []string{row.ID})
	if err != nil {
		return Delegation{}, err
	}
	return row.toDelegation(links[row.ID]), nil
}

var delegationReps = linkTable{table: "delegation_representatives", owner: "delegation_id", member: "person_id"}

// The helpers below are shared by delegations, notices and directives.

// linkTable keeps an ordered list of ids beside a record (a delegation's representatives, a
// notice's cases) as rows (owner, member, position); the list is replaced whole on update.
type linkTable struct{ table, owner, member string }

func (l linkTable) replace(ctx context.Context, tx *gorm.DB, ownerID string, ids []string) error {
	if err := tx.WithContext(ctx).Exec("DELETE FROM "+l.table+" WHERE "+l.owner+" = ?", ownerID).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	rows := make([]map[string]any, len(ids))
	for i, id := range ids {
		rows[i] = map[string]any{l.owner: ownerID, l.member: id, "position": i}
	}
	return tx.WithContext(ctx).Table(l.table).Create(rows).Error
}

// load reads the lists of a whole page of owners in one query (the primary key's leading column
// is the owner), in their stored order.
func (l linkTable) load(ctx context.Context, db *gorm.DB, ownerIDs []string) (map[string][]string, error) {
	out := make(map[string][]string, len(ownerIDs))
	if len(ownerIDs) == 0 {
		return out, nil
	}
	var rows []struct{ Owner, Member string }
	err := db.WithContext(ctx).Table(l.table).Select(l.owner+" AS owner, "+l.member+" AS member").
		Where(l.owner+" IN ?", ownerIDs).Order(l.owner + ", position").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.Owner] = append(out[r.Owner], r.Member)
	}
	return out, nil
}

// liveIn selects the live records of table among ids that the actor may see. Sessions and
// cases are read this way, as plain tables, so that documents do not depend on their Go types.
func liveIn(ctx context.Context, db *gorm.DB, actor auth.Actor, table string, ids []string) *gorm.DB {
	q := db.WithContext(ctx).Table(table).Where(table+".id IN ? AND "+table+".voided_at IS NULL", ids)
	return orgs.InScope(q, actor, table+".org_id")
}

// refIDs checks a list of referenced ids in one query: each must name a live entity in scope,
// once. Problems are reported per item ("case_ids[1]").
func refIDs(ctx context.Context, db *gorm.DB, actor auth.Actor, table, entity, field string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var live []string
	if err := liveIn(ctx, db, actor, table, ids).Pluck("id", &live).Error; err != nil {
		return err
	}
	found := make(map[string]bool, len(live))
	for _, id := range live {
		found[id] = true
	}
	var fe apperr.Fields
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		item := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case seen[id]:
			fe.Add(item, "%q is listed twice", id)
		case !found[id]:
			fe.Add(item, "no %s with id %q", entity, id)
		}
		seen[id] = true
	}
	return fe.Err()
}

// refID checks one referenced id (422 naming field when it names nothing live in scope).
func refID(ctx context.Context, db *gorm.DB, actor auth.Actor, table, entity, field, id string) error {
	var n int64
	if err := liveIn(ctx, db, actor, table, []string{id}).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return apperr.Field(field, "no %s with id %q", entity, id)
	}
	return nil
}

// voidAndReload voids one live record in tx, once every guard allows it, and reads it back.
func voidAndReload[T any, PT interface {
	*T
	model
}](ctx context.Context, s *Service, tx *gorm.DB, actor auth.Actor, entity, id, reason string, guards ...func() error) (*T, error) {
	row, err := load[T, PT](ctx, tx, actor, entity, id, ReadOptions{})
	if err != nil {
		return nil, err
	}
	for _, guard := range guards {
		if err := guard(); err != nil {
			return nil, err
		}
	}
	if err := s.void(ctx, tx, actor, entity, PT(row), reason); err != nil {
		return nil, err
	}
	return load[T, PT](ctx, tx, actor, entity, id, ReadOptions{IncludeVoided: true})
}

// idsOf lists the public ids of a page of rows.
func idsOf[T any, PT interface {
	*T
	model
}](rows []T) []string {
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
