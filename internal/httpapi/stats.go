package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/stats/report"
)

func (s *Server) registerStats(r router) {
	r.read("/stats/summary", auth.StatsRead, s.statsSummary)
	r.read("/stats/form-01", auth.StatsRead, s.statsForm01)
	r.read("/stats/breakdown", auth.StatsRead, s.statsBreakdown)
}

const (
	contentCSV  = "text/csv; charset=utf-8"
	contentText = echo.MIMETextPlainCharsetUTF8
	contentJSON = echo.MIMEApplicationJSON
)

// statsRequest reads the shared parameters and checks format (one of formats, the first being
// the default) and lang, reporting every bad parameter at once.
func statsRequest(c echo.Context, formats ...string) (stats.Query, string, string, error) {
	var fe apperr.Fields
	q, err := stats.ParseQuery(c.QueryParams())
	var ae *apperr.Error
	if errors.As(err, &ae) {
		for _, f := range ae.Fields {
			fe.AddAs(f.Code, f.Field, "%s", f.Message)
		}
	} else if err != nil {
		return q, "", "", err
	}
	format := c.QueryParam("format")
	if format == "" {
		format = formats[0]
	}
	if !slices.Contains(formats, format) {
		fe.AddAs(apperr.ForbiddenValue, "format", "must be one of %s", strings.Join(formats, ", "))
	}
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = "vi"
	}
	if lang != "vi" && lang != "en" {
		fe.AddAs(apperr.ForbiddenValue, "lang", "must be vi or en")
	}
	return q, format, lang, fe.Err()
}

// statsBody answers a statistic with an ETag derived from its bytes, and 304 without a body
// when the client already holds them: dashboards poll, and figures of a closed period rarely
// change.
func statsBody(c echo.Context, contentType string, body []byte) error {
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	c.Response().Header().Set("ETag", etag)
	c.Response().Header().Set(echo.HeaderCacheControl, "private, no-cache")
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, contentType, body)
}

// etagMatches applies If-None-Match's weak comparison: any listed tag, W/ or not, or "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func jsonBytes(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := jsonEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// statsSummary godoc
// @ID        statsSummary
// @Summary      The period's figures: visits, persons, cases after de-duplication, by kind, delegations, documents
// @Description  Only live visits whose session date lies in the period count. persons sums headcounts; cases counts distinct cases after de-duplication (a merged case counts as its survivor); cases_first are those with no earlier visit in the subtree. visits and persons equal the sums over by_kind; cases = cases_first + cases_repeat. format=text answers the report paragraph (lang=vi in the report's own wording, or en).
// @Tags         stats
// @Produce      json
// @Produce      text/csv
// @Produce      text/plain
// @Produce      application/problem+json
// @Security     Bearer
// @Param        period         query  string false "2023, 2023-Q3, 2023-10, 2023-6M or 2023-9M (or from and to)"
// @Param        from           query  string false "first day, YYYY-MM-DD (with to)" format(date)
// @Param        to             query  string false "last day, YYYY-MM-DD, inclusive (with from)" format(date)
// @Param        basis          query  string false "calendar (default) or statutory (the year runs 15 Dec to 14 Dec)" Enums(calendar, statutory) Extensions(x-vocab=stats.basis)
// @Param        org            query  string false "organisation id: its subtree (default the token's, or the whole register)"
// @Param        delegation_min query  int    false "headcount from which a visit is a delegation visit (default TCD_DELEGATION_MIN)" minimum(2) maximum(10000)
// @Param        format         query  string false "json (default), csv or text" Enums(json, csv, text)
// @Param        lang           query  string false "language of format=text" Enums(vi, en)
// @Param        If-None-Match  header string false "an ETag of an earlier answer: 304 when unchanged"
// @Success      200 {object} report.Summary
// @Header       200 {string} ETag "hash of the body"
// @Success      304 "unchanged since the If-None-Match ETag"
// @Failure      401,403,422,429,500,503 {object} Problem
// @Router       /api/v1/stats/summary [get]
func (s *Server) statsSummary(c echo.Context) error {
	q, format, lang, err := statsRequest(c, "json", "csv", "text")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sum, err := s.Stats.Summary(ctx, auth.ActorFrom(ctx), q)
	if err != nil {
		return err
	}
	switch format {
	case "csv":
		var b bytes.Buffer
		if err := report.CSV(&b, sum); err != nil {
			return err
		}
		return statsBody(c, contentCSV, b.Bytes())
	case "text":
		text, err := report.Text(sum, lang)
		if err != nil {
			return err
		}
		return statsBody(c, contentText, []byte(text+"\n"))
	}
	body, err := jsonBytes(sum)
	if err != nil {
		return err
	}
	return statsBody(c, contentJSON, body)
}

