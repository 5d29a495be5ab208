package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// readCSV parses a CSV answer (after its byte order mark, if any), failing unless it is one.
func readCSV(t *testing.T, what string, body []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s is not CSV: %v", what, err)
	}
	return rows
}

// formulaCells lists the cells a spreadsheet would take for a formula: text starting with =, +,
// -, @, a tab or a carriage return (a number, a negative one too, is data).
func formulaCells(rows [][]string) []string {
	var out []string
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && strings.Trim(cell, "+-0123456789.") != "" {
				out = append(out, cell)
			}
		}
	}
	return out
}

// worksheetXML returns the worksheets of a workbook, as stored.
func worksheetXML(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			all.Write(b)
		}
	}
	return all.String()
}

// Text that a spreadsheet would run as a formula (a person named =HYPERLINK(...), a case titled
// =1+2, a note +1+1, an organisation named =cmd|...) reaches every CSV the service writes as
// text, a leading apostrophe neutralising it, numbers untouched; the workbooks keep such text in
// inline strings, never formulas.
func TestSpreadsheetFormulasAreNeutralised(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		admin, staff, agency := env.As(auth.Admin), env.As(auth.Staff), env.As(auth.Agency)
		root := testenv.GetAs[apiclient.HttpapiOrgList](admin, "/api/v1/orgs").Items[0].ID
		evil := "=cmd|' /C calc'!A0"
		org := testenv.CreateAs[apiclient.OrgsOrg](admin, "/api/v1/orgs", map[string]any{"code": "EVIL", "name": evil, "parent_id": root}).ID
		session := sessionOf(staff, map[string]any{"kind": "regular", "date": "2024-03-15", "org_id": org}).ID
		link := `=HYPERLINK("http://x.example","Bấm vào")`
		staff.Create("/api/v1/visits", map[string]any{"session_id": session,
			"persons": []any{map[string]any{"full_name": link, "address": "-2+3"}},
			"case":    map[string]any{"title": "=1+2", "category": "complaint", "field": "land", "previously_handled_by": "@SUM(A1:A9)"},
			"content": "khiếu nại", "note": "+1+1", "headcount": 3})

		csvs := map[string][]byte{
			"register":          staff.Get("/api/v1/exports/register?period=2024-Q1&format=csv").Body,
			"report":            agency.Get("/api/v1/exports/report?period=2024-Q1&format=csv").Body,
			"form 01":           agency.Get("/api/v1/stats/form-01?period=2024-Q1&format=csv").Body,
			"breakdown by org":  agency.Get("/api/v1/stats/breakdown?by=org&period=2024-Q1&format=csv").Body,
			"breakdown by kind": agency.Get("/api/v1/stats/breakdown?by=category&period=2024-Q1&format=csv").Body,
			"summary":           agency.Get("/api/v1/stats/summary?period=2024-Q1&format=csv").Body,
		}
		want := map[string][]string{
			"register":         {"'" + link + " - -2+3", "'=1+2: khiếu nại", "'+1+1", "'@SUM(A1:A9)", "1"},
			"report":           {"'" + evil},
			"form 01":          {"'" + evil},
			"breakdown by org": {"'" + evil},
		}
		for name, body := range csvs {
			rows := readCSV(t, name, body)
			if cells := formulaCells(rows); len(cells) != 0 {
				t.Errorf("%s: cells a spreadsheet runs: %q", name, cells)
			}
			joined := strings.Join(func() []string {
				var all []string
				for _, r := range rows {
					all = append(all, r...)
				}
				return all
			}(), "\x00")
			for _, cell := range want[name] {
				if !strings.Contains("\x00"+joined+"\x00", "\x00"+cell+"\x00") {
					t.Errorf("%s: want the cell %q, got %q", name, cell, rows)
				}
			}
		}

		for name, path := range map[string]string{
			"register": "/api/v1/exports/register?period=2024-Q1&format=xlsx",
			"report":   "/api/v1/exports/report?period=2024-Q1&format=xlsx",
		} {
			c := agency
			if name == "register" {
				c = staff
			}
			r := c.Get(path)
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %s", path, r)
			}
			sheets := worksheetXML(t, r.Body)
			if strings.Contains(sheets, "<f>") || strings.Contains(sheets, "<f ") {
				t.Errorf("the %s workbook holds a formula", name)
			}
			f := openXLSX(t, r.Body)
			found := false
			for _, sheet := range f.GetSheetList() {
				rows, _ := f.GetRows(sheet)
				for _, row := range rows {
					for _, cell := range row {
						found = found || strings.HasPrefix(cell, link) || cell == evil
					}
				}
			}
			if !found {
				t.Errorf("the %s workbook shows the text as it was typed", name)
			}
		}
		if r := staff.Get("/api/v1/exports/register?period=2024-Q1&format=xlsx"); !strings.Contains(worksheetXML(t, r.Body), `t="inlineStr"`) {
			t.Errorf("the register workbook writes its text as inline strings")
		}
	})
}
