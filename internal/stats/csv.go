package stats

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tcd-registry/tcd/internal/safecsv"
)

// WriteCSV writes the form as one header line (organisation, then each column as
// "number. header path"), a line of column numbers (the form's "MS" row) and one line per row.
func (f Form01) WriteCSV(w io.Writer) error {
	head := []string{"org_id", "org_code", "org_name"}
	ms := []string{"", "", "MS"}
	for _, c := range f.Columns {
		head = append(head, strconv.Itoa(c.Number)+". "+strings.Join(c.Header, " - "))
		ms = append(ms, strconv.Itoa(c.Number))
	}
	lines := [][]string{head, ms}
	for _, r := range f.Rows {
		line := []string{r.OrgID, r.OrgCode, r.OrgName}
		for _, v := range r.Values {
			line = append(line, strconv.Itoa(v))
		}
		lines = append(lines, line)
	}
	return writeCSV(w, lines)
}

// WriteCSV writes one line per row under a header.
func (b Breakdown) WriteCSV(w io.Writer) error {
	lines := [][]string{{b.By, "label", "visits", "persons", "cases"}}
	for _, r := range b.Rows {
		lines = append(lines, []string{r.Key, r.Label, strconv.Itoa(r.Visits), strconv.Itoa(r.Persons), strconv.Itoa(r.Cases)})
	}
	return writeCSV(w, lines)
}

func writeCSV(w io.Writer, lines [][]string) error {
	cw := safecsv.NewWriter(w)
	if err := cw.WriteAll(lines); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
