package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/api"
)

// openAPI3 is the OpenAPI 3 form of the document, converted once, when first asked for.
var openAPI3 = sync.OnceValues(func() ([]byte, error) {
	doc, err := api.OpenAPI3(context.Background())
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// swaggerDoc answers the committed OpenAPI 2.0 document byte for byte (the Swagger UI reads it
// too): the generated template would add an empty host and schemes, which validators refuse.
func swaggerDoc(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, api.Swagger2)
}

// openAPI3Doc answers the same document as OpenAPI 3.0, for generators that read only 3.x.
func openAPI3Doc(c echo.Context) error {
	doc, err := openAPI3()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}
