package imports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// handKeptCSV is a register as a Board keeps it in a spreadsheet and saves it as CSV with
// semicolons: two title rows and a blank one above a two-row header whose "Phân loại đơn" and
// "Hướng xử lý" are split into marked sub-columns, a row numbering the columns, a month's
// heading, names and addresses in one cell, dates written three ways, a telephone column the
// register does not know, a blank line, and a row with four mistakes.
const handKeptCSV = "UBND TỈNH QUẢNG TRỊ;;;;;;;;;;;;\n" +
	"SỔ TIẾP CÔNG DÂN NĂM 2024;;;;;;;;;;;;\n" +
	";;;;;;;;;;;;\n" +
	"STT;Ngày tiếp;Họ tên, địa chỉ;Số điện thoại;Nội dung vụ việc;Phân loại đơn;;;Số người;Hướng xử lý;;;Ghi chú\n" +
	";;;;;Khiếu nại;Tố cáo;Kiến nghị, phản ánh;;Thụ lý;Trả lại đơn và hướng dẫn;Chuyển đơn;\n" +
	"(1);(2);(3);(4);(5);(6);(7);(8);(9);(10);(11);(12);(13)\n" +
	"Tháng 3/2024;;;;;;;;;;;;\n" +
	"1;5/3/24;Ông Nguyễn Văn An, thôn 3, xã Hải Thượng;0912345678;Khiếu nại việc thu hồi đất;x;;;1;x;;;\n" +
	"2;2024-03-06;\"Bà Trần Thị Lan\nthôn Hà Lợi, xã Hải Ba\";;Tố cáo cán bộ địa chính;;x;;;;;UBND huyện Hải Lăng;giữ bí mật\n" +
	"\n" +
	"3;ngày 7 tháng 3 năm 2024;\"Lê Văn Tám - thôn 1\nLê Thị Chín - thôn 1\";;Kiến nghị làm đường liên thôn;;;2;;;x;;\n" +
	"4;31/02/2024;12 Lê Lợi;;;x;x;;;;;;\n"

