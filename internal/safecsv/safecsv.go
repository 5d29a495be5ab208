// Package safecsv writes CSV that a spreadsheet opens as data, never as formulas: every file the
// service writes as CSV (the register, the report, Form 01/TCD, the breakdowns) goes through it.
package safecsv

import (
	"encoding/csv"
	"io"
	"strings"
)

// Cell is s as a CSV cell a spreadsheet reads as text: a cell that starts with =, +, -, @, a tab
// or a carriage return would be taken for a formula (a name "=HYPERLINK(...)" that opens a link,
// "=cmd|..." that runs a program), so it gets a leading apostrophe, which spreadsheets show as
// marking text (the OWASP rule for CSV injection). Numbers, a negative one included, stay as
// they are.
func Cell(s string) string {
	if s == "" || isNumber(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Text is the text a cell written by Cell held: the apostrophe Cell adds is taken off again, so
// that a file the service wrote reads back as it was (the import of a register export, a failed
// rows file corrected and imported again). An apostrophe before anything else is the text's own.
func Text(cell string) string {
	if rest, ok := strings.CutPrefix(cell, "'"); ok && rest != "" && Cell(rest) == cell {
		return rest
	}
	return cell
}

// isNumber reports whether s is a plain decimal number: an optional sign, digits and at most one
// decimal point with digits around it.
func isNumber(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	digits, point := 0, false
	for i := range len(s) {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// Writer is encoding/csv's Writer with every cell written through Cell.
type Writer struct {
	*csv.Writer
	rec []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, its cells made safe.
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for _, cell := range record {
		w.rec = append(w.rec, Cell(cell))
	}
	return w.Writer.Write(w.rec)
}

// WriteAll writes records and flushes, as csv.Writer.WriteAll does.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
