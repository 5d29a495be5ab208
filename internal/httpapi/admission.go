package httpapi

import (
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// admission lets at most n API requests work at once (TCD_MAX_ACTIVE_REQUESTS, never more
// than the database connections) and queues the others in order of arrival. Without it, every request in
// flight competes for a connection, and database/sql hands a freed connection to a waiter
// picked at random: under load some requests waited their turn again and again while later
// ones went through, and the slowest hundredth took several times the mean. A request that
// waits out its timeout here answers 503 with Retry-After, and did nothing. Its body is read
// before it queues (readBody), so a place is never held by a client still sending.
func admission(n int) echo.MiddlewareFunc {
	sem := semaphore.NewWeighted(int64(max(n, 1)))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := sem.Acquire(c.Request().Context(), 1); err != nil {
				c.Response().Header().Set("Retry-After", "1")
				return apperr.Wrap(apperr.Unavailable, err, "the service is busy: every place for a request at work stayed taken until this request's deadline; try again shortly")
			}
			defer sem.Release(1)
			return next(c)
		}
	}
}
