// Package period does the reporting-period arithmetic behind the statistics:
// calendar and Vietnamese statutory years, quarters, months, 6 and 9 months.
package period

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Basis says which calendar a period spec is read in.
type Basis string

const (
	// Calendar periods follow the civil calendar (a year runs 1 Jan to 31 Dec).
	Calendar Basis = "calendar"
	// Statutory periods are the Vietnamese reporting periods, which close on the
	// 14th so that reports can be compiled before the month ends: the year runs
	// 15 Dec of the previous year to 14 Dec.
	Statutory Basis = "statutory"
)

// Year bounds for specs and dates. Anything outside is a typo, not a request
// for statistics, and the bounds keep the arithmetic far from time.Time limits.
const (
	minYear = 1900
	maxYear = 2200
)

const dateLayout = "2006-01-02"

var (
	errSpec      = errors.New("period must be YYYY, YYYY-Qn, YYYY-MM, YYYY-6M or YYYY-9M")
	errQuarter   = errors.New("quarter must be 1-4")
	errMonth     = errors.New("month must be 01-12")
	errYear      = fmt.Errorf("year must be %d-%d", minYear, maxYear)
	errBasis     = errors.New("basis must be calendar or statutory")
	errDate      = errors.New("date must be YYYY-MM-DD")
	errNoSuch    = errors.New("date does not exist in the calendar")
	errFromAfter = errors.New("from is after to")
)

// ParseBasis reads the basis query parameter; an absent one means Calendar,
// the default the HTTP contract promises.
func ParseBasis(s string) (Basis, error) {
	switch s {
	case "", string(Calendar):
		return Calendar, nil
	case string(Statutory):
		return Statutory, nil
	}
	return "", errBasis
}

// Range is an inclusive span of whole days. From and To are dates at 00:00
// UTC so that ranges compare with == and print without zone surprises.
type Range struct {
	From  time.Time
	To    time.Time
	Label string
	Basis Basis
}

// FromDate returns From as YYYY-MM-DD.
func (r Range) FromDate() string { return r.From.Format(dateLayout) }

// ToDate returns To as YYYY-MM-DD.
func (r Range) ToDate() string { return r.To.Format(dateLayout) }

// Contains reports whether the calendar day of day lies in r. The day is
// taken in day's own location: a session dated 15/12 in Vietnam time is on
// 15/12 whatever the instant is in UTC.
func (r Range) Contains(day time.Time) bool {
	d := dateOf(day)
	return !d.Before(r.From) && !d.After(r.To)
}

// Parse reads a period spec ("2023", "2023-Q3", "2023-10", "2023-6M",
// "2023-9M") in the given basis; an empty basis means Calendar. Lower-case q
// and m are accepted; the Label is always the upper-case form.
func Parse(spec string, basis Basis) (Range, error) {
	b, err := ParseBasis(string(basis))
	if err != nil {
		return Range{}, err
	}
	if len(spec) < 4 || !allDigits(spec[:4]) {
		return Range{}, errSpec
	}
	year, _ := strconv.Atoi(spec[:4])
	rest := spec[4:]
	if rest == "" {
		if err := checkYear(year); err != nil {
			return Range{}, err
		}
		return yearRange(year, b), nil
	}
	if rest[0] != '-' {
		return Range{}, errSpec
	}
	rest = rest[1:]
	// The shape is checked before the year bound, so that a malformed spec
	// gets the format message even when its year is also out of range.
	switch {
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') && isDigit(rest[1]):
		q := int(rest[1] - '0')
		if err := checkYear(year); err != nil {
			return Range{}, err
		}
		if q < 1 || q > 4 {
			return Range{}, errQuarter
		}
		return quarterRange(year, q, b), nil
	case len(rest) == 2 && allDigits(rest):
		m, _ := strconv.Atoi(rest)
		if err := checkYear(year); err != nil {
			return Range{}, err
		}
		if m < 1 || m > 12 {
			return Range{}, errMonth
		}
		return monthRange(year, m, b), nil
	case len(rest) == 2 && (rest[1] == 'M' || rest[1] == 'm') && (rest[0] == '6' || rest[0] == '9'):
		if err := checkYear(year); err != nil {
			return Range{}, err
		}
		// 6M and 9M run from the start of the year to the end of Q2 and Q3.
		q := 2
		if rest[0] == '9' {
			q = 3
		}
		return Range{
			From:  yearRange(year, b).From,
			To:    quarterRange(year, q, b).To,
			Label: fmt.Sprintf("%04d-%cM", year, rest[0]),
			Basis: b,
		}, nil
	}
	return Range{}, errSpec
}

