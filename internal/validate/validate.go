// Package validate checks request objects against their struct tags (go-playground/validator)
// and turns every failure into a field error named as the client sent it (the JSON name).
//
// Besides the validator's rules, "vocab" checks a field against the vocabulary enum its own
// vocab tag names: `validate:"required,vocab" vocab:"case.category"` (internal/vocab).
package validate

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/vocab"
)

var (
	once sync.Once
	v    *validator.Validate
)

func instance() *validator.Validate {
	once.Do(func() {
		v = validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				return ""
			}
			return name
		})
		v.RegisterCustomTypeFunc(optionalValue[string], Optional[string]{})
		v.RegisterCustomTypeFunc(optionalValue[int], Optional[int]{})
		v.RegisterCustomTypeFunc(optionalValue[[]string], Optional[[]string]{})
		// "date": a real calendar day written YYYY-MM-DD (2024-02-30 is not one)
		_ = v.RegisterValidation("date", func(fl validator.FieldLevel) bool {
			s := fl.Field().String()
			t, err := time.Parse(time.DateOnly, s)
			return err == nil && t.Format(time.DateOnly) == s
		})
		_ = v.RegisterValidation("vocab", func(fl validator.FieldLevel) bool {
			f, _ := reflect.Indirect(fl.Parent()).Type().FieldByName(fl.StructFieldName())
			e, ok := vocab.Lookup(f.Tag.Get("vocab"))
			return ok && e.Has(fl.Field().String())
		})
	})
	return v
}

// Struct validates s, its tags and the characters of every text field in it (Text), and
// returns an *apperr.Error listing every failing field, or nil.
func Struct(s any) error {
	var fe apperr.Fields
	if err := instance().Struct(s); err != nil {
		var verrs validator.ValidationErrors
		if !errors.As(err, &verrs) {
			return err
		}
		for _, e := range verrs {
			if e.Tag() == "vocab" {
				fe.AddAs(apperr.ForbiddenValue, fieldPath(e), "%s", vocabOf(reflect.TypeOf(s), e.StructNamespace()).OneOf())
				continue
			}
			fe.AddAs(codeOf(e), fieldPath(e), "%s", message(e))
		}
	}
	checkText(&fe, "", reflect.ValueOf(s))
	return fe.Err()
}

// fieldPath drops the root struct's name: "NewVisit.persons[1].id_number" -> "persons[1].id_number".
func fieldPath(e validator.FieldError) string {
	ns := e.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return e.Field()
}

// vocabOf is the enum named by the vocab tag of the field at ns, a path of Go field names from
// the root type ("NewVisit.Persons[1].Gender").
func vocabOf(root reflect.Type, ns string) vocab.Enum {
	t, tag := root, ""
	for _, name := range strings.Split(ns, ".")[1:] {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		name, _, _ = strings.Cut(name, "[")
		f, _ := t.FieldByName(name)
		t, tag = f.Type, f.Tag.Get("vocab")
	}
	e, _ := vocab.Lookup(tag)
	return e
}

// codeOf is the field error code of a failed rule.
func codeOf(e validator.FieldError) apperr.FieldCode {
	countable := e.Kind() == reflect.String || e.Kind() == reflect.Slice
	switch e.Tag() {
	case "required", "required_without":
		return apperr.Required
	case "oneof":
		return apperr.ForbiddenValue
	case "max":
		if countable {
			return apperr.TooLong
		}
		return apperr.OutOfRange
	case "min":
		if countable {
			return apperr.TooShort
		}
		return apperr.OutOfRange
	case "gte", "lte":
		return apperr.OutOfRange
	case "excluded_with":
		return apperr.Conflicting
	default:
		return apperr.InvalidValue
	}
}

func message(e validator.FieldError) string {
	switch e.Tag() {
	case "required", "required_without":
		return "is required"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(e.Param(), " ", ", ")
	case "max":
		if e.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters", e.Param())
		}
		if e.Kind() == reflect.Slice {
			return fmt.Sprintf("must have at most %s items", e.Param())
		}
		return "must be at most " + e.Param()
	case "min":
		if e.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters", e.Param())
		}
		if e.Kind() == reflect.Slice {
			return fmt.Sprintf("must have at least %s items", e.Param())
		}
		return "must be at least " + e.Param()
	case "gte":
		return "must be at least " + e.Param()
	case "lte":
		return "must be at most " + e.Param()
	case "date":
		return "must be a real date written YYYY-MM-DD"
	case "excluded_with":
		return "cannot be given together with " + e.Param()
	default:
		return "is invalid (" + e.Tag() + ")"
	}
}
