package calendar

import (
	"fmt"
	"time"
)

// Date is a calendar day without time or zone: the day a petition was received, a deadline's
// last day. It counts days from 1 January 1970, so dates compare with < and == and step with +.
type Date int

const secondsPerDay = 24 * 60 * 60

// NewDate returns the date year-month-day; out-of-range values normalise as in time.Date
// (31 April is 1 May).
func NewDate(year int, month time.Month, day int) Date {
	return Date(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// DateOf returns the calendar day of t in t's own location: a visit at 06:00 in Vietnam is on
// that day even though it is the evening before in UTC.
func DateOf(t time.Time) Date {
	return NewDate(t.Date())
}

// ParseDate reads a date written YYYY-MM-DD and refuses days that do not exist (2023-02-29).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// Time returns the start of the day in UTC.
func (d Date) Time() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// Date returns the year, month and day.
func (d Date) Date() (year int, month time.Month, day int) { return d.Time().Date() }

// Year returns the year.
func (d Date) Year() int { return d.Time().Year() }

// Weekday returns the day of the week. 1 January 1970 was a Thursday.
func (d Date) Weekday() time.Weekday {
	return time.Weekday(((int(d)+int(time.Thursday))%7 + 7) % 7)
}

// String returns the date as YYYY-MM-DD, the form of every date in the API.
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// MarshalText writes the date as YYYY-MM-DD (JSON strings, query parameters).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a date written YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	parsed, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// weekend reports whether d is a Saturday or a Sunday, the weekly rest of state bodies.
func (d Date) weekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// viDate writes the date the Vietnamese way, dd/mm/yyyy, for reasons users read.
func (d Date) viDate() string { return d.Time().Format("02/01/2006") }

// viWeekdays are the names of the days of the week in Vietnamese, Sunday first as time.Weekday.
var viWeekdays = [7]string{"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}
