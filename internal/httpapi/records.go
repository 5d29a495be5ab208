package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/registry"
)

// withETag answers a single record with its version as ETag, so the client can send it back in
// If-Match.
func withETag(c echo.Context, status, version int, body any) error {
	c.Response().Header().Set("ETag", registry.ETag(version))
	return c.JSON(status, body)
}

// createdRecord answers 201 with Location and ETag.
func createdRecord(c echo.Context, location string, version int, body any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return withETag(c, http.StatusCreated, version, body)
}

func ifMatch(c echo.Context) (*int, error) {
	return registry.ParseIfMatch(c.Request().Header.Get("If-Match"))
}

func readOptions(c echo.Context) (registry.ReadOptions, error) {
	v, err := boolQuery(c, "include_voided")
	return registry.ReadOptions{IncludeVoided: v}, err
}

func boolQuery(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Field(name, "must be true or false")
	}
	return b, nil
}

// voidReason reads ?reason= of DELETE; its absence is the service's 422.
func voidReason(c echo.Context) string { return c.QueryParam("reason") }

// maxQueryLength bounds free-text search terms.
const maxQueryLength = 200

func searchTerm(c echo.Context) (string, error) {
	q := c.QueryParam("q")
	if len(q) > maxQueryLength {
		return "", apperr.Field("q", "must be at most %d characters", maxQueryLength)
	}
	return q, nil
}