// FromTo builds the range of explicit inclusive dates. Explicit dates are
// civil dates, so the Basis is Calendar.
func FromTo(from, to string) (Range, error) {
	f, err := ParseDate(from)
	if err != nil {
		return Range{}, fmt.Errorf("from: %w", err)
	}
	t, err := ParseDate(to)
	if err != nil {
		return Range{}, fmt.Errorf("to: %w", err)
	}
	if f.After(t) {
		return Range{}, errFromAfter
	}
	return Range{From: f, To: t, Label: from + "_" + to, Basis: Calendar}, nil
}

// ParseDate reads a strict YYYY-MM-DD date at 00:00 UTC. It parses by hand
// rather than with time.Parse so that each failure (shape, year, month, a day
// the month lacks such as 2024-02-30) gets its own message for the client.
func ParseDate(s string) (time.Time, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' ||
		!allDigits(s[:4]) || !allDigits(s[5:7]) || !allDigits(s[8:]) {
		return time.Time{}, errDate
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:])
	if err := checkYear(y); err != nil {
		return time.Time{}, err
	}
	if m < 1 || m > 12 {
		return time.Time{}, errMonth
	}
	t := date(y, time.Month(m), d)
	// time.Date normalises 30 Feb to 1 or 2 Mar; a changed month or day
	// means the date does not exist.
	if d < 1 || t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, errNoSuch
	}
	return t, nil
}

// LastCompletedQuarter returns the newest quarter whose last day is before
// today's calendar day: the quarter an unattended export reports on. Any
// basis other than Statutory is read as Calendar, since there is no error to
// return and Calendar is the default.
func LastCompletedQuarter(today time.Time, basis Basis) Range {
	b := Calendar
	if basis == Statutory {
		b = Statutory
	}
	d := dateOf(today)
	// The statutory Q4 of year Y ends on 14 Dec of Y, so the answer is always
	// in today's year or the one before.
	for y := d.Year(); ; y-- {
		for q := 4; q >= 1; q-- {
			r := quarterRange(y, q, b)
			if r.To.Before(d) {
				return r
			}
		}
	}
}

// yearRange is the whole year: Jan-Dec, or 15 Dec of year-1 to 14 Dec.
func yearRange(year int, b Basis) Range {
	return Range{
		From:  monthStart(year, 1, b),
		To:    monthEnd(year, 12, b),
		Label: fmt.Sprintf("%04d", year),
		Basis: b,
	}
}

// quarterRange is quarter q (1-4): months 3q-2 to 3q.
func quarterRange(year, q int, b Basis) Range {
	return Range{
		From:  monthStart(year, 3*q-2, b),
		To:    monthEnd(year, 3*q, b),
		Label: fmt.Sprintf("%04d-Q%d", year, q),
		Basis: b,
	}
}

// monthRange is month m (1-12).
func monthRange(year, m int, b Basis) Range {
	return Range{
		From:  monthStart(year, m, b),
		To:    monthEnd(year, m, b),
		Label: fmt.Sprintf("%04d-%02d", year, m),
		Basis: b,
	}
}

// monthStart is the first day of reporting month m. Every longer period is
// built from month boundaries, so periods tile by construction.
func monthStart(year, m int, b Basis) time.Time {
	if b == Statutory {
		// The 15th of the month before; time.Date turns month 0 into December
		// of the previous year.
		return date(year, time.Month(m-1), 15)
	}
	return date(year, time.Month(m), 1)
}

// monthEnd is the last day of reporting month m: the day before the next
// month starts.
func monthEnd(year, m int, b Basis) time.Time {
	if b == Statutory {
		return date(year, time.Month(m), 14)
	}
	return date(year, time.Month(m+1), 0)
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return date(y, m, d)
}

func checkYear(y int) error {
	if y < minYear || y > maxYear {
		return errYear
	}
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
