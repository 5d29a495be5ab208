package export

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/stats/report"
)

// writeXLSX lays the report out as a workbook: the summary with the report paragraph, Form
// 01/TCD as the official table, and one sheet per breakdown.
func (r *ReportFile) writeXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", sectionSummary); err != nil {
		return err
	}
	for _, name := range []string{sectionForm01, sectionByCategory, sectionByField} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	x := &sheetWriter{f: f, st: st}
	x.summary(r.Summary)
	x.form01(r.Form01)
	x.breakdown(sectionByCategory, "TỔNG HỢP THEO LOẠI ĐƠN", r.ByCategory)
	x.breakdown(sectionByField, "TỔNG HỢP THEO LĨNH VỰC", r.ByField)
	if x.err != nil {
		return x.err
	}
	_, err = f.WriteTo(w)
	return err
}

// sheetWriter writes cells and keeps the first error, so that the layout code reads as a list
// of cells rather than a list of error checks.
type sheetWriter struct {
	f   *excelize.File
	st  styles
	err error
}

func (x *sheetWriter) do(err error) {
	if x.err == nil {
		x.err = err
	}
}

// cell sets the value and style of the cell at 1-based column col and row row.
func (x *sheetWriter) cell(sheet string, col, row int, value any, style int) {
	name, err := excelize.CoordinatesToCellName(col, row)
	x.do(err)
	if x.err != nil {
		return
	}
	x.do(x.f.SetCellValue(sheet, name, value))
	if style != 0 {
		x.do(x.f.SetCellStyle(sheet, name, name, style))
	}
}

// merge joins the rectangle from (col1, row1) to (col2, row2) into one cell.
func (x *sheetWriter) merge(sheet string, col1, row1, col2, row2 int) {
	if col1 == col2 && row1 == row2 {
		return
	}
	a, err := excelize.CoordinatesToCellName(col1, row1)
	x.do(err)
	b, err := excelize.CoordinatesToCellName(col2, row2)
	x.do(err)
	if x.err == nil {
		x.do(x.f.MergeCell(sheet, a, b))
		// a merged range shows the style of its first cell, but Excel draws each cell's own
		// borders: the whole range gets the style so that boxed headers stay boxed
		style, err := x.f.GetCellStyle(sheet, a)
		x.do(err)
		x.do(x.f.SetCellStyle(sheet, a, b, style))
	}
}

// title writes a centred line across columns 1..width.
func (x *sheetWriter) title(sheet string, row, width int, text string, style int) {
	x.cell(sheet, 1, row, text, style)
	x.merge(sheet, 1, row, width, row)
}

func (x *sheetWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		col, err := excelize.ColumnNumberToName(i + 1)
		x.do(err)
		if x.err == nil {
			x.do(x.f.SetColWidth(sheet, col, col, wd))
		}
	}
}

// summary writes the report paragraph and the summary's figures with Vietnamese labels.
func (x *sheetWriter) summary(s report.Summary) {
	const sheet = sectionSummary
	x.widths(sheet, 52, 30, 14)
	x.title(sheet, 1, 3, "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN", x.st.title)
	x.title(sheet, 2, 3, "Số liệu tính từ ngày "+viDate(s.From)+" đến ngày "+viDate(s.To), x.st.subtitle)
	text, err := report.Text(s, "vi")
	x.do(err)
	x.title(sheet, 4, 3, text, x.st.text)
	x.do(x.f.SetRowHeight(sheet, 4, 120))
	rows, err := summaryRows(s)
	x.do(err)
	header := 6
	for i, h := range []string{"Chỉ tiêu", "Mã", "Số liệu"} {
		x.cell(sheet, i+1, header, h, x.st.header)
	}
	for i, r := range rows {
		row := header + 1 + i
		x.cell(sheet, 1, row, metricLabel(r[0]), x.st.cell)
		x.cell(sheet, 2, row, r[0], x.st.cell)
		var value any = r[1]
		if n, err := strconv.Atoi(r[1]); err == nil {
			value = n
		} else if r[0] == "from" || r[0] == "to" {
			value = viDate(r[1])
		}
		x.cell(sheet, 3, row, value, x.st.number)
	}
}

