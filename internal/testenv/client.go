package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Client talks to the service as a front-end would.
type Client struct {
	t     testing.TB
	base  string
	token string
	// session and csrf: a signed-in user's cookie and the CSRF token its writes repeat
	session string
	csrf    string
}

// Response is a read-back HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as an object (nil when it is not one).
func (r *Response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Items returns the "items" of a list answer.
func (r *Response) Items() []map[string]any {
	var l struct {
		Items []map[string]any `json:"items"`
	}
	_ = json.Unmarshal(r.Body, &l)
	return l.Items
}

// Decode unmarshals the body into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// IsProblem reports whether the answer is problem+json with a status and title.
func (r *Response) IsProblem() bool {
	m := r.JSON()
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") && m["status"] != nil && m["title"] != nil
}

// Problem is a problem+json answer as a client reads it.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	// RequestID ties the answer to the service's log
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Problem decodes a problem+json answer (zero when the body is not one).
func (r *Response) Problem() Problem {
	var p Problem
	_ = json.Unmarshal(r.Body, &p)
	return p
}

// FieldCode is the code of the first error the problem reports about field exactly, "" if none.
func (r *Response) FieldCode(field string) string {
	for _, e := range r.Problem().Errors {
		if e.Field == field {
			return e.Code
		}
	}
	return ""
}

// HasFieldError reports whether a problem names field in its errors list.
func (r *Response) HasFieldError(field string) bool {
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &p)
	for _, e := range p.Errors {
		if e.Field == field || strings.HasPrefix(e.Field, field+".") || strings.HasPrefix(e.Field, field+"[") {
			return true
		}
	}
	return false
}

func (r *Response) String() string {
	b := r.Body
	if len(b) > 600 {
		b = b[:600]
	}
	return http.StatusText(r.Status) + " " + string(b)
}

// Do sends a request; body is JSON-encoded unless it is a string or []byte (sent raw).
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.session != "" {
		req.AddCookie(&http.Cookie{Name: "tcd_session", Value: c.session})
		if c.csrf != "" && method != http.MethodGet && method != http.MethodHead {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	cf, err := spec()
	if err != nil {
		c.t.Fatalf("the OpenAPI document: %v", err)
	}
	if mismatch := cf.check(req, resp, raw); mismatch != "" {
		c.t.Error(mismatch)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Get is Do(GET).
func (c *Client) Get(path string, headers ...string) *Response {
	return c.Do(http.MethodGet, path, nil, headers...)
}

// Post is Do(POST).
func (c *Client) Post(path string, body any, headers ...string) *Response {
	return c.Do(http.MethodPost, path, body, headers...)
}

// Patch is Do(PATCH).
func (c *Client) Patch(path string, body any, headers ...string) *Response {
	return c.Do(http.MethodPatch, path, body, headers...)
}

// Delete is Do(DELETE).
func (c *Client) Delete(path string, headers ...string) *Response {
	return c.Do(http.MethodDelete, path, nil, headers...)
}

// Create posts body and fails the test unless the answer is 201 with an id; it returns the object.
func (c *Client) Create(path string, body any) map[string]any {
	c.t.Helper()
	return c.create(path, body).JSON()
}

// create posts body and fails the test unless the answer is 201 with an id.
func (c *Client) create(path string, body any) *Response {
	c.t.Helper()
	r := c.Post(path, body)
	if m := r.JSON(); r.Status != http.StatusCreated || m == nil || m["id"] == nil {
		c.t.Fatalf("POST %s: want 201 with an id, got %s", path, r)
	}
	return r
}

// ListAll follows next_cursor through every page of path and returns all items.
func (c *Client) ListAll(path string, limit int) []map[string]any {
	c.t.Helper()
	var all []map[string]any
	c.eachPage(path, limit, func(r *Response) *string {
		var l page[map[string]any]
		r.Decode(c.t, &l)
		all = append(all, l.Items...)
		return l.NextCursor
	})
	return all
}

// eachPage reads the pages of path, limit items each, handing each answer to read, which
// returns its next_cursor; it fails the test on an answer other than 200.
func (c *Client) eachPage(path string, limit int, read func(*Response) *string) {
	c.t.Helper()
	cursor := ""
	for pages := 0; pages < 1000; pages++ {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		p := path + sep + "limit=" + itoa(limit)
		if cursor != "" {
			p += "&cursor=" + cursor
		}
		r := c.Get(p)
		if r.Status != http.StatusOK {
			c.t.Fatalf("GET %s: %s", p, r)
		}
		next := read(r)
		if next == nil || *next == "" {
			return
		}
		cursor = *next
	}
	c.t.Fatalf("GET %s: more than 1000 pages", path)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
