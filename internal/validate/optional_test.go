package validate_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/validate"
	"github.com/tcd-registry/tcd/internal/vocab"
)

type patch struct {
	Name  validate.Optional[string]   `json:"name" validate:"omitempty,max=3"`
	Year  validate.Optional[int]      `json:"year" validate:"omitempty,gte=1900"`
	Date  validate.Optional[string]   `json:"date" validate:"omitnil,date"`
	Items validate.Optional[[]string] `json:"items" validate:"omitempty,max=2,dive,required"`
}

func TestOptionalTellsAbsentFromNull(t *testing.T) {
	cases := []struct {
		body      string
		set, null bool
		invalid   string // the field the validator names, if any
	}{
		{`{}`, false, false, ""},
		{`{"name": null}`, true, true, ""},
		{`{"name": "abc"}`, true, false, ""},
		{`{"name": ""}`, true, false, ""},
		{`{"name": "abcd"}`, true, false, "name"},
		{`{"year": 1850}`, false, false, "year"},
		{`{"date": ""}`, false, false, "date"},
		{`{"date": null}`, false, false, ""},
		{`{"items": ["a", ""]}`, false, false, "items[1]"},
		{`{"items": null}`, false, false, ""},
	}
	for _, c := range cases {
		var p patch
		if err := json.Unmarshal([]byte(c.body), &p); err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if p.Name.Set != c.set || p.Name.Null() != c.null {
			t.Errorf("%s: name set=%v null=%v, want %v %v", c.body, p.Name.Set, p.Name.Null(), c.set, c.null)
		}
		err := validate.Struct(p)
		switch {
		case c.invalid == "" && err != nil:
			t.Errorf("%s: valid, got %v", c.body, err)
		case c.invalid != "" && (apperr.CodeOf(err) != apperr.Invalid || !names(err, c.invalid)):
			t.Errorf("%s: want 422 naming %s, got %v", c.body, c.invalid, err)
		}
	}
	var p patch
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal([]byte(`{"year": "1975"}`), &p); !errors.As(err, &te) || te.Field != "year" {
		t.Errorf("a value of the wrong type is a type error naming the field: %v", err)
	}
}

func names(err error, field string) bool {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

type visitBody struct {
	Outcome validate.Optional[string] `json:"outcome" validate:"omitempty,vocab" vocab:"visit.outcome"`
	Persons []struct {
		Gender string `json:"gender" validate:"omitempty,vocab" vocab:"person.gender"`
	} `json:"persons" validate:"dive"`
}

// The vocab rule accepts the values of the enum the field's vocab tag names, and an error
// lists them, however deep the field (a patch's Optional, an item of a list).
func TestVocabRule(t *testing.T) {
	for _, c := range []struct{ body, field, message string }{
		{`{"outcome": "guided", "persons": [{"gender": "female"}, {}]}`, "", ""},
		{`{"outcome": null}`, "", ""},
		{`{"outcome": "lost"}`, "outcome", vocab.VisitOutcome.OneOf()},
		{`{"persons": [{"gender": "male"}, {"gender": "m"}]}`, "persons[1].gender", vocab.PersonGender.OneOf()},
	} {
		var b visitBody
		if err := json.Unmarshal([]byte(c.body), &b); err != nil {
			t.Fatal(err)
		}
		err := validate.Struct(b)
		var e *apperr.Error
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: valid, got %v", c.body, err)
		case c.field != "" && (!errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Fields[0].Message != c.message):
			t.Errorf("%s: want %s %q, got %v", c.body, c.field, c.message, err)
		}
	}
}
