package imports

import (
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/safecsv"
)

// ErrorColumn heads the column of the failed-rows file that says what is wrong. The parser
// ignores it, so the file can be imported again as it is once the cells are fixed.
const ErrorColumn = "Lỗi cần sửa"

// Failures writes the rows that failed to a file in the layout of the one read: its header rows,
// each failed row's cells as they were, and a last column saying, cell by cell, what to fix.
type Failures struct {
	p     *Parser
	width int
	sink  failureSink
	rows  int
}

type failureSink interface {
	write(cells []string) error
	close() error
}

// Failures starts a failed-rows file in format f on w.
func (p *Parser) Failures(w io.Writer, f Format) (*Failures, error) {
	width := 0
	for _, h := range p.header {
		width = max(width, len(h))
	}
	for _, c := range p.cols {
		width = max(width, c.index+1)
	}
	var sink failureSink
	if f == XLSX {
		s, err := newXLSXFailures(w)
		if err != nil {
			return nil, err
		}
		sink = s
	} else {
		sink = newCSVFailures(w)
	}
	out := &Failures{p: p, width: width, sink: sink}
	for i, h := range p.header {
		extra := ""
		if i == 0 {
			extra = ErrorColumn
		}
		if err := sink.write(out.pad(h, extra)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pad lays cells out over the file's columns and puts last in the error column after them.
func (f *Failures) pad(cells []string, last string) []string {
	out := make([]string, f.width+1)
	copy(out, cells)
	out[f.width] = last
	return out
}

// Add writes a row that has errors; a row without errors is not written.
func (f *Failures) Add(row *Row) error {
	if len(row.Errors) == 0 {
		return nil
	}
	var msg strings.Builder
	for i, e := range row.Errors {
		if i > 0 {
			msg.WriteByte('\n')
		}
		if e.Column == "" { // refused by the register's rules, which name the field, not a column
			msg.WriteString(e.Field + ": " + e.Message)
			continue
		}
		msg.WriteString(e.Column + " (" + e.Title + "): " + e.Message)
	}
	cells := f.pad(row.Cells, msg.String())
	for _, c := range f.p.cols {
		// a date the workbook held as a day number goes back as the clerk reads it
		if c.field == fieldDate {
			if t, err := parseDate(cells[c.index]); err == nil {
				cells[c.index] = t.Format("02/01/2006")
			}
		}
	}
	f.rows++
	return f.sink.write(cells)
}

// Rows is the number of failed rows written.
func (f *Failures) Rows() int { return f.rows }

// Close completes the file.
func (f *Failures) Close() error { return f.sink.close() }

type csvFailures struct {
	w       io.Writer
	cw      *safecsv.Writer
	started bool
}

func newCSVFailures(w io.Writer) *csvFailures {
	return &csvFailures{w: w, cw: safecsv.NewWriter(w)}
}

func (s *csvFailures) write(cells []string) error {
	if !s.started {
		s.started = true
		// the byte-order mark makes Excel read the file as UTF-8
		if _, err := io.WriteString(s.w, "\uFEFF"); err != nil {
			return err
		}
	}
	return s.cw.Write(cells)
}

func (s *csvFailures) close() error {
	s.cw.Flush()
	return s.cw.Error()
}

// xlsxFailures writes the workbook through excelize's stream writer; every cell is text, so
// that an identity number keeps its leading zero.
type xlsxFailures struct {
	w   io.Writer
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newXLSXFailures(w io.Writer) (*xlsxFailures, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		f.Close()
		return nil, err
	}
	return &xlsxFailures{w: w, f: f, sw: sw}, nil
}

func (s *xlsxFailures) write(cells []string) error {
	s.row++
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	return s.sw.SetRow(cell, vals)
}

func (s *xlsxFailures) close() error {
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	_, err := s.f.WriteTo(s.w)
	return err
}
