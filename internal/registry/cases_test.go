package registry

import (
	"fmt"
	"testing"
)

func TestCaseCode(t *testing.T) {
	for _, c := range []struct {
		year int
		n    int64
		want string
	}{
		{2024, 1, "VV-2024-000001"},
		{2024, 123, "VV-2024-000123"},
		{2025, 999999, "VV-2025-999999"},
		{2025, 1000000, "VV-2025-1000000"}, // a national year overflowing six digits still sorts apart, never collides
	} {
		if got := caseCode(c.year, c.n); got != c.want {
			t.Errorf("caseCode(%d, %d) = %q, want %q", c.year, c.n, got, c.want)
		}
	}
}

func TestTitleTokens(t *testing.T) {
	for _, c := range []struct{ title, want string }{
		{"Tranh chấp ranh giới đất với hộ ông Lê Văn Tám tại thôn Hà Thượng", "[tranh chap ranh gioi dat le van tam ha thuong]"},
		{"Đề nghị giải quyết đơn khiếu nại về việc thu hồi đất", "[thu hoi dat]"},
		{"Kiến nghị bồi thường thửa đất số 12, tờ bản đồ số 3", "[boi thuong thua dat 12 3]"},
		{"ĐẤT ĐAI — đất đai", "[dat dai]"},
		{"Thuỷ lợi / Thủy lợi", "[thuy loi]"},
		{"về việc của ông A", "[]"},
	} {
		if got := fmt.Sprint(titleTokens(c.title)); got != c.want {
			t.Errorf("titleTokens(%q) = %s, want %s", c.title, got, c.want)
		}
	}
}

func TestRankDuplicates(t *testing.T) {
	title := "Tranh chấp ranh giới đất với hộ Lê Văn Tám"
	candidates := []duplicateCandidate{
		{ID: "same", Seq: 1, Title: "Tranh chấp ranh giới đất với hộ ông Lê Văn Tám tại thôn Hà Thượng"}, // 8/10
		{ID: "unrelated", Seq: 2, Title: "Kiến nghị nâng cấp đường liên xã"},                             // 0
		{ID: "half", Seq: 3, Title: "Tranh chấp ranh giới đất rừng sản xuất giữa hai thôn"},              // 5/12
		{ID: "half-person", Seq: 4, Title: "Tranh chấp ranh giới đất rừng sản xuất giữa hai thôn", PersonInCommon: true},
		{ID: "identical-person", Seq: 5, Title: title, PersonInCommon: true}, // 1 + 0.3, capped at 1
		{ID: "identical-older", Seq: 0, Title: title},
	}
	got := rankDuplicates(title, candidates)
	want := "[{identical-person 1} {identical-older 1} {same 0.8} {half-person 0.717}]"
	if fmt.Sprint(got) != want {
		t.Fatalf("rankDuplicates = %v, want %v (threshold 0.5, +0.3 for a person in common, capped at 1, ties to the newest)", got, want)
	}

	many := make([]duplicateCandidate, 8)
	for i := range many {
		many[i] = duplicateCandidate{ID: fmt.Sprint(i), Seq: int64(i), Title: title}
	}
	if got := rankDuplicates(title, many); len(got) != 5 || got[0].CaseID != "7" || got[4].CaseID != "3" {
		t.Fatalf("at most five, newest first among equals: %v", got)
	}
	if got := rankDuplicates(title, nil); got == nil || len(got) != 0 {
		t.Fatalf("no candidates: an empty list, not null: %#v", got)
	}
}

func TestJaccard(t *testing.T) {
	for _, c := range []struct {
		a, b []string
		want float64
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, 1},
		{[]string{"a", "b"}, []string{"b", "c"}, 1.0 / 3},
		{[]string{"a"}, []string{"b"}, 0},
		{nil, []string{"b"}, 0},
		{nil, nil, 0},
	} {
		if got := jaccard(c.a, c.b); got != c.want {
			t.Errorf("jaccard(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
