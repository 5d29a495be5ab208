package validate

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// Text refuses, in the value of field, the characters that have no place in typed text:
// controls (NUL, escape; whitespace is fine, it is tidied into spaces), bidirectional overrides
// and isolates (U+202E turns "gpj.exe" round), zero-width characters and the byte order mark.
// They are invisible where the text is read, so a name carrying one looks like another name,
// reads differently in a log, or splits a search. Struct applies it to every text field.
func Text(field, s string) error {
	if r, ok := invisible(s); ok {
		return apperr.FieldAs(apperr.ForbiddenCharacter, field, "%s", invisibleMessage(r))
	}
	return nil
}

func invisibleMessage(r rune) string {
	return fmt.Sprintf("must not contain control, bidirectional or invisible formatting characters (found U+%04X)", r)
}

// invisible returns the first character of s that Text refuses.
func invisible(s string) (rune, bool) {
	for _, r := range s {
		if (unicode.Is(unicode.Cc, r) && !unicode.IsSpace(r)) || unicode.Is(unicode.Cf, r) {
			return r, true
		}
	}
	return 0, false
}

// holder is a value holding another that may be text (Optional).
type holder interface{ held() any }

// checkText adds to fe a field error for every string in v (a request object: structs,
// pointers, slices, Optional fields) with a character Text refuses, named as the client sent
// it ("persons[1].full_name"). Fields the validator skips (validate:"-") are checked by whoever
// validates them on their own.
func checkText(fe *apperr.Fields, path string, v reflect.Value) {
	if v.IsValid() && v.CanInterface() {
		if h, ok := v.Interface().(holder); ok {
			checkText(fe, path, reflect.ValueOf(h.held()))
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkText(fe, path, v.Elem())
		}
	case reflect.String:
		if r, ok := invisible(v.String()); ok {
			fe.AddAs(apperr.ForbiddenCharacter, path, "%s", invisibleMessage(r))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			checkText(fe, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("validate") == "-" {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case f.Anonymous && name == "":
				checkText(fe, path, v.Field(i))
				continue
			case name == "":
				name = f.Name
			}
			if path != "" {
				name = path + "." + name
			}
			checkText(fe, name, v.Field(i))
		}
	}
}