// statsForm01 godoc
// @ID        statsForm01
// @Summary      Form 01/TCD: regular, the head's and the authorised deputy's receptions, per organisation
// @Description  Rows: the subtree's total first, then each organisation with its own records, in tree order. Columns 1-29 as Circular 01/2024/TT-TTCP numbers them, with Vietnamese header paths: 1 = 4+13+22, 2 = 5+14+23, 3 = 6+7+15+16+24+25; 4-11 regular reception; 12-20 periodic and urgent sessions the head hosted; 21-29 those an authorised deputy hosted. Cases are counted within each group.
// @Tags         stats
// @Produce      json
// @Produce      text/csv
// @Produce      application/problem+json
// @Security     Bearer
// @Param        period         query  string false "2023, 2023-Q3, 2023-10, 2023-6M or 2023-9M (or from and to)"
// @Param        from           query  string false "first day, YYYY-MM-DD (with to)" format(date)
// @Param        to             query  string false "last day, YYYY-MM-DD, inclusive (with from)" format(date)
// @Param        basis          query  string false "calendar (default) or statutory" Enums(calendar, statutory) Extensions(x-vocab=stats.basis)
// @Param        org            query  string false "organisation id: its subtree (default the token's, or the whole register)"
// @Param        delegation_min query  int    false "headcount from which a visit is a delegation visit (default TCD_DELEGATION_MIN)" minimum(2) maximum(10000)
// @Param        format         query  string false "json (default) or csv" Enums(json, csv)
// @Param        If-None-Match  header string false "an ETag of an earlier answer: 304 when unchanged"
// @Success      200 {object} stats.Form01
// @Header       200 {string} ETag "hash of the body"
// @Success      304 "unchanged since the If-None-Match ETag"
// @Failure      401,403,422,429,500,503 {object} Problem
// @Router       /api/v1/stats/form-01 [get]
func (s *Server) statsForm01(c echo.Context) error {
	q, format, _, err := statsRequest(c, "json", "csv")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	form, err := s.Stats.Form01(ctx, auth.ActorFrom(ctx), q)
	if err != nil {
		return err
	}
	if format == "csv" {
		var b bytes.Buffer
		if err := form.WriteCSV(&b); err != nil {
			return err
		}
		return statsBody(c, contentCSV, b.Bytes())
	}
	body, err := jsonBytes(form)
	if err != nil {
		return err
	}
	return statsBody(c, contentJSON, body)
}

// statsBreakdown godoc
// @ID        statsBreakdown
// @Summary      The period's visits, persons and distinct cases split by one dimension, for dashboards
// @Description  by=category or field (of the surviving case), outcome, org (each organisation's own records) or month (reporting months of the basis). Every enum value is listed, zeros included. Cases are distinct within a row and need not add up across rows.
// @Tags         stats
// @Produce      json
// @Produce      text/csv
// @Produce      application/problem+json
// @Security     Bearer
// @Param        by             query  string true  "dimension" Enums(category, field, outcome, org, month) Extensions(x-vocab=breakdown.by)
// @Param        period         query  string false "2023, 2023-Q3, 2023-10, 2023-6M or 2023-9M (or from and to)"
// @Param        from           query  string false "first day, YYYY-MM-DD (with to)" format(date)
// @Param        to             query  string false "last day, YYYY-MM-DD, inclusive (with from)" format(date)
// @Param        basis          query  string false "calendar (default) or statutory" Enums(calendar, statutory) Extensions(x-vocab=stats.basis)
// @Param        org            query  string false "organisation id: its subtree (default the token's, or the whole register)"
// @Param        format         query  string false "json (default) or csv" Enums(json, csv)
// @Param        If-None-Match  header string false "an ETag of an earlier answer: 304 when unchanged"
// @Success      200 {object} stats.Breakdown
// @Header       200 {string} ETag "hash of the body"
// @Success      304 "unchanged since the If-None-Match ETag"
// @Failure      401,403,422,429,500,503 {object} Problem
// @Router       /api/v1/stats/breakdown [get]
func (s *Server) statsBreakdown(c echo.Context) error {
	q, format, _, err := statsRequest(c, "json", "csv")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.Stats.Breakdown(ctx, auth.ActorFrom(ctx), q, c.QueryParam("by"))
	if err != nil {
		return err
	}
	if format == "csv" {
		var buf bytes.Buffer
		if err := b.WriteCSV(&buf); err != nil {
			return err
		}
		return statsBody(c, contentCSV, buf.Bytes())
	}
	body, err := jsonBytes(b)
	if err != nil {
		return err
	}
	return statsBody(c, contentJSON, body)
}
