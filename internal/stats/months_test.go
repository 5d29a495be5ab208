package stats

import (
	"reflect"
	"testing"

	"github.com/tcd-registry/tcd/internal/period"
)

func TestSplitIntoWholeMonthsAndDays(t *testing.T) {
	for _, c := range []struct {
		from, to string
		basis    period.Basis
		months   []string
		days     [][2]string
	}{
		{"2022-01-01", "2022-03-31", period.Calendar, []string{"calendar:2022-01", "calendar:2022-02", "calendar:2022-03"}, nil},
		{"2021-12-15", "2022-03-14", period.Statutory, []string{"statutory:2022-01", "statutory:2022-02", "statutory:2022-03"}, nil},
		{"2022-03-10", "2022-05-20", period.Calendar, []string{"calendar:2022-04"}, [][2]string{{"2022-03-10", "2022-03-31"}, {"2022-05-01", "2022-05-20"}}},
		{"2022-12-15", "2022-12-15", period.Calendar, nil, [][2]string{{"2022-12-15", "2022-12-15"}}},
	} {
		f, _ := period.ParseDate(c.from)
		to, _ := period.ParseDate(c.to)
		months, days := split(period.Range{From: f, To: to, Basis: c.basis})
		if !reflect.DeepEqual(months, c.months) || !reflect.DeepEqual(days, c.days) {
			t.Errorf("%s..%s %s: months %v days %v", c.from, c.to, c.basis, months, days)
		}
	}
	for date, want := range map[string][]string{
		"2022-12-14": {"calendar:2022-12", "statutory:2022-12"},
		"2022-12-15": {"calendar:2022-12", "statutory:2023-01"},
		"2023-01-01": {"calendar:2023-01", "statutory:2023-01"},
	} {
		if got := monthKeys(date); !reflect.DeepEqual(got, want) {
			t.Errorf("monthKeys(%s) = %v, want %v", date, got, want)
		}
	}
}
