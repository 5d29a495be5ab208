package vntext

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var foldCases = []struct {
	name, in, want string
}{
	// Every vowel with every tone, lower and upper case.
	{"a", "a à á ả ã ạ", "a a a a a a"},
	{"ă", "ă ằ ắ ẳ ẵ ặ", "a a a a a a"},
	{"â", "â ầ ấ ẩ ẫ ậ", "a a a a a a"},
	{"e", "e è é ẻ ẽ ẹ", "e e e e e e"},
	{"ê", "ê ề ế ể ễ ệ", "e e e e e e"},
	{"i", "i ì í ỉ ĩ ị", "i i i i i i"},
	{"o", "o ò ó ỏ õ ọ", "o o o o o o"},
	{"ô", "ô ồ ố ổ ỗ ộ", "o o o o o o"},
	{"ơ", "ơ ờ ớ ở ỡ ợ", "o o o o o o"},
	{"u", "u ù ú ủ ũ ụ", "u u u u u u"},
	{"ư", "ư ừ ứ ử ữ ự", "u u u u u u"},
	{"y", "y ỳ ý ỷ ỹ ỵ", "y y y y y y"},
	{"A", "A À Á Ả Ã Ạ", "a a a a a a"},
	{"Ă", "Ă Ằ Ắ Ẳ Ẵ Ặ", "a a a a a a"},
	{"Â", "Â Ầ Ấ Ẩ Ẫ Ậ", "a a a a a a"},
	{"E", "E È É Ẻ Ẽ Ẹ", "e e e e e e"},
	{"Ê", "Ê Ề Ế Ể Ễ Ệ", "e e e e e e"},
	{"I", "I Ì Í Ỉ Ĩ Ị", "i i i i i i"},
	{"O", "O Ò Ó Ỏ Õ Ọ", "o o o o o o"},
	{"Ô", "Ô Ồ Ố Ổ Ỗ Ộ", "o o o o o o"},
	{"Ơ", "Ơ Ờ Ớ Ở Ỡ Ợ", "o o o o o o"},
	{"U", "U Ù Ú Ủ Ũ Ụ", "u u u u u u"},
	{"Ư", "Ư Ừ Ứ Ử Ữ Ự", "u u u u u u"},
	{"Y", "Y Ỳ Ý Ỷ Ỹ Ỵ", "y y y y y y"},

	// Names.
	{"family middle given", "Nguyễn Văn An", "nguyen van an"},
	{"upper case, double spaces", "ĐẶNG THỊ  NGỌC   HÀ", "dang thi ngoc ha"},
	{"đ inside a word", "Phạm Đức Thắng", "pham duc thang"},
	{"name with ư ơ", "Trương Quốc Hưởng", "truong quoc huong"},
	{"name with ư", "Lưu Hữu Phước", "luu huu phuoc"},
	{"name with ê", "Lê Thị Hồng Nhung", "le thi hong nhung"},
	{"name with ô", "Tôn Đức Thắng", "ton duc thang"},
	{"name with ă", "Huỳnh Thị Lăng", "huynh thi lang"},
	{"all upper", "HỒ XUÂN HƯƠNG", "ho xuan huong"},
	{"mixed case", "bùi THỊ xuân", "bui thi xuan"},
	{"hyphen and dot", "Trần-Văn.Bình", "tran van binh"},
	{"parenthesised alias", "Nguyễn Văn A (tức Ba)", "nguyen van a tuc ba"},

	// Old and new tone placement fold alike.
	{"old placement oà", "Hoà", "hoa"},
	{"new placement òa", "Hòa", "hoa"},
	{"old placement uỷ", "Thuỷ", "thuy"},
	{"new placement ủy", "Thủy", "thuy"},
	{"old placement oẻ", "Khoẻ", "khoe"},
	{"new placement ỏe", "Khỏe", "khoe"},
	{"old placement in a full name", "Lê Thị Thanh Thuỷ", "le thi thanh thuy"},

	// Other normalisation forms of the same text.
	{"NFD", "Nguye\u0302\u0303n Va\u0306n An", "nguyen van an"},
	{"NFD, marks in non-canonical order", "Nguye\u0303\u0302n", "nguyen"},
	{"precomposed ê plus combining tilde", "Nguy\u00ea\u0303n", "nguyen"},
	{"Windows-1258 style base plus tone", "Hoa\u0300 Bi\u0300nh", "hoa binh"},
	{"NFD Đ stays Đ", "\u0110\u1eb7ng", "dang"},

	// Addresses, digits, punctuation.
	{"hamlet and commune", "Thôn 3, xã Gio Mỹ", "thon 3 xa gio my"},
	{"ward, city, province", "Phường Đông Lương, TP. Đông Hà, Quảng Trị", "phuong dong luong tp dong ha quang tri"},
	{"house number with slash", "Số 12/3 đường Lê Lợi", "so 12 3 duong le loi"},
	{"semicolon and quarter", "Khu phố 5, phường 1; thị xã Quảng Trị", "khu pho 5 phuong 1 thi xa quang tri"},
	{"tabs and newlines", "\tXã Hải Lăng\nhuyện Hải Lăng\r\n", "xa hai lang huyen hai lang"},
	{"no-break and ideographic spaces", "Nguyễn\u00a0Thị\u3000Lý", "nguyen thi ly"},
	{"quotes and dashes", "“Tổ 7” – khối 2", "to 7 khoi 2"},
	{"digits only", "0905 123 456", "0905 123 456"},

	// Text pasted from elsewhere.
	{"zero-width space inside a word", "Ngu\u200byễn", "nguyen"},
	{"soft hyphen inside a word", "Thanh\u00adHóa", "thanhhoa"},
	{"BOM at the start", "\ufeffHà Nội", "ha noi"},
	{"eth from Windows-1258 read as Latin-1", "\u00d0ặng \u00f0ức", "dang duc"},
	{"African D look-alike", "\u0189ỗ", "do"},

	// Non-Vietnamese letters are kept, only lower-cased and stripped.
	{"German umlaut", "Müller", "muller"},
	{"Cyrillic", "Пётр", "петр"},
	{"Han characters", "阮文安", "阮文安"},
	{"emoji is a separator", "An😀Bình", "an binh"},

	// Edges.
	{"empty", "", ""},
	{"only spaces", " \t\n ", ""},
	{"only punctuation", ".,;-/", ""},
	{"only marks", "\u0300\u0301", ""},
	{"already folded", "nguyen van an", "nguyen van an"},
	{"invalid UTF-8 is a separator", "an\xffbinh", "an binh"},
}

