package export

import "github.com/xuri/excelize/v2"

// styles are the cell styles the workbooks share, registered once per file.
type styles struct {
	title    int // the form's title: bold, centred
	subtitle int // the period line under it
	formNo   int // "Biểu số: 01/TCD", top right
	header   int // header cells: bold, centred, wrapped, boxed
	cell     int // data cells: wrapped text, boxed, top-aligned
	number   int // figures: boxed, right-aligned
	total    int // figures of a total row: bold
	totalTxt int // the label of a total row: bold
	text     int // a paragraph: wrapped, top-left
}

// boxBorder draws a thin line on every side of a cell, as the official tables are ruled.
var boxBorder = []excelize.Border{
	{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
	{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
}

func newStyles(f *excelize.File) (styles, error) {
	border := boxBorder
	var st styles
	defs := []struct {
		dst   *int
		style excelize.Style
	}{
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 13},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.subtitle, excelize.Style{Font: &excelize.Font{Italic: true},
			Alignment: &excelize.Alignment{Horizontal: "center"}}},
		{&st.formNo, excelize.Style{Font: &excelize.Font{Bold: true},
			Alignment: &excelize.Alignment{Horizontal: "right"}}},
		{&st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.cell, excelize.Style{Border: border,
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&st.number, excelize.Style{Border: border,
			Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "top"}}},
		{&st.total, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "top"}}},
		{&st.totalTxt, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&st.text, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return st, err
		}
		*d.dst = id
	}
	return st, nil
}
