// Command tcd-openapi3 prints the OpenAPI 3.0 form of api/swagger.json (api.OpenAPI3, the
// document /openapi.json serves), indented, for make docs to write to api/openapi.json: the
// file client generators that read only 3.x (oapi-codegen, internal/apiclient) start from.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/tcd-registry/tcd/api"
)

func main() {
	doc, err := api.OpenAPI3(context.Background())
	if err == nil {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(doc)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tcd-openapi3:", err)
		os.Exit(1)
	}
}
