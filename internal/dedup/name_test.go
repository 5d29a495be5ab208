package dedup

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestMatchTokensVietnameseNames(t *testing.T) {
	cases := []struct {
		a, b string
		want TokenMatch
	}{
		{"Hùng", "Hùng", Same},
		{"HÙNG", "hùng", Same},
		{"Hòa", "Hoà", Same},   // old and new tone placement
		{"Thủy", "Thuỷ", Same}, // likewise for uy
		{"Hu\u0300ng", "Hùng", Same},
		{"Hùng", "Hung", Unaccented},
		{"Đức", "Duc", Unaccented},
		{"Hùng", "Hưng", MarksDiffer},
		{"Thủy", "Thúy", MarksDiffer},
		{"Đức", "Dức", MarksDiffer},
		{"Nguyễn", "Nguyen", Unaccented},
		{"Nguyễn", "Nguyễm", Typo},
		{"Nguyễn", "Ngyuễn", Typo}, // transposition
		{"Nguyễn", "Nguễn", Typo},  // deletion
		{"Linh", "Lnh", Typo},
		{"Vũ", "Vvũ", Typo},
		{"Hằng", "Hạnh", Typo}, // one edit apart: the weights decide (see the scoring table)
		{"An", "Anh", Typo},
		{"Lan", "Lâm", Typo},
		{"Lan", "Mai", Differ},
		{"Nam", "Hải", Differ},
		{"Lê", "Lý", Differ}, // two letters: no typo tolerance
	}
	for _, c := range cases {
		a, b := ParseName(c.a), ParseName(c.b)
		if got := MatchTokens(a, 0, b, 0); got != c.want {
			t.Errorf("%s ~ %s: got %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestParseNameKeepsTokensAligned(t *testing.T) {
	n := ParseName("  NGUYỄN  văn   Đức ")
	if n.Joined() != "nguyen van duc" || len(n.Marked) != 3 || n.Written[2] != "Đức" {
		t.Fatalf("got %+v", n)
	}
	if n.Marked[1] == "" || n.Marked[2] == "" {
		t.Fatalf("Văn and Đức carry marks: %q", n.Marked)
	}
	plain := ParseName("Nguyen Van Duc")
	for _, m := range plain.Marked {
		if m != "" {
			t.Fatalf("a name typed without diacritics has no marks: %q", plain.Marked)
		}
	}
}

func TestWithinOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"nguyen", "nguyen", true}, {"nguyen", "nguyem", true}, {"nguyen", "ngyuen", true},
		{"nguyen", "nguen", true}, {"nguyen", "nguyenn", true}, {"nguyen", "ngyuem", false},
		{"hung", "hnug", true}, {"hung", "uhng", true}, {"hung", "hgnu", false}, {"a", "", true}, {"ab", "", false},
	} {
		if got := WithinOneEdit(c.a, c.b); got != c.want {
			t.Errorf("%q %q: got %v", c.a, c.b, got)
		}
	}
}

func TestGeneratorSpellings(t *testing.T) {
	if got := StripDiacritics("Nguyễn Văn Đức"); got != "Nguyen Van Duc" {
		t.Errorf("strip: %q", got)
	}
	for in, want := range map[string]string{"Hòa": "Hoà", "Hoà": "Hòa", "Thủy": "Thuỷ", "Lê Thị Thuỷ": "Lê Thị Thủy", "Hoàng": "Hoàng", "Quý": "Quý", "Khỏe": "Khoẻ"} {
		if got := FlipTonePlacement(in); got != want || !norm.NFC.IsNormalString(got) {
			t.Errorf("flip %q: got %q, want %q", in, got, want)
		}
	}
	for _, r := range GeneratePersons(300, 7) {
		if r.Role == RoleDuplicate && r.BirthYear != nil && r.IDNumber != nil && len(*r.IDNumber) == 12 {
			want := (*r.IDNumber)[4:6]
			if got := (*r.BirthYear) % 100; want != string(rune('0'+got/10))+string(rune('0'+got%10)) {
				t.Fatalf("a copy keeps its CCCD consistent with its birth year: %+v", r.Person)
			}
		}
	}
}
