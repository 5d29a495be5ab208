// Package registry keeps the reception register: persons, sessions, visits, delegations, cases,
// conclusion notices and directive letters, with the rules of Law 42/2013 and Circular 04/2021.
package registry

import (
	"context"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
)

// Config is what the rules depend on.
type Config struct {
	DelegationMin int            // a visit with at least this many people is a delegation visit
	Location      *time.Location // "today" for overdue directives is the organisation's day
	DefaultOrgID  string         // records of unscoped tokens belong here unless they say otherwise
	// WarmBytes bounds the names and addresses parsed ahead at a start (WarmPersons); 0 is
	// defaultWarmBytes
	WarmBytes int64
	// ImportBatch is how many rows of a register one transaction imports (ImportRegister); 0 is
	// defaultImportBatch
	ImportBatch int
}

// Service applies the register's rules and stores the records.
type Service struct {
	store *store.Store
	cfg   Config
	clock atomic.Pointer[func() time.Time] // nil: the system clock; tests set another (SetClock)
	dups  *Duplicates                      // duplicate search, merges and the term counts they weigh by
	book  deadlineBook                     // the working-day calendar and deadline rules in force (deadlines.go)
}

// NewService returns the registry service.
func NewService(s *store.Store, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	svc := &Service{store: s, cfg: cfg}
	svc.dups = &Duplicates{reg: svc, cache: newDedupCache()}
	return svc
}

// Duplicates finds, scores, merges and unmerges the register's duplicate persons and cases.
func (s *Service) Duplicates() *Duplicates { return s.dups }

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

// Today is today's date in the register's time zone, YYYY-MM-DD (GET /me tells front-ends).
func (s *Service) Today() string { return s.today() }

// notFuture notes date (YYYY-MM-DD) as out of range when it is after today: the register
// records what happened, so a visit, a notice, a letter or a reply cannot be dated ahead
// (sessions can: they are scheduled). what says what the date is, for the message.
func (s *Service) notFuture(fe *apperr.Fields, field, what, date string) {
	if today := s.today(); date > today {
		fe.AddAs(apperr.OutOfRange, field, "%s %s is in the future (today is %s)", what, date, today)
	}
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
