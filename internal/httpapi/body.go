package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// A request body must arrive within bodyGrace plus its size at bodyMinRate (a slow mobile link
// still sends the 1 MB default limit in about a minute).
const (
	bodyGrace   = 10 * time.Second
	bodyMinRate = 16 << 10 // bytes a second
)

// readBody reads the whole request body (at most limit bytes: BodyLimit runs before it) before
// the request takes one of the places of the requests at work (admission): a client that
// trickles its body in holds a connection, never a place, so it cannot make other clients wait.
// The connection's read deadline allows the size announced (the limit when none is) at
// bodyMinRate, plus bodyGrace; a client slower than that gets 408 and the connection is
// closed. The deadline is lifted once the body is in, so that a long answer (an export) is
// never cut off by it.
// Uploads (skip) stream their body instead, under uploadDeadline.
func readBody(limit int64, skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Body == nil || req.Body == http.NoBody || skip(c) {
				return next(c)
			}
			size := req.ContentLength
			if size < 0 || size > limit {
				size = limit
			}
			rc := http.NewResponseController(c.Response())
			allowed := bodyGrace + time.Duration(float64(size)/bodyMinRate*float64(time.Second))
			timed := rc.SetReadDeadline(time.Now().Add(allowed)) == nil
			body, err := io.ReadAll(req.Body)
			if timed {
				_ = rc.SetReadDeadline(time.Time{})
			}
			if err != nil {
				var he *echo.HTTPError
				var ne net.Error
				switch {
				case errors.As(err, &he):
					return he
				case errors.As(err, &ne) && ne.Timeout():
					c.Response().Header().Set(echo.HeaderConnection, "close")
					return apperr.New(apperr.TooSlow, "the request body did not arrive within %s", allowed.Round(time.Second))
				}
				return apperr.Wrap(apperr.BadRequest, err, "could not read the request body")
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			return next(c)
		}
	}
}

// uploadDeadline gives a streamed upload of at most limit bytes the time readBody would: its
// size at bodyMinRate plus bodyGrace; past it the connection's reads fail. The returned func
// lifts the deadline once the body is in.
func uploadDeadline(c echo.Context, limit int64) (lift func()) {
	size := c.Request().ContentLength
	if size < 0 || size > limit {
		size = limit
	}
	allowed := bodyGrace + time.Duration(float64(size)/bodyMinRate*float64(time.Second))
	rc := http.NewResponseController(c.Response())
	if rc.SetReadDeadline(time.Now().Add(allowed)) != nil {
		return func() {}
	}
	return func() { _ = rc.SetReadDeadline(time.Time{}) }
}
