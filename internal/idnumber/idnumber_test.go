package idnumber

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// pinYear makes "now" a fixed day of year so that the future-year rule gives
// the same answers whenever the tests run.
func pinYear(t testing.TB, year int) {
	t.Helper()
	old := now
	now = func() time.Time { return time.Date(year, time.June, 1, 0, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = old })
}

const shapeErr = "ID number must be 12 digits (CCCD), 9 digits (CMND) or a letter and 7 digits (passport)"

func digitsErr(n int) string {
	return fmt.Sprintf("ID number has %d digits; it must be 12 digits (CCCD), 9 digits (CMND) or a letter and 7 digits (passport)", n)
}

func cccd(value, province string, year int, gender string) Number {
	return Number{Value: value, Kind: CCCD, Province: province, BirthYear: year, Gender: gender}
}

var parseCases = []struct {
	name    string
	raw     string
	want    Number
	wantErr string
}{
	// CCCD of men and women from several provinces and decades.
	{"Quảng Trị, male, 1975", "045075001234", cccd("045075001234", "045", 1975, "male"), ""},
	{"Hà Nội, female, 2005", "001305012345", cccd("001305012345", "001", 2005, "female"), ""},
	{"Hồ Chí Minh, male, 1952", "079052000123", cccd("079052000123", "079", 1952, "male"), ""},
	{"Đà Nẵng, female, 1958", "048158123456", cccd("048158123456", "048", 1958, "female"), ""},
	{"Thanh Hóa, male, 1960", "038060987654", cccd("038060987654", "038", 1960, "male"), ""},
	{"Nghệ An, female, 1963", "040163456789", cccd("040163456789", "040", 1963, "female"), ""},
	{"Hải Phòng, male, 1989", "031089111222", cccd("031089111222", "031", 1989, "male"), ""},
	{"Cần Thơ, female, 1995", "092195333444", cccd("092195333444", "092", 1995, "female"), ""},
	{"Cà Mau, male, 2000", "096200555666", cccd("096200555666", "096", 2000, "male"), ""},
	{"Thừa Thiên Huế, female, 2001", "046301777888", cccd("046301777888", "046", 2001, "female"), ""},
	{"first code, born 1900", "001000000000", cccd("001000000000", "001", 1900, "male"), ""},
	{"born this year", "045226000001", cccd("045226000001", "045", 2026, "male"), ""},

	// CCCD written as clerks copy them.
	{"grouped with spaces", "045 075 001 234", cccd("045075001234", "045", 1975, "male"), ""},
	{"grouped with dots", "045.075.001.234", cccd("045075001234", "045", 1975, "male"), ""},
	{"dashes, tab and padding", " 045-075-001-234\t", cccd("045075001234", "045", 1975, "male"), ""},
	{"no-break space", "045\u00a0075001234", cccd("045075001234", "045", 1975, "male"), ""},

	// CCCD that cannot be.
	{"province code 099", "099075001234", Number{}, "unknown province code 099 in CCCD"},
	{"province code 000", "000075001234", Number{}, "unknown province code 000 in CCCD"},
	{"province code in a gap", "003075001234", Number{}, "unknown province code 003 in CCCD"},
	{"born next year", "045227000001", Number{}, "CCCD says born 2027, which is in the future"},
	{"2100s", "045499000001", Number{}, "CCCD says born 2199, which is in the future"},
	{"century digit 8 is the 2300s", "045880000001", Number{}, "CCCD says born 2380, which is in the future"},
	{"11 digits", "04507500123", Number{}, digitsErr(11)},
	{"13 digits", "0450750012345", Number{}, digitsErr(13)},
	{"letter in a CCCD", "04507500123A", Number{}, shapeErr},
	{"letter O for zero", "O45075001234", Number{}, shapeErr},
	{"full-width digits", "０４５０７５００１２３４", Number{}, shapeErr},

	// CMND.
	{"CMND", "197123456", Number{Value: "197123456", Kind: CMND}, ""},
	{"CMND grouped", "194 123 456", Number{Value: "194123456", Kind: CMND}, ""},
	{"10 digits", "1971234567", Number{}, digitsErr(10)},

	// Passports.
	{"passport", "C1234567", Number{Value: "C1234567", Kind: Passport}, ""},
	{"passport in lower case", "c1234567", Number{Value: "C1234567", Kind: Passport}, ""},
	{"passport with a space", "B 1234567", Number{Value: "B1234567", Kind: Passport}, ""},
	{"passport too short", "C123456", Number{}, shapeErr},
	{"passport too long", "C12345678", Number{}, shapeErr},
	{"two letters", "CC123456", Number{}, shapeErr},
	{"letter at the end", "1234567C", Number{}, shapeErr},
	{"non-ASCII letter", "Đ1234567", Number{}, shapeErr},

	// Nothing usable.
	{"empty", "", Number{}, "ID number is empty"},
	{"only separators", " .-. ", Number{}, "ID number is empty"},
	{"slash is not a separator", "045/075/001/234", Number{}, shapeErr},
	{"invalid UTF-8", "045075\xff01234", Number{}, shapeErr},
}

