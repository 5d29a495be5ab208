// Package imports reads the registers Boards already keep (the Form 03 "Sổ tiếp công dân" as
// GET /exports/register writes it, and the variations of hand-kept spreadsheets) into rows of
// visits, without writing anything: each row comes with its errors, named by row and column, and
// a fingerprint that stays the same when the same file is read again, so that an import can skip
// what it already took in. Failures writes the rows that failed back out, for the clerk to fix
// and import again.
package imports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// Visit is what one row of the register says.
type Visit struct {
	Date    string // YYYY-MM-DD
	Persons []Person
	// PersonsWithheld is set when the register printed that a denouncer's identity is kept
	// secret instead of the persons: the row has none to import.
	PersonsWithheld bool
	CaseTitle       string
	Content         string // the case's content after its title, when the cell has one
	Category        string // complaint, denunciation, petition or feedback
	Headcount       int    // as written, else the number of persons (at least 1)
	// PreviouslyHandledBy is the "Cơ quan đã giải quyết" column.
	PreviouslyHandledBy string
	Outcome             string // accepted, guided, transferred, urged, answered, refused, or ""
	// OutcomeDetail is what the handling column says beyond its label, e.g. the body a petition
	// was transferred to.
	OutcomeDetail string
	Status        string   // the case's status: open, resolved, closed, or "" when not said
	Directives    []string // numbers of the directive letters the follow-up column lists
	// FollowUp is the follow-up column when it is free text rather than a status.
	FollowUp string
	Note     string
}

// Row is one row of the file.
type Row struct {
	// Line is the row's number as the spreadsheet shows it (1 is the first row), or the line of
	// a CSV record.
	Line int
	// Cells are the row's cells as read, in the file's columns, for the report of failed rows.
	Cells  []string
	Visit  Visit
	Errors []CellError
	// Fingerprint identifies the row's content, normalised (the serial number and the row's
	// place in the file do not count): the same row read again, from this file or a re-export,
	// has the same fingerprint. Identical rows of one file are told apart by their order among
	// themselves. Empty when the row has errors.
	Fingerprint string
}

// CellError is a problem with one cell of a row.
type CellError struct {
	Line    int    `json:"row"`
	Column  string `json:"column"` // the spreadsheet's column letter
	Title   string `json:"title"`  // the column's title in the file
	Field   string `json:"field"`  // the field it would fill, as the API names it
	Message string `json:"message"`
}

func (e CellError) Error() string {
	return fmt.Sprintf("row %d, column %s (%s): %s", e.Line, e.Column, e.Title, e.Message)
}

// source yields the rows of a file: its cells and the row's number.
type source interface {
	next() ([]string, int, error) // io.EOF after the last row
	close() error
}

// headerSearchRows is how far down the file the header is looked for, under the title rows.
const headerSearchRows = 30

// Parser reads a register row by row. Only the header's rows and one row are held at a time.
type Parser struct {
	src     source
	cols    []column
	header  [][]string // the header rows as read, for the report of failed rows
	pending [][]string // rows read while looking for the header, not yet parsed
	lines   []int
	seen    map[[fingerprintSize]byte]int32 // how many rows so far had each content
}

// newParser finds the header among the first rows of src and maps its columns.
func newParser(src source) (*Parser, error) {
	p := &Parser{src: src, seen: map[[fingerprintSize]byte]int32{}}
	var rows [][]string
	var lines []int
	for len(rows) < headerSearchRows+3 {
		cells, line, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rows, lines = append(rows, cells), append(lines, line)
	}
	at := -1
	for i := 0; i < len(rows) && i < headerSearchRows; i++ {
		if isHeader(rows[i]) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, apperr.Field("file", "no header row in the first %d rows: the register needs the columns %s",
			headerSearchRows, strings.Join(export.RegisterColumns, ", "))
	}
	header := rows[at]
	p.header = [][]string{header}
	next := at + 1
	dateIndex := -1
	for _, c := range layout(header, nil) {
		if c.field == fieldDate {
			dateIndex = c.index
		}
	}
	// under the header: at most one row of sub-column titles, and rows numbering the columns
	var sub []string
	for ; next < len(rows); next++ {
		if sub == nil && !isNumberRow(rows[next]) && isSubHeader(rows[next], dateIndex) {
			sub = rows[next]
		} else if !isNumberRow(rows[next]) {
			break
		}
		p.header = append(p.header, rows[next])
	}
	p.cols = layout(header, sub)
	if missing := missingColumns(p.cols); len(missing) > 0 {
		return nil, apperr.Field("file", "the header (row %d) has no column %s", lines[at], strings.Join(missing, ", "))
	}
	p.pending, p.lines = rows[next:], lines[next:]
	return p, nil
}

// HeaderRows are the header's rows as the file has them.
func (p *Parser) HeaderRows() [][]string { return p.header }