// Form 01/TCD sheet layout: the form number, title and subtitle above the header, whose levels
// start at form01HeaderRow; the organisations' names are in column 1 and column number n of the
// form is sheet column n+1.
const form01HeaderRow = 5

// form01 writes Form 01/TCD as the official table, its header as Form01.HeaderCells lays it out.
func (x *sheetWriter) form01(f stats.Form01) {
	const sheet = sectionForm01
	width := len(f.Columns) + 1
	widths := []float64{34}
	for range f.Columns {
		widths = append(widths, 9)
	}
	x.widths(sheet, widths...)
	x.cell(sheet, width-3, 1, f.FormNumber, x.st.formNo)
	x.merge(sheet, width-3, 1, width, 1)
	x.title(sheet, 2, width, f.Title, x.st.title)
	x.title(sheet, 3, width, f.Subtitle, x.st.subtitle)

	depth := f.HeaderDepth()
	last := form01HeaderRow + depth - 1
	x.cell(sheet, 1, form01HeaderRow, unitLabel, x.st.header)
	x.merge(sheet, 1, form01HeaderRow, 1, last)
	for _, span := range f.HeaderCells() {
		x.cell(sheet, span.First+2, form01HeaderRow+span.Level, span.Label, x.st.header)
		x.merge(sheet, span.First+2, form01HeaderRow+span.Level, span.Last+2, form01HeaderRow+span.ToLevel)
	}
	for level := 0; level < depth; level++ {
		x.do(x.f.SetRowHeight(sheet, form01HeaderRow+level, 48))
	}
	for i, v := range form01NumberRow(f) {
		var value any = v
		if n, err := strconv.Atoi(v); err == nil {
			value = n
		}
		x.cell(sheet, i+1, last+1, value, x.st.header)
	}
	for i, row := range f.Rows {
		r := last + 2 + i
		text, number := x.st.cell, x.st.number
		if row.Total {
			text, number = x.st.totalTxt, x.st.total
		}
		if row.Depth > 0 && !row.Total {
			text = x.indented(row.Depth)
		}
		x.cell(sheet, 1, r, form01RowLabel(row), text)
		for j, v := range row.Values {
			x.cell(sheet, j+2, r, v, number)
		}
	}
	x.do(x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: last + 1,
		TopLeftCell: "B" + strconv.Itoa(last+2), ActivePane: "bottomRight"}))
}

// indented is the cell style of an organisation depth levels below the form's root.
func (x *sheetWriter) indented(depth int) int {
	id, err := x.f.NewStyle(&excelize.Style{Border: boxBorder, Alignment: &excelize.Alignment{
		Vertical: "top", WrapText: true, Indent: min(depth, 15)}})
	x.do(err)
	return id
}

// breakdown writes one breakdown as a table.
func (x *sheetWriter) breakdown(sheet, title string, b stats.Breakdown) {
	x.widths(sheet, 16, 30, 14, 18, 14)
	x.title(sheet, 1, 5, title, x.st.title)
	x.title(sheet, 2, 5, "Số liệu tính từ ngày "+viDate(b.From)+" đến ngày "+viDate(b.To), x.st.subtitle)
	for i, h := range breakdownHeader(b.By) {
		x.cell(sheet, i+1, 4, h, x.st.header)
	}
	for i, row := range b.Rows {
		r := 5 + i
		x.cell(sheet, 1, r, row.Key, x.st.cell)
		x.cell(sheet, 2, r, row.Label, x.st.cell)
		x.cell(sheet, 3, r, row.Visits, x.st.number)
		x.cell(sheet, 4, r, row.Persons, x.st.number)
		x.cell(sheet, 5, r, row.Cases, x.st.number)
	}
}

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
