package export_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

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
			v.PreviouslyHandledBy = "Ủy ban nhân dân huyện Hải Lăng"
		}
		switch {
		case v.Outcome == "guided" && i%2 == 0:
			v.GuidanceNumber = fmt.Sprintf("%d/HD-TCD", i)
		case v.Outcome == "transferred" && i%3 == 0:
			v.TransferredTo = "Sở Tài nguyên và Môi trường tỉnh Quảng Trị"
		case v.Outcome == "transferred":
			v.TransferredTo, v.TransferNumber = "UBND huyện Gio Linh", fmt.Sprintf("%d/PC-TCD", i)
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
	for row, err := range p.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	return rows
}

// expectedVisit is what the import must read from the row the export printed for v.
func expectedVisit(v export.RegisterVisit) imports.Visit {
	want := imports.Visit{Date: v.Date, CaseTitle: v.Title, Content: v.Content, Category: v.Category,
		Headcount: v.Headcount, PreviouslyHandledBy: v.PreviouslyHandledBy, Outcome: v.Outcome, Status: v.Status,
		Directives: v.Directives, Note: v.Note, PersonsWithheld: v.Secret}
	// the handling column's text after the outcome's label comes back as its detail
	switch {
	case v.GuidanceNumber != "":
		want.OutcomeDetail = "văn bản số " + v.GuidanceNumber
	case v.TransferNumber != "":
		want.OutcomeDetail = "đến " + v.TransferredTo + ", văn bản số " + v.TransferNumber
	case v.TransferredTo != "":
		want.OutcomeDetail = "đến " + v.TransferredTo
	}
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

// TestRegisterImportScale writes a register of scaleVisits rows with the export's writer to a
// file and parses it back from the file, measuring the time, the peak heap (garbage included)
// and the live heap at each quarter of the file: the parser holds one row at a time and 16 bytes
// of fingerprint per row, whatever the file's size. With -tags=bigtest it reads 100,000 rows
// and fails when the live heap passes 16 MB above idle (the XLSX sheet alone unzips to more).
func TestRegisterImportScale(t *testing.T) {
	base := roundTripVisits()
	visits := make([]export.RegisterVisit, scaleVisits)
	for i := range visits {
		visits[i] = base[i%len(base)]
		visits[i].Note = fmt.Sprintf("Lượt %d", i) // every row its own content
	}
	q, _ := period.Parse("2023", period.Calendar)
	for _, f := range export.RegisterFormats {
		path := filepath.Join(t.TempDir(), "register."+string(f))
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := export.WriteRegister(out, f, q, visits); err != nil {
			t.Fatal(err)
		}
		size, _ := out.Seek(0, io.SeekCurrent)
		out.Close()
		var rows, failed int
		var live uint64
		runtime.GC()
		idle := liveHeap()
		elapsed, cpu, peak := measure(func() {
			in, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			var p *imports.Parser
			if f == export.XLSX {
				p, err = imports.OpenXLSX(in, "")
			} else {
				p, err = imports.OpenCSV(in)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			for row, err := range p.Rows() {
				if err != nil {
					t.Fatal(err)
				}
				rows++
				if len(row.Errors) > 0 {
					failed++
				}
				if rows%max(1, len(visits)/4) == 0 {
					runtime.GC()
					if l := liveHeap(); l > idle {
						live = max(live, l-idle)
					}
				}
			}
		})
		t.Logf("%s: %d rows (%.1f MB file) parsed in %s (CPU %s, %.0f rows/s), peak heap %.1f MB above idle, live at most %.1f MB",
			f, rows, float64(size)/1e6, elapsed.Round(time.Millisecond), cpu.Round(time.Millisecond),
			float64(rows)/elapsed.Seconds(), float64(peak)/1e6, float64(live)/1e6)
		if rows != len(visits) || failed > 0 {
			t.Errorf("%s: %d rows read, %d with errors; want %d without", f, rows, failed, len(visits))
		}
		if scaleEnforced && live > 16<<20 {
			t.Errorf("%s: %.1f MB live while parsing; the parser must stream (≤ 16 MB)", f, float64(live)/1e6)
		}
	}
}

// liveHeap is the bytes of live objects after the last collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
