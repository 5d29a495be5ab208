package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/store"
)

// idempotencyTTL is how long a key is remembered; the contract promises at least 24 hours
// (docs/contract.md, "Creating").
const idempotencyTTL = 48 * time.Hour

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
			return apperr.FieldAs(apperr.TooLong, "Idempotency-Key", "must be at most 200 characters")
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
		now := time.Now().UTC()

		prev, found, err := s.Store.IdempotencyKey(ctx, actor.CallerID(), key)
		switch {
		case err != nil:
			return err
		case found && prev.CreatedAt.After(now.Add(-idempotencyTTL)):
			if prev.BodyHash != hash {
				return apperr.FieldAs(apperr.Conflicting, "Idempotency-Key", "was already used with a different request")
			}
			if prev.Status == 0 && now.Sub(prev.CreatedAt) < s.abandonedClaimAge() {
				return apperr.ConflictOn("Idempotency-Key", "a request with this Idempotency-Key is still being processed")
			}
			if prev.Status == 0 {
				// the request that claimed the key died (a crash between claim and answer):
				// let the retry run rather than lock the key out for the whole TTL
				_ = s.Store.ForgetIdempotencyKey(ctx, actor.CallerID(), key, true)
				break
			}
			if prev.Location != nil {
				c.Response().Header().Set(echo.HeaderLocation, *prev.Location)
			}
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(prev.Status, echo.MIMEApplicationJSON, prev.Body)
		case found:
			_ = s.Store.ForgetIdempotencyKey(ctx, actor.CallerID(), key, false)
		}
		// the placeholder claims the key, so a concurrent duplicate gets 409 instead of writing twice
		claim := store.IdempotencyKey{CallerID: actor.CallerID(), Key: key, Method: c.Request().Method, Path: c.Request().URL.Path, BodyHash: hash, CreatedAt: now}
		if err := s.Store.ClaimIdempotencyKey(ctx, claim); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.ConflictOn("Idempotency-Key", "a request with this Idempotency-Key is still being processed")
			}
			return err
		}
		_ = s.Store.ExpireIdempotencyKeys(ctx, actor.CallerID(), now.Add(-idempotencyTTL))

		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err = next(c)
		status := c.Response().Status
		// not the request's context: the key must be settled even when the client went away
		settle := context.WithoutCancel(ctx)
		if err != nil || status >= 300 {
			// only successes are remembered: a corrected retry with the same key must be able to succeed
			_ = s.Store.ForgetIdempotencyKey(settle, actor.CallerID(), key, false)
			return err
		}
		var loc *string
		if l := c.Response().Header().Get(echo.HeaderLocation); l != "" {
			loc = &l
		}
		return s.Store.AnswerIdempotencyKey(settle, actor.CallerID(), key, status, loc, rec.body.Bytes())
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