// Next returns the next row that holds anything, or io.EOF after the last. Rows with nothing in
// the register's columns (blank rows, a month's heading across the row) are passed over.
func (p *Parser) Next() (*Row, error) {
	for {
		var cells []string
		var line int
		if len(p.pending) > 0 {
			cells, line = p.pending[0], p.lines[0]
			p.pending, p.lines = p.pending[1:], p.lines[1:]
		} else {
			var err error
			if cells, line, err = p.src.next(); err != nil {
				return nil, err
			}
		}
		if row := p.parse(line, cells); row != nil {
			return row, nil
		}
	}
}

// Rows ranges over the rows Next returns, ending after the last or at the first error.
func (p *Parser) Rows() iter.Seq2[*Row, error] {
	return func(yield func(*Row, error) bool) {
		for {
			row, err := p.Next()
			switch {
			case err == io.EOF:
				return
			case err != nil:
				yield(nil, err)
				return
			case !yield(row, nil):
				return
			}
		}
	}
}

// Close releases the file.
func (p *Parser) Close() error { return p.src.close() }

// rowReader collects one row's values and errors.
type rowReader struct {
	row *Row
}

func (r *rowReader) fail(c column, format string, args ...any) {
	r.row.Errors = append(r.row.Errors, CellError{Line: r.row.Line, Column: c.letter(), Title: c.title,
		Field: fieldNames[c.field], Message: fmt.Sprintf(format, args...)})
}

// parse reads one row; nil when it holds nothing in the register's columns but the serial.
func (p *Parser) parse(line int, cells []string) *Row {
	empty := true
	for _, c := range p.cols {
		if c.field != fieldSerial && strings.TrimSpace(cellAt(cells, c.index)) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	row := &Row{Line: line, Cells: cells}
	r := rowReader{row: row}
	v := &row.Visit
	var names, addresses, ids []string
	var personsCol, idCol, countCol column
	var categoryFlagged, outcomeFlagged bool
	for _, c := range p.cols {
		// names, addresses and ID numbers stand one a line in the persons' order, so a blank
		// first line (a person without an ID number) is kept
		raw := cellAt(cells, c.index)
		cell := strings.TrimSpace(raw)
		switch c.field {
		case fieldDate:
			if t, err := parseDate(cell); err != nil {
				r.fail(c, "%v", err)
			} else {
				v.Date = t.Format(time.DateOnly)
			}
		case fieldPersons:
			personsCol = c
			if cell == export.HiddenDenouncer {
				v.PersonsWithheld = true
				continue
			}
			persons, err := parsePersons(cell)
			if err != nil {
				r.fail(c, "%v", err)
			}
			v.Persons = append(v.Persons, persons...)
		case fieldName:
			personsCol = c
			names = cellLines(raw)
		case fieldAddress:
			addresses = cellLines(raw)
		case fieldIDNumber:
			idCol, ids = c, cellLines(raw)
		case fieldCase:
			if cell == "" {
				r.fail(c, "required: what the citizen came about")
				continue
			}
			title, content, _ := strings.Cut(cell, caseContentSep)
			v.CaseTitle, v.Content = vntext.NFC(title), multiline(content)
		case fieldKindCount:
			countCol = c
			label, count, hasCount := cutLast(cell, kindCountSep)
			if label == "" && !hasCount {
				r.fail(c, "required: the category (%s) and the number of people", strings.Join(categories.labels, ", "))
				continue
			}
			r.category(c, v, label)
			if hasCount {
				r.headcount(c, v, count)
			}
		case fieldCategory:
			if cell == "" {
				r.fail(c, "required: one of %s", strings.Join(categories.labels, ", "))
				continue
			}
			r.category(c, v, cell)
		case fieldHeadcount:
			countCol = c
			if cell != "" {
				r.headcount(c, v, cell)
			}
		case fieldCategoryFlag:
			if cell == "" {
				continue
			}
			if categoryFlagged {
				r.fail(c, "more than one category is marked")
			}
			categoryFlagged, v.Category = true, c.value
			// registers that split the categories often write the number of people as the mark
			if n, err := strconv.Atoi(cell); err == nil && n > 1 && v.Headcount == 0 {
				v.Headcount, countCol = n, c
			}
		case fieldPrevious:
			v.PreviouslyHandledBy = vntext.NFC(cell)
		case fieldOutcome:
			if cell == "" {
				continue
			}
			value, detail, err := parseOutcome(cell)
			if err != nil {
				r.fail(c, "%v", err)
			}
			v.Outcome, v.OutcomeDetail = value, vntext.NFC(detail)
		case fieldOutcomeFlag:
			if cell == "" {
				continue
			}
			if outcomeFlagged {
				r.fail(c, "more than one handling is marked")
			}
			outcomeFlagged, v.Outcome = true, c.value
			if !isMark(cell) {
				v.OutcomeDetail = vntext.NFC(cell)
			}
		case fieldFollowUp:
			v.Status, v.Directives, v.FollowUp = parseFollowUp(cell)
			v.FollowUp = multiline(v.FollowUp)
		case fieldNote:
			v.Note = multiline(cell)
		}
	}
	if names != nil {
		r.namesAndAddresses(personsCol, v, names, addresses)
	}
	r.identityNumbers(idCol, personsCol, v, ids)
	if v.Category == "" && !r.failed("category") {
		for _, c := range p.cols {
			if c.field == fieldCategoryFlag {
				r.fail(c, "no category is marked")
				break
			}
		}
	}
	if len(v.Persons) == 0 && !v.PersonsWithheld && !r.failed("persons") {
		r.fail(personsCol, "required: the name of at least one person")
	}
	switch {
	case v.Headcount == 0:
		v.Headcount = max(1, len(v.Persons))
	case v.Headcount < len(v.Persons):
		r.fail(countCol, "%d people, fewer than the %d persons listed", v.Headcount, len(v.Persons))
	}
	if len(row.Errors) == 0 {
		row.Fingerprint = p.fingerprint(v)
	}
	return row
}

func (r *rowReader) failed(field string) bool {
	for _, e := range r.row.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

func (r *rowReader) category(c column, v *Visit, label string) {
	value, err := categories.parse(label)
	if err != nil {
		r.fail(c, "%v", err)
		return
	}
	v.Category = value
}

func (r *rowReader) headcount(c column, v *Visit, s string) {
	n, err := parseCount(s)
	if err != nil {
		r.fail(c, "%v", err)
		return
	}
	v.Headcount = n
}

// namesAndAddresses pairs a names column with an addresses column line by line; a single
// address serves every name (a family at one address).
func (r *rowReader) namesAndAddresses(c column, v *Visit, names, addresses []string) {
	for i, n := range names {
		if n == "" {
			continue
		}
		name, gender := stripHonorific(stripEnumeration(n))
		name = vntext.NFC(name)
		if err := checkName(name); err != nil {
			r.fail(c, "%v", err)
			continue
		}
		p := Person{FullName: name, Gender: gender}
		switch {
		case i < len(addresses):
			p.Address = vntext.NFC(addresses[i])
		case len(addresses) == 1:
			p.Address = vntext.NFC(addresses[0])
		}
		v.Persons = append(v.Persons, p)
	}
}

// identityNumbers gives the n-th number of the ID column to the n-th person; a blank line is a
// person without one.
func (r *rowReader) identityNumbers(c, persons column, v *Visit, ids []string) {
	for len(ids) > 0 && ids[len(ids)-1] == "" {
		ids = ids[:len(ids)-1]
	}
	if len(ids) == 0 {
		return
	}
	if v.PersonsWithheld {
		r.fail(c, "the persons are withheld, but the row has identity numbers")
		return
	}
	if len(ids) > len(v.Persons) && !r.failed(fieldNames[persons.field]) {
		r.fail(c, "%d identity numbers for %d persons; write one a line, in the order of the names", len(ids), len(v.Persons))
		return
	}
	for i, s := range ids {
		if s == "" || i >= len(v.Persons) {
			continue
		}
		n, err := parseIDNumber(s)
		if err != nil {
			r.fail(c, "line %d: %v", i+1, err)
			continue
		}
		v.Persons[i].IDNumber, v.Persons[i].IDKind = n.Value, string(n.Kind)
	}
}

// How the export joins a case's title to its content, and a category to the number of people
// (register.go, cells).
const (
	caseContentSep = ": "
	kindCountSep   = "/"
)

// cutLast splits s around the last sep; found is false when there is none.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return strings.TrimSpace(s), "", false
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):]), true
}

