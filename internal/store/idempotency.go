package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// IdempotencyKey is a POST remembered under the Idempotency-Key its client sent (table
// idempotency_keys): the request's hash, and once it succeeded its answer, to replay.
type IdempotencyKey struct {
	CallerID  string `gorm:"primaryKey;column:token_id"` // the token or signed-in user that sent the key
	Key       string `gorm:"primaryKey"`
	Method    string
	Path      string
	BodyHash  string
	Status    int // 0 while the first request is still running
	Location  *string
	Body      []byte
	CreatedAt time.Time
}

func (IdempotencyKey) TableName() string { return "idempotency_keys" }

// IdempotencyKey reads the key a caller used; found is false when there is none.
func (s *Store) IdempotencyKey(ctx context.Context, callerID, key string) (k IdempotencyKey, found bool, err error) {
	err = s.DB.WithContext(ctx).Where("token_id = ? AND key = ?", callerID, key).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return k, false, nil
	}
	return k, err == nil, err
}

// ClaimIdempotencyKey stores k unanswered; a unique violation (IsUniqueViolation) means another
// request claimed the key first.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, k IdempotencyKey) error {
	return s.DB.WithContext(ctx).Create(&k).Error
}

// AnswerIdempotencyKey records the answer a claimed key replays from now on.
func (s *Store) AnswerIdempotencyKey(ctx context.Context, callerID, key string, status int, location *string, body []byte) error {
	return s.DB.WithContext(ctx).Model(&IdempotencyKey{}).Where("token_id = ? AND key = ?", callerID, key).
		Updates(map[string]any{"status": status, "location": location, "body": body}).Error
}

// ForgetIdempotencyKey deletes a key (only while unanswered when unansweredOnly), so that its
// next use runs the request.
func (s *Store) ForgetIdempotencyKey(ctx context.Context, callerID, key string, unansweredOnly bool) error {
	q := s.DB.WithContext(ctx).Where("token_id = ? AND key = ?", callerID, key)
	if unansweredOnly {
		q = q.Where("status = 0")
	}
	return q.Delete(&IdempotencyKey{}).Error
}

// ExpireIdempotencyKeys deletes a caller's keys made before the given time.
func (s *Store) ExpireIdempotencyKeys(ctx context.Context, callerID string, before time.Time) error {
	return s.DB.WithContext(ctx).Where("token_id = ? AND created_at < ?", callerID, before).Delete(&IdempotencyKey{}).Error
}
