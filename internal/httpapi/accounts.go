package httpapi

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/accounts"
	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
)

// sessionCookie carries a signed-in browser's session secret.
const sessionCookie = "tcd_session"

// csrfHeader must repeat the session's CSRF token on every cookie-authenticated request that
// is not a read.
const csrfHeader = "X-CSRF-Token"

// signedInKey is where the request's session is kept in the Echo context.
const signedInKey = "tcd.signed_in"

func (s *Server) registerAccounts(r router) {
	r.handleOpen(http.MethodPost, "/auth/login", s.login)
	r.handle(http.MethodPost, "/auth/logout", auth.Self, s.logout)
	r.handle(http.MethodPost, "/me/password", auth.Self, s.changePassword)
	r.handle(http.MethodGet, "/me/sessions", auth.Self, s.listMySessions)
	r.handle(http.MethodDelete, "/me/sessions/:id", auth.Self, s.endMySession)
	r.handle(http.MethodGet, "/users", auth.UsersManage, s.listUsers)
	r.handleUnreplayed(http.MethodPost, "/users", auth.UsersManage, s.createUser)
	r.handle(http.MethodGet, "/users/:id", auth.UsersManage, s.getUser)
	r.handle(http.MethodPatch, "/users/:id", auth.UsersManage, s.updateUser)
	r.handleUnreplayed(http.MethodPost, "/users/:id/reset-password", auth.UsersManage, s.resetPassword)
}

// handleOpen declares a route that needs no authentication (signing in), behind the same
// admission queue as the others.
func (r router) handleOpen(method, path string, h echo.HandlerFunc) {
	r.g.Add(method, path, h, r.open...)
}

// handleUnreplayed is handle without Idempotency-Key replay, for a POST whose answer carries a
// one-time password: replaying the answer would mean keeping the password in the database.
// Creating a user is idempotent by its username anyway (a repeat answers 409).
func (r router) handleUnreplayed(method, path string, perm auth.Permission, h echo.HandlerFunc) {
	r.g.Add(method, path, h, append(slices.Clone(r.pre), requirePermission(perm))...)
}

// clientIPExtractor is where the client's address comes from: the connection's peer, or, when
// the peer is one of the reverse proxies of TCD_TRUSTED_PROXIES, the nearest address in
// X-Forwarded-For that is not one of them. Never a header a client could set to anything.
func clientIPExtractor(proxies []*net.IPNet) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	// Echo trusts loopback, link-local and private addresses unless told not to
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		opts = append(opts, echo.TrustIPRange(p))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// clientAddr is the request's client address, for the failure windows and the session list.
func clientAddr(c echo.Context) string { return c.RealIP() }

func clientOf(c echo.Context) accounts.Client {
	return accounts.Client{Addr: clientAddr(c), UserAgent: c.Request().UserAgent()}
}

// onlyWhilePasswordMustChange are the routes a user signed in with a one-time password may
// call: everything else answers 403 must_change_password until the password is changed.
var onlyWhilePasswordMustChange = map[string]bool{
	"GET /api/v1/me": true, "POST /api/v1/me/password": true, "POST /api/v1/auth/logout": true,
}

// signedIn authenticates a request by its session cookie (the authenticate middleware's second
// way in, after bearer tokens). A write must repeat the session's CSRF token in X-CSRF-Token: a
// page of another site can make the browser send the cookie, but cannot read the token.
func (s *Server) signedIn(c echo.Context, secret string) (auth.Actor, error) {
	si, err := s.Accounts.Authenticate(c.Request().Context(), secret)
	if err != nil {
		return auth.Actor{}, err
	}
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !si.CSRFMatches(c.Request().Header.Get(csrfHeader)) {
			return auth.Actor{}, apperr.New(apperr.Forbidden, "a signed-in write must carry the session's csrf_token (GET /api/v1/me) in %s", csrfHeader)
		}
	}
	if si.Actor.MustChangePassword && !onlyWhilePasswordMustChange[c.Request().Method+" "+c.Path()] {
		return auth.Actor{}, apperr.New(apperr.MustChangePassword, "must_change_password: change the one-time password first (POST /api/v1/me/password)")
	}
	c.Set(signedInKey, si)
	return si.Actor, nil
}

// currentSession is the request's session; zero for a bearer token.
func currentSession(c echo.Context) accounts.SignedIn {
	si, _ := c.Get(signedInKey).(accounts.SignedIn)
	return si
}

