package httpapi_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tcd-registry/tcd/api"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// A client downloads the document that was reviewed (the committed one, byte for byte), and
// an OpenAPI 3 form of it that a 3.x-only generator accepts.
func TestServedDocumentsAreTheCommittedOneAndValid(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		anon := testenv.Start(t, backend).Client("")
		r := anon.Get("/swagger/doc.json")
		if r.Status != http.StatusOK || !bytes.Equal(r.Body, api.Swagger2) {
			t.Errorf("/swagger/doc.json: want the committed api/swagger.json, got %d, %d bytes", r.Status, len(r.Body))
		}
		r = anon.Get("/openapi.json")
		if r.Status != http.StatusOK {
			t.Fatalf("/openapi.json: %s", r)
		}
		doc, err := openapi3.NewLoader().LoadFromData(r.Body)
		if err != nil {
			t.Fatalf("/openapi.json does not load: %v", err)
		}
		if err := doc.Validate(t.Context()); err != nil {
			t.Errorf("/openapi.json is not valid OpenAPI 3: %v", err)
		}
		if doc.OpenAPI[:2] != "3." || doc.Paths.Len() == 0 {
			t.Errorf("/openapi.json: want a 3.x document with paths, got %q with %d", doc.OpenAPI, doc.Paths.Len())
		}
	})
}
