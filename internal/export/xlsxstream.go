package export

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// workbookStream writes an XLSX package straight to its writer, sheet after sheet and row by
// row: the sheets are the last parts of the zip, each compressed as it is written, so memory
// stays flat however long the register. excelize's StreamWriter cannot do this: it keeps a 16 MB
// chunk of the sheet in memory and builds the whole zip in a bytes.Buffer before writing it,
// which measured 66 MB of heap for 100,000 rows against a budget of 50 MB (see
// TestRegisterExportScale). The workbook's list of sheets is written first, so every sheet is
// declared up front and then written in that order.
//
// Text goes in as inline strings, so there is no shared-string table to hold in memory either.
// The styles are the few the register needs, fixed below.
type workbookStream struct {
	zw     *zip.Writer
	sheets []sheetLayout
	cur    *sheetStream // the sheet being written; nil before the first
}

// sheetStream is one sheet of a workbookStream, written row by row.
type sheetStream struct {
	zw     *zip.Writer
	w      *bufio.Writer
	index  int // of the sheet in the workbook, from 0
	row    int
	cols   []string // column letters
	merges []string
}

// Cell styles of sheetStream, indexes into cellXfs of streamStyles.
const (
	xfDefault = iota
	xfTitle
	xfSubtitle
	xfHeader
	xfCell
)

// sheetLayout is what a sheet declares before its rows.
type sheetLayout struct {
	name       string
	widths     []float64 // one per column, which also fixes the number of columns
	frozenRows int       // rows kept in view when scrolling
	merges     []string  // ranges such as "A1:J1"
}

// newWorkbookStream writes the package's parts that declare sheets; nextSheet then starts each.
func newWorkbookStream(w io.Writer, sheets ...sheetLayout) (*workbookStream, error) {
	zw := zip.NewWriter(w)
	// the fastest level: the XML is repetitive enough that it still shrinks about eightfold
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	var types, list, rels strings.Builder
	for i, l := range sheets {
		n := strconv.Itoa(i + 1)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
		list.WriteString(`<sheet name="` + escapeXML(l.name) + `" sheetId="` + n + `" r:id="rId` + n + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + n + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			types.String() +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			`</Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
			`</Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets>` + list.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			rels.String() +
			`<Relationship Id="rId` + strconv.Itoa(len(sheets)+1) + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
			`</Relationships>`},
		{"xl/styles.xml", streamStyles},
	}
	for _, p := range parts {
		f, err := zw.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(f, xmlHeader+p.body); err != nil {
			return nil, err
		}
	}
	return &workbookStream{zw: zw, sheets: sheets}, nil
}

// nextSheet ends the sheet being written, if any, and starts the next one declared.
func (b *workbookStream) nextSheet() (*sheetStream, error) {
	n := 0
	if b.cur != nil {
		if err := b.cur.end(); err != nil {
			return nil, err
		}
		n = b.cur.index + 1
	}
	if n >= len(b.sheets) {
		return nil, fmt.Errorf("the workbook declares %d sheets", len(b.sheets))
	}
	l := b.sheets[n]
	f, err := b.zw.Create("xl/worksheets/sheet" + strconv.Itoa(n+1) + ".xml")
	if err != nil {
		return nil, err
	}
	s := &sheetStream{zw: b.zw, w: bufio.NewWriterSize(f, 64<<10), index: n, cols: make([]string, len(l.widths)), merges: l.merges}
	for i := range s.cols {
		s.cols[i] = columnName(i + 1)
	}
	s.w.WriteString(xmlHeader + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`)
	if l.frozenRows > 0 {
		top := "A" + strconv.Itoa(l.frozenRows+1)
		s.w.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="` + strconv.Itoa(l.frozenRows) +
			`" topLeftCell="` + top + `" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="` + top +
			`" sqref="` + top + `"/></sheetView></sheetViews>`)
	}
	s.w.WriteString(`<cols>`)
	for i, width := range l.widths {
		n := strconv.Itoa(i + 1)
		s.w.WriteString(`<col min="` + n + `" max="` + n + `" width="` + strconv.FormatFloat(width, 'f', -1, 64) + `" customWidth="1"/>`)
	}
	s.w.WriteString(`</cols><sheetData>`)
	b.cur = s
	return s, nil
}

