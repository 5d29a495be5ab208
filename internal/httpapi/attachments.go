package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gocloud.dev/blob"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/vntext"
)

func (s *Server) registerAttachments(r router) {
	r.upload("/cases/:id/attachments", auth.RegistryWrite, s.addAttachment)
	r.handle(http.MethodGet, "/cases/:id/attachments", auth.RegistryRead, s.listAttachments)
	r.handle(http.MethodGet, "/attachments/:id", auth.RegistryRead, s.getAttachment)
	r.handle(http.MethodGet, "/attachments/:id/file", auth.RegistryRead, s.getAttachmentFile)
	r.handle(http.MethodDelete, "/attachments/:id", auth.RegistryWrite, s.voidAttachment)
}

// attachmentTypes are the kinds of file a case may hold, as sniffed from their first bytes.
var attachmentTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// sniffLength is what http.DetectContentType looks at.
const sniffLength = 512

// addAttachment godoc
// @ID        addAttachment
// @Summary   Attach a file to a case (multipart, one part named file)
// @Description A PDF, JPEG or PNG, the type read from the content itself (the name and the declared type do not count: anything else is 422 naming file), of at most TCD_ATTACHMENT_MAX bytes (default 20M; larger is 413). The file is streamed to the attachment store (TCD_BLOB_URL) as it arrives, never held whole in memory; its size and SHA-256 are recorded. The attachments of a denunciation are hidden from whoever may not know its denouncers (404), as are those of a case out of the token's scope.
// @Tags      attachments
// @Accept    multipart/form-data
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id   path     string true "case id"
// @Param     file formData file   true "the file"
// @Success   201 {object} registry.Attachment
// @Failure   400,401,403,404,408,413,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id}/attachments [post]
func (s *Server) addAttachment(c echo.Context) error {
	ctx := c.Request().Context()
	actor := auth.ActorFrom(ctx)
	caseID := c.Param("id")
	// refused before a byte is stored
	if err := s.Registry.AttachmentCase(ctx, actor, caseID); err != nil {
		return err
	}
	limit := s.Config.AttachmentMax
	defer uploadDeadline(c, limit+1<<20)() // the multipart framing around the file
	part, err := filePart(c)
	if err != nil {
		return err
	}
	defer part.Close()
	f, err := s.storeFile(ctx, part, limit)
	if err != nil {
		return err
	}
	f.FileName = attachmentName(part.FileName())
	a, err := s.Registry.RecordAttachment(ctx, actor, caseID, f)
	if err != nil {
		// the bytes of a record never written are no record: nothing official is lost
		if derr := s.Blobs.Delete(context.WithoutCancel(ctx), f.Key); derr != nil {
			s.log.Warn("could not remove the file of an attachment not recorded", "key", f.Key, "error", derr)
		}
		return err
	}
	return createdRecord(c, "/api/v1/attachments/"+a.ID, a.Version, a)
}

// filePart finds the part named file of a multipart body.
func filePart(c echo.Context) (*multipart.Part, error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, apperr.New(apperr.BadRequest, "the body must be multipart/form-data with the file in a part named file")
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, apperr.Field("file", "required: a part named file")
		}
		if err != nil {
			return nil, bodyError(err)
		}
		if p.FormName() == "file" {
			return p, nil
		}
		p.Close()
	}
}

// bodyError is a failure to read the request body: a slow client (408), else malformed (400).
func bodyError(err error) error {
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return apperr.New(apperr.TooSlow, "the file did not arrive in time")
	}
	return apperr.Wrap(apperr.BadRequest, err, "could not read the request body")
}

