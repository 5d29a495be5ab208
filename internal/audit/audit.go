// Package audit appends who did what to which record, in the same transaction as the change, and
// lets admins and auditors read it back. Nothing here updates or deletes an entry.
package audit

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/store"
)

// Entry is one line of the audit log.
type Entry struct {
	At        time.Time      `json:"at"`
	Actor     string         `json:"actor"`
	ActorRole string         `json:"actor_role"`
	Action    string         `json:"action"`
	Entity    string         `json:"entity"`
	EntityID  string         `json:"entity_id"`
	Changes   map[string]any `json:"changes" swaggertype:"object"`
	RequestID string         `json:"request_id,omitempty"`
}

type entryRow struct {
	Seq       int64 `gorm:"primaryKey"`
	At        time.Time
	Actor     string
	ActorRole string
	Action    string
	Entity    string
	EntityID  string
	Changes   *string
	RequestID *string
}

func (entryRow) TableName() string { return "audit_log" }

type requestIDKey struct{}

// WithRequestID lets entries written during a request point back to its log lines.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// Record appends an entry using db, which should be the transaction of the change itself so
// that a change and its audit line land together or not at all.
func Record(ctx context.Context, db *gorm.DB, actor auth.Actor, action, entity, entityID string, changes map[string]any) error {
	row := entryRow{At: time.Now().UTC(), Actor: actor.Name, ActorRole: string(actor.Role), Action: action, Entity: entity, EntityID: entityID}
	if len(changes) > 0 {
		b, err := json.Marshal(changes)
		if err != nil {
			return err
		}
		s := string(b)
		row.Changes = &s
	}
	if id, ok := ctx.Value(requestIDKey{}).(string); ok && id != "" {
		row.RequestID = &id
	}
	return db.WithContext(ctx).Create(&row).Error
}

// identityLinks are the changes that tie citizens to a matter. A denouncer's identity is secret
// (Law 42/2013 Art. 3), and the register hides it per case; the log cannot tell which entries
// concern a denunciation, so for every reader but an admin these links are reduced to a count.
var identityLinks = []string{"person_ids", "representative_ids"}

func redactIdentityLinks(changes map[string]any) {
	for _, key := range identityLinks {
		if v, ok := changes[key]; ok {
			n := 0
			if list, ok := v.([]any); ok {
				n = len(list)
			}
			delete(changes, key)
			changes[strings.TrimSuffix(key, "_ids")+"_count"] = n
		}
	}
}

// Filter narrows List.
type Filter struct {
	Entity   string
	EntityID string
	Actor    string
	From     *time.Time
	To       *time.Time // exclusive
	Page     page.Request
	// Reader is who reads the log; only an admin sees which citizens a change linked.
	Reader auth.Actor
}

// Log reads the audit log.
type Log struct{ store *store.Store }

// NewLog returns the audit reader.
func NewLog(s *store.Store) *Log { return &Log{store: s} }

// List returns entries newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, string, error) {
	q := l.store.DB.WithContext(ctx).Model(&entryRow{})
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
	out := make([]Entry, len(rows))
	for i, r := range rows {
		e := Entry{At: r.At, Actor: r.Actor, ActorRole: r.ActorRole, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID}
		if r.Changes != nil {
			_ = json.Unmarshal([]byte(*r.Changes), &e.Changes)
			if f.Reader.Role != auth.Admin {
				redactIdentityLinks(e.Changes)
			}
		}
		if r.RequestID != nil {
			e.RequestID = *r.RequestID
		}
		out[i] = e
	}
	return out, next, nil
}
