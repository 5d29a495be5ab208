package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
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

// getRecord, patchRecord and voidRecord are the shape every register record's GET, PATCH and
// DELETE share: read the path id and options, call the service as the request's actor, and
// answer the record with its version as ETag.
func getRecord[T any](c echo.Context, get func(context.Context, auth.Actor, string, registry.ReadOptions) (T, error), version func(T) int) error {
	opt, err := readOptions(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := get(ctx, auth.ActorFrom(ctx), c.Param("id"), opt)
	if err != nil {
		return err
	}
	return withETag(c, http.StatusOK, version(v), v)
}

func patchRecord[P, T any](c echo.Context, patch func(context.Context, auth.Actor, string, *int, P) (T, error), version func(T) int) error {
	var in P
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	match, err := ifMatch(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := patch(ctx, auth.ActorFrom(ctx), c.Param("id"), match, in)
	if err != nil {
		return err
	}
	return withETag(c, http.StatusOK, version(v), v)
}

func voidRecord[T any](c echo.Context, void func(context.Context, auth.Actor, string, string) (T, error), version func(T) int) error {
	ctx := c.Request().Context()
	v, err := void(ctx, auth.ActorFrom(ctx), c.Param("id"), voidReason(c))
	if err != nil {
		return err
	}
	return withETag(c, http.StatusOK, version(v), v)
}
