// Package apperr is the one error type of the service: a small set of codes that the HTTP layer
// maps to statuses in a single table, plus the field errors a client needs to fix its input.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error by what the client can do about it.
type Code string

const (
	Invalid            Code = "invalid"             // well-formed but breaks a rule: 422
	BadRequest         Code = "bad_request"         // malformed syntax: 400
	NotFound           Code = "not_found"           // 404
	Conflict           Code = "conflict"            // 409
	Unauthorized       Code = "unauthorized"        // 401
	Forbidden          Code = "forbidden"           // 403
	PreconditionFailed Code = "precondition_failed" // 412
	TooSlow            Code = "too_slow"            // the request body arrived too slowly: 408
	TooLarge           Code = "too_large"           // 413
	RateLimited        Code = "rate_limited"        // 429
	Unavailable        Code = "unavailable"         // 503
	Internal           Code = "internal"            // 500
)

// MustChangePassword is a 403 of its own, so a front-end can tell "change the one-time password
// first" from a role's refusal.
const MustChangePassword Code = "must_change_password"

// FieldError names one field of the input and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is returned by every layer for conditions a client should see.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	cause   error
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

func (e *Error) Unwrap() error { return e.cause }

// New makes an error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps the cause for logs while showing the client only the message.
func Wrap(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// Field is a validation error about a single field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Message: "validation failed", Fields: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// CodeOf returns the code of err, Internal for anything that is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Fields collects validation errors so a client learns every problem of its input at once.
type Fields struct {
	list []FieldError
}

// Add records a problem with field.
func (f *Fields) Add(field, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// AddPrefixed merges errors of a nested object (e.g. "persons[1].id_number").
func (f *Fields) AddPrefixed(prefix string, err error) {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			f.list = append(f.list, FieldError{Field: prefix + "." + fe.Field, Message: fe.Message})
		}
		return
	}
	f.list = append(f.list, FieldError{Field: prefix, Message: err.Error()})
}

// Err returns nil when nothing was added, else an Invalid error listing every field.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "validation failed", Fields: f.list}
}