func TestFold(t *testing.T) {
	for _, tc := range foldCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Fold(tc.in); got != tc.want {
				t.Errorf("Fold(%+q) = %q, want %q", tc.in, got, tc.want)
			}
			if !utf8.ValidString(tc.in) {
				return
			}
			if got := Fold(norm.NFD.String(tc.in)); got != tc.want {
				t.Errorf("Fold(NFD(%+q)) = %q, want %q", tc.in, got, tc.want)
			}
			if got := Fold(norm.NFC.String(tc.in)); got != tc.want {
				t.Errorf("Fold(NFC(%+q)) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFoldTonePlacementPairs(t *testing.T) {
	pairs := [][2]string{
		{"Hoà", "Hòa"}, {"Thuỷ", "Thủy"}, {"Khoẻ", "Khỏe"},
		{"Hoá", "Hóa"}, {"Thoả", "Thỏa"}, {"Xoè", "Xòe"}, {"Tuỵ", "Tụy"},
	}
	for _, p := range pairs {
		if a, b := Fold(p[0]), Fold(p[1]); a != b {
			t.Errorf("Fold(%q) = %q but Fold(%q) = %q", p[0], a, p[1], b)
		}
	}
}

// vietnameseLetters lists every letter of the Vietnamese alphabet in both
// cases with every tone, built from the rules rather than typed, so that none
// can be missed.
func vietnameseLetters() []string {
	var letters []string
	tones := []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
	for _, v := range []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"} {
		for _, tone := range tones {
			l := norm.NFC.String(v + tone)
			letters = append(letters, l, strings.ToUpper(l))
		}
	}
	for _, c := range strings.Split("b c d đ g h k l m n p q r s t v x f j w z", " ") {
		letters = append(letters, c, strings.ToUpper(c))
	}
	return letters
}

func TestVietnameseLettersFoldToASCII(t *testing.T) {
	letters := vietnameseLetters()
	if len(letters) != 2*(12*6+21) {
		t.Fatalf("built %d letters, want %d", len(letters), 2*(12*6+21))
	}
	for _, l := range letters {
		if utf8.RuneCountInString(l) != 1 {
			t.Errorf("%+q is not one precomposed rune", l)
		}
		got := Fold(l)
		if len(got) != 1 || got[0] < 'a' || got[0] > 'z' {
			t.Errorf("Fold(%q) = %q, want one ASCII letter", l, got)
		}
	}
}

// TestFoldProperties checks on random Vietnamese-looking text that Fold is
// idempotent, gives ASCII, and ignores the normalisation form.
func TestFoldProperties(t *testing.T) {
	alphabet := append(vietnameseLetters(),
		"0", "1", "9", " ", "  ", "\t", "\n", "\u00a0", ",", ".", "-", "/", ";", "(", ")")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		got := Fold(s)
		if again := Fold(got); again != got {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, got, again)
		}
		for i := 0; i < len(got); i++ {
			if got[i] >= utf8.RuneSelf {
				t.Fatalf("Fold(%q) = %q is not ASCII", s, got)
			}
		}
		if d := Fold(norm.NFD.String(s)); d != got {
			t.Fatalf("Fold(NFD(%q)) = %q, Fold = %q", s, d, got)
		}
	}
}

