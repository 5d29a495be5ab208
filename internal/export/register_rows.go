package export

import (
	"database/sql"
	"io"

	"github.com/tcd-registry/tcd/internal/period"
)

// RegisterVisit is one visit as the register prints it, for what writes a register without a
// database: the import's tests, and make bench-import, which generates the file it imports.
type RegisterVisit struct {
	Date                          string // YYYY-MM-DD
	Headcount                     int
	Title, Content, Outcome, Note string
	// the handling detail: the guidance document, or where the matter went and the document
	GuidanceNumber, TransferredTo, TransferNumber string
	Category, PreviouslyHandledBy, Status         string
	Persons                                       []RegisterPerson
	Directives                                    []string
	Secret                                        bool // the reader may not see the denouncer
}

// RegisterPerson is a person of a RegisterVisit.
type RegisterPerson struct{ FullName, Address, IDNumber string }

// WriteRegister writes visits as GET /exports/register writes a register: the same cells, the
// same CSV or workbook writer.
func WriteRegister(w io.Writer, f Format, r period.Range, visits []RegisterVisit) error {
	var sink rowSink = newCSVSink(w, RegisterColumns)
	if f == XLSX {
		sink = newXLSXRegisterSink(w, r, registerSheets[:1])
	}
	str := func(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
	cells := make([]string, len(RegisterColumns)-1)
	for i, v := range visits {
		e := registerEntry{date: v.Date, headcount: v.Headcount, content: str(v.Content), outcome: str(v.Outcome),
			guidanceNumber: str(v.GuidanceNumber), transferredTo: str(v.TransferredTo), transferNumber: str(v.TransferNumber),
			note: str(v.Note), title: v.Title, category: v.Category, previouslyHandledBy: str(v.PreviouslyHandledBy), status: v.Status,
			secret: v.Secret}
		for _, p := range v.Persons {
			e.persons = append(e.persons, registerPerson{FullName: p.FullName, Address: str(p.Address), IDNumber: str(p.IDNumber)})
		}
		e.cells(cells, v.Directives)
		if err := sink.row(i+1, cells); err != nil {
			return err
		}
	}
	return sink.finish()
}
