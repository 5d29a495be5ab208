package export_test

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/documents"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/stats"
	"github.com/tcd-registry/tcd/internal/stats/report"
	"github.com/tcd-registry/tcd/internal/testenv/pdftotext"
)

// form01Fixture is a Form 01 of a province with units enough to fill more than one landscape
// page, names that wrap or end in a digit, and a total too wide for its column at full size.
func form01Fixture(units int) stats.Form01 {
	f := stats.Form01{
		Title:    "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT",
		Subtitle: "Số liệu tính từ ngày 15/12/2022 đến ngày 14/12/2023", FormNumber: "Biểu số: 01/TCD",
		From: "2022-12-15", To: "2023-12-14", DelegationMin: 5, Columns: stats.Form01Columns,
	}
	total := make([]int, len(f.Columns))
	var rows []stats.Form01Row
	for u := 0; u < units; u++ {
		name := fmt.Sprintf("Ban Tiếp công dân huyện Hải Lăng số %d", u)
		if u%3 == 0 {
			name = fmt.Sprintf("Phường %d", u)
		}
		vals := make([]int, len(f.Columns))
		for i := range vals {
			vals[i] = (u*37 + i*11) % 97 * (1 + u%4)
			total[i] += vals[i]
		}
		rows = append(rows, stats.Form01Row{OrgName: name, Depth: 1 + u%2, Values: vals})
	}
	total[0] = 1234567 // a national figure: seven digits in a nine-millimetre column
	f.Rows = append([]stats.Form01Row{{OrgName: "Tổng cộng", Total: true, Values: total}}, rows...)
	return f
}

// TestForm01PDFHasTheWorkbooksFigures renders one Form 01 both as the report workbook and as
// the PDF and reads both back: every row's 29 figures, in order, must be the same.
func TestForm01PDFHasTheWorkbooksFigures(t *testing.T) {
	form := form01Fixture(40)
	var xlsx bytes.Buffer
	if err := export.WriteReportXLSX(&xlsx, export.Report{Form01: form, Summary: report.Summary{From: form.From, To: form.To,
		Delegations: report.DelegationFigures{MinSize: 5}}}); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&xlsx)
	if err != nil {
		t.Fatal(err)
	}
	sheetRows, err := wb.GetRows("Biểu 01-TCD")
	if err != nil {
		t.Fatal(err)
	}
	var fromXLSX [][]int
	for _, r := range sheetRows {
		if nums, ok := figures(r); ok {
			fromXLSX = append(fromXLSX, nums)
		}
	}
	if len(fromXLSX) != 1+len(form.Rows) { // the MS row, then the rows
		t.Fatalf("the workbook has %d rows of figures, want %d", len(fromXLSX), 1+len(form.Rows))
	}

	var pdf bytes.Buffer
	rep := documents.Form01Report{Form: form, Date: time.Date(2023, 12, 20, 0, 0, 0, 0, time.UTC),
		Issuer:   documents.Issuer{Parent: "Ủy ban nhân dân tỉnh Quảng Trị", Name: "Ban Tiếp công dân tỉnh", Place: "Quảng Trị"},
		Preparer: "Hoàng Thị Mai", Signer: documents.Signer{Title: "Trưởng ban", Name: "Lê Quang Đức"}}
	if err := rep.Render(&pdf); err != nil {
		t.Fatal(err)
	}
	text := pdftotext.Extract(t, pdf.Bytes(), "-layout")
	var fromPDF [][]int
	pages := 0
	for _, line := range strings.Split(text, "\n") {
		nums, ok := figures(strings.Fields(line))
		if !ok {
			continue
		}
		if slices.Equal(nums, fromXLSX[0]) { // the MS row, repeated under the header of every page
			pages++
			continue
		}
		fromPDF = append(fromPDF, nums)
	}
	if pages < 2 {
		t.Errorf("the header was printed %d times; 41 rows should take two pages, each with the header", pages)
	}
	if !slices.EqualFunc(fromPDF, fromXLSX[1:], slices.Equal) {
		t.Errorf("the PDF's figures differ from the workbook's:\nPDF  %v\nXLSX %v", fromPDF, fromXLSX[1:])
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range []string{form.Title, form.Subtitle, form.FormNumber, "BAN TIẾP CÔNG DÂN TỈNH",
		"Quảng Trị, ngày 20 tháng 12 năm 2023", "NGƯỜI LẬP BIỂU", "TRƯỞNG BAN", "Hoàng Thị Mai", "Lê Quang Đức", "Tổng cộng"} {
		if !strings.Contains(flat, w) {
			t.Errorf("the PDF does not say %q", w)
		}
	}
}

// figures reads the last 29 cells of a table row as numbers; ok is false for a line that does
// not end in 29 of them (titles, header labels, a wrapped name's second line).
func figures(cells []string) ([]int, bool) {
	n := len(stats.Form01Columns)
	if len(cells) < n {
		return nil, false
	}
	nums := make([]int, n)
	for i, c := range cells[len(cells)-n:] {
		v, err := strconv.Atoi(c)
		if err != nil {
			return nil, false
		}
		nums[i] = v
	}
	return nums, true
}
