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
