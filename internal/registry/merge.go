package registry

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
)

// Merging never destroys a record: the duplicate stays, readable, with merged_into naming the
// record it is one with, and leaves lists and duplicate suggestions. For cases, root_seq names
// the survivor at the end of the chain (A merged into B, B into C: A, B and C all count as C),
// so statistics never walk chains.
//
// Merging into a record that was itself merged goes on to the record it was merged into (the
// survivor): merged_into always names a record that was live and unmerged at the time, and the
// answer says which. Merging a record that is already merged is refused (409): unmerge it
// first. Unmerging restores exactly the state before the merge still in force: the record is
// its own survivor again, with every record merged into it (its root_seq back too, for cases);
// merge_history keeps every merge and its undoing.

// MergeInput is the body of POST /persons/{id}/merge and POST /cases/{id}/merge.
type MergeInput struct {
	Into string `json:"into" validate:"required" example:"01930c4e-8f0a-7c3b-9d2e-5b6a7c8d9e0f" minLength:"1"`
}

// NotDuplicateInput is the body of POST /persons/{id}/not-duplicate and POST
// /cases/{id}/not-duplicate.
type NotDuplicateInput struct {
	Other string `json:"other" validate:"required" example:"01930c4e-8f0a-7c3b-9d2e-5b6a7c8d9e0f" minLength:"1"`
}

// Decision records that two records are distinct: they are never suggested as duplicates again.
type Decision struct {
	Type      string    `json:"type" vocab:"dedup.type" enums:"person,case" validate:"required"`
	ID        string    `json:"id" validate:"required"`
	Other     string    `json:"other" validate:"required"`
	DecidedAt time.Time `json:"decided_at" validate:"required" format:"date-time"`
	DecidedBy string    `json:"decided_by" validate:"required"`
}

type decisionRow struct {
	Seq       int64 `gorm:"primaryKey"`
	Entity    string
	LowID     string
	HighID    string
	DecidedAt time.Time
	DecidedBy string
}

func (decisionRow) TableName() string { return "dedup_decisions" }

type mergeRow struct {
	Seq           int64 `gorm:"primaryKey"`
	Entity        string
	RecordID      string
	RequestedInto string
	MergedInto    string
	MergedAt      time.Time
	MergedBy      string
	UnmergedAt    *time.Time
	UnmergedBy    *string
}

func (mergeRow) TableName() string { return "merge_history" }

// mergeable is a register table whose records can be merged.
type mergeable interface {
	model
	mergedInto() *string
}

func (r *personRow) mergedInto() *string { return r.MergedInto }
func (r *caseRow) mergedInto() *string   { return r.MergedInto }

// MergePerson records that person id is a duplicate of in.Into.
func (d *Duplicates) MergePerson(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in MergeInput) (Person, error) {
	var out Person
	err := d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		// a person merged away leaves the counts that weigh duplicates, and comes back unmerged
		row, err := merge[personRow](ctx, d, tx, actor, "person", id, ifMatch, in, func(rec, _ *personRow) error {
			return countPerson(ctx, tx, rec, -1)
		})
		if err == nil {
			out = row.toPerson()
		}
		return err
	})
	return out, err
}

// UnmergePerson undoes the merge of person id.
func (d *Duplicates) UnmergePerson(ctx context.Context, actor auth.Actor, id string, ifMatch *int) (Person, error) {
	var out Person
	err := d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := unmerge[personRow](ctx, d, tx, actor, "person", id, ifMatch, func(rec *personRow) error {
			if rec.VoidedAt != nil {
				return nil
			}
			return countPerson(ctx, tx, rec, 1)
		})
		if err == nil {
			out = row.toPerson()
		}
		return err
	})
	return out, err
}

// PersonsNotDuplicate records that person id and in.Other are different citizens.
func (d *Duplicates) PersonsNotDuplicate(ctx context.Context, actor auth.Actor, id string, in NotDuplicateInput) (Decision, error) {
	return notDuplicate[personRow](ctx, d, actor, "person", id, in)
}

