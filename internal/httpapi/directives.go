package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerDirectives(r router) {
	r.read("/directives", auth.RegistryRead, s.listDirectives)
	r.handle(http.MethodPost, "/directives", auth.RegistryWrite, s.createDirective)
	r.handle(http.MethodGet, "/directives/:id", auth.RegistryRead, s.getDirective)
	r.handle(http.MethodPatch, "/directives/:id", auth.RegistryWrite, s.updateDirective)
	r.handle(http.MethodDelete, "/directives/:id", auth.RegistryWrite, s.voidDirective)
	r.handle(http.MethodPost, "/directives/:id/reply", auth.RegistryWrite, s.replyDirective)
}

// listDirectives godoc
// @ID        listDirectives
// @Summary   List directive letters (công văn chỉ đạo), newest first
// @Description status is as of today in the organisation's time zone: overdue means unanswered with due_on before today.
// @Tags      directives
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     status         query string false "pending, replied or overdue" Enums(pending, replied, overdue) Extensions(x-vocab=directive.status)
// @Param     recipient      query string false "recipient contains this, without regard to diacritics or case"
// @Param     from           query string false "issued on or after, YYYY-MM-DD" format(date)
// @Param     to             query string false "issued on or before, YYYY-MM-DD" format(date)
// @Param     case_id        query string false "only letters about this case"
// @Param     session_id     query string false "only letters issued after this session"
// @Param     include_voided query bool   false "include voided records"
// @Param     count          query bool   false "also answer total, the number of records the whole list holds"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Directive]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/directives [get]
func (s *Server) listDirectives(c echo.Context) error {
	status, err := filterQueries(c, "status")
	if err != nil {
		return err
	}
	f := registry.DirectiveFilter{Status: status[0], Recipient: c.QueryParam("recipient"), From: c.QueryParam("from"), To: c.QueryParam("to"),
		CaseID: c.QueryParam("case_id"), SessionID: c.QueryParam("session_id")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListDirectives)
}

// createDirective godoc
// @ID        createDirective
// @Summary   Record a directive letter
// @Description The number is unique among the organisation's live letters (409); due_on may not be before issued_on.
// @Tags      directives
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewDirective true "the letter"
// @Success   201 {object} registry.Directive
// @Header  201 {string} ETag "the record's version, for If-Match"
// @Header  201 {string} Location "the new record's path"
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/directives [post]
func (s *Server) createDirective(c echo.Context) error {
	return createRecord(c, "directives", s.Registry.CreateDirective)
}

// getDirective godoc
// @ID        getDirective
// @Summary   One directive letter, with its status as of today
// @Tags      directives
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "directive id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Directive
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/directives/{id} [get]
func (s *Server) getDirective(c echo.Context) error {
	return getRecord(c, s.Registry.GetDirective)
}

// updateDirective godoc
// @ID        updateDirective
// @Summary   Change some fields of a directive letter
// @Description replied_on and reply_summary correct a reply already recorded; record a reply with POST /directives/{id}/reply. Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422.
// @Tags      directives
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "directive id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.DirectivePatch true "fields to change"
// @Success   200 {object} registry.Directive
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,409,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/directives/{id} [patch]
func (s *Server) updateDirective(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdateDirective)
}

// replyDirective godoc
// @ID        replyDirective
// @Summary   Record the recipient's reply to a directive letter
// @Description replied_on may be neither before issued_on nor after today; a letter is replied to once (409 the second time).
// @Tags      directives
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id   path string true "directive id"
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.DirectiveReply true "the reply"
// @Success   200 {object} registry.Directive
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/directives/{id}/reply [post]
func (s *Server) replyDirective(c echo.Context) error {
	return actOn(c, s.Registry.ReplyDirective)
}

// voidDirective godoc
// @ID        voidDirective
// @Summary   Void a directive letter (kept, hidden from lists and statistics; its number is free again)
// @Tags      directives
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "directive id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Directive
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/directives/{id} [delete]
func (s *Server) voidDirective(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidDirective)
}
