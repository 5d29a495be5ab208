package stats

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcd-registry/tcd/internal/period"
)

// Every standard period (a year, quarter, month, 6 or 9 months, in either basis) is made of
// whole reporting months, so the roll-ups are kept per month as well as per day: a national
// year is then 12 rows per organisation and bucket instead of 250.

// monthsOf lists the reporting months of the range's basis that the range overlaps, in order.
func monthsOf(r period.Range) []period.Range {
	y, m, d := r.From.Date()
	month := int(m)
	if r.Basis == period.Statutory && d >= 15 {
		month++
	}
	var out []period.Range
	for {
		if month > 12 {
			y, month = y+1, 1
		}
		mr, err := period.Parse(fmt.Sprintf("%04d-%02d", y, month), r.Basis)
		if err != nil || mr.From.After(r.To) {
			return out
		}
		out = append(out, mr)
		month++
	}
}

// monthKey names a month's stats_months rows: "calendar:2023-01", "statutory:2023-01".
func monthKey(m period.Range) string { return string(m.Basis) + ":" + m.Label }

// monthKeys names the calendar and the statutory month a date (YYYY-MM-DD) belongs to.
func monthKeys(date string) []string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil
	}
	day := period.Range{From: t, To: t}
	out := make([]string, 0, 2)
	for _, b := range []period.Basis{period.Calendar, period.Statutory} {
		day.Basis = b
		out = append(out, monthKey(monthsOf(day)[0]))
	}
	return out
}

// monthRange is the range a month key names.
func monthRange(key string) (period.Range, error) {
	basis, label, _ := strings.Cut(key, ":")
	return period.Parse(label, period.Basis(basis))
}

// split divides a range into the months it covers whole and the days at its ends that only
// part of a month covers.
func split(r period.Range) (months []string, days [][2]string) {
	for _, m := range monthsOf(r) {
		if !m.From.Before(r.From) && !m.To.After(r.To) {
			months = append(months, monthKey(m))
			continue
		}
		from, to := m.From, m.To
		if from.Before(r.From) {
			from = r.From
		}
		if to.After(r.To) {
			to = r.To
		}
		days = append(days, [2]string{from.Format(time.DateOnly), to.Format(time.DateOnly)})
	}
	return months, days
}
