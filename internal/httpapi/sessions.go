package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerSessions(r router) {
	r.read("/sessions", auth.RegistryRead, s.listSessions)
	r.handle(http.MethodPost, "/sessions", auth.RegistryWrite, s.createSession)
	r.handle(http.MethodGet, "/sessions/:id", auth.RegistryRead, s.getSession)
	r.handle(http.MethodPatch, "/sessions/:id", auth.RegistryWrite, s.updateSession)
	r.handle(http.MethodDelete, "/sessions/:id", auth.RegistryWrite, s.voidSession)
}

// listSessions godoc
// @ID        listSessions
// @Summary   List reception sessions, newest first
// @Tags      sessions
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     kind           query string false "session kind" Enums(regular, periodic, urgent) Extensions(x-vocab=session.kind)
// @Param     from           query string false "first date, YYYY-MM-DD" format(date)
// @Param     to             query string false "last date, YYYY-MM-DD (inclusive)" format(date)
// @Param     include_voided query bool   false "include voided records"
// @Param     count          query bool   false "also answer total, the number of records the whole list holds"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Session]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/sessions [get]
func (s *Server) listSessions(c echo.Context) error {
	kind, err := filterQueries(c, "kind")
	if err != nil {
		return err
	}
	f := registry.SessionFilter{Kind: kind[0], From: c.QueryParam("from"), To: c.QueryParam("to")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListSessions)
}

// createSession godoc
// @ID        createSession
// @Summary   Record a reception session
// @Description host_role (head: the head received in person; authorized: an authorised deputy) is required for periodic and urgent sessions and must be absent for regular ones.
// @Tags      sessions
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewSession true "the session"
// @Success   201 {object} registry.Session
// @Header  201 {string} ETag "the record's version, for If-Match"
// @Header  201 {string} Location "the new record's path"
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/sessions [post]
func (s *Server) createSession(c echo.Context) error {
	return createRecord(c, "sessions", s.Registry.CreateSession)
}

// getSession godoc
// @ID        getSession
// @Summary   One reception session
// @Tags      sessions
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "session id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Session
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/sessions/{id} [get]
func (s *Server) getSession(c echo.Context) error {
	return getRecord(c, s.Registry.GetSession)
}

// updateSession godoc
// @ID        updateSession
// @Summary   Change some fields of a session
// @Description A change of kind or date is carried to the session's visits, which statistics read. Send host_role null to clear it when a session becomes regular. Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422.
// @Tags      sessions
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "session id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.SessionPatch true "fields to change"
// @Success   200 {object} registry.Session
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/sessions/{id} [patch]
func (s *Server) updateSession(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdateSession)
}

// voidSession godoc
// @ID        voidSession
// @Summary   Void a session (kept, hidden from lists and statistics)
// @Description Refused (409) while live visits, conclusion notices or directive letters name the session: void or change those first.
// @Tags      sessions
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "session id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Session
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/sessions/{id} [delete]
func (s *Server) voidSession(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidSession)
}
