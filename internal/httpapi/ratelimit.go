package httpapi

import (
	"math"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
)

// rateLimiter limits each token (after authentication, so the key is the token's id rather than
// something a client can vary freely). TCD_RATE_LIMIT=0 turns it off.
func (s *Server) rateLimiter() echo.MiddlewareFunc {
	perSecond := s.Config.RateLimit
	if perSecond <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(perSecond), Burst: max(s.Config.RateBurst, 1), ExpiresIn: 10 * time.Minute,
	})
	retryAfter := strconv.Itoa(int(math.Ceil(1 / perSecond)))
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		IdentifierExtractor: func(c echo.Context) (string, error) {
			return auth.ActorFrom(c.Request().Context()).CallerID(), nil
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retryAfter)
			return apperr.New(apperr.RateLimited, "too many requests for this token; retry after %s s", retryAfter)
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}

// A client address may fail authentication failedAuthBurst times at once, and once more every
// failedAuthEvery after that; beyond, its failures answer 429.
const (
	failedAuthBurst = 20
	failedAuthEvery = 3 * time.Second
)

// failedAuth counts failed authentications per client address: guessing tokens, or a client
// left running with a revoked one, is told to back off. The address is the connection's peer,
// not a header a client can set. Valid tokens never reach it, so they are never slowed, even
// from an address that fails often (many clients behind one proxy).
type failedAuth struct {
	store      *middleware.RateLimiterMemoryStore
	retryAfter string
}

func newFailedAuth() *failedAuth {
	return &failedAuth{
		store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Every(failedAuthEvery), Burst: failedAuthBurst, ExpiresIn: 10 * time.Minute,
		}),
		retryAfter: strconv.Itoa(int(failedAuthEvery / time.Second)),
	}
}

// refuse answers a failed authentication: err (401) within the address's allowance, else 429.
func (f *failedAuth) refuse(c echo.Context, err error) error {
	if ok, _ := f.store.Allow(clientAddr(c)); ok {
		return err
	}
	c.Response().Header().Set("Retry-After", f.retryAfter)
	return apperr.New(apperr.RateLimited, "too many failed authentications from this address; retry after %s s", f.retryAfter)
}
