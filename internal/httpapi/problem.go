package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// Problem is an RFC 9457 problem document, the body of every 4xx and 5xx answer.
type Problem struct {
	Type      string              `json:"type" example:"urn:tcd:problem:invalid" validate:"required"`
	Title     string              `json:"title" example:"Unprocessable Entity" validate:"required"`
	Status    int                 `json:"status" example:"422" validate:"required"`
	Detail    string              `json:"detail" example:"validation failed" validate:"required"`
	Instance  string              `json:"instance,omitempty" example:"/api/v1/persons"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
}

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:            http.StatusUnprocessableEntity,
	apperr.BadRequest:         http.StatusBadRequest,
	apperr.NotFound:           http.StatusNotFound,
	apperr.Conflict:           http.StatusConflict,
	apperr.Unauthorized:       http.StatusUnauthorized,
	apperr.Forbidden:          http.StatusForbidden,
	apperr.MustChangePassword: http.StatusForbidden,
	apperr.PreconditionFailed: http.StatusPreconditionFailed,
	apperr.TooSlow:            http.StatusRequestTimeout,
	apperr.TooLarge:           http.StatusRequestEntityTooLarge,
	apperr.RateLimited:        http.StatusTooManyRequests,
	apperr.Unavailable:        http.StatusServiceUnavailable,
	apperr.Internal:           http.StatusInternalServerError,
}

// codeOfStatus maps statuses raised by Echo itself (unknown route, 405, body limit) back to codes.
func codeOfStatus(status int) apperr.Code {
	if status == http.StatusForbidden { // the one status two codes share
		return apperr.Forbidden
	}
	for code, s := range statusOf {
		if s == status {
			return code
		}
	}
	if status >= 500 {
		return apperr.Internal
	}
	return apperr.BadRequest
}

const unavailableDetail = "the database is not answering; try again shortly"

// errorHandler renders every error as problem+json. Internal errors are logged with the request
// ID and shown only as "internal error"; nothing about their cause leaks to the client.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var (
		ae     *apperr.Error
		he     *echo.HTTPError
		status int
		p      Problem
	)
	switch {
	case errors.As(err, &ae):
		status = statusOf[ae.Code]
		p.Detail, p.Errors = ae.Message, ae.Fields
		p.Type = "urn:tcd:problem:" + string(ae.Code)
	case errors.As(err, &he):
		status = he.Code
		p.Type = "urn:tcd:problem:" + string(codeOfStatus(status))
		if msg, ok := he.Message.(string); ok {
			p.Detail = msg
		} else {
			p.Detail = http.StatusText(status)
		}
		switch {
		case status == http.StatusServiceUnavailable: // the request timeout, i.e. a database that hangs
			p.Detail = unavailableDetail
		case status >= 500:
			p.Detail = "internal error"
		}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), isUnavailable(err):
		status = http.StatusServiceUnavailable
		p.Type = "urn:tcd:problem:unavailable"
		p.Detail = unavailableDetail
	default:
		status = http.StatusInternalServerError
		p.Type = "urn:tcd:problem:internal"
		p.Detail = "internal error"
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	p.Status, p.Title = status, http.StatusText(status)
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", slog.String("request_id", p.RequestID), slog.String("path", p.Instance), slog.Any("error", err))
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="tcd"`)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = jsonEncoder(c.Response()).Encode(p)
}
