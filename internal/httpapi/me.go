package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
)

func (s *Server) registerMe(r router) {
	r.handle(http.MethodGet, "/me", auth.Self, s.getMe)
}

// Me is who is calling: a signed-in user or a bearer token, with what its role may do.
type Me struct {
	Kind string `json:"kind" vocab:"me.kind" enums:"user,token" validate:"required"`
	// ID is the user's or the token's id.
	ID string `json:"id" validate:"required"`
	// Name is the user's display name, or the token's name.
	Name string `json:"name" example:"Nguyễn Thị Lan" validate:"required"`
	// Username is the user's sign-in name (users only).
	Username    string            `json:"username,omitempty" example:"lan.nguyen"`
	Role        auth.Role         `json:"role" vocab:"token.role" enums:"admin,staff,auditor,agency" swaggertype:"string" validate:"required"`
	OrgID       *string           `json:"org_id" extensions:"x-nullable" validate:"required"`
	OrgCode     *string           `json:"org_code" extensions:"x-nullable" validate:"required"`
	Permissions []auth.Permission `json:"permissions" swaggertype:"array,string" example:"registry:read,registry:write" validate:"required"`
	// MustChangePassword: the user signed in with a one-time password and may do nothing but
	// change it (POST /me/password), read this, and sign out.
	MustChangePassword bool `json:"must_change_password" validate:"required"`
	// Today is the register's current day (in TCD_TIMEZONE): the day a visit recorded now is
	// dated by, and the last day one may be dated at all. A front-end takes it as "today" rather
	// than its own clock, which may sit in another time zone or be wrong.
	Today string `json:"today" example:"2024-03-15" format:"date" validate:"required"`
	// CSRFToken must be sent in X-CSRF-Token with every write a signed-in user makes (users only).
	CSRFToken string `json:"csrf_token,omitempty"`
}

// getMe godoc
// @ID        getMe
// @Summary   Who is calling: the signed-in user or the bearer token, its role, organisation and permissions
// @Tags      accounts
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Success   200 {object} Me
// @Failure   401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/me [get]
func (s *Server) getMe(c echo.Context) error { return s.answerMe(c) }

// answerMe answers the request's caller as Me (GET /me, and a successful sign-in).
func (s *Server) answerMe(c echo.Context) error {
	ctx := c.Request().Context()
	a := auth.ActorFrom(ctx)
	me := Me{Kind: "token", ID: a.TokenID, Name: a.Name, Role: a.Role, Permissions: a.Role.Permissions(),
		MustChangePassword: a.MustChangePassword, Today: s.Registry.Today()}
	if a.UserID != "" {
		u, err := s.Accounts.Get(ctx, auth.System, a.UserID)
		if err != nil {
			return err
		}
		me.Kind, me.ID, me.Name, me.Username = "user", u.ID, u.DisplayName, u.Username
		me.CSRFToken = currentSession(c).CSRFToken
	}
	if a.OrgID != "" {
		org, err := s.Orgs.Get(ctx, auth.System, a.OrgID)
		if err != nil {
			return err
		}
		me.OrgID, me.OrgCode = &org.ID, &org.Code
	}
	return c.JSON(http.StatusOK, me)
}
