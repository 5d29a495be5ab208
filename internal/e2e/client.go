package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// Client calls the API with a token. Unlike testenv.Client it returns transport errors instead of
// failing the test, because a server that is being killed or has lost its database is expected
// to drop connections.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
}

// NewClient returns a client of base with a per-request timeout.
func NewClient(base, token string, timeout time.Duration) *Client {
	return &Client{Base: base, Token: token, HTTP: &http.Client{Timeout: timeout}}
}

// Response is a read-back answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v.
func (r *Response) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// IsProblem reports whether the answer is a problem document carrying its own status.
func (r *Response) IsProblem() bool {
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
	}
	return r.Header.Get("Content-Type") == "application/problem+json" && json.Unmarshal(r.Body, &p) == nil &&
		p.Status == r.Status && p.Title != ""
}

func (r *Response) String() string {
	b := r.Body
	if len(b) > 400 {
		b = b[:400]
	}
	return http.StatusText(r.Status) + " " + string(b)
}

// Do sends body (JSON-encoded unless nil) with extra headers given as name, value pairs.
func (c *Client) Do(method, path string, body any, headers ...string) (*Response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}
