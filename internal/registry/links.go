package registry

// Records that name others: ordered lists of ids beside a record (linkTable), and the
// records still naming one that is to be voided (dependent).

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/validate"
)

// linkTable keeps an ordered list of ids beside a record (a delegation's representatives, a
// notice's cases) as rows (owner, member, position); the list is replaced whole on update.
// owners is the table of the records that own the lists.
type linkTable struct{ table, owners, owner, member string }

func (l linkTable) replace(ctx context.Context, tx *gorm.DB, ownerID string, ids []string) error {
	if err := tx.WithContext(ctx).Exec("DELETE FROM "+l.table+" WHERE "+l.owner+" = ?", ownerID).Error; err != nil {
		return err
	}
	return l.insert(ctx, tx, ownerID, ids)
}

// patched reads the list of an owner being edited and applies to it a PATCH field that holds
// the whole list (null: none).
func (l linkTable) patched(ctx context.Context, tx *gorm.DB, ownerID string, o validate.Optional[[]string]) (old, ids []string, err error) {
	links, err := l.load(ctx, tx, []string{ownerID})
	old, ids = links[ownerID], links[ownerID]
	if o.Set {
		ids = derefOr(o.Value, nil)
	}
	return old, ids, err
}

// change replaces the list of an edited owner when it differs from old, noting it in c.
func (l linkTable) change(ctx context.Context, tx *gorm.DB, c edits, field, ownerID string, old, ids []string) error {
	if slices.Equal(old, ids) {
		return nil
	}
	c.diff.set(field, nonNil(old), nonNil(ids))
	return l.replace(ctx, tx, ownerID, ids)
}

// insert writes the list of a new owner.
func (l linkTable) insert(ctx context.Context, tx *gorm.DB, ownerID string, ids []string) error {
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

// dependent is a kind of record that can name another: voiding a record that live ones still
// name would leave them pointing at a void, so it is refused until they are voided or changed.
type dependent struct {
	what  string                               // plural, as a message says it
	named func(q *gorm.DB, id string) *gorm.DB // live rows naming id, found through an index
}

// namedBy is the live rows of table whose column is id.
func namedBy(what, table, column string) dependent {
	return dependent{what: what, named: func(q *gorm.DB, id string) *gorm.DB {
		return q.Table(table).Where(column+" = ? AND voided_at IS NULL", id)
	}}
}

// naming is the live owners whose list names id.
func (l linkTable) naming(what string) dependent {
	return dependent{what: what, named: func(q *gorm.DB, id string) *gorm.DB {
		return q.Table(l.table+" AS l").Joins("JOIN "+l.owners+" AS o ON o.id = l."+l.owner).
			Where("l."+l.member+" = ? AND o.voided_at IS NULL", id)
	}}
}

// stillNamed lists which of deps still name id, one probe each.
func stillNamed(ctx context.Context, tx *gorm.DB, id string, deps ...dependent) ([]string, error) {
	var found []string
	for _, d := range deps {
		var hits []int
		if err := d.named(tx.WithContext(ctx), id).Select("1").Limit(1).Scan(&hits).Error; err != nil {
			return nil, err
		}
		if len(hits) > 0 {
			found = append(found, d.what)
		}
	}
	return found, nil
}

// refuseVoid is the guard of voiding a record of entity: 409 naming every kind of live record
// that still names it.
func refuseVoid(ctx context.Context, entity, id string, deps ...dependent) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		found, err := stillNamed(ctx, tx, id, deps...)
		if err != nil || len(found) == 0 {
			return err
		}
		return apperr.ConflictOn("id", "the %s cannot be voided while live %s name it: void or change them first", entity, andList(found))
	}
}

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
