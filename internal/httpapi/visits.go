package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerVisits(r router) {
	r.read("/visits", auth.RegistryRead, s.listVisits)
	r.handle(http.MethodPost, "/visits", auth.RegistryWrite, s.createVisit)
	r.handle(http.MethodGet, "/visits/:id", auth.RegistryRead, s.getVisit)
	r.handle(http.MethodPatch, "/visits/:id", auth.RegistryWrite, s.updateVisit)
	r.handle(http.MethodDelete, "/visits/:id", auth.RegistryWrite, s.voidVisit)
}

// listVisits godoc
// @ID        listVisits
// @Summary   List visits, newest first
// @Description case_id lists the visits recorded against that case and, when other cases were merged into it, theirs too: the visits that count for it. Visits about a denunciation answer person_ids [] and identity_hidden true to tokens that may not see its denouncers, and person_id does not find them.
// @Tags      visits
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     from           query string false "first date, YYYY-MM-DD" format(date)
// @Param     to             query string false "last date, YYYY-MM-DD (inclusive)" format(date)
// @Param     kind           query string false "session kind" Enums(regular, periodic, urgent) Extensions(x-vocab=session.kind)
// @Param     session_id     query string false "visits of this session"
// @Param     case_id        query string false "visits that count for this case"
// @Param     person_id      query string false "visits naming this person"
// @Param     delegation_id  query string false "visits of this delegation"
// @Param     include_voided query bool   false "include voided records"
// @Param     count          query bool   false "also answer total, the number of records the whole list holds"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Visit]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/visits [get]
func (s *Server) listVisits(c echo.Context) error {
	kind, err := filterQueries(c, "kind")
	if err != nil {
		return err
	}
	f := registry.VisitFilter{From: c.QueryParam("from"), To: c.QueryParam("to"), Kind: kind[0],
		SessionID: c.QueryParam("session_id"), CaseID: c.QueryParam("case_id"), PersonID: c.QueryParam("person_id"),
		DelegationID: c.QueryParam("delegation_id")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListVisits)
}

// createVisit godoc
// @ID        createVisit
// @Summary   Record a visit, with its new case and new persons in the same request
// @Description kind and date come from the session. Give case_id or case (a new case), and person_ids and/or persons (new persons), at least one person in all. headcount defaults to the number of persons, or to the delegation's member_count when larger. All of it is written, or nothing. When the request opens a case, possible_duplicates lists (at most five, scoring at least 0.15, best first) existing cases that look like the same matter, each with the evidence for and against, as GET /cases/{id}/duplicates does.
// @Tags      visits
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewVisit true "the visit"
// @Success   201 {object} registry.CreatedVisit
// @Header  201 {string} ETag "the record's version, for If-Match"
// @Header  201 {string} Location "the new record's path"
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/visits [post]
func (s *Server) createVisit(c echo.Context) error {
	return createRecord(c, "visits", s.Registry.CreateVisit)
}

// getVisit godoc
// @ID        getVisit
// @Summary   One visit
// @Description A visit about a denunciation (its case, or the case it was merged into) answers person_ids [] and identity_hidden true to every token but admins' and those of the staff of the case's organisation.
// @Tags      visits
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "visit id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Visit
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/visits/{id} [get]
func (s *Server) getVisit(c echo.Context) error {
	return getRecord(c, s.Registry.GetVisit)
}

// updateVisit godoc
// @ID        updateVisit
// @Summary   Change the headcount, content, outcome or note of a visit
// @Description Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422.
// @Tags      visits
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "visit id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.VisitPatch true "fields to change"
// @Success   200 {object} registry.Visit
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/visits/{id} [patch]
func (s *Server) updateVisit(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdateVisit)
}

// voidVisit godoc
// @ID        voidVisit
// @Summary   Void a visit (kept, hidden from lists and statistics)
// @Tags      visits
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "visit id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Visit
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/visits/{id} [delete]
func (s *Server) voidVisit(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidVisit)
}
