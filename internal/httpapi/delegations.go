package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerDelegations(r router) {
	r.read("/delegations", auth.RegistryRead, s.listDelegations)
	r.handle(http.MethodPost, "/delegations", auth.RegistryWrite, s.createDelegation)
	r.handle(http.MethodGet, "/delegations/:id", auth.RegistryRead, s.getDelegation)
	r.handle(http.MethodPatch, "/delegations/:id", auth.RegistryWrite, s.updateDelegation)
	r.handle(http.MethodDelete, "/delegations/:id", auth.RegistryWrite, s.voidDelegation)
}

// listDelegations godoc
// @ID        listDelegations
// @Summary   List delegations (đoàn đông người), newest first
// @Tags      delegations
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     case_id        query string false "only delegations about this case"
// @Param     include_voided query bool   false "include voided records"
// @Param     count          query bool   false "also answer total, the number of records the whole list holds"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Delegation]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/delegations [get]
func (s *Server) listDelegations(c echo.Context) error {
	f := registry.DelegationFilter{CaseID: c.QueryParam("case_id")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListDelegations)
}

// createDelegation godoc
// @ID        createDelegation
// @Summary   Register a delegation
// @Description Representatives follow Law 42/2013 Art. 29: 5-10 members name 1 or 2, more than 10 name 1 to 5; a smaller group names at most as many as it has members.
// @Tags      delegations
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewDelegation true "the delegation"
// @Success   201 {object} registry.Delegation
// @Header  201 {string} ETag "the record's version, for If-Match"
// @Header  201 {string} Location "the new record's path"
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/delegations [post]
func (s *Server) createDelegation(c echo.Context) error {
	return createRecord(c, "delegations", s.Registry.CreateDelegation)
}

// getDelegation godoc
// @ID        getDelegation
// @Summary   One delegation
// @Description A delegation about a denunciation answers representative_ids [] and identity_hidden true to every token but admins' and those of the staff of the case's organisation.
// @Tags      delegations
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "delegation id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Delegation
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/delegations/{id} [get]
func (s *Server) getDelegation(c echo.Context) error {
	return getRecord(c, s.Registry.GetDelegation)
}

// updateDelegation godoc
// @ID        updateDelegation
// @Summary   Change some fields of a delegation
// @Description representative_ids replaces the whole list; the Art. 29 counts are checked on the final values. Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422.
// @Tags      delegations
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "delegation id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.DelegationPatch true "fields to change"
// @Success   200 {object} registry.Delegation
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/delegations/{id} [patch]
func (s *Server) updateDelegation(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdateDelegation)
}

// voidDelegation godoc
// @ID        voidDelegation
// @Summary   Void a delegation (kept, hidden from lists)
// @Description Refused (409) while live visits name the delegation: void or relink them first.
// @Tags      delegations
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "delegation id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Delegation
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/delegations/{id} [delete]
func (s *Server) voidDelegation(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidDelegation)
}
