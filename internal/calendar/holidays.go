package calendar

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tcd-registry/tcd/internal/calendar/lunar"
)

// Holidays is the data behind the days off: the statutory holidays of each version of the
// Labour Code, and the Government's announcements of the years they are known for.
type Holidays struct {
	Laws          []Law          `json:"laws"`
	Announcements []Announcement `json:"announcements"`
}

// Law lists the public holidays a version of the Labour Code grants, from a year on.
type Law struct {
	FromYear int       `json:"from_year"`
	Source   string    `json:"source"`
	Holidays []Holiday `json:"holidays"`
}

// Holiday is one statutory holiday: a solar or lunar day, with the days around it that belong
// to it (Tết is the last day of the lunar year and the first four of the new one: 1/1 lunar with
// one day before and three after; National Day is 2 September and one adjacent day).
type Holiday struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Lunar      bool   `json:"lunar,omitempty"`
	Month      int    `json:"month"`
	Day        int    `json:"day"`
	DaysBefore int    `json:"days_before,omitempty"`
	DaysAfter  int    `json:"days_after,omitempty"`
}

// Announcement is what the Government decided for one year. With Holiday set, its Off days are
// that holiday's days off that year, compensatory ones included, instead of those the law's rule
// gives (the Prime Minister fixes each year which days make Tết and which day sits beside
// 2 September). Without it, it is a swap of working days (hoán đổi): extra Off days, and Working
// days on which staff work in exchange. Days that keep the holiday's name need no reason.
type Announcement struct {
	Year    int     `json:"year"`
	Holiday string  `json:"holiday,omitempty"`
	Source  string  `json:"source"`
	Off     []Entry `json:"off"`
	Working []Entry `json:"working,omitempty"`
}

// Entry is a day named in an announcement, and why.
type Entry struct {
	Date   Date   `json:"date"`
	Reason string `json:"reason,omitempty"`
}

//go:embed holidays.json
var holidaysJSON []byte