func (s *Server) sessionCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.Config.CookieSecure, SameSite: http.SameSiteStrictMode}
}

// login godoc
// @ID        login
// @Summary   Sign in with a username and password
// @Description Answers who signed in (as GET /me, with the csrf_token that writes must carry in X-CSRF-Token) and sets the session cookie tcd_session (HttpOnly, SameSite=Strict). A wrong username or password answers 401 alike. After 5 failures for one username within 15 minutes, or 20 from one client address, attempts answer 429 with Retry-After, even with the right password, until the window passes. The body must be sent as application/json.
// @Tags      accounts
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Param     body body accounts.Credentials true "username and password"
// @Success   200 {object} Me
// @Header    200 {string} Set-Cookie "tcd_session=…; Path=/; HttpOnly; Secure; SameSite=Strict"
// @Failure   400,401,403,408,409,413,422,500,503 {object} Problem
// @Failure   429 {object} Problem "locked out; see Retry-After"
// @Router    /api/v1/auth/login [post]
func (s *Server) login(c echo.Context) error {
	// A form of another site cannot send JSON without the browser asking this service first
	// (CORS), so it cannot sign a visitor in to an account of its choosing.
	if ct := c.Request().Header.Get(echo.HeaderContentType); !strings.HasPrefix(strings.ToLower(ct), echo.MIMEApplicationJSON) {
		return apperr.New(apperr.BadRequest, "the body must be JSON, sent as %s", echo.MIMEApplicationJSON)
	}
	var cred accounts.Credentials
	if err := bindJSON(c, &cred); err != nil {
		return err
	}
	ctx := c.Request().Context()
	si, err := s.Accounts.SignIn(ctx, cred, clientOf(c))
	var locked *accounts.LockedOut
	if errors.As(err, &locked) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(locked.RetryAfterSeconds()))
	}
	if err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(si.Secret, 0))
	c.Set(signedInKey, si)
	ctx = auth.WithActor(ctx, si.Actor)
	c.SetRequest(c.Request().WithContext(ctx))
	return s.answerMe(c)
}

// logout godoc
// @ID        logout
// @Summary   Sign out: the session ends and its cookie is cleared
// @Tags      accounts
// @Produce   application/problem+json
// @Param     X-CSRF-Token header string true "the session's csrf_token"
// @Success   204
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/auth/logout [post]
func (s *Server) logout(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.Accounts.EndSession(ctx, auth.ActorFrom(ctx), currentSession(c).SessionID, "logout"); err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie("", -1))
	return c.NoContent(http.StatusNoContent)
}

// changePassword godoc
// @ID        changePassword
// @Summary   Change one's own password (a signed-in user)
// @Description The current password is checked and counts against the sign-in failure windows. The new one must have at least 12 characters, not contain the username, and not be easy to guess. The user's other sessions end; this one goes on, no longer limited to changing the password.
// @Tags      accounts
// @Produce   application/problem+json
// @Accept    json
// @Param     X-CSRF-Token header string true "the session's csrf_token"
// @Param     body body accounts.PasswordChange true "the current and the new password"
// @Success   204
// @Failure   400,401,403,408,409,413,422,500,503 {object} Problem
// @Failure   429 {object} Problem "locked out; see Retry-After"
// @Router    /api/v1/me/password [post]
func (s *Server) changePassword(c echo.Context) error {
	var in accounts.PasswordChange
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	err := s.Accounts.ChangePassword(ctx, auth.ActorFrom(ctx), currentSession(c).SessionID, in, clientOf(c))
	var locked *accounts.LockedOut
	if errors.As(err, &locked) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(locked.RetryAfterSeconds()))
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// SessionList is the signed-in user's open sessions, never paged (a handful at most).
type SessionList struct {
	Items      []accounts.Session `json:"items" validate:"required"`
	NextCursor *string            `json:"next_cursor" extensions:"x-nullable" validate:"required"`
}

// listMySessions godoc
// @ID        listMySessions
// @Summary   The signed-in user's open sessions, newest first
// @Tags      accounts
// @Produce   json
// @Produce   application/problem+json
// @Success   200 {object} SessionList
// @Failure   401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/me/sessions [get]
func (s *Server) listMySessions(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := s.Accounts.Sessions(ctx, auth.ActorFrom(ctx), currentSession(c).SessionID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SessionList{Items: list})
}

