package export_test

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/tcd-registry/tcd/internal/export"
	"github.com/tcd-registry/tcd/internal/imports"
	"github.com/tcd-registry/tcd/internal/period"
)

// roundTripVisits are visits with everything a register row can print: groups, persons without
// an address or ID number, the three kinds of ID, a case with and without content, every
// outcome and status, directive letters, addresses with " - " in them, a withheld denouncer.
func roundTripVisits() []export.RegisterVisit {
	people := []export.RegisterPerson{
		{FullName: "Nguyễn Văn An", Address: "thôn Hà Lợi Trung, xã Hải Thượng, huyện Hải Lăng", IDNumber: "045075001234"},
		{FullName: "Trần Thị Bích Ngọc", Address: "số 12 Lê Lợi, phường 1, thành phố Đông Hà", IDNumber: "191234567"},
		{FullName: "Lê Quang Vinh", Address: "ấp 3, xã Long Phước, Bà Rịa - Vũng Tàu", IDNumber: "B1234567"},
		{FullName: "Hoàng Thị Mỹ Dung"},
		{FullName: "Phan Đình Tùng", Address: "khu phố 4, thị trấn Ái Tử"},
		{FullName: "Tô Văn Lâm", IDNumber: "045080009876"},
	}
	categories := []string{"complaint", "denunciation", "petition", "feedback"}
	outcomes := []string{"", "accepted", "guided", "transferred", "urged", "answered", "refused"}
	statuses := []string{"open", "resolved", "closed"}
	var visits []export.RegisterVisit
	for i := 0; i < 60; i++ {
		v := export.RegisterVisit{
			Date:     fmt.Sprintf("2023-%02d-%02d", 1+i%12, 1+i%28),
			Title:    fmt.Sprintf("Khiếu nại việc thu hồi đất tại thửa số %d, tờ bản đồ số %d", 100+i, i%9),
			Category: categories[i%4], Outcome: outcomes[i%7], Status: statuses[i%3],
		}
		n := 1 + i%3
		for k := 0; k < n; k++ {
			v.Persons = append(v.Persons, people[(i+k)%len(people)])
		}
		v.Headcount = n + i%5
		if i%2 == 0 {
			v.Content = "Công dân đề nghị xem xét lại mức bồi thường; đã có đơn gửi nhiều nơi."
		}
		if i%4 == 1 {
			v.Respondent = "Ủy ban nhân dân huyện Hải Lăng"
		}
		if i%5 == 2 {
			v.Directives = []string{fmt.Sprintf("%d/UBND-TCD", 10+i), fmt.Sprintf("%d/UBND-NC", 200+i)}
		}
		if i%6 == 3 {
			v.Note = "Đã hẹn lần sau\nCông dân mang thêm giấy tờ"
		}
		visits = append(visits, v)
	}
	visits[7].Secret = true
	visits[7].Category = "denunciation"
	return visits
}

// TestExportedRegisterImportsBack writes a register with the export's writer, in both formats,
// parses it with the import and compares every field with what was written.
func TestExportedRegisterImportsBack(t *testing.T) {
	visits := roundTripVisits()
	q, _ := period.Parse("2023", period.Calendar)
	fingerprints := map[export.Format][]string{}
	for _, f := range export.RegisterFormats {
		t.Run(string(f), func(t *testing.T) {
			var file bytes.Buffer
			if err := export.WriteRegister(&file, f, q, visits); err != nil {
				t.Fatal(err)
			}
			rows := readAll(t, f, file.Bytes())
			if len(rows) != len(visits) {
				t.Fatalf("%d rows read back, %d written", len(rows), len(visits))
			}
			firstLine := map[export.Format]int{export.XLSX: 4, export.CSV: 2}[f] // under the titles and the header
			for i, row := range rows {
				if row.Line != firstLine+i {
					t.Errorf("row %d: line %d, want %d", i, row.Line, firstLine+i)
				}
				if len(row.Errors) > 0 {
					t.Errorf("row %d: %v", row.Line, row.Errors)
					continue
				}
				if got, want := row.Visit, expectedVisit(visits[i]); !equalVisit(got, want) {
					t.Errorf("row %d:\n got %+v\nwant %+v", row.Line, got, want)
				}
				fingerprints[f] = append(fingerprints[f], row.Fingerprint)
			}
			again := readAll(t, f, file.Bytes())
			for i := range again {
				if again[i].Fingerprint != rows[i].Fingerprint {
					t.Errorf("row %d: fingerprint %s on the second read, %s on the first", rows[i].Line, again[i].Fingerprint, rows[i].Fingerprint)
				}
			}
		})
	}
	if !slices.Equal(fingerprints[export.XLSX], fingerprints[export.CSV]) {
		t.Error("the same register gives other fingerprints as XLSX than as CSV")
	}
	seen := map[string]bool{}
	for _, fp := range fingerprints[export.CSV] {
		if seen[fp] {
			t.Errorf("two different rows share fingerprint %s", fp)
		}
		seen[fp] = true
	}
}

func readAll(t *testing.T, f export.Format, data []byte) []*imports.Row {
	t.Helper()
	var p *imports.Parser
	var err error
	if f == export.XLSX {
		p, err = imports.OpenXLSX(bytes.NewReader(data), "")
	} else {
		p, err = imports.OpenCSV(bytes.NewReader(data))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var rows []*imports.Row
	for {
		row, err := p.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

// expectedVisit is what the import must read from the row the export printed for v.
func expectedVisit(v export.RegisterVisit) imports.Visit {
	want := imports.Visit{Date: v.Date, CaseTitle: v.Title, Content: v.Content, Category: v.Category,
		Headcount: v.Headcount, PreviouslyHandledBy: v.Respondent, Outcome: v.Outcome, Status: v.Status,
		Directives: v.Directives, Note: v.Note, PersonsWithheld: v.Secret}
	if v.Secret {
		return want
	}
	for _, p := range v.Persons {
		ip := imports.Person{FullName: p.FullName, Address: p.Address, IDNumber: p.IDNumber}
		switch len(p.IDNumber) {
		case 12:
			ip.IDKind = "cccd"
		case 9:
			ip.IDKind = "cmnd"
		case 8:
			ip.IDKind = "passport"
		}
		want.Persons = append(want.Persons, ip)
	}
	return want
}

// equalVisit compares two visits field by field; a nil and an empty list are alike.
func equalVisit(a, b imports.Visit) bool {
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}
