package export

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWorkbookStreamReadsBack(t *testing.T) {
	var b bytes.Buffer
	book, err := newWorkbookStream(&b, sheetLayout{name: "Sổ & <sổ>", widths: []float64{6, 20, 20}, frozenRows: 1, merges: []string{"A1:C1"}},
		sheetLayout{name: "Đơn", widths: []float64{6, 30}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := book.nextSheet()
	if err != nil {
		t.Fatal(err)
	}
	text := []string{
		"  Trần Thị Bé\nThôn 3 & <xóm> \"Hà Thượng\" \r", // spaces and line breaks kept, markup escaped
		"ghi chú\x01\x0b lỗi\xff\xfe mã",                 // control characters and broken UTF-8 cannot go into XML: dropped
	}
	want := []string{"  Trần Thị Bé\nThôn 3 & <xóm> \"Hà Thượng\" \r", "ghi chú lỗi mã"}
	if err := s.writeRow(xfTitle, "Tiêu đề"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := s.writeRow(xfCell, i+1, text[0], text[1]); err != nil {
			t.Fatal(err)
		}
		if err := s.flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := book.close(); err == nil {
		t.Fatal("a workbook closed before every sheet it declares was written")
	}
	second, err := book.nextSheet()
	if err != nil {
		t.Fatal(err)
	}
	if err := second.writeRow(xfCell, 1, "Đơn thứ nhất"); err != nil {
		t.Fatal(err)
	}
	if err := book.close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Sổ & <sổ>" || got[1] != "Đơn" {
		t.Fatalf("sheets %q", got)
	}
	if rows, err := f.GetRows("Đơn"); err != nil || len(rows) != 1 || rows[0][1] != "Đơn thứ nhất" {
		t.Errorf("the second sheet's rows %q (%v)", rows, err)
	}
	rows, err := f.GetRows("Sổ & <sổ>")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "Tiêu đề" {
		t.Fatalf("rows %q", rows)
	}
	for i, r := range rows[1:] {
		if r[0] != string(rune('1'+i)) || r[1] != want[0] || r[2] != want[1] {
			t.Errorf("row %d: %q, want %q", i+2, r, want)
		}
	}
	if n, _ := f.GetCellType("Sổ & <sổ>", "A2"); n != excelize.CellTypeUnset && n != excelize.CellTypeNumber {
		t.Errorf("serials are numbers, not text: %v", n)
	}
	merged, _ := f.GetMergeCells("Sổ & <sổ>")
	if len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "C1" {
		t.Errorf("merged %v", merged)
	}
	if columnName(1) != "A" || columnName(26) != "Z" || columnName(27) != "AA" || columnName(30) != "AD" || columnName(703) != "AAA" {
		t.Errorf("column names")
	}
}