// endMySession godoc
// @ID        endMySession
// @Summary   End one of the signed-in user's sessions (another browser, or this one)
// @Tags      accounts
// @Produce   application/problem+json
// @Param     id path string true "session id"
// @Param     X-CSRF-Token header string true "the session's csrf_token"
// @Success   204
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/me/sessions/{id} [delete]
func (s *Server) endMySession(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.Accounts.EndSession(ctx, auth.ActorFrom(ctx), c.Param("id"), "end_session"); err != nil {
		return err
	}
	if c.Param("id") == currentSession(c).SessionID {
		c.SetCookie(s.sessionCookie("", -1))
	}
	return c.NoContent(http.StatusNoContent)
}

// listUsers godoc
// @ID        listUsers
// @Summary   List the users the admin manages (a scoped admin: those of its subtree), newest first
// @Tags      users
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     limit  query int    false "page size, 1-500" default(50)
// @Param     cursor query string false "next_cursor of the previous page"
// @Success   200 {object} Page[accounts.User]
// @Failure   401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/users [get]
func (s *Server) listUsers(c echo.Context) error {
	p, err := page.Parse(c.QueryParam("limit"), c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, next, err := s.Accounts.List(ctx, auth.ActorFrom(ctx), p)
	if err != nil {
		return err
	}
	out := Page[accounts.User]{Items: list}
	if next != "" {
		out.NextCursor = &next
	}
	return c.JSON(http.StatusOK, out)
}

// CreatedUser is a new user with its one-time password, which is shown this once.
type CreatedUser struct {
	accounts.User
	InitialPassword string `json:"initial_password" example:"K7QJ3XMZ2R5VWT4H6NPLBYCD2E" validate:"required"`
}

// createUser godoc
// @ID        createUser
// @Summary   Create a user (admin; a scoped admin within its subtree)
// @Description Answers the one-time password once, in initial_password; the user must change it at the first sign-in. Without org_id the user belongs to the admin's organisation (none for an unscoped admin: it reaches every organisation).
// @Tags      users
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     body body accounts.NewUser true "the user"
// @Success   201 {object} CreatedUser
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/users [post]
func (s *Server) createUser(c echo.Context) error {
	var in accounts.NewUser
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, password, err := s.Accounts.Create(ctx, auth.ActorFrom(ctx), in)
	if err != nil {
		return err
	}
	return createdRecord(c, "/api/v1/users/"+u.ID, u.Version, CreatedUser{User: u, InitialPassword: password})
}

// getUser godoc
// @ID        getUser
// @Summary   One user the admin manages
// @Tags      users
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id path string true "user id"
// @Success   200 {object} accounts.User
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/users/{id} [get]
func (s *Server) getUser(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.Accounts.Get(ctx, auth.ActorFrom(ctx), c.Param("id"))
	if err != nil {
		return err
	}
	return withETag(c, http.StatusOK, u.Version, u)
}

// updateUser godoc
// @ID        updateUser
// @Summary   Change a user's name, role, organisation or state
// @Description "active": false disables the user: its sessions end at once and it cannot sign in; true enables it again.
// @Tags      users
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string             true  "user id"
// @Param     If-Match header string             false "the ETag read; 412 if the user changed since"
// @Param     body     body   accounts.UserPatch true  "the fields to change"
// @Success   200 {object} accounts.User
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/users/{id} [patch]
func (s *Server) updateUser(c echo.Context) error {
	match, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in accounts.UserPatch
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.Accounts.Update(ctx, auth.ActorFrom(ctx), c.Param("id"), in, match)
	if err != nil {
		return err
	}
	return withETag(c, http.StatusOK, u.Version, u)
}

// NewPassword is a one-time password an administrator hands over.
type NewPassword struct {
	InitialPassword string `json:"initial_password" example:"K7QJ3XMZ2R5VWT4H6NPLBYCD2E" validate:"required"`
}

// resetPassword godoc
// @ID        resetPassword
// @Summary   Give a user a new one-time password and end its sessions
// @Description Answers the one-time password once; the user must change it at the next sign-in.
// @Tags      users
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id path string true "user id"
// @Success   200 {object} NewPassword
// @Failure   400,401,403,404,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/users/{id}/reset-password [post]
func (s *Server) resetPassword(c echo.Context) error {
	ctx := c.Request().Context()
	_, password, err := s.Accounts.ResetPassword(ctx, auth.ActorFrom(ctx), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, NewPassword{InitialPassword: password})
}
