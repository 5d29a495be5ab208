package testenv

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// Typed reads decode an answer into a model of the generated client (internal/apiclient), as an
// integrator's program would, so that a test reads visit.Headcount rather than
// v["headcount"].(float64). A zero field of a decoded model is a zero the service answered, not a
// field it left out: Client.Do has already checked every answer against the OpenAPI document,
// which fails the test when a required field is missing or null where it may not be. Decoding
// is strict, so a test that reads an answer through the wrong model (a case as a visit, a
// created visit as a listed one) fails instead of reading zeros.

// Decode is the body of r as a T; it fails the test unless the body is exactly one.
func Decode[T any](t testing.TB, r *Response) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r, err)
	}
	return v
}

// GetAs reads path as a T; it fails the test unless the answer is 200.
func GetAs[T any](c *Client, path string, headers ...string) T {
	c.t.Helper()
	r := c.Get(path, headers...)
	if r.Status != http.StatusOK {
		c.t.Fatalf("GET %s: want 200, got %s", path, r)
	}
	return Decode[T](c.t, r)
}

// CreateAs is Create with the created object read as a T.
func CreateAs[T any](c *Client, path string, body any) T {
	c.t.Helper()
	return Decode[T](c.t, c.create(path, body))
}

// ItemsAs is the items of a list answer as Ts (the items strictly: the list around them may
// carry more than a page does, such as the scan time of the duplicate pairs).
func ItemsAs[T any](t testing.TB, r *Response) []T {
	t.Helper()
	var l struct {
		Items json.RawMessage `json:"items"`
	}
	r.Decode(t, &l)
	return Decode[[]T](t, &Response{Status: r.Status, Header: r.Header, Body: l.Items})
}

// ListAllAs is ListAll with the items read as Ts.
func ListAllAs[T any](c *Client, path string, limit int) []T {
	c.t.Helper()
	var all []T
	c.eachPage(path, limit, func(r *Response) *string {
		p := Decode[page[T]](c.t, r)
		all = append(all, p.Items...)
		return p.NextCursor
	})
	return all
}

// page is a list answer (httpapi.Page in the document) of Ts.
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      *int    `json:"total,omitempty"`
}
