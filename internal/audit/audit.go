// Package audit appends who did what to which record, in the same transaction as the change, and
// lets admins and auditors read it back. Nothing here updates or deletes an entry.
package audit

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
)

// Entry is one line of the audit log.
type Entry struct {
	At        time.Time `json:"at" validate:"required" format:"date-time"`
	Actor     string    `json:"actor" validate:"required"`
	ActorRole string    `json:"actor_role" validate:"required"`
	Action    string    `json:"action" validate:"required"`
	Entity    string    `json:"entity" validate:"required"`
	EntityID  string    `json:"entity_id" validate:"required"`
	// OrgID is the organisation of what the entry is about (the record's, the token's, the
	// organisation changed); null for what belongs to none, such as a search across the whole
	// register by an unscoped token. A reader scoped to an organisation reads its subtree's
	// entries only.
	OrgID   *string        `json:"org_id" extensions:"x-nullable" validate:"required"`
	Changes map[string]any `json:"changes" swaggertype:"object" extensions:"x-nullable" validate:"required"`
	// IdentityHidden: the entry is about a person whose link to a denunciation this reader may
	// not know: changes names the fields without their values, and request_id is left out.
	IdentityHidden bool   `json:"identity_hidden,omitempty"`
	RequestID      string `json:"request_id,omitempty"`
}

type entryRow struct {
	Seq       int64 `gorm:"primaryKey"`
	At        time.Time
	Actor     string
	ActorRole string
	Action    string
	Entity    string
	EntityID  string
	OrgID     *string
	Changes   *string
	RequestID *string
}

func (entryRow) TableName() string { return "audit_log" }

type requestIDKey struct{}

// WithRequestID lets entries written during a request point back to its log lines.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// ownedBy names, per entity, the table whose records carry the organisation an entry about one
// of them belongs to.
var ownedBy = map[string]string{
	"person": "persons", "session": "sessions", "visit": "visits", "delegation": "delegations", "case": "cases",
	"notice": "notices", "directive": "directives", "token": "tokens", "user": "users", "document": "documents", "attachment": "attachments",
}

// Record appends an entry using db, which should be the transaction of the change itself so
// that a change and its audit line land together or not at all. The entry belongs to the
// organisation of the record it is about, read in the same statement, else to the actor's.
func Record(ctx context.Context, db *gorm.DB, actor auth.Actor, action, entity, entityID string, changes map[string]any) error {
	org := any(nil)
	if actor.OrgID != "" {
		org = actor.OrgID
	}
	if table, ok := ownedBy[entity]; ok && entityID != "" {
		org = gorm.Expr("COALESCE((SELECT org_id FROM "+table+" WHERE id = ?), ?)", entityID, org)
	}
	return write(ctx, db, actor, org, action, entity, entityID, changes)
}

// RecordFor is Record for an entry that belongs to organisation orgID ("" for none), such as a
// change to the organisation itself or an export of its subtree.
func RecordFor(ctx context.Context, db *gorm.DB, actor auth.Actor, orgID, action, entity, entityID string, changes map[string]any) error {
	org := any(nil)
	if orgID != "" {
		org = orgID
	}
	return write(ctx, db, actor, org, action, entity, entityID, changes)
}

func write(ctx context.Context, db *gorm.DB, actor auth.Actor, org any, action, entity, entityID string, changes map[string]any) error {
	row, err := newRow(ctx, actor, org, Line{Action: action, Entity: entity, EntityID: entityID, Changes: changes})
	if err != nil {
		return err
	}
	return store.InsertRows(ctx, db, "audit_log", columns, [][]any{row}, "")
}

// Line is one entry RecordAll appends.
type Line struct {
	Action, Entity, EntityID string
	Changes                  map[string]any
}

// RecordAll appends an entry per line, each as RecordFor would, many a statement: a bulk
// write (an import) records the same entries as the records written one by one would, without
// a statement each.
func RecordAll(ctx context.Context, db *gorm.DB, actor auth.Actor, orgID string, lines []Line) error {
	org := any(nil)
	if orgID != "" {
		org = orgID
	}
	rows := make([][]any, len(lines))
	for i, l := range lines {
		var err error
		if rows[i], err = newRow(ctx, actor, org, l); err != nil {
			return err
		}
	}
	return store.InsertRows(ctx, db, "audit_log", columns, rows, "")
}

