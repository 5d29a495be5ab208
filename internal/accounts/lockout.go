package accounts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// The brute-force windows: after UsernameLimit failed sign-ins for one username within
// FailureWindow, or AddressLimit from one client address, further attempts are refused (even
// with the right password) until the oldest failures that make up the count leave the window.
const (
	UsernameLimit = 5
	AddressLimit  = 20
	FailureWindow = 15 * time.Minute
)

// LockedOut is the cause of a refused sign-in: how long until the window lets one through.
type LockedOut struct {
	RetryAfter time.Duration
}

func (e *LockedOut) Error() string { return fmt.Sprintf("locked out for %s", e.RetryAfter) }

// RetryAfterSeconds is the Retry-After header's value: whole seconds, at least one.
func (e *LockedOut) RetryAfterSeconds() int { return max(1, int(math.Ceil(e.RetryAfter.Seconds()))) }

type failureRow struct {
	Seq        int64 `gorm:"primaryKey"`
	At         time.Time
	Username   string
	ClientAddr string
}

func (failureRow) TableName() string { return "login_failures" }

// claimAttempt counts an attempt to prove a password as a failure before it is checked, and
// returns the failure's seq, which the caller removes if the password turns out right. Counting
// first is what makes the windows hold across replicas without a lock: of concurrent attempts,
// each sees every attempt that claimed before it counted, so no more than the limit ever get
// to check a password. An attempt over a limit is withdrawn at once (it does not lengthen the
// lock, which lasts until the window passes) and answered with a LockedOut.
func (s *Service) claimAttempt(ctx context.Context, username, addr string) (int64, error) {
	now := s.clock()
	since := now.Add(-FailureWindow)
	db := s.store.DB.WithContext(ctx)
	// the windows never look further back, and the audit log keeps every failure
	if err := db.Where("at <= ?", since).Delete(&failureRow{}).Error; err != nil {
		return 0, err
	}
	row := failureRow{At: now, Username: username, ClientAddr: addr}
	if err := db.Create(&row).Error; err != nil {
		return 0, err
	}
	var wait time.Duration
	for _, w := range []struct {
		column, value string
		limit         int
	}{{"username", username, UsernameLimit}, {"client_addr", addr, AddressLimit}} {
		var n int64
		if err := db.Model(&failureRow{}).Where(w.column+" = ? AND at > ?", w.value, since).Count(&n).Error; err != nil {
			return 0, err
		}
		if n <= int64(w.limit) {
			continue
		}
		// the window opens again when the limit-th newest failure before this attempt leaves it
		var oldest failureRow
		err := db.Where(w.column+" = ? AND at > ? AND seq <> ?", w.value, since, row.Seq).
			Order("at DESC, seq DESC").Offset(w.limit - 1).Take(&oldest).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, err
		}
		unlock := FailureWindow // only attempts still in flight filled it: a whole window
		if err == nil {
			unlock = oldest.At.Add(FailureWindow).Sub(now)
		}
		wait = max(wait, unlock)
	}
	if wait == 0 {
		return row.Seq, nil
	}
	if err := s.withdraw(ctx, db, row.Seq); err != nil {
		return 0, err
	}
	lo := &LockedOut{RetryAfter: wait}
	return 0, apperr.Wrap(apperr.RateLimited, lo, fmt.Sprintf("too many failed sign-ins; try again in %d s", lo.RetryAfterSeconds()))
}

// withdraw removes an attempt's failure: it was refused unchecked, or the password was right.
func (s *Service) withdraw(ctx context.Context, db *gorm.DB, seq int64) error {
	return db.WithContext(ctx).Where("seq = ?", seq).Delete(&failureRow{}).Error
}
