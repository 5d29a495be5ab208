package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerNotices(r router) {
	r.read("/notices", auth.RegistryRead, s.listNotices)
	r.handle(http.MethodPost, "/notices", auth.RegistryWrite, s.createNotice)
	r.handle(http.MethodGet, "/notices/:id", auth.RegistryRead, s.getNotice)
	r.handle(http.MethodPatch, "/notices/:id", auth.RegistryWrite, s.updateNotice)
	r.handle(http.MethodDelete, "/notices/:id", auth.RegistryWrite, s.voidNotice)
}

// listNotices godoc
// @ID        listNotices
// @Summary   List conclusion notices (thông báo kết luận), newest first
// @Tags      notices
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     from           query string false "issued on or after, YYYY-MM-DD" format(date)
// @Param     to             query string false "issued on or before, YYYY-MM-DD" format(date)
// @Param     session_id     query string false "only notices of this session"
// @Param     case_id        query string false "only notices naming this case"
// @Param     include_voided query bool   false "include voided records"
// @Param     count          query bool   false "also answer total, the number of records the whole list holds"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Notice]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/notices [get]
func (s *Server) listNotices(c echo.Context) error {
	f := registry.NoticeFilter{From: c.QueryParam("from"), To: c.QueryParam("to"), SessionID: c.QueryParam("session_id"), CaseID: c.QueryParam("case_id")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListNotices)
}

// createNotice godoc
// @ID        createNotice
// @Summary   Record a conclusion notice
// @Description The session must be periodic or urgent; the number is unique among the organisation's live notices (409).
// @Tags      notices
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewNotice true "the notice"
// @Success   201 {object} registry.Notice
// @Header  201 {string} ETag "the record's version, for If-Match"
// @Header  201 {string} Location "the new record's path"
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/notices [post]
func (s *Server) createNotice(c echo.Context) error {
	return createRecord(c, "notices", s.Registry.CreateNotice)
}

// getNotice godoc
// @ID        getNotice
// @Summary   One conclusion notice
// @Tags      notices
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "notice id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Notice
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/notices/{id} [get]
func (s *Server) getNotice(c echo.Context) error {
	return getRecord(c, s.Registry.GetNotice)
}

// updateNotice godoc
// @ID        updateNotice
// @Summary   Change some fields of a conclusion notice
// @Description case_ids replaces the whole list. Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422.
// @Tags      notices
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "notice id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.NoticePatch true "fields to change"
// @Success   200 {object} registry.Notice
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,409,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/notices/{id} [patch]
func (s *Server) updateNotice(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdateNotice)
}

// voidNotice godoc
// @ID        voidNotice
// @Summary   Void a conclusion notice (kept, hidden from lists and statistics; its number is free again)
// @Tags      notices
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "notice id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Notice
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/notices/{id} [delete]
func (s *Server) voidNotice(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidNotice)
}
