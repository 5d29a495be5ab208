package api_test

import (
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/api"
)

// The document a client generates from names every operation, says that every error is a
// problem with type, title and status, and is a valid OpenAPI 3.0 document once converted.
func TestOpenAPI3IsValidAndExact(t *testing.T) {
	doc, err := api.OpenAPI3(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	problem := doc.Components.Schemas["httpapi.Problem"]
	if problem == nil || len(problem.Value.Required) == 0 {
		t.Fatalf("Problem has no required fields: %+v", problem)
	}
	for _, field := range []string{"type", "title", "status"} {
		if !slices.Contains(problem.Value.Required, field) {
			t.Errorf("Problem: %s is not required", field)
		}
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			} else if other, ok := ids[op.OperationID]; ok {
				t.Errorf("%s and %s share the operationId %s", where, other, op.OperationID)
			}
			ids[op.OperationID] = where
			for status, resp := range op.Responses.Map() {
				for mime := range resp.Value.Content {
					if isError := status >= "400"; isError != (mime == "application/problem+json") {
						t.Errorf("%s answers %s as %s", where, status, mime)
					}
				}
			}
		}
	}
}
