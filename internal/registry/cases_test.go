package registry

import (
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