func openCSV(t *testing.T, data string) *Parser {
	t.Helper()
	p, err := OpenCSV(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readRows(t *testing.T, p *Parser) []*Row {
	t.Helper()
	defer p.Close()
	var rows []*Row
	for row, err := range p.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	return rows
}

func TestHandKeptCSVRegister(t *testing.T) {
	rows := readRows(t, openCSV(t, handKeptCSV))
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4 (the month's heading and the blank line are not rows)", len(rows))
	}
	want := []struct {
		line  int
		visit Visit
	}{
		{8, Visit{Date: "2024-03-05", Persons: []Person{{FullName: "Nguyễn Văn An", Gender: "male", Address: "thôn 3, xã Hải Thượng"}},
			CaseTitle: "Khiếu nại việc thu hồi đất", Category: "complaint", Headcount: 1, Outcome: "accepted"}},
		{9, Visit{Date: "2024-03-06", Persons: []Person{{FullName: "Trần Thị Lan", Gender: "female", Address: "thôn Hà Lợi, xã Hải Ba"}},
			CaseTitle: "Tố cáo cán bộ địa chính", Category: "denunciation", Headcount: 1, Outcome: "transferred",
			OutcomeDetail: "UBND huyện Hải Lăng", Note: "giữ bí mật"}},
		{11, Visit{Date: "2024-03-07", Persons: []Person{{FullName: "Lê Văn Tám", Address: "thôn 1"}, {FullName: "Lê Thị Chín", Address: "thôn 1"}},
			CaseTitle: "Kiến nghị làm đường liên thôn", Category: "petition", Headcount: 2, Outcome: "guided"}},
	}
	for i, w := range want {
		r := rows[i]
		if r.Line != w.line || len(r.Errors) > 0 || fmt.Sprintf("%+v", r.Visit) != fmt.Sprintf("%+v", w.visit) {
			t.Errorf("row %d:\n got line %d %+v %v\nwant line %d %+v", i, r.Line, r.Visit, r.Errors, w.line, w.visit)
		}
		if len(r.Fingerprint) != 32 {
			t.Errorf("row %d: fingerprint %q", r.Line, r.Fingerprint)
		}
	}
	bad := rows[3]
	if bad.Line != 12 || bad.Fingerprint != "" {
		t.Errorf("the bad row: line %d, fingerprint %q", bad.Line, bad.Fingerprint)
	}
	wantErrors := []string{
		"row 12, column B (Ngày tiếp): \"31/02/2024\": month 2 has no day 31",
		"row 12, column C (Họ tên, địa chỉ): \"12 Lê Lợi\" is not a name",
		"row 12, column E (Nội dung vụ việc): required",
		"row 12, column G (Phân loại đơn - Tố cáo): more than one category is marked",
	}
	if len(bad.Errors) != len(wantErrors) {
		t.Fatalf("errors %v, want %d", bad.Errors, len(wantErrors))
	}
	for i, w := range wantErrors {
		if got := bad.Errors[i].Error(); !strings.HasPrefix(got, w) {
			t.Errorf("error %d: %q, want it to start %q", i, got, w)
		}
	}
}

// handKeptWorkbook is a register kept in Excel: an instructions sheet first, then the register
// under a merged title, with "Họ tên, địa chỉ" merged over a names and an addresses column,
// real date cells, identity numbers typed as numbers (their leading zero gone), and a
// telephone column.
func handKeptWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Hướng dẫn"))
	must(f.SetCellValue("Hướng dẫn", "A1", "Ghi sổ theo Mẫu số 03"))
	_, err := f.NewSheet("2024")
	must(err)
	set := func(cell string, v any) { must(f.SetCellValue("2024", cell, v)) }
	set("A1", "SỔ TIẾP CÔNG DÂN")
	must(f.MergeCell("2024", "A1", "I1"))
	for i, h := range []string{"STT", "Ngày tiếp", "Họ tên, địa chỉ", "", "Điện thoại", "Số CMND/CCCD", "Nội dung", "Phân loại đơn / Số người", "Hướng xử lý"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 3)
		set(cell, h)
	}
	must(f.MergeCell("2024", "C3", "D3"))
	set("C4", "Họ tên")
	set("D4", "Địa chỉ")
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	rows := [][]any{
		{1, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), "Nguyễn Văn An\nNguyễn Thị Bình", "thôn 3, xã Hải Thượng", "0912345678",
			"45175001234\n45180001111", "Tranh chấp đất đai với hộ liền kề: đã hòa giải ở xã không thành", "Kiến nghị / 2", "Hướng dẫn"},
		{2, time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC), "Hồ Văn Cường", "", "", "", "Xin cấp lại sổ đỏ", "Phản ánh", ""},
	}
	for r, vals := range rows {
		for c, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(c+1, 5+r)
			set(cell, v)
			if c == 1 {
				must(f.SetCellStyle("2024", cell, cell, dateStyle))
			}
		}
	}
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	must(err)
	return buf.Bytes()
}

func TestHandKeptWorkbook(t *testing.T) {
	p, err := OpenXLSX(bytes.NewReader(handKeptWorkbook(t)), "")
	if err != nil {
		t.Fatal(err)
	}
	rows := readRows(t, p)
	want := []Visit{
		{Date: "2024-03-05", Persons: []Person{
			{FullName: "Nguyễn Văn An", Address: "thôn 3, xã Hải Thượng", IDNumber: "045175001234", IDKind: "cccd"},
			{FullName: "Nguyễn Thị Bình", Address: "thôn 3, xã Hải Thượng", IDNumber: "045180001111", IDKind: "cccd"}},
			CaseTitle: "Tranh chấp đất đai với hộ liền kề", Content: "đã hòa giải ở xã không thành",
			Category: "petition", Headcount: 2, Outcome: "guided"},
		{Date: "2024-03-06", Persons: []Person{{FullName: "Hồ Văn Cường"}}, CaseTitle: "Xin cấp lại sổ đỏ", Category: "feedback", Headcount: 1},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if rows[i].Line != 5+i || len(rows[i].Errors) > 0 || fmt.Sprintf("%+v", rows[i].Visit) != fmt.Sprintf("%+v", w) {
			t.Errorf("row %d:\n got line %d %+v %v\nwant %+v", i, rows[i].Line, rows[i].Visit, rows[i].Errors, w)
		}
	}

	_, err = OpenXLSX(bytes.NewReader(handKeptWorkbook(t)), "Hướng dẫn")
	if err == nil || !strings.Contains(err.Error(), "no header row") {
		t.Errorf("the instructions sheet: %v, want no header", err)
	}
	_, err = OpenXLSX(bytes.NewReader(handKeptWorkbook(t)), "2023")
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Fields[0].Field != "sheet" || !strings.Contains(ae.Fields[0].Message, "2024") {
		t.Errorf("an unknown sheet: %v, want a sheet error listing the sheets", err)
	}
}

