package httpapi_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// Every role reads the vocabulary, agencies included (it holds no personal data), and the
// registry accepts exactly its values, answering the list when a value is not one of them.
func TestVocabulary(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		if r := env.Client("").Get("/api/v1/vocab"); r.Status != http.StatusUnauthorized {
			t.Fatalf("without a token: want 401, got %s", r)
		}
		for _, role := range auth.Roles {
			r := env.As(role).Get("/api/v1/vocab")
			if r.Status != http.StatusOK {
				t.Fatalf("%s: want 200, got %s", role, r)
			}
			var got map[string][]vocab.Term
			r.Decode(t, &got)
			if !reflect.DeepEqual(got, vocab.ByKey()) {
				t.Fatalf("%s: got %s", role, r.Body)
			}
			if first := got["case.category"][0]; first != (vocab.Term{Value: "complaint", VI: "Khiếu nại", EN: "Complaint"}) {
				t.Errorf("case.category starts with %+v", first)
			}
		}

		staff := env.As(auth.Staff)
		for _, category := range vocab.CaseCategory.Values() {
			if r := staff.Post("/api/v1/cases", map[string]any{"title": "Tranh chấp đất " + category, "category": category, "field": "land"}); r.Status != http.StatusCreated {
				t.Fatalf("category %s: want 201, got %s", category, r)
			}
		}
		r := staff.Post("/api/v1/cases", map[string]any{"title": "Tranh chấp đất", "category": "complain", "field": "land"})
		var p struct {
			Errors []struct{ Field, Message string } `json:"errors"`
		}
		r.Decode(t, &p)
		if r.Status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "category" ||
			p.Errors[0].Message != vocab.CaseCategory.OneOf() {
			t.Fatalf("an unknown category: want 422 listing the vocabulary's, got %s", r)
		}
	})
}