// storeFile streams the part into the store under a new key, checking its type from its first
// bytes and its size as it goes, hashing it on the way. A refused or broken upload leaves
// nothing in the store: the write is aborted.
func (s *Server) storeFile(ctx context.Context, part io.Reader, limit int64) (registry.StoredFile, error) {
	head := make([]byte, sniffLength)
	n, err := io.ReadFull(part, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return registry.StoredFile{}, bodyError(err)
	}
	head = head[:n]
	if n == 0 {
		return registry.StoredFile{}, apperr.Field("file", "is empty")
	}
	ctype, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if !attachmentTypes[ctype] {
		return registry.StoredFile{}, apperr.Field("file", "must be a PDF, JPEG or PNG file; its content is %s", ctype)
	}
	f := registry.StoredFile{Key: "attachments/" + uuid.Must(uuid.NewV7()).String(), ContentType: ctype}
	wctx, abort := context.WithCancel(ctx)
	defer abort()
	w, err := s.Blobs.NewWriter(wctx, f.Key, &blob.WriterOptions{ContentType: ctype})
	if err != nil {
		return f, err
	}
	sum := sha256.New()
	f.Size, err = io.Copy(io.MultiWriter(w, sum), io.LimitReader(io.MultiReader(bytes.NewReader(head), part), limit+1))
	switch {
	case err != nil:
		abort()
		_ = w.Close()
		return f, bodyError(err)
	case f.Size > limit:
		abort()
		_ = w.Close()
		return f, apperr.New(apperr.TooLarge, "the file is larger than %s bytes (TCD_ATTACHMENT_MAX)", strconv.FormatInt(limit, 10))
	}
	if err := w.Close(); err != nil {
		return f, err
	}
	f.SHA256 = hex.EncodeToString(sum.Sum(nil))
	return f, nil
}

// attachmentName keeps the base of the name the client gave, NFC, at most 255 bytes.
func attachmentName(name string) string {
	name = vntext.NFC(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "." || name == "/" || name == "" {
		return "tep-dinh-kem"
	}
	for len(name) > 255 { // cut by whole letters
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// listAttachments godoc
// @ID        listAttachments
// @Summary   A case's attachments, newest first
// @Tags      attachments
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "case id"
// @Param     include_voided query bool   false "include voided attachments"
// @Param     limit          query int    false "page size (1-500, default 50)"
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Attachment]
// @Failure   400,401,403,404,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id}/attachments [get]
func (s *Server) listAttachments(c echo.Context) error {
	f := registry.AttachmentFilter{CaseID: c.Param("id")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListAttachments)
}

// getAttachment godoc
// @ID        getAttachment
// @Summary   One attachment's record
// @Tags      attachments
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "attachment id"
// @Param     include_voided query bool   false "also find a voided attachment"
// @Success   200 {object} registry.Attachment
// @Failure   401,403,404,429,500,503 {object} Problem
// @Router    /api/v1/attachments/{id} [get]
func (s *Server) getAttachment(c echo.Context) error {
	return getRecord(c, s.Registry.GetAttachment)
}

// getAttachmentFile godoc
// @ID        getAttachmentFile
// @Summary   The attached file, byte for byte as it was received
// @Description Streamed from the attachment store. Every read is written to the audit log.
// @Tags      attachments
// @Produce   application/pdf
// @Produce   image/jpeg
// @Produce   image/png
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "attachment id"
// @Param     include_voided query bool   false "also read a voided attachment's file"
// @Success   200 {file} file "the file"
// @Failure   401,403,404,429,500,503 {object} Problem
// @Router    /api/v1/attachments/{id}/file [get]
func (s *Server) getAttachmentFile(c echo.Context) error {
	opt, err := readOptions(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.Registry.OpenAttachment(ctx, auth.ActorFrom(ctx), c.Param("id"), opt)
	if err != nil {
		return err
	}
	r, err := s.Blobs.NewReader(ctx, a.BlobKey, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, a.ContentType)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(a.Size, 10))
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName}))
	h.Set("ETag", `"`+a.SHA256+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.Copy(c.Response(), r); err != nil {
		// the status is gone: cut the connection so that a short file never looks complete
		panic(http.ErrAbortHandler)
	}
	return nil
}

// voidAttachment godoc
// @ID        voidAttachment
// @Summary   Void an attachment (kept, with its file, hidden from lists)
// @Tags      attachments
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "attachment id"
// @Param     reason query string true "why the attachment is voided"
// @Success   200 {object} registry.Attachment
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/attachments/{id} [delete]
func (s *Server) voidAttachment(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidAttachment)
}
