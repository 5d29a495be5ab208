package imports

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/safecsv"
)

// Format is the kind of file a register comes in.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// Sniff tells the format from the file's first bytes: an XLSX file is a zip archive.
func Sniff(head []byte) Format {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return XLSX
	}
	return CSV
}

// OpenCSV reads a CSV register: UTF-8 with or without the byte-order mark Excel writes, its
// fields separated by commas, semicolons (Excel's choice where the comma is the decimal point)
// or tabs, whichever the first lines use most.
func OpenCSV(r io.Reader) (*Parser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		head = head[3:]
	}
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return nil, apperr.Field("file", "the CSV file is UTF-16; save it as \"CSV UTF-8\"")
	}
	cr := csv.NewReader(br)
	cr.Comma = delimiter(head)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return newParser(&csvSource{r: cr})
}

// delimiter is the separator the start of a CSV file uses most, outside quoted fields.
func delimiter(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t'):
			counts[b]++
		}
	}
	best := byte(',')
	for _, b := range []byte{';', '\t'} {
		if counts[b] > counts[best] {
			best = b
		}
	}
	return rune(best)
}

// csvSource numbers records as a spreadsheet opening the file numbers its rows: a record whose
// quoted cells hold line breaks is still one row, and each blank line (which encoding/csv passes
// over) is a row of its own.
type csvSource struct {
	r        *csv.Reader
	row      int // the previous record's row
	nextLine int // the line after the previous record
}

func (s *csvSource) next() ([]string, int, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, apperr.Field("file", "CSV line %d: %v", pe.Line, pe.Err)
		}
		return nil, 0, err
	}
	start, _ := s.r.FieldPos(0)
	if s.nextLine == 0 {
		s.nextLine = 1
	}
	s.row += 1 + start - s.nextLine
	s.nextLine = start + 1
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return nil, 0, apperr.Field("file", "row %d is not UTF-8 text; save the file as \"CSV UTF-8\"", s.row)
		}
		s.nextLine += strings.Count(f, "\n")
	}
	// a register the service exported, or a failed-rows file it wrote, marks text that a
	// spreadsheet would run as a formula; the import reads the text itself
	for i, f := range rec {
		rec[i] = safecsv.Text(f)
	}
	return rec, s.row, nil
}

func (s *csvSource) close() error { return nil }

// xlsxMemory is how much of a worksheet excelize unzips into memory; a larger sheet goes to a
// temporary file and is read from there row by row.
const xlsxMemory = 4 << 20

// OpenXLSX reads the register in sheet of an XLSX workbook; an empty sheet means the first
// sheet that has the register's header. Rows are read one at a time through excelize's row
// iterator, their values raw (a date is its serial day number, whatever its display format).
func OpenXLSX(r io.Reader, sheet string) (*Parser, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipXMLSizeLimit: xlsxMemory, TmpDir: os.TempDir()})
	if err != nil {
		return nil, apperr.Field("file", "not a readable XLSX workbook: %v", err)
	}
	sheets := f.GetSheetList()
	if sheet != "" {
		if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
			f.Close()
			return nil, apperr.Field("sheet", "the workbook has no sheet %q (it has: %q)", sheet, sheets)
		}
		sheets = []string{sheet}
	}
	var firstErr error
	for _, name := range sheets {
		rows, err := f.Rows(name)
		if err != nil {
			f.Close()
			return nil, err
		}
		p, err := newParser(&xlsxSource{f: f, rows: rows})
		if err == nil {
			return p, nil
		}
		rows.Close()
		if apperr.CodeOf(err) != apperr.Invalid {
			f.Close()
			return nil, err
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("sheet %q: %w", name, err)
		}
	}
	f.Close()
	if firstErr == nil {
		return nil, apperr.Field("file", "the workbook has no sheets")
	}
	if len(sheets) == 1 {
		return nil, firstErr
	}
	return nil, apperr.Field("file", "no sheet of the workbook has the register's header (%v)", firstErr)
}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func (s *xlsxSource) next() ([]string, int, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	s.line++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	return cells, s.line, err
}

func (s *xlsxSource) close() error {
	err := s.rows.Close()
	return errors.Join(err, s.f.Close())
}
