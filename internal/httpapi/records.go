package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
	"github.com/tcd-registry/tcd/internal/registry"
)

// withETag answers a single record with its version as ETag, so the client can send it back in
// If-Match.
func withETag(c echo.Context, status, version int, body any) error {
	c.Response().Header().Set("ETag", etagOf(version))
	return c.JSON(status, body)
}

// etagOf is the entity tag of a record version.
func etagOf(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// ifMatch reads the If-Match header: nil when absent or "*", else the version it names. A value
// this service never issued can match nothing, so it is a failed precondition.
func ifMatch(c echo.Context) (*int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil, nil
	}
	h = strings.TrimPrefix(h, "W/")
	v, ok := strings.CutPrefix(strings.Trim(h, `"`), "v")
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		return nil, apperr.New(apperr.PreconditionFailed, "If-Match does not match the current version")
	}
	return &n, nil
}

// createdRecord answers 201 with Location and ETag.
func createdRecord(c echo.Context, location string, version int, body any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return withETag(c, http.StatusCreated, version, body)
}

func readOptions(c echo.Context) (registry.ReadOptions, error) {
	v, err := boolQuery(c, "include_voided")
	return registry.ReadOptions{IncludeVoided: v}, err
}

// boolQuery reads a flag: absent is false, and only the words true and false are accepted, so
// that a client's typo (include_voided=1, include_voided=) is an answer, not a silent default.
func boolQuery(c echo.Context, name string) (bool, error) {
	if !c.QueryParams().Has(name) {
		return false, nil
	}
	switch c.QueryParam(name) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, apperr.FieldAs(apperr.ForbiddenValue, name, "must be true or false")
}

// filterQueries reads optional filters, in the order named: absent is no filter, but given empty
// (category=) it is an error rather than silently no filter, as a client that sent it meant
// something by it.
func filterQueries(c echo.Context, names ...string) ([]string, error) {
	var fe apperr.Fields
	values := make([]string, len(names))
	for i, name := range names {
		values[i] = c.QueryParam(name)
		if values[i] == "" && c.QueryParams().Has(name) {
			fe.AddAs(apperr.Required, name, "is empty: leave the parameter out to list without this filter")
		}
	}
	return values, fe.Err()
}

// voidReason reads ?reason= of DELETE; its absence is the service's 422.
func voidReason(c echo.Context) string { return c.QueryParam("reason") }

// maxQueryLength bounds free-text search terms.
const maxQueryLength = 200

func searchTerm(c echo.Context) (string, error) {
	q := c.QueryParam("q")
	if len(q) > maxQueryLength {
		return "", apperr.FieldAs(apperr.TooLong, "q", "must be at most %d characters", maxQueryLength)
	}
	return q, nil
}

// record is a register record as the service answers it.
type record interface {
	Ref() (id string, version int)
}

// Page is one page of a list, newest first; next_cursor is null on the last page. total is the
// number of records in the whole list, answered only when the request said count=true.
type Page[T any] struct {
	Items      []T     `json:"items" validate:"required"`
	NextCursor *string `json:"next_cursor" validate:"required" extensions:"x-nullable"`
	Total      *int64  `json:"total,omitempty" minimum:"0"`
}

// The functions below are the shapes every register record's routes share: read the request,
// call the service as the request's actor, and answer the record with its version as ETag (or
// a page of records).

func createRecord[I any, T record](c echo.Context, collection string, create func(context.Context, auth.Actor, I) (T, error)) error {
	var in I
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := create(ctx, auth.ActorFrom(ctx), in)
	if err != nil {
		return err
	}
	id, version := v.Ref()
	return createdRecord(c, "/api/v1/"+collection+"/"+id, version, v)
}

func getRecord[T record](c echo.Context, get func(context.Context, auth.Actor, string, registry.ReadOptions) (T, error)) error {
	opt, err := readOptions(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := get(ctx, auth.ActorFrom(ctx), c.Param("id"), opt)
	return answer(c, v, err)
}

func patchRecord[P any, T record](c echo.Context, patch func(context.Context, auth.Actor, string, *int, P) (T, error)) error {
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
	return answer(c, v, err)
}

// actOn is the shape of a sub-action on one record (POST /directives/{id}/reply): it answers
// the record as it now is.
func actOn[I any, T record](c echo.Context, act func(context.Context, auth.Actor, string, I) (T, error)) error {
	var in I
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := act(ctx, auth.ActorFrom(ctx), c.Param("id"), in)
	return answer(c, v, err)
}

func voidRecord[T record](c echo.Context, void func(context.Context, auth.Actor, string, string) (T, error)) error {
	ctx := c.Request().Context()
	v, err := void(ctx, auth.ActorFrom(ctx), c.Param("id"), voidReason(c))
	return answer(c, v, err)
}

// answer is 200 with the record and its ETag, or the error.
func answer[T record](c echo.Context, v T, err error) error {
	if err != nil {
		return err
	}
	_, version := v.Ref()
	return withETag(c, http.StatusOK, version, v)
}

// listRecords answers one page: ?limit, ?cursor and ?include_voided go into the filter (at pg and
// voided), which the handler has filled from its own parameters.
func listRecords[F, T any](c echo.Context, f *F, pg *page.Request, voided *bool, list func(context.Context, auth.Actor, F) ([]T, string, error)) error {
	var err error
	if *pg, err = pageOf(c); err != nil {
		return err
	}
	if *voided, err = boolQuery(c, "include_voided"); err != nil {
		return err
	}
	count, err := boolQuery(c, "count")
	if err != nil {
		return err
	}
	var total int64
	if count {
		pg.Total = &total
	}
	ctx := c.Request().Context()
	items, next, err := list(ctx, auth.ActorFrom(ctx), *f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Page[T]{Items: items, NextCursor: cursorOrNil(next), Total: pg.Total})
}
