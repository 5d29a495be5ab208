package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/vntext"
)

func (s *Server) registerExports(r router) {
	r.read("/exports/report", auth.StatsRead, s.exportReport)
	r.read("/exports/register", auth.RegisterExport, s.exportRegister)
}

// exportRequest reads the statistics' parameters (period or from/to, basis, org,
// delegation_min) and the format, xlsx by default.
func exportRequest(c echo.Context, formats []export.Format) (stats.Query, export.Format, error) {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	q, format, _, err := statsRequest(c, names...)
	return q, export.Format(format), err
}

// download writes a file as an attachment. The status and headers go out with the first byte,
// so that an error before it can still be answered as a problem.
type download struct {
	c       echo.Context
	name    string
	format  export.Format
	started bool
}

func (w *download) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		h := w.c.Response().Header()
		h.Set(echo.HeaderContentType, w.format.ContentType())
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+w.name+`"`)
		h.Set(echo.HeaderCacheControl, "private, no-store")
		w.c.Response().WriteHeader(http.StatusOK)
	}
	return w.c.Response().Write(p)
}

// Flush sends what the file has so far, for the streamed register.
func (w *download) Flush() {
	if w.started {
		w.c.Response().Flush()
	}
}

// exportReport godoc
// @ID        exportReport
// @Summary      The period's report as a file: summary, Form 01/TCD and breakdowns by category and field
// @Description  xlsx: sheets "Tổng hợp" (the report paragraph and every figure), "Biểu 01-TCD" (the official table: title, period, "Biểu số: 01/TCD", merged multi-level header, the MS row of column numbers, the total row in bold, then each organisation), "Theo loại" and "Theo lĩnh vực". csv: the same four parts as sections under their titles, separated by a blank line, UTF-8 with BOM. json: {summary, form_01, by_category, by_field}. pdf: Form 01/TCD alone on A4 landscape, ready to sign and seal, with the figures of the workbook's sheet, dated today at the place the reporting organisation's name ends with (or place). Named by period and basis, e.g. tcd-report-2023-Q3-statutory.xlsx. The same file is written unattended by `tcd export` and by the server's schedule.
// @Tags         exports
// @Produce      application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Produce      text/csv
// @Produce      json
// @Produce      application/pdf
// @Produce      application/problem+json
// @Security     Bearer
// @Param        format         query  string false "file format (default xlsx)" Enums(xlsx, csv, json, pdf)
// @Param        place          query  string false "pdf: the place name the form is dated with, when the organisation's name ends with none"
// @Param        period         query  string false "2023, 2023-Q3, 2023-10, 2023-6M or 2023-9M (or from and to)"
// @Param        from           query  string false "first day, YYYY-MM-DD (with to)" format(date)
// @Param        to             query  string false "last day, YYYY-MM-DD, inclusive (with from)" format(date)
// @Param        basis          query  string false "calendar (default) or statutory" Enums(calendar, statutory) Extensions(x-vocab=stats.basis)
// @Param        org            query  string false "organisation id: its subtree (default the token's, or the whole register)"
// @Param        delegation_min query  int    false "headcount from which a visit is a delegation visit (default TCD_DELEGATION_MIN)" minimum(2) maximum(10000)
// @Success      200 {object} export.Report "the file (this object for json)"
// @Header       200 {string} Content-Disposition "attachment; filename=tcd-report-…"
// @Failure      401,403,422,429,500,503 {object} Problem
// @Router       /api/v1/exports/report [get]
func (s *Server) exportReport(c echo.Context) error {
	q, format, err := exportRequest(c, export.ReportFormats)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	file, err := s.Export.Report(ctx, auth.ActorFrom(ctx), q, format)
	if err != nil {
		return err
	}
	if place := vntext.NFC(c.QueryParam("place")); place != "" {
		file.Issuer.Place = place
	}
	_, err = file.WriteTo(&download{c: c, name: file.Name, format: format})
	return err
}

// exportRegister godoc
// @ID        exportRegister
// @Summary      The reception register itself: its visits (Sổ tiếp công dân, Form 03), one row per live visit of the period, and its petitions (đơn), one row per live petition received in the period
// @Description  Personal data (names, addresses, ID numbers): staff, auditor and admin only, and every export is written to the audit log (entity register_export); a denouncer's identity is left out, in both parts, for whoever may not know it. The visits ("Sổ tiếp công dân"), columns in the form's order: STT, Ngày tiếp, Họ tên - Địa chỉ, Số CCCD/CMND/Hộ chiếu, Nội dung vụ việc, Phân loại đơn / Số người, Cơ quan đã giải quyết, Hướng xử lý, Theo dõi kết quả, Ghi chú; rows by date, then in the order recorded. The petitions ("Đơn thư"): STT, Số đơn, Ngày nhận đơn, Nguồn đơn, Họ tên - Địa chỉ người gửi, Số CCCD/CMND/Hộ chiếu, Số người đứng đơn, Ngày ghi trên đơn, Nội dung vụ việc, Phân loại đơn, Hạn xử lý, Kết quả xử lý, Ngày xử lý, Tình trạng (the status as of today), Ghi chú; rows by the day received, then in the order recorded. xlsx holds both parts, a sheet each, unless sheet names one; a csv file holds one part, the visits unless sheet=petitions (named tcd-register-petitions-…). Streamed as it is read, in constant memory; csv is UTF-8 with BOM. A failure after the first rows were sent cuts the connection, so a truncated file never looks complete.
// @Tags         exports
// @Produce      application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Produce      text/csv
// @Produce      application/problem+json
// @Security     Bearer
// @Param        format  query  string false "file format (default xlsx)" Enums(xlsx, csv)
// @Param        sheet   query  string false "one part alone (default: both in xlsx, the visits in csv)" Enums(visits, petitions) Extensions(x-vocab=register.sheet)
// @Param        period  query  string false "2023, 2023-Q3, 2023-10, 2023-6M or 2023-9M (or from and to)"
// @Param        from    query  string false "first day, YYYY-MM-DD (with to)" format(date)
// @Param        to      query  string false "last day, YYYY-MM-DD, inclusive (with from)" format(date)
// @Param        basis   query  string false "calendar (default) or statutory" Enums(calendar, statutory) Extensions(x-vocab=stats.basis)
// @Param        org     query  string false "organisation id: its subtree (default the token's, or the whole register)"
// @Success      200 {file} file "the register"
// @Header       200 {string} Content-Disposition "attachment; filename=tcd-register-…"
// @Failure      401,403,422,429,500,503 {object} Problem
// @Router       /api/v1/exports/register [get]
func (s *Server) exportRegister(c echo.Context) error {
	q, format, err := exportRequest(c, export.RegisterFormats)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	exp, err := s.Export.OpenRegister(ctx, auth.ActorFrom(ctx), export.RegisterQuery{Range: q.Range, OrgID: q.OrgID, Sheet: c.QueryParam("sheet")}, format)
	if err != nil {
		return err
	}
	w := &download{c: c, name: exp.FileName, format: format}
	if _, err := exp.Write(ctx, w); err != nil {
		if !w.started {
			return err
		}
		// The status and part of the file are gone: the only honest signal left is to cut the
		// connection, so that the client sees a failed download instead of a short register.
		s.log.Error("register export failed mid-stream", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