// columns are the columns of an entry newRow gives, in its order.
var columns = []string{"at", "actor", "actor_role", "action", "entity", "entity_id", "org_id", "changes", "request_id"}

func newRow(ctx context.Context, actor auth.Actor, org any, l Line) ([]any, error) {
	var changes, requestID any
	if len(l.Changes) > 0 {
		b, err := json.Marshal(l.Changes)
		if err != nil {
			return nil, err
		}
		changes = string(b)
	}
	if id, ok := ctx.Value(requestIDKey{}).(string); ok && id != "" {
		requestID = id
	}
	return []any{time.Now().UTC(), actor.Name, string(actor.Role), l.Action, l.Entity, l.EntityID, org, changes, requestID}, nil
}

// identityLinks are the changes that tie citizens to a matter, with the name of the count that
// replaces them. A denouncer's identity is secret (Law 42/2013 Art. 3), and the register hides
// it per person; the log cannot tell which of these lists name a denouncer, so for every reader
// but an admin they are reduced to a count.
var identityLinks = map[string]string{"person_ids": "person_count", "representative_ids": "representative_count",
	"disclosed": "disclosed_count"}

func redactIdentityLinks(changes map[string]any) {
	for key, count := range identityLinks {
		if v, ok := changes[key]; ok {
			n := 0
			if list, ok := v.([]any); ok {
				n = len(list)
			}
			delete(changes, key)
			changes[count] = n
		}
	}
}

// withoutIdentity reduces the entry about a person whose link to a denunciation the reader may
// not know to the names of the fields it touched: no name, number, phone or address, and no
// request id that would tie it to the visit it came with.
func withoutIdentity(e *Entry) {
	if len(e.Changes) > 0 {
		e.Changes = map[string]any{"fields": slices.Sorted(maps.Keys(e.Changes))}
	}
	e.IdentityHidden, e.RequestID = true, ""
}

// Filter narrows List.
type Filter struct {
	Entity   string
	EntityID string
	Actor    string
	From     *time.Time
	To       *time.Time // exclusive
	Page     page.Request
	// Reader is who reads the log: a scoped reader reads its subtree's entries, and only an
	// admin sees which citizens a change linked.
	Reader auth.Actor
}

// PersonSecrecy says which of the persons ids are denouncers kept from reader (the registry's
// rule, registry.Service.KeptDenouncers).
type PersonSecrecy func(ctx context.Context, reader auth.Actor, ids []string) (map[string]bool, error)

// Log reads the audit log.
type Log struct {
	store   *store.Store
	secrecy PersonSecrecy
}

// NewLog returns the audit reader; secrecy names the persons whose entries a reader reads
// without identity.
func NewLog(s *store.Store, secrecy PersonSecrecy) *Log { return &Log{store: s, secrecy: secrecy} }

// List returns entries newest first: those of the reader's subtree (every entry for an unscoped
// reader), with the identity of denouncers kept from the reader taken out.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, string, error) {
	q := l.store.DB.WithContext(ctx).Model(&entryRow{})
	if f.Reader.Scoped() {
		q = q.Where("org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", f.Reader.OrgPath+"%")
	}
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.From != nil {
		q = q.Where("at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("at < ?", *f.To)
	}
	var rows []entryRow
	next, err := page.Fetch(q, f.Page, &rows, func(i int) int64 { return rows[i].Seq })
	if err != nil {
		return nil, "", err
	}
	var persons []string
	for _, r := range rows {
		if r.Entity == "person" && r.EntityID != "" {
			persons = append(persons, r.EntityID)
		}
	}
	var secret map[string]bool
	if l.secrecy != nil {
		if secret, err = l.secrecy(ctx, f.Reader, persons); err != nil {
			return nil, "", err
		}
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		e := Entry{At: r.At, Actor: r.Actor, ActorRole: r.ActorRole, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, OrgID: r.OrgID}
		if r.Changes != nil {
			_ = json.Unmarshal([]byte(*r.Changes), &e.Changes)
			if f.Reader.Role != auth.Admin {
				redactIdentityLinks(e.Changes)
			}
		}
		if r.RequestID != nil {
			e.RequestID = *r.RequestID
		}
		if r.Entity == "person" && secret[r.EntityID] {
			withoutIdentity(&e)
		}
		out[i] = e
	}
	return out, next, nil
}
