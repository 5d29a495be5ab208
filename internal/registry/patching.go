package registry

// Applying a PATCH body: which fields it sets or clears, and what changed, for the UPDATE and
// the audit log.

import (
	"errors"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/validate"
)

// PATCH bodies: a field left out is left as it is; null clears a field that may be empty (and
// so does "" for text, which is stored as no text); null for a field that always has a value is
// refused (422).

// setValue applies a PATCH field of a column that always has a value.
func setValue[T any](fe *apperr.Fields, field string, dst *T, o validate.Optional[T]) {
	switch {
	case o.Null():
		fe.AddAs(apperr.Required, field, "cannot be null: it always has a value")
	case o.Set:
		*dst = *o.Value
	}
}

// setNullable applies a PATCH field of a nullable column.
func setNullable[T any](dst **T, o validate.Optional[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// auditDiff is old→new of each field an action changed, as the audit log keeps it.
type auditDiff map[string]any

func (c auditDiff) set(field string, old, new any) {
	c[field] = map[string]any{"from": old, "to": new}
}

// edits is what an edit writes: the columns of the UPDATE, and old→new of each for the audit
// log.
type edits struct {
	cols map[string]any
	diff auditDiff
}

// track records a column change for the UPDATE and the audit log when old and new differ.
func track[T comparable](c edits, col string, old, new T) {
	if old != new {
		c.cols[col] = new
		c.diff.set(col, old, new)
	}
}

// trackPtr is track for nullable columns, comparing values rather than pointers.
func trackPtr[T comparable](c edits, col string, old, new *T) {
	if (old == nil) != (new == nil) || (old != nil && *old != *new) {
		c.cols[col] = new
		c.diff.set(col, old, new)
	}
}

// derived writes a column computed from others (a folded name) without auditing it again.
func derived(c edits, col string, old, new string) {
	if old != new {
		c.cols[col] = new
	}
}

// derivedPtr is derived for nullable columns.
func derivedPtr[T comparable](c edits, col string, old, new *T) {
	if (old == nil) != (new == nil) || (old != nil && *old != *new) {
		c.cols[col] = new
	}
}

// addInvalid collects the field errors of err into fe under prefix (none when empty) and
// reports whether err was only that; any other error must stop the request.
func addInvalid(fe *apperr.Fields, prefix string, err error) bool {
	if apperr.CodeOf(err) != apperr.Invalid {
		return false
	}
	var e *apperr.Error
	errors.As(err, &e)
	for _, f := range e.Fields {
		if prefix != "" {
			f.Field = prefix + "." + f.Field
		}
		fe.AddAs(f.Code, f.Field, "%s", f.Message)
	}
	return true
}