// MergeCase records that case id is a duplicate of in.Into: its visits count for the survivor
// from then on, and every case merged into it follows.
func (d *Duplicates) MergeCase(ctx context.Context, actor auth.Actor, id string, ifMatch *int, in MergeInput) (Case, error) {
	var out Case
	err := d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := merge[caseRow](ctx, d, tx, actor, "case", id, ifMatch, in, func(c, survivor *caseRow) error {
			if err := tx.WithContext(ctx).Table("cases").Where("root_seq = ?", c.Seq).Update("root_seq", survivor.Seq).Error; err != nil {
				return err
			}
			// who came about the merged cases now counts for the survivor: a denunciation's
			// denouncers (confidential.go)
			return d.reg.recordDenouncers(ctx, tx, groupLinks, survivor.Seq, survivor.Seq, survivor.Seq, survivor.Seq, survivor.Seq, survivor.Seq)
		})
		if err != nil {
			return err
		}
		out, err = d.reg.withVisitFigures(ctx, tx, row)
		return err
	})
	return out, err
}

// UnmergeCase undoes the merge of case id: it and every case merged into it count as it again.
func (d *Duplicates) UnmergeCase(ctx context.Context, actor auth.Actor, id string, ifMatch *int) (Case, error) {
	var out Case
	err := d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		row, err := unmerge[caseRow](ctx, d, tx, actor, "case", id, ifMatch, func(c *caseRow) error {
			return tx.WithContext(ctx).Exec(`WITH RECURSIVE sub(id, seq) AS (
					SELECT id, seq FROM cases WHERE id = ?
					UNION ALL SELECT c.id, c.seq FROM cases c JOIN sub ON c.merged_into = sub.id)
				UPDATE cases SET root_seq = ? WHERE seq IN (SELECT seq FROM sub)`, c.ID, c.Seq).Error
		})
		if err != nil {
			return err
		}
		out, err = d.reg.withVisitFigures(ctx, tx, row)
		return err
	})
	return out, err
}

// CasesNotDuplicate records that case id and in.Other are different matters.
func (d *Duplicates) CasesNotDuplicate(ctx context.Context, actor auth.Actor, id string, in NotDuplicateInput) (Decision, error) {
	return notDuplicate[caseRow](ctx, d, actor, "case", id, in)
}

// merge marks record id of entity merged into the survivor of in.Into, runs moved (which keeps
// derived columns right) and writes history and audit, all in tx. It returns the record as
// stored.
func merge[T any, PT interface {
	*T
	mergeable
}](ctx context.Context, d *Duplicates, tx *gorm.DB, actor auth.Actor, entity, id string, ifMatch *int, in MergeInput,
	moved func(rec, survivor PT) error) (PT, error) {
	if err := validate.Struct(in); err != nil {
		return nil, err
	}
	loaded, err := load[T, PT](ctx, tx, actor, entity, id, ReadOptions{})
	if err != nil {
		return nil, err
	}
	rec := PT(loaded)
	if m := rec.mergedInto(); m != nil {
		return nil, apperr.ConflictOn("merged_into", "this %s is already merged into %s: unmerge it first", entity, *m)
	}
	if in.Into == id {
		return nil, apperr.Field("into", "is this %s itself", entity)
	}
	referenced, err := reference[T, PT](ctx, tx, actor, "into", entity, in.Into)
	if err != nil {
		return nil, err
	}
	target := PT(referenced)
	survivor := target
	if m := target.mergedInto(); m != nil {
		chain, err := survivors(ctx, tx, rec.TableName(), m)
		if err != nil {
			return nil, err
		}
		survivor = PT(new(T))
		if err := tx.WithContext(ctx).Where("id = ?", chain[len(chain)-1]).Take(survivor).Error; err != nil {
			return nil, err
		}
	}
	switch {
	case survivor.meta().ID == id:
		return nil, apperr.Field("into", "was merged into this %s: merging back would make a loop", entity)
	case survivor.meta().VoidedAt != nil:
		return nil, apperr.Field("into", "was merged into %s %s, which is voided", entity, survivor.meta().ID)
	}
	if err := d.reg.update(ctx, tx, rec, ifMatch, map[string]any{"merged_into": survivor.meta().ID}); err != nil {
		return nil, err
	}
	if moved != nil {
		if err := moved(rec, survivor); err != nil {
			return nil, err
		}
	}
	now := d.reg.now()
	err = tx.WithContext(ctx).Create(&mergeRow{Entity: entity, RecordID: id, RequestedInto: in.Into,
		MergedInto: survivor.meta().ID, MergedAt: now, MergedBy: actor.Name}).Error
	if err != nil {
		return nil, err
	}
	changes := auditDiff{}
	changes.set("merged_into", nil, survivor.meta().ID)
	if survivor.meta().ID != in.Into {
		changes["requested_into"] = in.Into
	}
	if err := audit.Record(ctx, tx, actor, "merge", entity, id, changes); err != nil {
		return nil, err
	}
	fresh, err := load[T, PT](ctx, tx, actor, entity, id, ReadOptions{})
	return PT(fresh), err
}

