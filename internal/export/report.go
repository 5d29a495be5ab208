package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/documents"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/safecsv"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/stats/report"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// Report is the period's report file: the summary, Form 01/TCD and the breakdowns by category
// and by field. The JSON export is this object; the XLSX and CSV exports lay it out.
type Report struct {
	Summary    report.Summary  `json:"summary" validate:"required"`
	Form01     stats.Form01    `json:"form_01" validate:"required"`
	ByCategory stats.Breakdown `json:"by_category" validate:"required"`
	ByField    stats.Breakdown `json:"by_field" validate:"required"`
}

// ReportFile is a report ready to be written, with the name it is saved under.
type ReportFile struct {
	Report
	Name string
	// Issuer is the reporting organisation as the PDF's letterhead prints it; its Place is the
	// one its name ends with, "" when it names none (the caller may then give one).
	Issuer documents.Issuer
	// Date is the day the PDF is dated and signed.
	Date   time.Time
	format Format
}

// Report gathers the period's figures as the actor may see them.
func (s *Service) Report(ctx context.Context, actor auth.Actor, q stats.Query, f Format) (*ReportFile, error) {
	sc, err := s.scopeOf(ctx, actor, q.OrgID)
	if err != nil {
		return nil, err
	}
	var r Report
	if r.Summary, err = s.stats.Summary(ctx, actor, q); err != nil {
		return nil, err
	}
	if r.Form01, err = s.stats.Form01(ctx, actor, q); err != nil {
		return nil, err
	}
	if r.ByCategory, err = s.stats.Breakdown(ctx, actor, q, stats.ByCategory); err != nil {
		return nil, err
	}
	if r.ByField, err = s.stats.Breakdown(ctx, actor, q, stats.ByField); err != nil {
		return nil, err
	}
	file := &ReportFile{Report: r, Name: fileName("report", q.Range, sc, f), Date: time.Now(), format: f}
	if f == PDF {
		org := q.OrgID
		if org == "" && actor.Scoped() {
			org = actor.OrgID
		}
		lh, err := orgs.LetterheadOf(ctx, s.store.DB, org)
		if err != nil {
			return nil, err
		}
		file.Issuer = documents.IssuerOf(lh.Name, lh.ParentName, lh.Code)
	}
	return file, nil
}

// WriteTo writes the file; the whole of it is built before the first byte goes to w, so an error
// leaves w untouched.
func (r *ReportFile) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	var err error
	switch r.format {
	case XLSX:
		err = r.writeXLSX(&buf)
	case CSV:
		err = r.writeCSV(&buf)
	case PDF:
		err = r.writePDF(&buf)
	default:
		enc := jsonEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(r.Report)
	}
	if err != nil {
		return 0, err
	}
	return buf.WriteTo(w)
}

// writePDF prints Form 01/TCD with the figures of the workbook's sheet, to be signed by hand.
func (r *ReportFile) writePDF(w io.Writer) error {
	if r.Issuer.Place == "" {
		return apperr.Field("place", "the organisation's name ends with no place name (tỉnh …, huyện …) to date the form with: give one")
	}
	form := documents.Form01Report{Form: r.Form01, Issuer: r.Issuer, Date: r.Date}
	return form.Render(w)
}

// Section titles, shared by the workbook's sheet names and the CSV's section headings.
const (
	sectionSummary    = "Tổng hợp"
	sectionForm01     = "Biểu 01-TCD"
	sectionByCategory = "Theo loại"
	sectionByField    = "Theo lĩnh vực"
)

