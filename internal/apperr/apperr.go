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

// FieldCode says, for a program, what is wrong with one field; Message says it to a person. A
// front-end shows its own words for the code (GET /vocab lists them as field_error.code).
type FieldCode string

const (
	Required           FieldCode = "required"            // missing or empty
	InvalidValue       FieldCode = "invalid"             // malformed, or breaks a rule the other codes do not name
	TooLong            FieldCode = "too_long"            // more characters or items than allowed
	TooShort           FieldCode = "too_short"           // fewer characters or items than needed
	OutOfRange         FieldCode = "out_of_range"        // a number or date outside its bounds (a date in the future)
	ForbiddenValue     FieldCode = "forbidden_value"     // not one of the values the field takes
	ForbiddenCharacter FieldCode = "forbidden_character" // a control or invisible formatting character
	UnknownReference   FieldCode = "not_found"           // names a record that does not exist or is not visible
	Conflicting        FieldCode = "conflict"            // clashes with another record or with another field
	UnknownField       FieldCode = "unknown_field"       // the object has no such field
)

// FieldCodes lists every code, in the order GET /vocab lists them.
var FieldCodes = []FieldCode{Required, InvalidValue, TooLong, TooShort, OutOfRange, ForbiddenValue,
	ForbiddenCharacter, UnknownReference, Conflicting, UnknownField}

// MustChangePassword is a 403 of its own, so a front-end can tell "change the one-time password
// first" from a role's refusal.
const MustChangePassword Code = "must_change_password"

// FieldError names one field of the input and what is wrong with it.
type FieldError struct {
	Field   string    `json:"field" validate:"required" example:"full_name"`
	Code    FieldCode `json:"code" validate:"required" example:"required" vocab:"field_error.code" enums:"required,invalid,too_long,too_short,out_of_range,forbidden_value,forbidden_character,not_found,conflict,unknown_field"`
	Message string    `json:"message" validate:"required" example:"is required"`
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

// Field is a validation error about a single field that breaks a rule (code invalid).
func Field(field, format string, args ...any) *Error {
	return FieldAs(InvalidValue, field, format, args...)
}

// FieldAs is a validation error about a single field with the code that says what is wrong.
func FieldAs(code FieldCode, field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Message: "validation failed", Fields: []FieldError{{Field: field, Code: code, Message: fmt.Sprintf(format, args...)}}}
}

// ConflictOn is a 409 about the value of field (a code already taken, a reply already
// recorded): the message is the problem's detail and the field's message both.
func ConflictOn(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Conflict, Message: msg, Fields: []FieldError{{Field: field, Code: Conflicting, Message: msg}}}
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

// Add records a field that breaks a rule (code invalid).
func (f *Fields) Add(field, format string, args ...any) {
	f.AddAs(InvalidValue, field, format, args...)
}

// AddAs records a problem with field, with the code that says what is wrong.
func (f *Fields) AddAs(code FieldCode, field, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// AddPrefixed merges errors of a nested object (e.g. "persons[1].id_number").
func (f *Fields) AddPrefixed(prefix string, err error) {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			fe.Field = prefix + "." + fe.Field
			f.list = append(f.list, fe)
		}
		return
	}
	f.list = append(f.list, FieldError{Field: prefix, Code: InvalidValue, Message: err.Error()})
}

// Err returns nil when nothing was added, else an Invalid error listing every field.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "validation failed", Fields: f.list}
}