func TestHeaderNeedsTheRegistersColumns(t *testing.T) {
	_, err := OpenCSV(strings.NewReader("STT,Ngày tiếp,Họ tên - Địa chỉ,Ghi chú\n1,05/03/2024,Nguyễn Văn An,\n"))
	if err == nil || !strings.Contains(err.Error(), "no column Nội dung vụ việc, Phân loại đơn / Số người") {
		t.Errorf("got %v, want the missing columns named", err)
	}
	_, err = OpenCSV(strings.NewReader("a,b,c\n1,2,3\n"))
	if err == nil || !strings.Contains(err.Error(), "no header row") {
		t.Errorf("got %v, want no header", err)
	}
	_, err = OpenCSV(strings.NewReader("\xff\xfeS\x00T\x00T\x00"))
	if err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("got %v, want UTF-16 refused", err)
	}
}

// A first row without its date is a row with an error, not a second header row, even when its
// handling column says a word a sub-column could be titled.
func TestFirstRowWithoutADateIsNotAHeader(t *testing.T) {
	rows := readRows(t, openCSV(t, "STT,Ngày tiếp,Họ tên - Địa chỉ,Nội dung vụ việc,Phân loại đơn / Số người,Hướng xử lý\n"+
		"1,,Nguyễn Văn An - thôn 3,Khiếu nại việc thu hồi đất,Khiếu nại / 1,Thụ lý\n"+
		"2,06/03/2024,Trần Thị Lan,Xin cấp sổ đỏ,Kiến nghị / 1,Chuyển đơn\n"))
	if len(rows) != 2 || len(rows[0].Errors) != 1 || rows[0].Errors[0].Column != "B" || len(rows[1].Errors) != 0 {
		t.Fatalf("got %+v", rows)
	}
	if rows[0].Visit.Outcome != "accepted" || rows[1].Visit.Outcome != "transferred" {
		t.Errorf("outcomes %q, %q", rows[0].Visit.Outcome, rows[1].Visit.Outcome)
	}
}

// TestFingerprints: a row keeps its fingerprint whatever the formatting, the serial number and
// its place in the file; two identical rows are two visits, each with its own.
func TestFingerprints(t *testing.T) {
	const header = "STT,Ngày tiếp,Họ tên - Địa chỉ,Nội dung vụ việc,Phân loại đơn / Số người\n"
	a := "1,05/03/2024,Nguyễn Văn An - thôn 3,Khiếu nại việc thu hồi đất,Khiếu nại / 1\n"
	aAgain := "7,5/3/24,Nguyễn  Văn An -  thôn 3 ,Khiếu nại việc thu hồi đất,khiếu nại/1\n"
	b := "2,06/03/2024,Trần Thị Lan,Xin cấp sổ đỏ,Kiến nghị / 1\n"
	fps := func(data string) []string {
		var out []string
		for _, r := range readRows(t, openCSV(t, header+data)) {
			if r.Fingerprint == "" {
				t.Fatalf("row %d: %v", r.Line, r.Errors)
			}
			out = append(out, r.Fingerprint)
		}
		return out
	}
	first := fps(a + b + a)
	if first[0] == first[2] {
		t.Error("two identical rows share a fingerprint: the second would be skipped as imported")
	}
	if again := fps(a + b + a); strings.Join(again, " ") != strings.Join(first, " ") {
		t.Errorf("a second read of the same file: %v, first %v", again, first)
	}
	moved := fps(b + aAgain + a)
	if moved[0] != first[1] || moved[1] != first[0] || moved[2] != first[2] {
		t.Errorf("reformatted and reordered: %v, want the same fingerprints as %v", moved, first)
	}
}