// close ends the sheet being written and the package; the file is complete after it. Every
// declared sheet must have been started.
func (b *workbookStream) close() error {
	if b.cur == nil || b.cur.index != len(b.sheets)-1 {
		return fmt.Errorf("the workbook declares %d sheets and not all were written", len(b.sheets))
	}
	if err := b.cur.end(); err != nil {
		return err
	}
	return b.zw.Close()
}

// Row values are strings or ints; every cell of the row gets style xf.
func (s *sheetStream) writeRow(xf int, values ...any) error {
	s.row++
	r := strconv.Itoa(s.row)
	st := strconv.Itoa(xf)
	s.w.WriteString(`<row r="` + r + `">`)
	for i, v := range values {
		s.w.WriteString(`<c r="` + s.cols[i] + r + `" s="` + st + `"`)
		switch v := v.(type) {
		case int:
			s.w.WriteString(`><v>` + strconv.Itoa(v) + `</v></c>`)
		case string:
			s.w.WriteString(` t="inlineStr"><is><t xml:space="preserve">`)
			writeEscapedXML(s.w, v)
			s.w.WriteString(`</t></is></c>`)
		}
	}
	_, err := s.w.WriteString(`</row>`)
	return err
}

// flush pushes the rows written so far through the compressor to the writer underneath.
func (s *sheetStream) flush() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	return s.zw.Flush()
}

// end closes the sheet's XML.
func (s *sheetStream) end() error {
	s.w.WriteString(`</sheetData>`)
	if len(s.merges) > 0 {
		s.w.WriteString(`<mergeCells count="` + strconv.Itoa(len(s.merges)) + `">`)
		for _, m := range s.merges {
			s.w.WriteString(`<mergeCell ref="` + m + `"/>`)
		}
		s.w.WriteString(`</mergeCells>`)
	}
	s.w.WriteString(`</worksheet>`)
	return s.w.Flush()
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// streamStyles: fonts (regular, bold 13, italic, bold), one thin box border, and the cellXfs
// indexed by the xf constants.
const streamStyles = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="13"/><name val="Calibri"/></font>` +
	`<font><i/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>` +
	`<border><left style="thin"><color rgb="FF000000"/></left><right style="thin"><color rgb="FF000000"/></right>` +
	`<top style="thin"><color rgb="FF000000"/></top><bottom style="thin"><color rgb="FF000000"/></bottom><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="5">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>` +
	`<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center"/></xf>` +
	`<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>` +
	`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

// columnName is the letter name of a 1-based column: 1 → A, 27 → AA.
func columnName(n int) string {
	name := ""
	for ; n > 0; n = (n - 1) / 26 {
		name = string(rune('A'+(n-1)%26)) + name
	}
	return name
}

func escapeXML(s string) string {
	var b bufferString
	writeEscapedXML(&b, s)
	return string(b)
}

type bufferString []byte

func (b *bufferString) WriteString(s string) (int, error) { *b = append(*b, s...); return len(s), nil }

// writeEscapedXML writes s as XML character data. Characters XML 1.0 cannot carry at all (most
// control characters, broken UTF-8) are dropped: a stray one in a note must not make the whole
// register unreadable.
func writeEscapedXML(w io.StringWriter, s string) {
	last := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var repl string
		switch {
		case r == '&':
			repl = "&amp;"
		case r == '<':
			repl = "&lt;"
		case r == '>':
			repl = "&gt;"
		case r == '\r':
			repl = "&#xD;"
		case r == utf8.RuneError && size == 1, r < 0x20 && r != '\t' && r != '\n', r == 0xFFFE, r == 0xFFFF:
			repl = ""
		default:
			i += size
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(repl)
		i += size
		last = i
	}
	w.WriteString(s[last:])
}
