package calendar

import (
	"errors"
	"testing"
)

func dates(ss ...string) []Date {
	out := make([]Date, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

type spanWant struct {
	label    string
	days     int
	required int
	ok       bool
}

func checkSpans(t *testing.T, name string, got Compliance, wantOK bool, want []spanWant) {
	t.Helper()
	if got.OK != wantOK {
		t.Errorf("%s: ok %v, want %v", name, got.OK, wantOK)
	}
	if len(got.Spans) != len(want) {
		t.Fatalf("%s: %d spans, want %d: %+v", name, len(got.Spans), len(want), got.Spans)
	}
	for i, w := range want {
		s := got.Spans[i]
		if s.Label != w.label || s.Days != w.days || s.Required != w.required || s.OK != w.ok {
			t.Errorf("%s: span %d = %+v, want %+v", name, i, s, w)
		}
	}
}

func TestComplianceProvince(t *testing.T) {
	c := Default()
	// The second quarter of 2026: April and June have a reception day, May none.
	got, err := c.Compliance(Province, d("2026-04-01"), d("2026-06-30"),
		dates("2026-04-15", "2026-04-15", "2026-06-10", "2026-07-01"), d("2026-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Minimum != (Minimum{Days: 1, Per: PerMonth}) {
		t.Errorf("minimum %+v", got.Minimum)
	}
	checkSpans(t, "province", got, false, []spanWant{
		{"2026-04", 1, 1, true}, // the same day twice counts once
		{"2026-05", 0, 1, false},
		{"2026-06", 1, 1, true},
	})
}

func TestComplianceDistrict(t *testing.T) {
	c := Default()
	got, err := c.Compliance(District, d("2026-01-01"), d("2026-02-28"),
		dates("2026-01-08", "2026-01-22", "2026-02-05"), d("2026-03-10"))
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, "district", got, false, []spanWant{
		{"2026-01", 2, 2, true},
		{"2026-02", 1, 2, false}, // one day short
	})
	// The same days, asked on 10 February: February is not over, so not yet a failure.
	got, _ = c.Compliance(District, d("2026-01-01"), d("2026-02-28"), dates("2026-01-08", "2026-01-22", "2026-02-05"), d("2026-02-10"))
	checkSpans(t, "district in February", got, true, []spanWant{{"2026-01", 2, 2, true}, {"2026-02", 1, 2, true}})
	if got.Spans[1].Ended || !got.Spans[0].Ended {
		t.Errorf("ended: %+v", got.Spans)
	}
}

// TestComplianceCommune: a week a day, Monday to Sunday; the week of Tết 2026 (16-22 February)
// has no working day and asks for none.
func TestComplianceCommune(t *testing.T) {
	c := Default()
	got, err := c.Compliance(Commune, d("2026-02-04"), d("2026-03-01"),
		dates("2026-02-06", "2026-02-12", "2026-02-26"), d("2026-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, "commune", got, true, []spanWant{
		{"2026-W06", 1, 1, true}, // 2-8 February, the period starts mid-week: the whole week counts
		{"2026-W07", 1, 1, true},
		{"2026-W08", 0, 0, true}, // Tết
		{"2026-W09", 1, 1, true},
	})
	if got.Spans[0].From != d("2026-02-02") || got.Spans[3].To != d("2026-03-01") {
		t.Errorf("weeks run Monday to Sunday: %s..%s", got.Spans[0].From, got.Spans[3].To)
	}
	got, _ = c.Compliance(Commune, d("2026-03-02"), d("2026-03-15"), dates("2026-03-04"), d("2026-06-01"))
	checkSpans(t, "commune, a week missed", got, false, []spanWant{{"2026-W10", 1, 1, true}, {"2026-W11", 0, 1, false}})
}

func TestComplianceSpan(t *testing.T) {
	for _, tc := range []struct {
		level          Level
		from, to       string
		wantFrom, want string
	}{
		{Commune, "2026-02-04", "2026-02-25", "2026-02-02", "2026-03-01"},
		{District, "2026-01-15", "2026-02-14", "2026-01-01", "2026-02-28"},
		{Province, "2024-02-01", "2024-02-29", "2024-02-01", "2024-02-29"},
	} {
		from, to, err := ComplianceSpan(tc.level, d(tc.from), d(tc.to))
		if err != nil || from != d(tc.wantFrom) || to != d(tc.want) {
			t.Errorf("%s %s..%s: %s..%s %v", tc.level, tc.from, tc.to, from, to, err)
		}
	}
	if _, _, err := ComplianceSpan(Other, d("2026-01-01"), d("2026-01-31")); !errors.Is(err, ErrNoMinimum) {
		t.Errorf("other: %v", err)
	}
	if _, err := Default().Compliance(Other, d("2026-01-01"), d("2026-01-31"), nil, d("2026-03-01")); !errors.Is(err, ErrNoMinimum) {
		t.Errorf("other: %v", err)
	}
	var fe *FieldError
	if _, err := Default().Compliance(Commune, d("2026-01-31"), d("2026-01-01"), nil, d("2026-03-01")); !errors.As(err, &fe) || fe.Field != "to" {
		t.Errorf("to before from: %v", err)
	}
}