func TestParse(t *testing.T) {
	pinYear(t, 2026)
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.raw)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Parse(%q) error = %v, want %q", tc.raw, err, tc.wantErr)
				}
				if got != (Number{}) {
					t.Errorf("Parse(%q) = %+v alongside an error, want the zero Number", tc.raw, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.raw, err)
			}
			if got != tc.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tc.raw, got, tc.want)
			}
		})
	}
}

func TestParseUsesTheClock(t *testing.T) {
	year := time.Now().Year()
	thisYear := fmt.Sprintf("045%d%02d000001", 2*((year-1900)/100), year%100)
	if n, err := Parse(thisYear); err != nil || n.BirthYear != year {
		t.Errorf("Parse(%s) = %+v, %v; want born %d", thisYear, n, err, year)
	}
	next := year + 1
	nextYear := fmt.Sprintf("045%d%02d000001", 2*((next-1900)/100), next%100)
	if _, err := Parse(nextYear); err == nil {
		t.Errorf("Parse(%s) accepted a birth in %d", nextYear, next)
	}
}

func TestCenturyDigit(t *testing.T) {
	pinYear(t, 2399)
	for d := range 10 {
		raw := fmt.Sprintf("045%d75001234", d)
		n, err := Parse(raw)
		if err != nil {
			t.Fatalf("Parse(%s): %v", raw, err)
		}
		wantYear := 1900 + d/2*100 + 75
		wantGender := []string{"male", "female"}[d%2]
		if n.BirthYear != wantYear || n.Gender != wantGender {
			t.Errorf("digit %d: born %d %s, want %d %s", d, n.BirthYear, n.Gender, wantYear, wantGender)
		}
	}
}

func TestProvinceCodes(t *testing.T) {
	// The codes of the 63 provinces and cities, as in the GSO list.
	want := strings.Fields(`001 002 004 006 008 010 011 012 014 015 017 019 020 022 024
		025 026 027 030 031 033 034 035 036 037 038 040 042 044 045 046 048 049 051
		052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083
		084 086 087 089 091 092 093 094 095 096`)
	if len(want) != 63 || len(provinces) != 63 {
		t.Fatalf("%d codes expected and %d in the table, want 63 each", len(want), len(provinces))
	}
	names := map[string]bool{}
	for _, code := range want {
		name, ok := provinces[code]
		if !ok || name == "" {
			t.Errorf("code %s missing", code)
		}
		if names[name] {
			t.Errorf("name %q used twice", name)
		}
		names[name] = true
	}
	pinYear(t, 2026)
	for c := range 1000 {
		code := fmt.Sprintf("%03d", c)
		_, err := Parse(code + "075001234")
		if _, known := provinces[code]; known != (err == nil) {
			t.Errorf("code %s: in table %v, Parse error %v", code, known, err)
		}
	}
}

func intp(i int) *int { return &i }

func TestCheckPerson(t *testing.T) {
	pinYear(t, 2026)
	man, _ := Parse("045075001234")
	woman, _ := Parse("001305012345")
	cmnd, _ := Parse("197123456")
	passport, _ := Parse("C1234567")
	cases := []struct {
		name      string
		n         Number
		birthYear *int
		gender    string
		wantErr   string
	}{
		{"all agree", man, intp(1975), "male", ""},
		{"woman agrees", woman, intp(2005), "female", ""},
		{"nothing to compare", man, nil, "", ""},
		{"gender unknown", man, intp(1975), "unknown", ""},
		{"wrong birth year", man, intp(1980), "male", "CCCD says born 1975 but birth_year is 1980"},
		{"wrong gender", woman, nil, "male", "CCCD says female but gender is male"},
		{"man recorded as woman", man, intp(1975), "female", "CCCD says male but gender is female"},
		{"both wrong", man, intp(1957), "female",
			"CCCD says born 1975 but birth_year is 1957\nCCCD says male but gender is female"},
		{"CMND carries nothing", cmnd, intp(1900), "female", ""},
		{"passport carries nothing", passport, intp(1900), "male", ""},
		{"zero Number", Number{}, intp(1900), "male", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.n.CheckPerson(tc.birthYear, tc.gender)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("CheckPerson: %v", err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Errorf("CheckPerson error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"045075001234", "001305012345", "045 075 001 234", "045.075.001.234",
		"099075001234", "045880000001", "197123456", "C1234567", "c 123-4567",
		"04507500123A", "", "\u00a0045\t075",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := Parse(raw)
		if err != nil {
			if n != (Number{}) {
				t.Fatalf("Parse(%q) = %+v alongside error %v", raw, n, err)
			}
			return
		}
		again, err := Parse(n.Value)
		if err != nil || again != n {
			t.Fatalf("Parse(%q) = %+v, but its Value re-parses to %+v, %v", raw, n, again, err)
		}
		for _, c := range []byte(n.Value) {
			if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
				t.Fatalf("Parse(%q).Value = %q holds %q", raw, n.Value, c)
			}
		}
		if n.Kind == CCCD && (n.BirthYear > now().Year() || n.Province != n.Value[:3]) {
			t.Fatalf("Parse(%q) = %+v", raw, n)
		}
		if n.Kind != CCCD && (n.Province != "" || n.BirthYear != 0 || n.Gender != "") {
			t.Fatalf("Parse(%q) = %+v decodes a non-CCCD", raw, n)
		}
	})
}