// TestFoldEveryRune proves idempotence for all of Unicode: each rune Fold
// writes folds to itself, and separators are never written.
func TestFoldEveryRune(t *testing.T) {
	var buf, again []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		buf = foldRune(buf[:0], r)
		for _, f := range buf {
			if f == foldSep {
				continue
			}
			if f < 0 || unicode.IsSpace(f) {
				t.Fatalf("foldRune(%U) writes %U", r, f)
			}
			again = foldRune(again[:0], f)
			if len(again) != 1 || again[0] != f {
				t.Fatalf("foldRune(%U) writes %U, which folds to %U", r, f, again)
			}
		}
		if r < tableSize {
			want := foldSlow
			switch len(buf) {
			case 0:
				want = foldDrop
			case 1:
				want = buf[0]
			}
			if table[r] != want {
				t.Fatalf("table[%U] = %d, foldRune gives %U", r, table[r], buf)
			}
		}
	}
}

// TestCanonicalReorderingOnlyMovesMarks guards the shortcut in foldRune:
// folding rune by rune equals folding the NFD of the whole string only if
// every rune that canonical reordering can move is dropped.
func TestCanonicalReorderingOnlyMovesMarks(t *testing.T) {
	var buf []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if norm.NFD.PropertiesString(string(r)).CCC() == 0 {
			continue
		}
		if buf = foldRune(buf[:0], r); len(buf) != 0 {
			t.Errorf("%U has a combining class but folds to %U", r, buf)
		}
	}
}

