// Package lunar converts between the Gregorian calendar and the Vietnamese lunisolar calendar
// (âm lịch), computed astronomically for Vietnam's time zone, UTC+7.
//
// The rules are those of the Chinese-style lunisolar calendar, applied to Vietnamese local time:
// a month starts on the civil day (UTC+7) of a new moon; month 11 is the month that contains the
// winter solstice; when 13 new moons start between two months 11, the first month after month 11
// in which the sun enters no new 30° sector of longitude (no "major solar term") is a leap month
// and repeats the number of the month before it. Because the day boundary is UTC+7 and not
// China's UTC+8, the Vietnamese calendar differs from the Chinese one whenever a new moon or a
// major term falls between 23:00 and midnight Vietnamese time (Tết 2007 was on 17 February in
// Vietnam, 18 February in China).
//
// The positions of the sun and moon follow the truncated series of J. Meeus (Astronomical
// Algorithms), the method Hồ Ngọc Đức published for computing the Vietnamese calendar; they are
// accurate enough for the years this package accepts, 1800 to 2199. The package always uses
// UTC+7: before 1968 North Vietnam kept the calendar of UTC+8, so dates before then may differ
// from the almanacs of their time.
package lunar

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// The solar years the conversion accepts. Outside them the truncated series lose accuracy.
const (
	MinYear = 1800
	MaxYear = 2199
)

// ErrOutOfRange is returned for dates outside MinYear..MaxYear.
var ErrOutOfRange = fmt.Errorf("lunar: date outside the years %d-%d", MinYear, MaxYear)

// ErrNoSuchDate is returned for a lunar date that does not exist: day 30 of a 29-day month, or
// a leap month the year does not have.
var ErrNoSuchDate = errors.New("lunar: no such lunar date")

// Date is a day of the lunar calendar. Year is the Gregorian number of the year that starts with
// its month 1 (month 12 of Year 2023 falls in January or February 2024). Leap marks the
// repeated month (tháng nhuận), which carries the number of the month before it.
type Date struct {
	Year  int
	Month int
	Day   int
	Leap  bool
}

// String renders the date as day/month/year, with "nhuận" after a leap month, the way Vietnamese
// almanacs print it: "10/3/2024", "2/2 nhuận/2023".
func (d Date) String() string {
	if d.Leap {
		return fmt.Sprintf("%d/%d nhuận/%d", d.Day, d.Month, d.Year)
	}
	return fmt.Sprintf("%d/%d/%d", d.Day, d.Month, d.Year)
}

// timeZone is the offset of Vietnamese civil time from UTC, in days.
const timeZone = 7.0 / 24

// FromSolar returns the lunar date of the Gregorian date year-month-day.
func FromSolar(year int, month time.Month, day int) (Date, error) {
	if year < MinYear || year > MaxYear {
		return Date{}, ErrOutOfRange
	}
	if t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC); t.Year() != year || t.Month() != month || t.Day() != day {
		return Date{}, fmt.Errorf("lunar: %04d-%02d-%02d is not a Gregorian date", year, month, day)
	}
	jd := julianDay(year, month, day)
	s := suiContaining(jd, year)
	i := len(s.starts) - 2
	for s.starts[i] > jd {
		i--
	}
	number, leap := s.month(i)
	d := Date{Year: s.year, Month: number, Day: jd - s.starts[i] + 1, Leap: leap}
	if number >= 11 {
		d.Year-- // months 11 and 12 before the new year belong to the lunar year that ends
	}
	return d, nil
}

// Solar returns the Gregorian date of d.
func (d Date) Solar() (year int, month time.Month, day int, err error) {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 30 {
		return 0, 0, 0, ErrNoSuchDate
	}
	suiYear := d.Year
	if d.Month >= 11 {
		suiYear++
	}
	if suiYear < MinYear || suiYear > MaxYear+1 {
		return 0, 0, 0, ErrOutOfRange
	}
	s := newSui(suiYear)
	for i := 0; i < len(s.starts)-1; i++ {
		if number, leap := s.month(i); number == d.Month && leap == d.Leap {
			if d.Day > s.starts[i+1]-s.starts[i] {
				return 0, 0, 0, ErrNoSuchDate
			}
			year, month, day = civilDate(s.starts[i] + d.Day - 1)
			if year < MinYear || year > MaxYear {
				return 0, 0, 0, ErrOutOfRange
			}
			return year, month, day, nil
		}
	}
	return 0, 0, 0, ErrNoSuchDate
}

// sui is the span from one month 11 to the next (the winter solstice year): the months 11 and 12
// of lunar year year-1 and months 1 to 10 of lunar year year, plus a leap month when 13 new moons
// start in it.
type sui struct {
	year   int   // the lunar year whose months 1-10 the span holds
	starts []int // Julian day numbers of each month's first day, and of the next month 11
	leap   int   // index in starts of the leap month, -1 when none
}

// suiContaining returns the sui containing day jd of solar year year.
func suiContaining(jd, year int) sui {
	s := newSui(year)
	if jd >= s.starts[len(s.starts)-1] {
		return newSui(year + 1)
	}
	return s
}

// suis caches every sui built, by year: at most the 402 years the package accepts, a few
// hundred bytes each, and each costs some thirty evaluations of the series to build.
var suis sync.Map

// newSui returns the sui that ends with the month 11 of December of solar year year.
func newSui(year int) sui {
	if s, ok := suis.Load(year); ok {
		return s.(sui)
	}
	s := buildSui(year)
	suis.Store(year, s)
	return s
}

