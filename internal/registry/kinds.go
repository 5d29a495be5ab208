package registry

// The operations every register table shares (get, create, edit, void, list), told what
// differs per table by a kind.

import (
	"cmp"
	"context"
	"slices"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/validate"
)

// checkFilter validates a list filter by its tags and, when it has a date range, that from is
// not after to: such a range could only ever list nothing, which is a mistake worth naming.
func checkFilter(f any, from, to string) error {
	if err := validate.Struct(f); err != nil {
		return err
	}
	if from != "" && to != "" && from > to {
		return apperr.Field("from", "is after to (%s)", to)
	}
	return nil
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

// kind tells the operations every register table shares (get, edit, void, list) what differs:
// the entity's name in messages and the audit log, what the actor may not see beyond its
// organisations (hide, optional), and how a page of rows becomes API objects (out), reading
// what relates to them for the whole page at once.
type kind[T any, PT rowPtr[T], O any] struct {
	entity string
	hide   func(s *Service, q *gorm.DB, actor auth.Actor) *gorm.DB
	out    outFunc[T, O]
}

// outFunc turns a page of rows into the API objects the actor reads.
type outFunc[T, O any] func(ctx context.Context, s *Service, db *gorm.DB, actor auth.Actor, rows []T) ([]O, error)

// each is the out of a table whose rows alone make their API objects.
func each[T, O any](conv func(*T) O) outFunc[T, O] {
	return func(_ context.Context, _ *Service, _ *gorm.DB, _ auth.Actor, rows []T) ([]O, error) {
		out := make([]O, len(rows))
		for i := range rows {
			out[i] = conv(&rows[i])
		}
		return out, nil
	}
}

// narrow is the scope of the records the actor may see beyond its organisations (all when the
// kind hides none).
func (k kind[T, PT, O]) narrow(s *Service, actor auth.Actor) func(*gorm.DB) *gorm.DB {
	if k.hide == nil {
		return func(q *gorm.DB) *gorm.DB { return q }
	}
	return func(q *gorm.DB) *gorm.DB { return k.hide(s, q, actor) }
}

// find reads one record the actor may see (404 otherwise).
func (k kind[T, PT, O]) find(ctx context.Context, s *Service, db *gorm.DB, actor auth.Actor, id string, opt ReadOptions) (PT, error) {
	return load[T, PT](ctx, db, actor, k.entity, id, opt, k.narrow(s, actor))
}

// withLinks is the out of a table whose API objects carry a linkTable's list, read for the
// whole page in one query.
func withLinks[T any, PT rowPtr[T], O any](l linkTable, conv func(s *Service, row *T, ids []string) O) outFunc[T, O] {
	return func(ctx context.Context, s *Service, db *gorm.DB, _ auth.Actor, rows []T) ([]O, error) {
		links, err := l.load(ctx, db, idsOf[T, PT](rows))
		if err != nil {
			return nil, err
		}
		out := make([]O, len(rows))
		for i := range rows {
			out[i] = conv(s, &rows[i], links[PT(&rows[i]).meta().ID])
		}
		return out, nil
	}
}

// one answers a single row.
func (k kind[T, PT, O]) one(ctx context.Context, s *Service, db *gorm.DB, actor auth.Actor, row PT) (O, error) {
	out, err := k.out(ctx, s, db, actor, []T{*row})
	if err != nil {
		var zero O
		return zero, err
	}
	return out[0], nil
}

// get reads and answers one record.
func (k kind[T, PT, O]) get(ctx context.Context, s *Service, actor auth.Actor, id string, opt ReadOptions) (O, error) {
	row, err := k.find(ctx, s, s.store.DB, actor, id, opt)
	if err != nil {
		var zero O
		return zero, err
	}
	return k.one(ctx, s, s.store.DB, actor, row)
}

// create makes a record of the organisation the actor asks for (or its own) in one
// transaction: build checks, inserts and audits it, and the answer is the stored record.
func (k kind[T, PT, O]) create(ctx context.Context, s *Service, actor auth.Actor, requestedOrg *string,
	build func(tx *gorm.DB, orgID string) (PT, error)) (O, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (O, error) {
		var zero O
		orgID, err := s.ownerOrg(ctx, tx, actor, requestedOrg)
		if err != nil {
			return zero, err
		}
		row, err := build(tx, orgID)
		if err != nil {
			return zero, err
		}
		return k.one(ctx, s, tx, actor, row)
	})
}

