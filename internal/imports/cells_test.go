package imports

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestParseDate(t *testing.T) {
	good := map[string]string{
		"05/03/2024":               "2024-03-05",
		"5/3/2024":                 "2024-03-05",
		"5/3/24":                   "2024-03-05",
		"05-03-2024":               "2024-03-05",
		"05.03.2024":               "2024-03-05",
		"2024-03-05":               "2024-03-05",
		" 31/12/1999 ":             "1999-12-31",
		"29/02/2024":               "2024-02-29",
		"ngày 05 tháng 3 năm 2024": "2024-03-05",
		"Ngày 5 tháng 03 năm 2024": "2024-03-05",
		"05/03/2024 08:30":         "2024-03-05",
		"2024-03-05 00:00:00":      "2024-03-05",
		"45356":                    "2024-03-05", // an Excel day number
		"45356.75":                 "2024-03-05", // with a time of day
		"1/1/70":                   "1970-01-01",
		"1/1/69":                   "2069-01-01",
	}
	for in, want := range good {
		got, err := parseDate(in)
		if err != nil || got.Format(time.DateOnly) != want {
			t.Errorf("parseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":           "empty",
		"03/25/2024": "no month 25",
		"30/02/2024": "month 2 has no day 30",
		"5/3":        "not a date",
		"hôm qua":    "not a date",
		"05/03/224":  "2 or 4 digits",
		"12":         "not a date in a register",
		"1e300":      "not a date",
		"05/03/1800": "out of range",
		"NaN":        "not a date",
	}
	for in, want := range bad {
		_, err := parseDate(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseDate(%q): error %v, want one saying %q", in, err, want)
		}
	}
}

func TestParseIDNumber(t *testing.T) {
	good := map[string]string{
		"045175001234":       "045175001234",
		"45175001234":        "045175001234", // a spreadsheet took it for a number
		"4.5175001234E+10":   "045175001234",
		"045 175 001 234":    "045175001234",
		"CCCD: 045175001234": "045175001234",
		"Số CMND 191234567":  "191234567",
		"12345678":           "012345678", // a CMND that lost its zero
		"b1234567":           "B1234567",
		"HC: B1234567":       "B1234567",
	}
	for in, want := range good {
		n, err := parseIDNumber(in)
		if err != nil || n.Value != want {
			t.Errorf("parseIDNumber(%q) = %q, %v; want %q", in, n.Value, err, want)
		}
	}
	for _, in := range []string{"0451750012345", "abc", "999175001234", "Điện thoại 0912"} {
		if n, err := parseIDNumber(in); err == nil {
			t.Errorf("parseIDNumber(%q) = %q, want an error", in, n.Value)
		}
	}
}

func TestParsePersons(t *testing.T) {
	cases := []struct {
		cell string
		want []Person
	}{
		{"Nguyễn Văn An - thôn 3, xã Hải Thượng", []Person{{FullName: "Nguyễn Văn An", Address: "thôn 3, xã Hải Thượng"}}},
		{"Ông Nguyễn Văn An, thôn 3, xã Hải Thượng", []Person{{FullName: "Nguyễn Văn An", Gender: "male", Address: "thôn 3, xã Hải Thượng"}}},
		{"Bà Trần Thị Lan\nthôn 3, xã Hải Thượng\nhuyện Hải Lăng", []Person{{FullName: "Trần Thị Lan", Gender: "female", Address: "thôn 3, xã Hải Thượng, huyện Hải Lăng"}}},
		{"Nguyễn Văn An\nĐịa chỉ: thôn 3\nTô Văn Lâm\nxã Hải Thượng", []Person{
			{FullName: "Nguyễn Văn An", Address: "thôn 3"}, {FullName: "Tô Văn Lâm", Address: "xã Hải Thượng"}}},
		{"1. Nguyễn Văn An - thôn 3 - 045075001234\n2. Lê Thị Hoa", []Person{
			{FullName: "Nguyễn Văn An", Address: "thôn 3", IDNumber: "045075001234", IDKind: "cccd"}, {FullName: "Lê Thị Hoa"}}},
		{"Lê Quang Vinh - ấp 3, Bà Rịa - Vũng Tàu", []Person{{FullName: "Lê Quang Vinh", Address: "ấp 3, Bà Rịa - Vũng Tàu"}}},
		{norm.NFD.String("Đặng Thị Hường"), []Person{{FullName: "Đặng Thị Hường"}}},
		{"Anh Văn Tú", []Person{{FullName: "Anh Văn Tú"}}}, // a surname, not "anh"
	}
	for _, c := range cases {
		got, err := parsePersons(c.cell)
		if err != nil || !samePersons(got, c.want) {
			t.Errorf("parsePersons(%q) = %+v, %v; want %+v", c.cell, got, err, c.want)
		}
	}
	for _, cell := range []string{"12 Lê Lợi", "Nguyễn Văn An 1975"} {
		if got, err := parsePersons(cell); err == nil {
			t.Errorf("parsePersons(%q) = %+v, want an error (digits in a name)", cell, got)
		}
	}
}

func samePersons(a, b []Person) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseOutcome(t *testing.T) {
	cases := []struct{ cell, value, detail string }{
		{"Thụ lý", "accepted", ""},
		{"Trả lại đơn và hướng dẫn", "guided", ""},
		{"chuyển đơn", "transferred", ""},
		{"Chuyển đơn đến UBND huyện Hải Lăng", "transferred", "đến UBND huyện Hải Lăng"},
		{"Hướng dẫn: gửi đơn đến Tòa án nhân dân huyện", "guided", "gửi đơn đến Tòa án nhân dân huyện"},
		{"Từ chối tiếp", "refused", ""},
	}
	for _, c := range cases {
		v, d, err := parseOutcome(c.cell)
		if err != nil || v != c.value || d != c.detail {
			t.Errorf("parseOutcome(%q) = %q, %q, %v; want %q, %q", c.cell, v, d, err, c.value, c.detail)
		}
	}
	if _, _, err := parseOutcome("Đã xem"); err == nil || !strings.Contains(err.Error(), "Thụ lý") {
		t.Errorf("an unknown handling: %v, want an error listing the labels", err)
	}
}

func TestParseFollowUp(t *testing.T) {
	st, dirs, text := parseFollowUp("Đã giải quyết; công văn số 12/UBND-TCD, 15/UBND-NC")
	if st != "resolved" || strings.Join(dirs, "|") != "12/UBND-TCD|15/UBND-NC" || text != "" {
		t.Errorf("got %q %q %q", st, dirs, text)
	}
	st, dirs, text = parseFollowUp("Chờ UBND huyện trả lời")
	if st != "" || dirs != nil || text != "Chờ UBND huyện trả lời" {
		t.Errorf("free text: got %q %q %q", st, dirs, text)
	}
}

func TestMatchTitle(t *testing.T) {
	cases := map[string]field{
		"STT":                        fieldSerial,
		"Ngày tiếp":                  fieldDate,
		"Ngày tiếp (ngày/tháng/năm)": fieldDate,
		"Họ tên - Địa chỉ":           fieldPersons,
		"Họ tên, địa chỉ":            fieldPersons,
		"HỌ TÊN, ĐỊA CHỈ":            fieldPersons,
		"Họ tên - Địa chỉ - CMND/Hộ chiếu": fieldPersons,
		"Số CCCD/CMND/Hộ chiếu":            fieldIDNumber,
		"Số CMND":                          fieldIDNumber,
		"Nội dung vụ việc":                 fieldCase,
		"Phân loại đơn / Số người":         fieldKindCount,
		"Phân loại đơn":                    fieldCategory,
		"Số người":                         fieldHeadcount,
		"Cơ quan đã giải quyết (nếu có)":   fieldPrevious,
		"Hướng xử lý":                      fieldOutcome,
		"Theo dõi kết quả":                 fieldFollowUp,
		"Ghi chú":                          fieldNote,
		"Số điện thoại":                    fieldNone,
		"Lỗi cần sửa":                      fieldNone,
	}
	for title, want := range cases {
		if got := matchTitle(title); got != want {
			t.Errorf("matchTitle(%q) = %v, want %v", title, got, want)
		}
	}
}

// FuzzCells feeds every cell parser arbitrary text: none may panic, and what each accepts must
// be what the register can hold.
func FuzzCells(f *testing.F) {
	for _, s := range []string{"05/03/2024", "45356.5", "ngày 5 tháng 3 năm 2024", "29/02/2023", "1e309",
		"Nguyễn Văn An - thôn 3, xã Hải Thượng\nTrần Thị B", "Ông A, 045075001234, xã X", "CCCD: 045175001234",
		"4.5175001234E+10", "3 người", "Chuyển đơn đến UBND", "Đã giải quyết; công văn số 1/A, 2/B",
		"Họ tên - Địa chỉ", "\xff\xfe", "1. \n2)", "Địa chỉ:", "(", "Khiếu nại / 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseDate(s); err == nil {
			if d.Year() < firstYear || d.Year() > lastYear {
				t.Fatalf("parseDate(%q) = %v, out of range", s, d)
			}
			if again, err := parseDate(d.Format("02/01/2006")); err != nil || !again.Equal(d) {
				t.Fatalf("parseDate(%q) = %v does not read back: %v, %v", s, d, again, err)
			}
		}
		if n, err := parseIDNumber(s); err == nil && n.Value == "" {
			t.Fatalf("parseIDNumber(%q) accepted an empty number", s)
		}
		if n, err := parseCount(s); err == nil && (n < 1 || n > 100000) {
			t.Fatalf("parseCount(%q) = %d", s, n)
		}
		if persons, err := parsePersons(s); err == nil {
			for _, p := range persons {
				if p.FullName == "" || !utf8.ValidString(p.FullName) || !norm.NFC.IsNormalString(p.FullName) ||
					strings.ContainsFunc(p.FullName, unicode.IsDigit) {
					t.Fatalf("parsePersons(%q) gave the name %q", s, p.FullName)
				}
			}
		}
		if v, _, err := parseOutcome(s); err == nil && v == "" {
			t.Fatalf("parseOutcome(%q) accepted no value", s)
		}
		parseFollowUp(s)
		matchTitle(s)
		flagOf(s)
		stripEnumeration(s)
	})
}
