package validate

import (
	"encoding/json"
	"reflect"
)

// Optional is a field of a PATCH body, which can be absent (leave the value as it is), null
// (clear it) or a value (set it): a plain pointer cannot tell absent from null. Tags validate
// the value when there is one, as they would a pointer's.
type Optional[T any] struct {
	Set   bool // the field was in the body
	Value *T   // nil when it was null
}

// UnmarshalJSON is called only for fields present in the body, null included.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set, o.Value = true, nil
	if string(b) == "null" {
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// held is the value for the text check (nil when absent or null).
func (o Optional[T]) held() any {
	if o.Value == nil {
		return nil
	}
	return o.Value
}

// Null reports whether the body set the field to null.
func (o Optional[T]) Null() bool { return o.Set && o.Value == nil }

// optionalValue shows the validator an Optional as the pointer it holds.
func optionalValue[T any](v reflect.Value) any { return v.Interface().(Optional[T]).Value }

// Some is an Optional set to v, as a body that gave the field would make it.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: &v} }