// edit changes one live record as the request body in asks, in one transaction: once in passes
// its tags, apply sets the new values on row (before keeps the old ones), checks them and names
// the changed columns in c; they are written under ifMatch (412 when stale), audited as action,
// and the record is read back.
func (k kind[T, PT, O]) edit(ctx context.Context, s *Service, actor auth.Actor, id, action string, ifMatch *int, in any,
	apply func(tx *gorm.DB, row PT, before T, c edits) error) (O, error) {
	if err := validate.Struct(in); err != nil {
		var zero O
		return zero, err
	}
	return inTx(ctx, s, func(tx *gorm.DB) (O, error) {
		var zero O
		row, err := k.find(ctx, s, tx, actor, id, ReadOptions{})
		if err != nil {
			return zero, err
		}
		c := edits{cols: map[string]any{}, diff: auditDiff{}}
		if err := apply(tx, row, *row, c); err != nil {
			return zero, err
		}
		if err := s.update(ctx, tx, row, ifMatch, c.cols); err != nil {
			return zero, err
		}
		if err := audit.Record(ctx, tx, actor, action, k.entity, id, c.diff); err != nil {
			return zero, err
		}
		if row, err = k.find(ctx, s, tx, actor, id, ReadOptions{}); err != nil {
			return zero, err
		}
		return k.one(ctx, s, tx, actor, row)
	})
}

// void voids one live record once every guard allows it (a guard refuses while live records
// still depend on it), and answers it.
func (k kind[T, PT, O]) void(ctx context.Context, s *Service, actor auth.Actor, id, reason string, guards ...func(tx *gorm.DB) error) (O, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (O, error) {
		var zero O
		row, err := k.find(ctx, s, tx, actor, id, ReadOptions{})
		if err != nil {
			return zero, err
		}
		for _, guard := range guards {
			if err := guard(tx); err != nil {
				return zero, err
			}
		}
		if err := s.void(ctx, tx, actor, k.entity, row, reason); err != nil {
			return zero, err
		}
		if row, err = k.find(ctx, s, tx, actor, id, ReadOptions{IncludeVoided: true}); err != nil {
			return zero, err
		}
		return k.one(ctx, s, tx, actor, row)
	})
}

// query starts a list: the records of the actor's organisations, live ones only unless
// includeVoided.
func (k kind[T, PT, O]) query(ctx context.Context, s *Service, actor auth.Actor, includeVoided bool) *gorm.DB {
	table := PT(new(T)).TableName()
	q := orgs.InScope(s.store.DB.WithContext(ctx).Model(PT(new(T))), actor, table+".org_id")
	if !includeVoided {
		q = q.Where(table + ".voided_at IS NULL")
	}
	return q
}

// maxTopUps bounds the further reads that fill a page from which rows hidden from the actor were
// dropped; past it the page comes short, next_cursor still set.
const maxTopUps = 8

// list answers one keyset page of q, newest first. Rows hidden from the actor (k.hide) are
// dropped after each read and the page topped up from the rows after them: as a condition of q
// the test would run on every row a search matches, before the page is cut.
func (k kind[T, PT, O]) list(ctx context.Context, s *Service, actor auth.Actor, q *gorm.DB, p page.Request) ([]O, string, error) {
	table := PT(new(T)).TableName()
	if p.Total != nil {
		counted := q.Session(&gorm.Session{})
		if k.hide != nil {
			counted = k.hide(s, counted, actor)
		}
		if err := counted.Distinct(table + ".id").Count(p.Total).Error; err != nil {
			return nil, "", err
		}
	}
	column := table + ".seq"
	limit := cmp.Or(p.Limit, page.DefaultLimit)
	var rows []T
	var next string
	for reads := 0; len(rows) < limit && reads <= maxTopUps; reads++ {
		var batch []T
		var err error
		p.Limit = limit - len(rows)
		next, err = page.FetchOn(q.Session(&gorm.Session{}), column, p, &batch, func(i int) int64 { return PT(&batch[i]).meta().Seq })
		if err != nil || len(batch) == 0 {
			if err != nil {
				return nil, "", err
			}
			break
		}
		p.After = PT(&batch[len(batch)-1]).meta().Seq
		if batch, err = k.visible(ctx, s, actor, batch); err != nil {
			return nil, "", err
		}
		rows = append(rows, batch...)
		if next == "" {
			break
		}
	}
	out, err := k.out(ctx, s, s.store.DB, actor, rows)
	return out, next, err
}

// visible keeps the rows the actor may see (all of them unless k.hide), in one query.
func (k kind[T, PT, O]) visible(ctx context.Context, s *Service, actor auth.Actor, rows []T) ([]T, error) {
	if k.hide == nil {
		return rows, nil
	}
	table := PT(new(T)).TableName()
	var ids []string
	q := s.store.DB.WithContext(ctx).Table(table).Where(table+".id IN ?", idsOf[T, PT](rows))
	if err := k.hide(s, q, actor).Pluck(table+".id", &ids).Error; err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rows, func(r T) bool { return !slices.Contains(ids, PT(&r).meta().ID) }), nil
}
