package vocab_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/idnumber"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// Every enum is named ENTITY.FIELD, lists distinct snake_case values, and labels each in both
// languages, NFC: the labels are printed as they are in reports and forms.
func TestVocabularyIsWellFormed(t *testing.T) {
	key := regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`)
	value := regexp.MustCompile(`^[a-z][a-z_]*$`)
	seen := map[string]bool{}
	for _, e := range vocab.All {
		if !key.MatchString(e.Key) || seen[e.Key] {
			t.Errorf("key %q: want a unique ENTITY.FIELD", e.Key)
		}
		seen[e.Key] = true
		if got, ok := vocab.Lookup(e.Key); !ok || got.Key != e.Key {
			t.Errorf("Lookup(%q) does not find it", e.Key)
		}
		if len(e.Terms) < 2 {
			t.Errorf("%s: an enum of fewer than two values", e.Key)
		}
		values := map[string]bool{}
		for _, term := range e.Terms {
			if !value.MatchString(term.Value) || values[term.Value] {
				t.Errorf("%s: value %q: want a unique snake_case word", e.Key, term.Value)
			}
			values[term.Value] = true
			for _, l := range []string{term.VI, term.EN} {
				if l == "" || !norm.NFC.IsNormalString(l) {
					t.Errorf("%s.%s: label %q is empty or not NFC", e.Key, term.Value, l)
				}
			}
		}
	}
	if _, ok := vocab.Lookup("case.colour"); ok {
		t.Error("Lookup finds a key that does not exist")
	}
	if got := vocab.CaseCategory.VI("denunciation"); got != "Tố cáo" {
		t.Errorf("VI(denunciation) = %q", got)
	}
	if got := vocab.CaseStatus.OneOf(); got != "must be one of: open, resolved, closed" {
		t.Errorf("OneOf() = %q", got)
	}
	if got := vocab.CaseCategory.VI("newer_value"); got != "newer_value" {
		t.Errorf("a value the vocabulary does not know is printed as it is, got %q", got)
	}
}

// The enums that code decides on (roles and their permissions, the period bases, the kinds of
// ID number the parser recognises) are the vocabulary's, in the same order.
func TestCodeEnumsAreTheVocabulary(t *testing.T) {
	var roles []string
	for _, r := range auth.Roles {
		roles = append(roles, string(r))
	}
	if want := vocab.TokenRole.Values(); !slices.Equal(roles, want) {
		t.Errorf("auth.Roles = %v, vocabulary %v", roles, want)
	}
	if got, want := []string{string(period.Calendar), string(period.Statutory)}, vocab.StatsBasis.Values(); !slices.Equal(got, want) {
		t.Errorf("period bases %v, vocabulary %v", got, want)
	}
	var kinds []string
	for _, n := range []string{"045075001234", "123456789", "B1234567"} {
		p, err := idnumber.Parse(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		kinds = append(kinds, string(p.Kind))
	}
	if want := vocab.PersonIDKind.Values(); !slices.Equal(kinds, want) {
		t.Errorf("ID number kinds %v, vocabulary %v", kinds, want)
	}
}

// The OpenAPI document (api/, written by make docs) lists every enum exactly as the vocabulary
// does: a parameter naming its list in x-vocab has that list's values, and a schema property's
// enum is one of the vocabulary's lists. Only the representation parameters (format, lang) are
// enums of their own.
func TestOpenAPIEnumsAreTheVocabulary(t *testing.T) {
	raw, err := os.ReadFile("../../api/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name  string   `json:"name"`
				In    string   `json:"in"`
				Enum  []string `json:"enum"`
				Vocab string   `json:"x-vocab"`
			} `json:"parameters"`
		} `json:"paths"`
		Definitions map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	found := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for _, p := range op.Parameters {
				where := method + " " + path + " " + p.Name
				switch e, ok := vocab.Lookup(p.Vocab); {
				case p.Vocab != "" && !ok:
					t.Errorf("%s: x-vocab %q is not in the vocabulary", where, p.Vocab)
				case ok && !slices.Equal(p.Enum, e.Values()):
					t.Errorf("%s: enum %v, vocabulary %s %v (run make docs)", where, p.Enum, e.Key, e.Values())
				case !ok && len(p.Enum) > 0 && p.Name != "format" && p.Name != "lang":
					t.Errorf("%s: enum %v names no vocabulary list (Extensions(x-vocab=KEY))", where, p.Enum)
				}
				found += len(p.Enum)
			}
		}
	}
	for name, def := range doc.Definitions {
		for prop, s := range def.Properties {
			if len(s.Enum) > 0 && !slices.ContainsFunc(vocab.All, func(e vocab.Enum) bool { return slices.Equal(s.Enum, e.Values()) }) {
				t.Errorf("%s.%s: enum %v is none of the vocabulary's lists (tag the field vocab:\"KEY\", run make docs)", name, prop, s.Enum)
			}
			found += len(s.Enum)
		}
	}
	if found == 0 {
		t.Fatal("the document has no enum at all: the test reads the wrong file")
	}
}
