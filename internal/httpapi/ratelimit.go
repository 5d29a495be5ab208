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
			return auth.ActorFrom(c.Request().Context()).TokenID, nil
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retryAfter)
			return apperr.New(apperr.RateLimited, "too many requests for this token; retry after %s s", retryAfter)
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}
