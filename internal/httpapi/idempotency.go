package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
)

// idempotencyTTL is how long a key is remembered; the contract promises at least 24 hours
// (docs/contract.md, "Creating").
const idempotencyTTL = 48 * time.Hour

type idempotencyRow struct {
	TokenID   string `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	Method    string
	Path      string
	BodyHash  string
	Status    int // 0 while the first request is still running
	Location  *string
	Body      []byte
	CreatedAt time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// idempotent makes a POST with an Idempotency-Key safe to repeat: the first successful answer is
// stored and replayed for the same key and body, and the same key with another body is refused.
// Keys are per token or user, so two clients cannot collide.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		if len(key) > 200 {
			return apperr.Field("Idempotency-Key", "must be at most 200 characters")
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) {
				return he
			}
			return apperr.Wrap(apperr.BadRequest, err, "could not read the request body")
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.Path+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		ctx := c.Request().Context()
		actor := auth.ActorFrom(ctx)
		db := s.Store.DB.WithContext(ctx)
		now := time.Now().UTC()

		var prev idempotencyRow
		err = db.Where("token_id = ? AND key = ?", actor.CallerID(), key).Take(&prev).Error
		switch {
		case err == nil && prev.CreatedAt.After(now.Add(-idempotencyTTL)):
			if prev.BodyHash != hash {
				return apperr.Field("Idempotency-Key", "was already used with a different request")
			}
			if prev.Status == 0 && now.Sub(prev.CreatedAt) < s.abandonedClaimAge() {
				return apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still being processed")
			}
			if prev.Status == 0 {
				// the request that claimed the key died (a crash between claim and answer):
				// let the retry run rather than lock the key out for the whole TTL
				db.Where("token_id = ? AND key = ? AND status = 0", actor.CallerID(), key).Delete(&idempotencyRow{})
				break
			}
			if prev.Location != nil {
				c.Response().Header().Set(echo.HeaderLocation, *prev.Location)
			}
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(prev.Status, echo.MIMEApplicationJSON, prev.Body)
		case err == nil:
			db.Where("token_id = ? AND key = ?", actor.CallerID(), key).Delete(&idempotencyRow{})
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		// the placeholder claims the key, so a concurrent duplicate gets 409 instead of writing twice
		claim := idempotencyRow{TokenID: actor.CallerID(), Key: key, Method: c.Request().Method, Path: c.Request().URL.Path, BodyHash: hash, CreatedAt: now}
		if err := db.Create(&claim).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still being processed")
			}
			return err
		}
		db.Where("token_id = ? AND created_at < ?", actor.CallerID(), now.Add(-idempotencyTTL)).Delete(&idempotencyRow{})

		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err = next(c)
		status := c.Response().Status
		if err != nil || status >= 300 {
			// only successes are remembered: a corrected retry with the same key must be able to succeed
			s.Store.DB.Where("token_id = ? AND key = ?", actor.CallerID(), key).Delete(&idempotencyRow{})
			return err
		}
		var loc *string
		if l := c.Response().Header().Get(echo.HeaderLocation); l != "" {
			loc = &l
		}
		return s.Store.DB.Model(&idempotencyRow{}).Where("token_id = ? AND key = ?", actor.CallerID(), key).
			Updates(map[string]any{"status": status, "location": loc, "body": rec.body.Bytes()}).Error
	}
}

// abandonedClaimAge is when an unanswered claim is presumed dead: no request outlives the
// request timeout, so a claim older than that (plus a margin) belongs to a crashed server.
func (s *Server) abandonedClaimAge() time.Duration { return s.Config.RequestTimeout + 10*time.Second }

// recorder keeps a copy of the response body for replays.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