func TestTokens(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"  Nguyễn   Văn An ", []string{"nguyen", "van", "an"}},
		{"Thôn 3, xã Gio Mỹ", []string{"thon", "3", "xa", "gio", "my"}},
		{"", []string{}},
		{" - ", []string{}},
	}
	for _, tc := range cases {
		if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNFC(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"already clean", "Nguyễn Văn An", "Nguyễn Văn An"},
		{"NFD composed", "Nguye\u0302\u0303n", "Nguy\u1ec5n"},
		{"trims", "  Lê Thị Hoa \n", "Lê Thị Hoa"},
		{"collapses mixed whitespace", "Trần\t\tVăn \u00a0\u3000Bình", "Trần Văn Bình"},
		{"line and paragraph separators", "Hà\u2028Nội\u2029", "Hà Nội"},
		{"keeps case and punctuation", "ĐẶNG THỊ  NGỌC-HÀ.", "ĐẶNG THỊ NGỌC-HÀ."},
		{"keeps tone placement as typed", "Hoà", "Hoà"},
		{"keeps tone placement as typed, new style", "Hòa", "Hòa"},
		{"empty", "", ""},
		{"only whitespace", " \t ", ""},
		{"invalid UTF-8 replaced", "An\xff", "An\ufffd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := NFC(tc.in); got != tc.want {
				t.Errorf("NFC(%+q) = %+q, want %+q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanInputIsNotCopied(t *testing.T) {
	cases := []struct {
		name string
		f    func(string) string
		in   string
	}{
		{"NFC", NFC, "Nguyễn Văn An"},
		{"Fold", Fold, "nguyen van an"},
	}
	for _, tc := range cases {
		var got string
		allocs := testing.AllocsPerRun(100, func() { got = tc.f(tc.in) })
		if allocs != 0 || got != tc.in {
			t.Errorf("%s(%q) = %q with %v allocations, want it back unchanged with none", tc.name, tc.in, got, allocs)
		}
	}
}

var fuzzSeeds = []string{
	"Nguyễn Văn An",
	"ĐẶNG THỊ  NGỌC   HÀ",
	"Hoà", "Thủy",
	"Nguye\u0302\u0303n",
	"Trần-Văn.Bình",
	"Thôn 3, xã Gio Mỹ",
	"\tLê\u00a0Thị Hồng\u200bNhung\n",
	"Phường Đông Lương, TP. Đông Hà, Quảng Trị",
	"阮文安 Пётр Müller",
	"",
}

func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Fold(%+q) = %+q is not valid UTF-8", s, got)
		}
		if again := Fold(got); again != got {
			t.Fatalf("Fold not idempotent on %+q: %+q then %+q", s, got, again)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Fold(%+q) = %q has stray spaces", s, got)
		}
		if !utf8.ValidString(s) {
			return
		}
		if d := Fold(norm.NFD.String(s)); d != got {
			t.Fatalf("Fold(NFD(%+q)) = %+q, Fold = %+q", s, d, got)
		}
		if c := Fold(norm.NFC.String(s)); c != got {
			t.Fatalf("Fold(NFC(%+q)) = %+q, Fold = %+q", s, c, got)
		}
	})
}

func FuzzNFC(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NFC(s)
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
			t.Fatalf("NFC(%+q) = %+q is not valid NFC", s, got)
		}
		if again := NFC(got); again != got {
			t.Fatalf("NFC not idempotent on %+q: %+q then %+q", s, got, again)
		}
		if strings.TrimSpace(got) != got || strings.Join(strings.Fields(got), " ") != got {
			t.Fatalf("NFC(%+q) = %+q has untidy spacing", s, got)
		}
		if utf8.ValidString(s) && Fold(got) != Fold(s) {
			t.Fatalf("Fold(NFC(%+q)) = %q, Fold = %q", s, Fold(got), Fold(s))
		}
	})
}

func BenchmarkFold(b *testing.B) {
	inputs := []struct{ name, s string }{
		{"name", "Nguyễn Thị Ngọc Hà"},
		{"address", "Thôn 3, xã Gio Mỹ, huyện Gio Linh, tỉnh Quảng Trị"},
		{"nfd", norm.NFD.String("Nguyễn Thị Ngọc Hà")},
		{"upper", "ĐẶNG VĂN HƯỞNG"},
		{"folded", "nguyen thi ngoc ha"},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.s)))
			for b.Loop() {
				Fold(in.s)
			}
		})
	}
}