func buildSui(year int) sui {
	first, last := month11(year-1), month11(year)
	k := lunation(first)
	n := int(math.Round(float64(last-first) / synodicMonth))
	s := sui{year: year, starts: make([]int, n+1), leap: -1}
	for i := range n {
		s.starts[i] = newMoonDay(k + i)
	}
	s.starts[n] = last
	if n == 13 {
		// Month 11 holds the solstice; the leap month is the first after it in which the sun
		// crosses no multiple of 30°, i.e. is in the same sector at its start and at the next.
		for i := 1; i < n; i++ {
			if sunSector(s.starts[i]) == sunSector(s.starts[i+1]) {
				s.leap = i
				break
			}
		}
	}
	return s
}

// month returns the number of the i-th month of the sui and whether it is the leap month.
func (s sui) month(i int) (number int, leap bool) {
	offset := i
	if s.leap >= 0 && i >= s.leap {
		offset-- // the leap month repeats its predecessor's number, and shifts the rest
	}
	return (10+offset)%12 + 1, i == s.leap
}

// synodicMonth is the mean length of a lunation in days; newMoonEpoch is the Julian day of the
// mean new moon numbered 0 (6 January 1900), from which lunations are counted.
const (
	synodicMonth = 29.530588853
	newMoonEpoch = 2415021.076998695
)

// lunation returns the number of the lunation whose new moon falls on day jd.
func lunation(jd int) int {
	return int(math.Round((float64(jd) - newMoonEpoch) / synodicMonth))
}

// month11 returns the Julian day number on which month 11 of solar year year starts: the month
// holding the winter solstice, the sun reaching longitude 270°.
func month11(year int) int {
	k := int(math.Floor((float64(julianDay(year, time.December, 31)) - 2415021) / synodicMonth))
	start := newMoonDay(k)
	if sunSector(start) >= 9 {
		// The sun passed 270° before this month began: the solstice is in the month before.
		start = newMoonDay(k - 1)
	}
	return start
}

// newMoonDay returns the Julian day number of the Vietnamese civil day of new moon k.
func newMoonDay(k int) int {
	return int(math.Floor(newMoon(k) + 0.5 + timeZone))
}

// sunSector returns which 30° sector of ecliptic longitude (0-11, 0 starting at the March
// equinox) the sun is in at the start of day jd, Vietnamese time.
func sunSector(jd int) int {
	return int(sunLongitude(float64(jd)-0.5-timeZone) / (math.Pi / 6))
}

const degree = math.Pi / 180

// newMoon returns the Julian day (universal time) of the true new moon numbered k from
// newMoonEpoch: the mean new moon plus the largest periodic terms, less ΔT.
func newMoon(k int) float64 {
	kf := float64(k)
	t := kf / 1236.85 // Julian centuries since 1900 January 0.5
	t2, t3 := t*t, t*t*t
	mean := 2415020.75933 + 29.53058868*kf + 0.0001178*t2 - 0.000000155*t3 +
		0.00033*math.Sin((166.56+132.87*t-0.009173*t2)*degree)
	sunAnomaly := (359.2242 + 29.10535608*kf - 0.0000333*t2 - 0.00000347*t3) * degree
	moonAnomaly := (306.0253 + 385.81691806*kf + 0.0107306*t2 + 0.00001236*t3) * degree
	latitude := (21.2964 + 390.67050646*kf - 0.0016528*t2 - 0.00000239*t3) * degree
	correction := (0.1734-0.000393*t)*math.Sin(sunAnomaly) + 0.0021*math.Sin(2*sunAnomaly) -
		0.4068*math.Sin(moonAnomaly) + 0.0161*math.Sin(2*moonAnomaly) -
		0.0004*math.Sin(3*moonAnomaly) + 0.0104*math.Sin(2*latitude) -
		0.0051*math.Sin(sunAnomaly+moonAnomaly) - 0.0074*math.Sin(sunAnomaly-moonAnomaly) +
		0.0004*math.Sin(2*latitude+sunAnomaly) - 0.0004*math.Sin(2*latitude-sunAnomaly) -
		0.0006*math.Sin(2*latitude+moonAnomaly) + 0.0010*math.Sin(2*latitude-moonAnomaly) +
		0.0005*math.Sin(2*moonAnomaly+sunAnomaly)
	var deltaT float64 // terrestrial minus universal time, in days
	if t < -11 {
		deltaT = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltaT = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return mean + correction - deltaT
}

// sunLongitude returns the sun's apparent ecliptic longitude at Julian day jd, in radians
// within [0, 2π).
func sunLongitude(jd float64) float64 {
	t := (jd - 2451545.0) / 36525 // Julian centuries since 2000 January 1.5
	t2 := t * t
	anomaly := (357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2) * degree
	mean := 280.46645 + 36000.76983*t + 0.0003032*t2
	center := (1.914600-0.004817*t-0.000014*t2)*math.Sin(anomaly) +
		(0.019993-0.000101*t)*math.Sin(2*anomaly) + 0.000290*math.Sin(3*anomaly)
	longitude := math.Mod((mean+center)*degree, 2*math.Pi)
	if longitude < 0 {
		longitude += 2 * math.Pi
	}
	return longitude
}

// julianDay returns the Julian day number of a Gregorian date.
func julianDay(year int, month time.Month, day int) int {
	a := (14 - int(month)) / 12
	y := year + 4800 - a
	m := int(month) + 12*a - 3
	return day + (153*m+2)/5 + 365*y + y/4 - y/100 + y/400 - 32045
}

// civilDate is the inverse of julianDay.
func civilDate(jd int) (year int, month time.Month, day int) {
	a := jd + 32044
	b := (4*a + 3) / 146097
	c := a - 146097*b/4
	d := (4*c + 3) / 1461
	e := c - 1461*d/4
	m := (5*e + 2) / 153
	return 100*b + d - 4800 + m/10, time.Month(m + 3 - 12*(m/10)), e - (153*m+2)/5 + 1
}