// TestFailedRowsImportAgain writes the failed rows of the hand-kept register, fixes them as a
// clerk would, and imports the file again.
func TestFailedRowsImportAgain(t *testing.T) {
	for _, format := range []Format{CSV, XLSX} {
		t.Run(string(format), func(t *testing.T) {
			table := readTable(t, format, writeFailures(t, handKeptCSV, format))
			if len(table) != 4 { // the two header rows, the numbers, the failed row
				t.Fatalf("the failed-rows file has %d rows: %q", len(table), table)
			}
			if got := table[0][len(table[0])-1]; got != ErrorColumn {
				t.Errorf("the last column is %q, want %q", got, ErrorColumn)
			}
			msg := table[3][len(table[3])-1]
			if !strings.Contains(msg, "B (Ngày tiếp): \"31/02/2024\": month 2 has no day 31") || strings.Count(msg, "\n") != 3 {
				t.Errorf("the error column says %q", msg)
			}
			// the clerk fixes the four cells and leaves the error column as it is
			fixed := table[3]
			fixed[1], fixed[2], fixed[4], fixed[6] = "28/02/2024", "Hồ Văn Cường - 12 Lê Lợi", "Xin cấp lại sổ đỏ", ""
			rows := readRows(t, openCSV(t, csvText(table)))
			if len(rows) != 1 || len(rows[0].Errors) > 0 {
				t.Fatalf("the fixed file: %+v", rows)
			}
			v := rows[0].Visit
			if v.Date != "2024-02-28" || v.Persons[0].Address != "12 Lê Lợi" || v.Category != "complaint" || v.CaseTitle != "Xin cấp lại sổ đỏ" {
				t.Errorf("the fixed row reads %+v", v)
			}
		})
	}
}

// writeFailures reads the CSV register data and writes the failed-rows file of its one failing
// row in format.
func writeFailures(t *testing.T, data string, format Format) []byte {
	t.Helper()
	p := openCSV(t, data)
	var out bytes.Buffer
	failures, err := p.Failures(&out, format)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range readRows(t, p) {
		if err := failures.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := failures.Close(); err != nil {
		t.Fatal(err)
	}
	if failures.Rows() != 1 {
		t.Errorf("%d failed rows written, want 1", failures.Rows())
	}
	return out.Bytes()
}

// readTable reads a failed-rows file back as a table of strings.
func readTable(t *testing.T, format Format, data []byte) [][]string {
	t.Helper()
	if format == XLSX {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Error("the CSV file has no byte-order mark; Excel would not read it as UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// csvText writes a table as CSV.
func csvText(table [][]string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(table)
	return b.String()
}

// TestFormulasStayInertBothWays: a failed row whose title a spreadsheet would run as a formula
// is written with the apostrophe that marks it as text, and an import reads a cell so marked
// (a register the service exported, a failed-rows file imported again) as the text itself.
func TestFormulasStayInertBothWays(t *testing.T) {
	failing := strings.Replace(handKeptCSV, "4;31/02/2024;12 Lê Lợi;;;", "4;31/02/2024;12 Lê Lợi;;=1+2;", 1)
	if table := readTable(t, CSV, writeFailures(t, failing, CSV)); table[3][4] != "'=1+2" {
		t.Errorf("the failed row's title is written %q, want '=1+2", table[3][4])
	}

	marked := strings.Replace(handKeptCSV, "Khiếu nại việc thu hồi đất", "'=1+2", 1)
	marked = strings.Replace(marked, "Kiến nghị làm đường liên thôn", "'Kiến nghị làm đường", 1)
	rows := readRows(t, openCSV(t, marked))
	if got := rows[0].Visit.CaseTitle; got != "=1+2" {
		t.Errorf("a title marked as text reads %q, want =1+2", got)
	}
	if got := rows[2].Visit.CaseTitle; got != "'Kiến nghị làm đường" {
		t.Errorf("a title that begins with its own apostrophe reads %q", got)
	}
}