// DefaultHolidays returns the holidays shipped with tcd: the Labour Codes of 2012 and 2019 and
// the announcements of 2022-2026.
func DefaultHolidays() Holidays {
	var h Holidays
	dec := json.NewDecoder(bytes.NewReader(holidaysJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		panic("calendar: holidays.json: " + err.Error())
	}
	if err := h.validate(); err != nil {
		panic("calendar: holidays.json: " + err.Error())
	}
	return h
}

func (h Holidays) validate() error {
	if len(h.Laws) == 0 {
		return errors.New("no law")
	}
	for i, law := range h.Laws {
		if i > 0 && law.FromYear <= h.Laws[i-1].FromYear {
			return fmt.Errorf("laws must be in order of from_year (%d after %d)", law.FromYear, h.Laws[i-1].FromYear)
		}
		keys := map[string]bool{}
		for _, hol := range law.Holidays {
			if hol.Key == "" || hol.Name == "" || keys[hol.Key] {
				return fmt.Errorf("law of %d: holiday %q needs a unique key and a name", law.FromYear, hol.Key)
			}
			keys[hol.Key] = true
			if hol.Month < 1 || hol.Month > 12 || hol.Day < 1 || hol.Day > 31 || hol.DaysBefore < 0 || hol.DaysAfter < 0 {
				return fmt.Errorf("law of %d: holiday %q has an impossible date or span", law.FromYear, hol.Key)
			}
		}
	}
	seen := map[Date]bool{}
	for _, a := range h.Announcements {
		where := fmt.Sprintf("announcement of %d (%s)", a.Year, a.Source)
		if a.Source == "" {
			return fmt.Errorf("%s: no source", where)
		}
		if a.Holiday != "" {
			if _, ok := h.lawFor(a.Year).holiday(a.Holiday); !ok {
				return fmt.Errorf("%s: the law of that year has no holiday %q", where, a.Holiday)
			}
		}
		if len(a.Off) == 0 {
			return fmt.Errorf("%s: no day off", where)
		}
		for _, e := range slices.Concat(a.Off, a.Working) {
			if y := e.Date.Year(); y < a.Year-1 || y > a.Year {
				return fmt.Errorf("%s: %s is not in or just before its year", where, e.Date)
			}
			if seen[e.Date] {
				return fmt.Errorf("%s: %s is announced twice", where, e.Date)
			}
			seen[e.Date] = true
		}
		for _, e := range a.Working {
			if e.Reason == "" {
				return fmt.Errorf("%s: working day %s has no reason", where, e.Date)
			}
		}
		if a.Holiday == "" {
			for _, e := range a.Off {
				if e.Reason == "" {
					return fmt.Errorf("%s: day off %s of a swap has no reason", where, e.Date)
				}
			}
		}
	}
	return nil
}

// lawFor returns the law in force in year; years before the first law follow the first.
func (h Holidays) lawFor(year int) Law {
	law := h.Laws[0]
	for _, l := range h.Laws[1:] {
		if l.FromYear <= year {
			law = l
		}
	}
	return law
}

func (l Law) holiday(key string) (Holiday, bool) {
	for _, h := range l.Holidays {
		if h.Key == key {
			return h, true
		}
	}
	return Holiday{}, false
}

// date returns the holiday's main day in year, or false when the lunar calendar cannot place it
// (years outside the converter's range).
func (h Holiday) date(year int) (Date, bool) {
	if !h.Lunar {
		return NewDate(year, time.Month(h.Month), h.Day), true
	}
	y, m, d, err := lunar.Date{Year: year, Month: h.Month, Day: h.Day}.Solar()
	if err != nil {
		return 0, false
	}
	return NewDate(y, m, d), true
}

// reason names a day of the holiday whose main day is main, for people reading the calendar:
// lunar holidays say which lunar day it is, the others whether it is the day itself or the one
// beside it.
func (h Holiday) reason(d, main Date) string {
	if h.Lunar {
		y, m, day := d.Date()
		if l, err := lunar.FromSolar(y, m, day); err == nil {
			return fmt.Sprintf("%s (%s)", h.Name, lunarDayName(l))
		}
		return h.Name
	}
	if d == main {
		return h.Name
	}
	return h.Name + " (ngày liền kề)"
}

// lunarDayName writes a lunar day as Vietnamese calendars do: "mùng 1 tháng Giêng",
// "30 tháng Chạp", "10 tháng 3".
func lunarDayName(l lunar.Date) string {
	day := fmt.Sprint(l.Day)
	if l.Day <= 10 {
		day = "mùng " + day
	}
	month := fmt.Sprint(l.Month)
	switch l.Month {
	case 1:
		month = "Giêng"
	case 12:
		month = "Chạp"
	}
	if l.Leap {
		month += " nhuận"
	}
	return fmt.Sprintf("%s tháng %s", day, month)
}

// Where a day off or an exceptional working day comes from.
type Source string

const (
	SourceWeekend      Source = "weekend"      // Saturday or Sunday, the weekly rest
	SourceLaw          Source = "law"          // a statutory holiday
	SourceCompensatory Source = "compensatory" // the working day after a holiday that fell on a weekend
	SourceAnnouncement Source = "announcement" // the Government's announcement for the year
	SourceAdmin        Source = "admin"        // recorded by an administrator
)

// Kind says whether a day is worked.
type Kind string

const (
	Off     Kind = "off"
	Working Kind = "working"
)

// Day is what the calendar says of one date: whether it is worked and, unless it is an ordinary
// working day, why.
type Day struct {
	Date    Date   `json:"date" swaggertype:"string" format:"date" example:"2026-02-17"`
	Kind    Kind   `json:"kind"`
	Reason  string `json:"reason"`
	Source  Source `json:"source"`
	Holiday string `json:"holiday,omitempty"` // the statutory holiday's key, when it is one's
}

// yearDays returns the days off and exceptional working days that the holidays of year make,
// in the order they must be applied: those of the law's rule, then those of announcements, which
// win. Some may fall outside year (a swap for 1 January can be in the December before).
func (h Holidays) yearDays(year int) []Day {
	announced := map[string]bool{}
	var anns []Announcement
	for _, a := range h.Announcements {
		if a.Year == year {
			anns = append(anns, a)
			announced[a.Holiday] = true
		}
	}
	law := h.lawFor(year)
	var days []Day
	taken := map[Date]bool{} // days off already, which a compensatory day cannot be
	var onWeekend []Day
	for _, hol := range law.Holidays {
		main, ok := hol.date(year)
		if !ok {
			continue
		}
		for d := main - Date(hol.DaysBefore); d <= main+Date(hol.DaysAfter); d++ {
			taken[d] = true
			if announced[hol.Key] {
				continue
			}
			day := Day{Date: d, Kind: Off, Reason: hol.reason(d, main), Source: SourceLaw, Holiday: hol.Key}
			days = append(days, day)
			if d.weekend() {
				onWeekend = append(onWeekend, day)
			}
		}
	}
	for _, a := range anns {
		for _, e := range a.Off {
			taken[e.Date] = true
		}
	}
	// Labour Code 2019 Art. 111(3): a holiday on the weekly rest gives the next working day off.
	// In date order, so that Hùng Kings' day on Saturday 29 April 2023, 30 April on Sunday and
	// 1 May on Monday give 2 and 3 May.
	slices.SortFunc(onWeekend, func(a, b Day) int { return int(a.Date - b.Date) })
	for _, hol := range onWeekend {
		d := hol.Date + 1
		for d.weekend() || taken[d] {
			d++
		}
		taken[d] = true
		name, _ := law.holiday(hol.Holiday)
		days = append(days, Day{Date: d, Kind: Off, Source: SourceCompensatory, Holiday: hol.Holiday,
			Reason: fmt.Sprintf("Nghỉ bù %s (%s là %s)", name.Name, hol.Date.viDate(), viWeekdays[hol.Date.Weekday()])})
	}
	for _, a := range anns {
		hol, tied := law.holiday(a.Holiday)
		for _, e := range a.Off {
			reason := e.Reason
			if reason == "" && tied { // validate requires a reason of every swap's day
				main, _ := hol.date(year)
				reason = hol.reason(e.Date, main)
			}
			days = append(days, Day{Date: e.Date, Kind: Off, Reason: reason, Source: SourceAnnouncement, Holiday: a.Holiday})
		}
		for _, e := range a.Working {
			days = append(days, Day{Date: e.Date, Kind: Working, Reason: e.Reason, Source: SourceAnnouncement, Holiday: a.Holiday})
		}
	}
	return days
}
