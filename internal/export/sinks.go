package export

import (
	"io"
	"net/http"
	"strconv"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/safecsv"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// utf8BOM starts every CSV file: without it Excel reads UTF-8 as the local code page and
// Vietnamese turns into mojibake.
const utf8BOM = "\uFEFF"

// csvSink streams rows as CSV. The BOM and the header go out with the first batch, so that a
// query failing before it leaves the writer untouched.
type csvSink struct {
	w       io.Writer
	cw      *safecsv.Writer
	header  []string
	rec     []string
	started bool
}

func newCSVSink(w io.Writer, header []string) *csvSink {
	return &csvSink{w: w, cw: safecsv.NewWriter(w), header: header}
}

func (s *csvSink) start() error {
	if s.started {
		return nil
	}
	s.started = true
	if _, err := io.WriteString(s.w, utf8BOM); err != nil {
		return err
	}
	return s.cw.Write(s.header)
}

func (s *csvSink) row(serial int, cells []string) error {
	if err := s.start(); err != nil {
		return err
	}
	s.rec = append(append(s.rec[:0], strconv.Itoa(serial)), cells...)
	return s.cw.Write(s.rec)
}

func (s *csvSink) flush() error {
	if err := s.start(); err != nil {
		return err
	}
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	flushHTTP(s.w)
	return nil
}

func (s *csvSink) finish() error { return s.flush() }

// xlsxRegisterSink streams the register as a workbook of its parts, one sheet each. Like
// csvSink it writes nothing before the first batch; from then on the rows go out as they are
// read.
type xlsxRegisterSink struct {
	w      io.Writer
	r      period.Range
	parts  []registerSheet
	book   *workbookStream
	sheet  *sheetStream
	vals   []any
	header []any
}

func newXLSXRegisterSink(w io.Writer, r period.Range, parts []registerSheet) *xlsxRegisterSink {
	return &xlsxRegisterSink{w: w, r: r, parts: parts}
}

// start begins the workbook and its first sheet.
func (s *xlsxRegisterSink) start() error {
	if s.book != nil {
		return nil
	}
	layouts := make([]sheetLayout, len(s.parts))
	for i, p := range s.parts {
		last := columnName(len(p.columns))
		layouts[i] = sheetLayout{name: vocab.RegisterSheet.VI(p.key), widths: p.widths, frozenRows: 3,
			merges: []string{"A1:" + last + "1", "A2:" + last + "2"}}
	}
	book, err := newWorkbookStream(s.w, layouts...)
	if err != nil {
		return err
	}
	s.book = book
	return s.begin()
}

// next ends the sheet being written and begins the next part's.
func (s *xlsxRegisterSink) next() error {
	if err := s.start(); err != nil {
		return err
	}
	return s.begin()
}

// begin starts the next sheet with its title, period and column titles.
func (s *xlsxRegisterSink) begin() error {
	sheet, err := s.book.nextSheet()
	if err != nil {
		return err
	}
	s.sheet = sheet
	part := s.parts[sheet.index]
	if err := sheet.writeRow(xfTitle, part.title); err != nil {
		return err
	}
	if err := sheet.writeRow(xfSubtitle, "Từ ngày "+viDate(s.r.FromDate())+" đến ngày "+viDate(s.r.ToDate())); err != nil {
		return err
	}
	s.header = s.header[:0]
	for _, c := range part.columns {
		s.header = append(s.header, c)
	}
	s.vals = make([]any, len(part.columns))
	return sheet.writeRow(xfHeader, s.header...)
}

func (s *xlsxRegisterSink) row(serial int, cells []string) error {
	if err := s.start(); err != nil {
		return err
	}
	if s.sheet.row >= maxSheetRows {
		return apperr.Field("format", "the register of this period has more rows than a spreadsheet holds (%d); export it as csv or by shorter periods", maxSheetRows)
	}
	s.vals[0] = serial
	for i, c := range cells {
		s.vals[i+1] = c
	}
	return s.sheet.writeRow(xfCell, s.vals...)
}

func (s *xlsxRegisterSink) flush() error {
	if err := s.start(); err != nil {
		return err
	}
	if err := s.sheet.flush(); err != nil {
		return err
	}
	flushHTTP(s.w)
	return nil
}

func (s *xlsxRegisterSink) finish() error {
	if err := s.start(); err != nil {
		return err
	}
	return s.book.close()
}

// maxSheetRows is the most rows a worksheet holds in Excel.
const maxSheetRows = 1 << 20

// flushHTTP sends what was written so far to an HTTP client, when w is a response.
func flushHTTP(w io.Writer) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
