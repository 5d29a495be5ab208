package testenv

import (
	"context"
	"net/http"

	"github.com/tcd-registry/tcd/internal/accounts"
	"github.com/tcd-registry/tcd/internal/auth"
)

// SignIn posts the credentials to /auth/login and returns the answer and, when it is 200, a
// client that sends the session cookie, and the CSRF token with every write, as a browser
// front-end would.
func (e *Env) SignIn(username, password string) (*Client, *Response) {
	e.t.Helper()
	r := e.Client("").Post("/api/v1/auth/login", map[string]any{"username": username, "password": password})
	if r.Status != http.StatusOK {
		return nil, r
	}
	c := &Client{t: e.t, base: e.BaseURL}
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "tcd_session" {
			c.session = ck.Value
		}
	}
	c.csrf, _ = r.JSON()["csrf_token"].(string)
	if c.session == "" || c.csrf == "" {
		e.t.Fatalf("sign-in of %s: 200 without a session cookie or csrf_token: %s %v", username, r, r.Header)
	}
	return c, r
}

// TestPassword is the password User gives the users it makes.
const TestPassword = "violet harbour lantern 42"

// NewUser makes a user of role (scoped to the organisation with orgCode when not empty) and
// returns its username and one-time password.
func (e *Env) NewUser(role auth.Role, orgCode string) (username, oneTime string) {
	e.t.Helper()
	in := accounts.NewUser{Username: "user-" + randomSuffix(), Role: string(role), OrgID: e.orgID(orgCode)}
	u, password, err := e.App.Accounts.Create(context.Background(), auth.System, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Username, password
}

// User makes a user of role (scoped to orgCode when not empty), signs it in, replaces its
// one-time password with TestPassword and returns the signed-in client: the counterpart of
// Client(Token(role, orgCode)) for a person.
func (e *Env) User(role auth.Role, orgCode string) *Client {
	e.t.Helper()
	username, oneTime := e.NewUser(role, orgCode)
	c, r := e.SignIn(username, oneTime)
	if c == nil {
		e.t.Fatalf("sign-in with the one-time password: %s", r)
	}
	if r := c.Post("/api/v1/me/password", map[string]any{"current": oneTime, "new": TestPassword}); r.Status != http.StatusNoContent {
		e.t.Fatalf("change of the one-time password: %s", r)
	}
	return c
}

// WithoutCSRF is the client sending its session cookie but no CSRF token, as a page of another
// site making the browser post would.
func (c *Client) WithoutCSRF() *Client {
	cc := *c
	cc.csrf = ""
	return &cc
}