// unmerge makes record id its own survivor again, runs restored for derived columns, and
// closes the merge in history, all in tx.
func unmerge[T any, PT interface {
	*T
	mergeable
}](ctx context.Context, d *Duplicates, tx *gorm.DB, actor auth.Actor, entity, id string, ifMatch *int,
	restored func(rec PT) error) (PT, error) {
	loaded, err := load[T, PT](ctx, tx, actor, entity, id, ReadOptions{})
	if err != nil {
		return nil, err
	}
	rec := PT(loaded)
	from := rec.mergedInto()
	if from == nil {
		return nil, apperr.ConflictOn("merged_into", "this %s is not merged into another", entity)
	}
	if err := d.reg.update(ctx, tx, rec, ifMatch, map[string]any{"merged_into": nil}); err != nil {
		return nil, err
	}
	if restored != nil {
		if err := restored(rec); err != nil {
			return nil, err
		}
	}
	err = tx.WithContext(ctx).Model(&mergeRow{}).Where("entity = ? AND record_id = ? AND unmerged_at IS NULL", entity, id).
		Updates(map[string]any{"unmerged_at": d.reg.now(), "unmerged_by": actor.Name}).Error
	if err != nil {
		return nil, err
	}
	changes := auditDiff{}
	changes.set("merged_into", *from, nil)
	if err := audit.Record(ctx, tx, actor, "unmerge", entity, id, changes); err != nil {
		return nil, err
	}
	fresh, err := load[T, PT](ctx, tx, actor, entity, id, ReadOptions{})
	return PT(fresh), err
}

// survivors follows merged_into from next to the end of the chain and returns the ids met, the
// final survivor last.
func survivors(ctx context.Context, db *gorm.DB, table string, next *string) ([]string, error) {
	var chain []string
	// merges follow a chain to its end, so chains stay short; the bound guards against a
	// loop written by hand into the database
	for next != nil && len(chain) < 100 {
		chain = append(chain, *next)
		var row struct{ MergedInto *string }
		if err := db.WithContext(ctx).Table(table).Select("merged_into").Where("id = ?", *next).Take(&row).Error; err != nil {
			return nil, err
		}
		next = row.MergedInto
	}
	return chain, nil
}

// notDuplicate stores that records id and in.Other of entity are distinct (once per pair).
func notDuplicate[T any, PT interface {
	*T
	mergeable
}](ctx context.Context, d *Duplicates, actor auth.Actor, entity, id string, in NotDuplicateInput) (Decision, error) {
	if err := validate.Struct(in); err != nil {
		return Decision{}, err
	}
	var out Decision
	err := d.reg.store.Tx(ctx, func(tx *gorm.DB) error {
		if _, err := load[T, PT](ctx, tx, actor, entity, id, ReadOptions{}); err != nil {
			return err
		}
		if in.Other == id {
			return apperr.Field("other", "is this %s itself", entity)
		}
		if _, err := reference[T, PT](ctx, tx, actor, "other", entity, in.Other); err != nil {
			return err
		}
		key := pairKey(id, in.Other)
		var row decisionRow
		err := tx.WithContext(ctx).Where("entity = ? AND low_id = ? AND high_id = ?", entity, key[0], key[1]).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			// to the microsecond, as PostgreSQL keeps it, so that a repeat answers the same time
			row = decisionRow{Entity: entity, LowID: key[0], HighID: key[1], DecidedAt: d.reg.now().Truncate(time.Microsecond), DecidedBy: actor.Name}
			if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
				if store.IsUniqueViolation(err) {
					return apperr.ConflictOn("other", "the same decision is being recorded by another request; read it again")
				}
				return err
			}
			if err := audit.Record(ctx, tx, actor, "not_duplicate", entity, id, map[string]any{"other": in.Other}); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		out = Decision{Type: entity, ID: id, Other: in.Other, DecidedAt: row.DecidedAt, DecidedBy: row.DecidedBy}
		return nil
	})
	return out, err
}