// writeCSV writes the four parts as sections, each under its title and separated by a blank
// line. The summary section is exactly /stats/summary?format=csv.
func (r *ReportFile) writeCSV(w io.Writer) error {
	if _, err := io.WriteString(w, utf8BOM+sectionSummary+"\n"); err != nil {
		return err
	}
	if err := report.CSV(w, r.Summary); err != nil {
		return err
	}
	cw := safecsv.NewWriter(w)
	records := [][]string{nil, {sectionForm01}, {r.Form01.FormNumber}, {r.Form01.Title}, {r.Form01.Subtitle}}
	header := []string{unitLabel}
	for _, c := range r.Form01.Columns {
		header = append(header, strings.Join(c.Header, " - "))
	}
	records = append(records, header, form01NumberRow(r.Form01))
	for _, row := range r.Form01.Rows {
		rec := []string{form01RowLabel(row)}
		for _, v := range row.Values {
			rec = append(rec, strconv.Itoa(v))
		}
		records = append(records, rec)
	}
	for _, b := range []struct {
		title string
		data  stats.Breakdown
	}{{sectionByCategory, r.ByCategory}, {sectionByField, r.ByField}} {
		records = append(records, nil, []string{b.title}, breakdownHeader(b.data.By))
		for _, row := range b.data.Rows {
			records = append(records, []string{row.Key, row.Label, strconv.Itoa(row.Visits), strconv.Itoa(row.Persons), strconv.Itoa(row.Cases)})
		}
	}
	for _, rec := range records {
		if rec == nil { // encoding/csv writes an empty record as a quoted empty field
			cw.Flush()
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
			continue
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// unitLabel heads the column of organisations in Form 01/TCD.
const unitLabel = "Đơn vị"

// form01NumberRow is the "MS" row under the header: the column numbers 1..29.
func form01NumberRow(f stats.Form01) []string {
	rec := []string{"MS"}
	for _, c := range f.Columns {
		rec = append(rec, strconv.Itoa(c.Number))
	}
	return rec
}

// form01RowLabel names a row of the form; a total row says so rather than repeating the name of
// the organisation whose subtree it sums.
func form01RowLabel(row stats.Form01Row) string {
	if row.Total {
		return "Tổng cộng"
	}
	return row.OrgName
}

func breakdownHeader(by string) []string {
	name := "Loại đơn"
	if by == stats.ByField {
		name = "Lĩnh vực"
	}
	return []string{"Mã", name, "Số lượt tiếp", "Số người được tiếp", "Số vụ việc"}
}

// summaryRows reads the summary back from report.CSV, so that the workbook lists exactly the
// figures, in the order, that the CSV and /stats/summary do.
func summaryRows(s report.Summary) ([][]string, error) {
	var b bytes.Buffer
	if err := report.CSV(&b, s); err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		return nil, err
	}
	return rows[1:], nil // without the metric,value header
}

// metricWords are the Vietnamese words of the summary's metric names; by_kind's keys are session
// kinds, which the vocabulary names.
var metricWords = map[string]string{
	"from":               "Từ ngày",
	"to":                 "Đến ngày",
	"org_id":             "Đơn vị (mã định danh)",
	"visits":             "Số lượt tiếp",
	"persons":            "Số người được tiếp",
	"cases":              "Số vụ việc (sau khi đã lọc vụ trùng)",
	"cases_first":        "Vụ việc tiếp lần đầu",
	"cases_repeat":       "Vụ việc tiếp nhiều lần",
	"sessions":           "Số buổi tiếp",
	"min_size":           "Từ số người trở lên",
	"delegations":        "Đoàn đông người",
	"conclusion_notices": "Thông báo kết luận đã ban hành",
	"directive_letters":  "Công văn chỉ đạo đã ban hành",
	"petitions":          "Đơn",
	"received":           "Số đơn tiếp nhận",
	"decided":            "Số đơn đã xử lý",
	"by_decision":        "Theo hướng xử lý",
	"on_time":            "Xử lý đúng hạn",
	"late":               "Xử lý quá hạn",
}

// metricLabel turns a metric name such as by_kind.periodic.visits into "Tiếp định kỳ: số lượt
// tiếp"; a name it does not know stays as it is.
func metricLabel(name string) string {
	parts := strings.Split(strings.TrimPrefix(name, "by_kind."), ".")
	words := make([]string, len(parts))
	for i, p := range parts {
		w, ok := metricWords[p]
		switch {
		case vocab.SessionKind.Has(p):
			w, ok = vocab.SessionKind.VI(p), true
		case parts[0] == "petitions" && vocab.PetitionDecision.Has(p):
			w, ok = vocab.PetitionDecision.VI(p), true
		}
		if !ok {
			return name
		}
		if i > 0 {
			r, n := utf8.DecodeRuneInString(w)
			w = string(unicode.ToLower(r)) + w[n:]
		}
		words[i] = w
	}
	return strings.Join(words, ": ")
}