// isMark reports whether a flag cell only marks the column: "x", "✓", "1".
func isMark(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "x", "✓", "✔", "v", "1", "+", "*", "có":
		return true
	}
	return false
}

// multiline is NFC text whose lines are trimmed and whose blank lines are dropped.
func multiline(s string) string {
	var lines []string
	for _, l := range cellLines(s) {
		if l = vntext.NFC(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// fingerprint hashes the row's normalised content with the number of rows of the same content
// before it in the file: two identical rows are two visits, and a second run over the same file
// gives each the fingerprint it had the first time.
func (p *Parser) fingerprint(v *Visit) string {
	h := sha256.New()
	// every text field is NFC already (vntext.NFC, multiline)
	put := func(s string) {
		io.WriteString(h, s)
		h.Write([]byte{0x1f})
	}
	put(v.Date)
	for _, ps := range v.Persons {
		put(ps.FullName)
		put(ps.Gender)
		put(ps.Address)
		put(ps.IDNumber)
	}
	put(strconv.FormatBool(v.PersonsWithheld))
	for _, s := range []string{v.CaseTitle, v.Content, v.Category, strconv.Itoa(v.Headcount), v.PreviouslyHandledBy,
		v.Outcome, v.OutcomeDetail, v.Status, strings.Join(v.Directives, "\x1e"), v.FollowUp, v.Note} {
		put(s)
	}
	var content [fingerprintSize]byte
	copy(content[:], h.Sum(nil))
	p.seen[content]++
	h.Write([]byte(strconv.Itoa(int(p.seen[content]))))
	return hex.EncodeToString(h.Sum(nil)[:fingerprintSize])
}

// fingerprintSize is the bytes of a fingerprint kept: 128 bits, so that a register of millions
// of rows has no two contents alike by chance, and the per-row memory stays small.
const fingerprintSize = 16
