package dedup

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSpellingKeys(t *testing.T) {
	cases := []struct {
		a, b           string
		spelled, heard bool
	}{
		{"vy", "vi", true, true},
		{"ly", "li", true, true},
		{"quy", "qui", true, true},
		{"ky", "ki", true, true},
		{"sy", "si", true, true},
		{"my", "mi", true, true},
		{"thuy", "thui", false, false}, // uy is no open i/y
		{"linh", "ninh", false, true},
		{"lan", "nan", false, true},
		{"trang", "chang", false, true},
		{"trang", "chan", false, true},
		{"giang", "dang", false, true},
		{"giang", "rang", false, true},
		{"gin", "din", false, true}, // gìn is gi + in
		{"son", "xon", false, true},
		{"phuc", "phut", false, true},
		{"hung", "hun", false, true},
		{"linh", "lin", false, false}, // nh is not n
		{"nam", "lam", false, true},
		{"nam", "hai", false, false},
		{"3", "3", true, true},
	}
	for _, c := range cases {
		if got := SpellingKey(c.a) == SpellingKey(c.b); got != c.spelled {
			t.Errorf("SpellingKey(%s) = %s, (%s) = %s: same %v, want %v", c.a, SpellingKey(c.a), c.b, SpellingKey(c.b), got, c.spelled)
		}
		if got := HearingKey(c.a) == HearingKey(c.b); got != c.heard {
			t.Errorf("HearingKey(%s) = %s, (%s) = %s: same %v, want %v", c.a, HearingKey(c.a), c.b, HearingKey(c.b), got, c.heard)
		}
	}
}

// Blocking looks up every respelling of a given name: the lookups must find each other both
// ways, so each respelling's respellings are the same set.
func TestRespellingsAreOneClass(t *testing.T) {
	for _, w := range []string{"lan", "trang", "giang", "gin", "vy", "quy", "son", "phuc", "nguyen", "thi", "van", "xuyen", "ha"} {
		class := slices.Sorted(slices.Values(Respellings(w)))
		for _, r := range class {
			if HearingKey(r) != HearingKey(w) {
				t.Errorf("%s: respelling %s has another key", w, r)
			}
			if other := slices.Sorted(slices.Values(Respellings(r))); !slices.Equal(other, class) {
				t.Errorf("respellings of %s %v, of its respelling %s %v", w, class, r, other)
			}
		}
	}
	if got := Respellings("lan"); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"lan", "lang", "nan", "nang"}) {
		t.Errorf("Respellings(lan) = %v", got)
	}
}

func TestMatchTokensSpellingTable(t *testing.T) {
	cases := []struct {
		a, b string
		want TokenMatch
	}{
		{"Vy", "Vi", Spelled},
		{"Lý", "Lí", Spelled},
		{"Mỹ", "Mĩ", Spelled},
		{"Kỳ", "Kì", Spelled},
		{"Sỹ", "Sĩ", Spelled},
		{"Quý", "Quí", Spelled},
		{"Quý", "qui", Spelled},
		{"Lý", "Lì", Differ}, // another tone: another name
		{"Vy", "Vũ", Differ}, // two letters, one apart, and no spelling of one another
		{"Trang", "Chang", Heard},
		{"Lan", "Nan", Heard},
		{"Sơn", "Xơn", Heard},
		{"Hùng", "Hùn", Heard},
		{"Lâm", "Nam", Heard},     // one side without diacritics
		{"Lâm", "Nám", Typo},      // other marks: not a spelling of one another, only one letter apart
		{"Đăng", "Giăng", Differ}, // đ is never misheard as d or gi
	}
	for _, c := range cases {
		if got := MatchTokens(ParseName(c.a), 0, ParseName(c.b), 0); got != c.want {
			t.Errorf("%s ~ %s: got %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestRespellWordKeepsDiacritics(t *testing.T) {
	cases := map[string][]string{
		"Trang": {"Chang", "Tran"},
		"Lý":    {"Lí"},
		"Quý":   {"Quí"},
		"Sơn":   {"Xơn", "Sơng"},
		"Đăng":  {"Đăn"},
		"Giang": {"Dang", "Rang", "Gian"},
	}
	for word, want := range cases {
		got := append(respellWord(word, SpellingHeard), respellWord(word, SpellingAccepted)...)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("respellings of %s: %v, want %s among them", word, got, w)
			}
		}
	}
	// a lookalike's name is a real name
	g := &generator{r: rand.New(rand.NewPCG(1, 1))}
	if name, ok := g.respellName("Nguyễn Thị Linh", VariationHeard, true); !ok || name != "Nguyễn Thị Ninh" {
		t.Errorf("lookalike of Nguyễn Thị Linh: %q", name)
	}
}
