// Package registry keeps the reception register: persons, sessions, visits, delegations, cases,
// conclusion notices and directive letters, with the rules of Law 42/2013 and Circular 04/2021.
package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
	"github.com/tcd-registry/tcd/internal/validate"
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
	clock atomic.Pointer[func() time.Time] // nil: the system clock; tests set another (SetClock)
	dedup dedupCache                       // the register's term weights for duplicate scoring (duplicates.go)
	book  deadlineBook                     // the working-day calendar and deadline rules in force (deadlines.go)
}

// NewService returns the registry service.
func NewService(s *store.Store, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Service{store: s, cfg: cfg, dedup: newDedupCache()}
}

// SetClock makes now the service's clock: tests move "today" to see deadlines pass while the
// service answers requests, hence the atomic.
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

// now is the time by the service's clock, in UTC.
func (s *Service) now() time.Time {
	if c := s.clock.Load(); c != nil {
		return (*c)().UTC()
	}
	return time.Now().UTC()
}

// DelegationMin is the configured delegation threshold.
func (s *Service) DelegationMin() int { return s.cfg.DelegationMin }

// today is the current date in the organisation's time zone, as YYYY-MM-DD.
func (s *Service) today() string { return s.now().In(s.cfg.Location).Format(time.DateOnly) }

// notFuture notes date (YYYY-MM-DD) as out of range when it is after today: the register
// records what happened, so a visit, a notice, a letter or a reply cannot be dated ahead
// (sessions can: they are scheduled). what says what the date is, for the message.
func (s *Service) notFuture(fe *apperr.Fields, field, what, date string) {
	if today := s.today(); date > today {
		fe.AddAs(apperr.OutOfRange, field, "%s %s is in the future (today is %s)", what, date, today)
	}
}

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
		return "", apperr.FieldAs(apperr.UnknownReference, "org_id", "no such organisation")
	}
	return *requested, nil
}

// ReadOptions says whether voided records are visible.
type ReadOptions struct {
	IncludeVoided bool
}

// rowPtr is a pointer to a GORM row of a register table.
type rowPtr[T any] interface {
	*T
	model
}

// load reads one record the actor may see; out of scope looks exactly like absent (404), so a
// token cannot probe another organisation's records.
func load[T any, PT rowPtr[T]](ctx context.Context, db *gorm.DB, actor auth.Actor, entity, id string, opt ReadOptions) (*T, error) {
	return loadWhere[T, PT](ctx, db, actor, entity, id, opt, nil)
}

// loadWhere is load narrowed further by narrow (when set).
func loadWhere[T any, PT rowPtr[T]](ctx context.Context, db *gorm.DB, actor auth.Actor, entity, id string, opt ReadOptions,
	narrow func(*gorm.DB) *gorm.DB) (*T, error) {
	row := PT(new(T))
	q := orgs.InScope(db.WithContext(ctx).Where(row.TableName()+".id = ?", id), actor, row.TableName()+".org_id")
	if !opt.IncludeVoided {
		q = q.Where(row.TableName() + ".voided_at IS NULL")
	}
	if narrow != nil {
		q = narrow(q)
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
func reference[T any, PT rowPtr[T]](ctx context.Context, db *gorm.DB, actor auth.Actor, field, entity, id string) (*T, error) {
	row, err := load[T, PT](ctx, db, actor, entity, id, ReadOptions{})
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, apperr.FieldAs(apperr.UnknownReference, field, "no %s with id %q", entity, id)
	}
	return row, err
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

// void marks a record void (never deletes it) and audits it, in tx.
func (s *Service) void(ctx context.Context, tx *gorm.DB, actor auth.Actor, entity string, m model, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.FieldAs(apperr.Required, "reason", "is required: say why the record is voided")
	}
	if len(reason) > 1000 {
		return apperr.FieldAs(apperr.TooLong, "reason", "must be at most 1000 characters")
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

// PATCH bodies: a field left out is left as it is; null clears a field that may be empty (and
// so does "" for text, which is stored as no text); null for a field that always has a value is
// refused (422).

// setValue applies a PATCH field of a column that always has a value.
func setValue[T any](fe *apperr.Fields, field string, dst *T, o validate.Optional[T]) {
	switch {
	case o.Null():
		fe.AddAs(apperr.Required, field, "cannot be null: it always has a value")
	case o.Set:
		*dst = *o.Value
	}
}

// setNullable applies a PATCH field of a nullable column.
func setNullable[T any](dst **T, o validate.Optional[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// changes is what an edit writes: the columns of the UPDATE, and old→new of each for the audit
// log.
type changes struct {
	cols map[string]any
	diff changed
}

// track records a column change for the UPDATE and the audit log when old and new differ.
func track[T comparable](c changes, col string, old, new T) {
	if old != new {
		c.cols[col] = new
		c.diff.set(col, old, new)
	}
}

// trackPtr is track for nullable columns, comparing values rather than pointers.
func trackPtr[T comparable](c changes, col string, old, new *T) {
	if (old == nil) != (new == nil) || (old != nil && *old != *new) {
		c.cols[col] = new
		c.diff.set(col, old, new)
	}
}

// derived writes a column computed from others (a folded name) without auditing it again.
func derived(c changes, col string, old, new string) {
	if old != new {
		c.cols[col] = new
	}
}

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
func (l linkTable) change(ctx context.Context, tx *gorm.DB, c changes, field, ownerID string, old, ids []string) error {
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
			fe.AddAs(apperr.Conflicting, item, "%q is listed twice", id)
		case !found[id]:
			fe.AddAs(apperr.UnknownReference, item, "no %s with id %q", entity, id)
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
		return apperr.FieldAs(apperr.UnknownReference, field, "no %s with id %q", entity, id)
	}
	return nil
}

// idsOf lists the public ids of a page of rows.
func idsOf[T any, PT rowPtr[T]](rows []T) []string {
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

// addInvalid collects the field errors of err into fe under prefix (none when empty) and
// reports whether err was only that; any other error must stop the request.
func addInvalid(fe *apperr.Fields, prefix string, err error) bool {
	if apperr.CodeOf(err) != apperr.Invalid {
		return false
	}
	var e *apperr.Error
	errors.As(err, &e)
	for _, f := range e.Fields {
		if prefix != "" {
			f.Field = prefix + "." + f.Field
		}
		fe.AddAs(f.Code, f.Field, "%s", f.Message)
	}
	return true
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

func (k kind[T, PT, O]) narrow(s *Service, actor auth.Actor) func(*gorm.DB) *gorm.DB {
	if k.hide == nil {
		return nil
	}
	return func(q *gorm.DB) *gorm.DB { return k.hide(s, q, actor) }
}

// find reads one record the actor may see (404 otherwise).
func (k kind[T, PT, O]) find(ctx context.Context, s *Service, db *gorm.DB, actor auth.Actor, id string, opt ReadOptions) (PT, error) {
	return loadWhere[T, PT](ctx, db, actor, k.entity, id, opt, k.narrow(s, actor))
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
	apply func(tx *gorm.DB, row PT, before T, c changes) error) (O, error) {
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
		c := changes{cols: map[string]any{}, diff: changed{}}
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

// inTx runs fn in one transaction and returns what it made.
func inTx[O any](ctx context.Context, s *Service, fn func(tx *gorm.DB) (O, error)) (O, error) {
	var out O
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}
