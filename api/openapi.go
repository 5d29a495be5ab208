package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// Swagger2 is the committed OpenAPI 2.0 document (swagger.json, written by make docs), byte for
// byte: the service serves these bytes, so what a client downloads is what was reviewed.
//
//go:embed swagger.json
var Swagger2 []byte

// problemJSON is the media type of every error answer.
const problemJSON = "application/problem+json"

// OpenAPI3 is the same document as OpenAPI 3.0, converted with kin-openapi and made exact where
// 2.0 cannot say it: 2.0 lists an operation's media types once for all its answers, so the
// converter gives every answer every type. Here an error answer is problem+json only, a success
// is never problem+json, and a success in a media type other than JSON (a spreadsheet, CSV, the
// report's text) is a file rather than the JSON object the 2.0 document names for the JSON form.
// The result is validated before it is returned.
func OpenAPI3(ctx context.Context) (*openapi3.T, error) {
	var doc2 openapi2.T
	if err := json.Unmarshal(Swagger2, &doc2); err != nil {
		return nil, fmt.Errorf("read swagger.json: %w", err)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert to OpenAPI 3: %w", err)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, ref := range op.Responses.Map() {
				if ref.Value != nil && ref.Value.Content != nil {
					exactContent(status, ref.Value.Content)
				}
			}
		}
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("the OpenAPI 3 document is not valid: %w", err)
	}
	return doc, nil
}

// exactContent keeps, of the media types the converter gave an answer, the ones it is sent in.
func exactContent(status string, content openapi3.Content) {
	if status == "default" || status >= "400" {
		for mime := range content {
			if mime != problemJSON {
				delete(content, mime)
			}
		}
		return
	}
	delete(content, problemJSON)
	for mime, media := range content {
		if !strings.HasSuffix(mime, "json") {
			media.Schema = openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithFormat("binary"))
		}
	}
}
