package registry

// Finding records: by the id of a URL (load: 404 when absent or out of scope) and by ids a
// body names (reference, one, and references, many: 422 naming the field).

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
)

// ReadOptions says whether voided records are visible.
type ReadOptions struct {
	IncludeVoided bool
}

// rowPtr is a pointer to a GORM row of a register table.
type rowPtr[T any] interface {
	*T
	model
}

// load reads one record the actor may see, narrowed further by each of narrow; out of scope
// looks exactly like absent (404), so a token cannot probe another organisation's records.
func load[T any, PT rowPtr[T]](ctx context.Context, db *gorm.DB, actor auth.Actor, entity, id string, opt ReadOptions,
	narrow ...func(*gorm.DB) *gorm.DB) (*T, error) {
	row := PT(new(T))
	q := orgs.InScope(db.WithContext(ctx).Where(row.TableName()+".id = ?", id), actor, row.TableName()+".org_id")
	if !opt.IncludeVoided {
		q = q.Where(row.TableName() + ".voided_at IS NULL")
	}
	for _, n := range narrow {
		q = n(q)
	}
	if err := q.Take(row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.New(apperr.NotFound, "no %s with id %q", entity, id)
		}
		return nil, err
	}
	return (*T)(row), nil
}

// reference reads a record named in the body: it must exist, is live and is in scope: a missing
// reference is the client's input error (422 naming the field), not a 404 of the URL.
func reference[T any, PT rowPtr[T]](ctx context.Context, db *gorm.DB, actor auth.Actor, field, entity, id string) (*T, error) {
	row, err := load[T, PT](ctx, db, actor, entity, id, ReadOptions{})
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, apperr.FieldAs(apperr.UnknownReference, field, "no %s with id %q", entity, id)
	}
	return row, err
}

// liveIn selects the live records of table among ids that the actor may see. Sessions and
// cases are read this way, as plain tables, so that documents do not depend on their Go types.
func liveIn(ctx context.Context, db *gorm.DB, actor auth.Actor, table string, ids []string) *gorm.DB {
	q := db.WithContext(ctx).Table(table).Where(table+".id IN ? AND "+table+".voided_at IS NULL", ids)
	return orgs.InScope(q, actor, table+".org_id")
}

// references checks a list of ids named in the body in one query: each must name a live record
// of table in scope, once. Problems are reported per item ("case_ids[1]").
func references(ctx context.Context, db *gorm.DB, actor auth.Actor, table, entity, field string, ids []string) error {
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
	listedOnce(&fe, field, entity, ids, func(id string) bool { return found[id] })
	return fe.Err()
}

// listedOnce adds to fe the items of a list of ids (field, of records of entity) named twice,
// and those found says are not there.
func listedOnce(fe *apperr.Fields, field, entity string, ids []string, found func(id string) bool) {
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		item := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case seen[id]:
			fe.AddAs(apperr.Conflicting, item, "%q is listed twice", id)
		case !found(id):
			fe.AddAs(apperr.UnknownReference, item, "no %s with id %q", entity, id)
		}
		seen[id] = true
	}
}
