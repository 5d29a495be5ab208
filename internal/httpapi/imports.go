package httpapi

import (
	"io"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/imports"
	"github.com/tcd-registry/tcd/internal/registry"
)

// importMax bounds a register file: a workbook of a few hundred thousand rows.
const importMax = 200 << 20

func (s *Server) registerImports(r router) {
	r.upload("/imports", auth.RegistryWrite, s.importRegister)
}

// ImportReport is the answer of POST /imports: what became of every row, and the totals.
type ImportReport struct {
	DryRun bool                   `json:"dry_run"`
	OrgID  string                 `json:"org_id"`
	Totals registry.ImportTotals  `json:"totals"`
	Rows   []registry.ImportedRow `json:"rows"`
}

// importRegister godoc
// @ID        importRegister
// @Summary   Import a register kept elsewhere (Form 03, XLSX or CSV)
// @Description Multipart, one part named file: a workbook or CSV file with the columns GET /exports/register writes (extra columns ignored; common variations of hand-kept registers read too). Every row is reported as {row, status, errors}: created (its visit recorded with new persons), linked (with a person found in the register by ID number or by the duplicate matcher; nothing is merged), skipped (imported before: the same row's fingerprint), error (each error names the row and the column). A dry run (the default) does everything in transactions it rolls back and writes nothing. Rows are imported in batches, one transaction each, every row under a savepoint of its own: a row the register's rules refuse is rolled back alone and reported (and goes to the failed-rows file), the rows around it are imported. Each row goes on the day's regular session (opened if none) and the organisation's case of the same category, title and content (opened if none, field other). With report=failures the answer is instead the file of the rows that failed, in the format read, with a last column saying what to fix; corrected, it can be imported again as it is.
// @Tags      imports
// @Accept    multipart/form-data
// @Produce   json
// @Produce   text/csv
// @Produce   application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Produce   application/problem+json
// @Security  Bearer
// @Param     file    formData file   true  "the register"
// @Param     dry_run query    bool   false "report without writing (default true)"
// @Param     org_id  query    string false "the organisation imported into (default the token's)"
// @Param     sheet   query    string false "the workbook's sheet (default the first with the register's header)"
// @Param     report  query    string false "failures: answer the file of the failed rows"
// @Success   200 {object} ImportReport
// @Failure   400,401,403,408,413,422,429,500,503 {object} Problem
// @Router    /api/v1/imports [post]
func (s *Server) importRegister(c echo.Context) error {
	ctx := c.Request().Context()
	actor := auth.ActorFrom(ctx)
	dryRun := true
	if c.QueryParam("dry_run") != "" {
		var err error
		if dryRun, err = boolQuery(c, "dry_run"); err != nil {
			return err
		}
	}
	report := c.QueryParam("report")
	if report != "" && report != "failures" {
		return apperr.Field("report", "must be failures or absent")
	}
	orgID, err := s.Registry.ImportOrg(ctx, actor, c.QueryParam("org_id"))
	if err != nil {
		return err
	}
	defer uploadDeadline(c, importMax)()
	part, err := filePart(c)
	if err != nil {
		return err
	}
	defer part.Close()
	file, err := spool(part, importMax)
	if err != nil {
		return err
	}
	defer os.Remove(file.Name())
	defer file.Close()
	p, format, err := imports.Open(file, c.QueryParam("sheet"))
	if err != nil {
		return err
	}
	defer p.Close()

	out := ImportReport{DryRun: dryRun, OrgID: orgID, Rows: []registry.ImportedRow{}}
	var failures *imports.Failures
	var failed *os.File
	if report == "failures" {
		if failed, err = os.CreateTemp("", "tcd-import-failures-*"); err != nil {
			return err
		}
		defer os.Remove(failed.Name())
		defer failed.Close()
		if failures, err = p.Failures(failed, format); err != nil {
			return err
		}
	}
	out.Totals, err = s.Registry.ImportRegister(ctx, actor, orgID, p, dryRun, func(row *imports.Row, done registry.ImportedRow) error {
		if failures != nil && done.Status == registry.ImportError {
			return failures.Add(row)
		}
		out.Rows = append(out.Rows, done)
		return nil
	})
	if err != nil {
		return err
	}
	if failures == nil {
		return c.JSON(http.StatusOK, out)
	}
	if err := failures.Close(); err != nil {
		return err
	}
	if _, err := failed.Seek(0, io.SeekStart); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="tcd-import-failures.`+string(format)+`"`)
	return c.Stream(http.StatusOK, export.Format(format).ContentType(), failed)
}

// spool copies an uploaded file of at most limit bytes to a temporary file, read from its
// start: a workbook is a zip archive, read from its end.
func spool(r io.Reader, limit int64) (*os.File, error) {
	f, err := os.CreateTemp("", "tcd-import-*")
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = apperr.New(apperr.TooLarge, "the file is larger than %d MB", limit>>20)
	} else if err != nil {
		err = bodyError(err)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}
