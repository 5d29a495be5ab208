package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerPersons(r router) {
	r.read("/persons", auth.RegistryRead, s.listPersons)
	r.handle(http.MethodPost, "/persons", auth.RegistryWrite, s.createPerson)
	r.handle(http.MethodGet, "/persons/:id", auth.RegistryRead, s.getPerson)
	r.handle(http.MethodPatch, "/persons/:id", auth.RegistryWrite, s.updatePerson)
	r.handle(http.MethodDelete, "/persons/:id", auth.RegistryWrite, s.voidPerson)
}

// listPersons godoc
// @ID        listPersons
// @Summary   List or search persons
// @Description q matches names without regard to diacritics or case (nguyen van an finds Nguyễn Văn An; Thủy = Thuỷ), and ID numbers and phones exactly. A page that lists anyone is written to the audit log (one entry naming the persons listed).
// @Tags      persons
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     q              query string false "name (folded substring), ID number or phone"
// @Param     include_voided query bool   false "include voided records"
// @Param     count          query bool   false "also answer total, the number of records the whole list holds"
// @Param     include_merged query bool   false "include persons merged into another"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Person]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/persons [get]
func (s *Server) listPersons(c echo.Context) error {
	f := registry.PersonFilter{}
	var err error
	if f.Q, err = searchTerm(c); err != nil {
		return err
	}
	if f.IncludeMerged, err = boolQuery(c, "include_merged"); err != nil {
		return err
	}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListPersons)
}

// createPerson godoc
// @ID        createPerson
// @Summary   Register a citizen
// @Description The person is registered in any case; possible_duplicates lists (at most five, best first, an empty list when none) the persons already registered who may be the same citizen, as GET /persons/{id}/duplicates does, so that staff can use one of them instead (POST /persons/{id}/merge).
// @Tags      persons
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewPerson true "the person"
// @Success   201 {object} registry.CreatedPerson
// @Header  201 {string} ETag "the record's version, for If-Match"
// @Header  201 {string} Location "the new record's path"
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/persons [post]
func (s *Server) createPerson(c echo.Context) error {
	return createRecord(c, "persons", s.Registry.CreatePerson)
}

// getPerson godoc
// @ID        getPerson
// @Summary   One person (the read is written to the audit log)
// @Description A person named only in visits and delegations about denunciations whose denouncers the token may not see (all but admins and the staff of the case's organisation) is not found, and is left out of lists.
// @Tags      persons
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "person id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Person
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/persons/{id} [get]
func (s *Server) getPerson(c echo.Context) error {
	return getRecord(c, s.Registry.GetPerson)
}

// updatePerson godoc
// @ID        updatePerson
// @Summary   Change some fields of a person
// @Description Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422.
// @Tags      persons
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "person id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.PersonPatch true "fields to change"
// @Success   200 {object} registry.Person
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/persons/{id} [patch]
func (s *Server) updatePerson(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdatePerson)
}

// voidPerson godoc
// @ID        voidPerson
// @Summary   Void a person record (kept, hidden from lists and statistics)
// @Description Refused (409) while live visits or delegations name the person, or other person records are merged into it.
// @Tags      persons
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "person id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Person
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/persons/{id} [delete]
func (s *Server) voidPerson(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidPerson)
}
