// Package calendar is the Vietnamese working-day calendar behind every legal deadline: weekends,
// the Labour Code's public holidays (Tết and Hùng Kings' day from the lunar calendar), the
// compensatory days, the Government's yearly announcements and swaps of working days, and the
// days an administrator records. On it sit the deadline rules (Rules), the status of a petition
// against its deadline, and the compliance minimums of the heads' reception days.
//
// Everything here is pure: no database, no clock. The caller passes "today" and the
// administrator's days, and builds a new Calendar when those change.
package calendar

import (
	"fmt"
	"sync"

	"github.com/tcd-registry/tcd/internal/calendar/lunar"
)

// The years the calendar knows holidays for: those the lunar converter places Tết in. Outside
// them only weekends and the administrator's days count.
const (
	MinYear = 1900
	MaxYear = lunar.MaxYear
)

// Override is a day an administrator made a day off or a working day, with the reason: an
// official swap the shipped data does not know yet, an extra holiday, a local day off.
type Override struct {
	Date   Date   `json:"date" swaggertype:"string" format:"date"`
	Kind   Kind   `json:"kind"`
	Reason string `json:"reason"`
}

// FieldError is a rejected input, naming the JSON field at fault so the API can say which.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Calendar answers which days are working days. It is safe for concurrent use; build a new one
// when the administrator's days change.
type Calendar struct {
	holidays  Holidays
	overrides map[Date]Override

	mu    sync.Mutex
	years map[int]map[Date]Day // per solar year, the days that are not ordinary working days
}

// New returns the calendar of holidays h with the administrator's days on top.
func New(h Holidays, overrides []Override) (*Calendar, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	c := &Calendar{holidays: h, overrides: make(map[Date]Override, len(overrides)), years: map[int]map[Date]Day{}}
	for _, o := range overrides {
		if err := o.Validate(); err != nil {
			return nil, err
		}
		if _, dup := c.overrides[o.Date]; dup {
			return nil, &FieldError{"date", fmt.Sprintf("%s is given twice", o.Date)}
		}
		c.overrides[o.Date] = o
	}
	return c, nil
}

// Default returns the calendar of the shipped holidays, without administrator's days.
func Default() *Calendar {
	c, err := New(DefaultHolidays(), nil)
	if err != nil {
		panic(err) // DefaultHolidays has been validated already
	}
	return c
}

// Validate checks an administrator's day as the API receives it.
func (o Override) Validate() error {
	if o.Kind != Off && o.Kind != Working {
		return &FieldError{"kind", `must be "off" or "working"`}
	}
	if o.Reason == "" {
		return &FieldError{"reason", "is required"}
	}
	if y := o.Date.Year(); y < MinYear || y > MaxYear {
		return &FieldError{"date", fmt.Sprintf("must be in the years %d-%d", MinYear, MaxYear)}
	}
	return nil
}

// Day returns what the calendar says of d. An ordinary working day comes back with Kind Working
// and no reason or source.
func (c *Calendar) Day(d Date) Day {
	if day, ok := c.exceptions(d.Year())[d]; ok {
		return day
	}
	if d.weekend() {
		return Day{Date: d, Kind: Off, Reason: "Nghỉ hằng tuần (" + viWeekdays[d.Weekday()] + ")", Source: SourceWeekend}
	}
	return Day{Date: d, Kind: Working}
}

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if day, ok := c.exceptions(d.Year())[d]; ok {
		return day.Kind == Working
	}
	return !d.weekend()
}

// Year returns, in date order, every day of year that is off (weekends included) and every
// weekend day made a working day, each with its reason: the calendar an office pins up.
func (c *Calendar) Year(year int) []Day {
	var days []Day
	for d := NewDate(year, 1, 1); d.Year() == year; d++ {
		if day := c.Day(d); day.Kind == Off || day.Source != "" {
			days = append(days, day)
		}
	}
	return days
}

// exceptions returns the days of solar year year that are not ordinary working days: holidays,
// compensatory and announced days, and the administrator's days, which win.
func (c *Calendar) exceptions(year int) map[Date]Day {
	if year < MinYear || year > MaxYear {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.years[year]; ok {
		return t
	}
	t := map[Date]Day{}
	// A year's holidays can reach into the next or the previous (a swap for 1 January made in
	// December), so the neighbours' are laid down too, then kept only inside year.
	for _, y := range []int{year - 1, year, year + 1} {
		for _, day := range c.holidays.yearDays(y) {
			if day.Date.Year() == year {
				t[day.Date] = day
			}
		}
	}
	for _, o := range c.overrides {
		if o.Date.Year() == year {
			t[o.Date] = Day{Date: o.Date, Kind: o.Kind, Reason: o.Reason, Source: SourceAdmin}
		}
	}
	c.years[year] = t
	return t
}

// AddWorkingDays returns the n-th working day after d, d itself not counted: "10 working days
// from the day of receipt". A negative n counts back before d; 0 returns d.
func (c *Calendar) AddWorkingDays(d Date, n int) Date {
	step := Date(1)
	if n < 0 {
		step, n = -1, -n
	}
	for ; n > 0; n-- {
		d += step
		for !c.IsWorkingDay(d) {
			d += step
		}
	}
	return d
}

// WorkingDayOnOrAfter returns d when it is a working day, else the first working day after it:
// where a period whose last day is a day off ends (Civil Code 2015, Art. 148).
func (c *Calendar) WorkingDayOnOrAfter(d Date) Date {
	for !c.IsWorkingDay(d) {
		d++
	}
	return d
}

// AddCalendarDays returns the last day of a period of n calendar days from d, d not counted:
// d+n, or the next working day when d+n is a day off.
func (c *Calendar) AddCalendarDays(d Date, n int) Date {
	return c.WorkingDayOnOrAfter(d + Date(n))
}

// WorkingDaysBetween counts the working days after from, up to and including to; 0 when to is
// not after from.
func (c *Calendar) WorkingDaysBetween(from, to Date) int {
	n := 0
	for d := from + 1; d <= to; d++ {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// DueSoonWorkingDays is how near a deadline is "due soon": it falls within this many working
// days from today.
const DueSoonWorkingDays = 3

// DueSoon reports whether a deadline due on due is today or within DueSoonWorkingDays working
// days after today. A deadline already past is not due soon but overdue.
func (c *Calendar) DueSoon(due, today Date) bool {
	return due >= today && due <= c.DueSoonUntil(today)
}

// DueSoonUntil returns the last due date that is due soon as of today, so that a query can
// select the deadlines due soon as those due from today to it.
func (c *Calendar) DueSoonUntil(today Date) Date {
	return c.AddWorkingDays(today, DueSoonWorkingDays)
}
