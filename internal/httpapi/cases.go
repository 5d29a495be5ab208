package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerCases(r router) {
	r.read("/cases", auth.RegistryRead, s.listCases)
	r.handle(http.MethodPost, "/cases", auth.RegistryWrite, s.createCase)
	r.handle(http.MethodGet, "/cases/:id", auth.RegistryRead, s.getCase)
	r.handle(http.MethodPatch, "/cases/:id", auth.RegistryWrite, s.updateCase)
	r.handle(http.MethodDelete, "/cases/:id", auth.RegistryWrite, s.voidCase)
}

// listCases godoc
// @ID        listCases
// @Summary   List or search cases, newest first
// @Description q matches titles without regard to diacritics or case, and codes (VV-2024-000123) exactly. Cases merged into another are left out unless include_merged=true.
// @Tags      cases
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     status         query string false "status" Enums(open, resolved, closed) Extensions(x-vocab=case.status)
// @Param     category       query string false "category" Enums(complaint, denunciation, petition, feedback) Extensions(x-vocab=case.category)
// @Param     field          query string false "field" Enums(land, housing, policy, civil_service, judicial, party, corruption, other) Extensions(x-vocab=case.field)
// @Param     q              query string false "title (folded substring) or exact code"
// @Param     include_merged query bool   false "include cases merged into another"
// @Param     include_voided query bool   false "include voided records"
// @Param     count          query bool   false "also answer total, the number of records the whole list holds"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Case]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/cases [get]
func (s *Server) listCases(c echo.Context) error {
	enums, err := filterQueries(c, "status", "category", "field")
	if err != nil {
		return err
	}
	f := registry.CaseFilter{Status: enums[0], Category: enums[1], Field: enums[2]}
	if f.Q, err = searchTerm(c); err != nil {
		return err
	}
	if f.IncludeMerged, err = boolQuery(c, "include_merged"); err != nil {
		return err
	}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListCases)
}

// createCase godoc
// @ID        createCase
// @Summary   Open a case
// @Description The service gives the case its code, VV-YEAR-NNNNNN, numbered per organisation and year.
// @Tags      cases
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewCase true "the case"
// @Success   201 {object} registry.Case
// @Header  201 {string} ETag "the record's version, for If-Match"
// @Header  201 {string} Location "the new record's path"
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/cases [post]
func (s *Server) createCase(c echo.Context) error {
	return createRecord(c, "cases", s.Registry.CreateCase)
}

// getCase godoc
// @ID        getCase
// @Summary   One case, with the first date and number of the visits that count for it
// @Description Reading a denunciation is written to the audit log with the reader.
// @Tags      cases
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "case id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Case
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id} [get]
func (s *Server) getCase(c echo.Context) error {
	return getRecord(c, s.Registry.GetCase)
}

// updateCase godoc
// @ID        updateCase
// @Summary   Change some fields of a case
// @Description Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422. A denunciation may be changed into another category only by an admin or the staff of the case's own organisation (403 otherwise); its denouncers stay secret whatever its category becomes, and the change is audited.
// @Tags      cases
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "case id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.CasePatch true "fields to change"
// @Success   200 {object} registry.Case
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id} [patch]
func (s *Server) updateCase(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdateCase)
}

// voidCase godoc
// @ID        voidCase
// @Summary   Void a case (kept, hidden from lists and statistics)
// @Description Refused (409) while live visits, delegations, conclusion notices or directive letters name the case, or other cases are merged into it.
// @Tags      cases
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "case id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Case
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id} [delete]
func (s *Server) voidCase(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidCase)
}
