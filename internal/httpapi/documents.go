package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerDocuments(r router) {
	r.read("/documents", auth.RegistryRead, s.listDocuments)
	r.handle(http.MethodPost, "/documents", auth.RegistryWrite, s.issueDocument)
	r.handle(http.MethodGet, "/documents/:id", auth.RegistryRead, s.getDocument)
	r.handle(http.MethodGet, "/documents/:id/file", auth.RegistryRead, s.getDocumentFile)
	r.handle(http.MethodDelete, "/documents/:id", auth.RegistryWrite, s.voidDocument)
}

// listDocuments godoc
// @ID        listDocuments
// @Summary   List issued documents, newest first
// @Tags      documents
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     kind           query string false "only documents of this kind" Enums(receipt, appointment, guidance, transfer, refusal, acceptance) Extensions(x-vocab=document.kind)
// @Param     visit_id       query string false "only documents about this visit"
// @Param     case_id        query string false "only documents about this case"
// @Param     person_id      query string false "only documents for this citizen"
// @Param     from           query string false "issued on or after, YYYY-MM-DD" format(date)
// @Param     to             query string false "issued on or before, YYYY-MM-DD" format(date)
// @Param     include_voided query bool   false "include voided (replaced) documents"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Document]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/documents [get]
func (s *Server) listDocuments(c echo.Context) error {
	f := registry.DocumentFilter{Kind: c.QueryParam("kind"), VisitID: c.QueryParam("visit_id"), CaseID: c.QueryParam("case_id"),
		PersonID: c.QueryParam("person_id"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListDocuments)
}

// issueDocument godoc
// @ID        issueDocument
// @Summary   Issue a numbered document to a citizen, rendered as a PDF
// @Description Receipt (giấy biên nhận), appointment (phiếu hẹn), guidance (phiếu hướng dẫn), transfer (phiếu chuyển đơn), refusal (thông báo từ chối tiếp, Law 42/2013 Art. 9) or acceptance (thông báo thụ lý / không thụ lý), in the layout of Decree 30/2020. The citizen, the matter and the organisation come from the visit (or the case with person_id); the number is the next of the organisation's series for the year and the document type, e.g. 05/PH-TCD (both notices share TB). Needed besides signer.title and signer.name: receipt items; appointment appointment_at and venue; guidance and transfer addressee; refusal ground (reason when other); acceptance accepted (reason when false). received_on defaults to the visit's day, place to the place name the organisation's name ends with. The document never changes: to correct one, issue a new one with replaces (the old one is voided in the same transaction). A document naming a denouncer is hidden (404) from whoever may not know them.
// @Tags      documents
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewDocument true "the document"
// @Success   201 {object} registry.Document
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/documents [post]
func (s *Server) issueDocument(c echo.Context) error {
	return createRecord(c, "documents", s.Registry.IssueDocument)
}

// getDocument godoc
// @ID        getDocument
// @Summary   One issued document's record
// @Tags      documents
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "document id"
// @Param     include_voided query bool   false "also find a voided document"
// @Success   200 {object} registry.Document
// @Header    200 {string} ETag "version"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/documents/{id} [get]
func (s *Server) getDocument(c echo.Context) error {
	return getRecord(c, s.Registry.GetDocument)
}

// getDocumentFile godoc
// @ID        getDocumentFile
// @Summary   The document's PDF, as issued
// @Description The bytes never change (their SHA-256 is the record's sha256). Every read is written to the audit log, as the PDF names the citizen.
// @Tags      documents
// @Produce   application/pdf
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "document id"
// @Param     include_voided query bool   false "also read a voided document's PDF"
// @Success   200 {file} file "the PDF"
// @Header    200 {string} Content-Disposition "attachment; filename=05-PH-TCD.pdf"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/documents/{id}/file [get]
func (s *Server) getDocumentFile(c echo.Context) error {
	opt, err := readOptions(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f, err := s.Registry.DocumentPDF(ctx, auth.ActorFrom(ctx), c.Param("id"), opt)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(f.Reference, "/", "-")+`.pdf"`)
	h.Set("ETag", `"`+f.SHA256+`"`)
	return c.Blob(http.StatusOK, "application/pdf", f.PDF)
}

// voidDocument godoc
// @ID        voidDocument
// @Summary   Void a document issued in error (it keeps its number; a correction is issued with replaces instead)
// @Tags      documents
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "document id"
// @Param     reason query string true "why the document is voided"
// @Success   200 {object} registry.Document
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/documents/{id} [delete]
func (s *Server) voidDocument(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidDocument)
}
