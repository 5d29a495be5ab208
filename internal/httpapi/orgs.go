package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
)

func (s *Server) registerOrgs(r router) {
	r.handle(http.MethodGet, "/orgs", auth.OrgsRead, s.listOrgs)
	r.handle(http.MethodPost, "/orgs", auth.OrgsWrite, s.createOrg)
	r.handle(http.MethodGet, "/orgs/:id", auth.OrgsRead, s.getOrg)
}

// OrgList is a list of organisations. The tree is small, so it is never paged.
type OrgList struct {
	Items      []orgs.Org `json:"items" validate:"required"`
	NextCursor *string    `json:"next_cursor" extensions:"x-nullable" validate:"required"`
}

// listOrgs godoc
// @ID        listOrgs
// @Summary   List the organisations the token reaches, in tree order
// @Tags      orgs
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Success   200 {object} OrgList
// @Failure   401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/orgs [get]
func (s *Server) listOrgs(c echo.Context) error {
	list, err := s.Orgs.List(c.Request().Context(), auth.ActorFrom(c.Request().Context()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, OrgList{Items: list})
}

// createOrg godoc
// @ID        createOrg
// @Summary   Add an organisation (admin)
// @Tags      orgs
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     body body orgs.NewOrg true "the organisation"
// @Success   201 {object} orgs.Org
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/orgs [post]
func (s *Server) createOrg(c echo.Context) error {
	var in orgs.NewOrg
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	org, err := s.Orgs.Create(ctx, auth.ActorFrom(ctx), in)
	if err != nil {
		return err
	}
	return created(c, "/api/v1/orgs/"+org.ID, org)
}

// getOrg godoc
// @ID        getOrg
// @Summary   One organisation
// @Tags      orgs
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id path string true "organisation id"
// @Success   200 {object} orgs.Org
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/orgs/{id} [get]
func (s *Server) getOrg(c echo.Context) error {
	ctx := c.Request().Context()
	org, err := s.Orgs.Get(ctx, auth.ActorFrom(ctx), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, org)
}

func created(c echo.Context, location string, body any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSON(http.StatusCreated, body)
}
