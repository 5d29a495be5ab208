package lunar

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// publishedDate is one row of testdata/tet-hung-kings-2000-2040.csv.
type publishedDate struct {
	year           int
	tet, hungKings time.Time
	line           int
}

func readPublished(t *testing.T) []publishedDate {
	t.Helper()
	f, err := os.Open("testdata/tet-hung-kings-2000-2040.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []publishedDate
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "year,") {
			continue
		}
		fields := strings.Split(line, ",")
		if len(fields) != 3 {
			t.Fatalf("line %d: %q", n, line)
		}
		year, err1 := strconv.Atoi(fields[0])
		tet, err2 := time.Parse(time.DateOnly, fields[1])
		hung, err3 := time.Parse(time.DateOnly, fields[2])
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		rows = append(rows, publishedDate{year: year, tet: tet, hungKings: hung, line: n})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestPublishedTetAndHungKings checks both directions of the conversion against the published
// dates of Tết (1/1) and Hùng Kings' day (10/3) for every year 2000-2040.
func TestPublishedTetAndHungKings(t *testing.T) {
	rows := readPublished(t)
	if len(rows) != 41 || rows[0].year != 2000 || rows[40].year != 2040 {
		t.Fatalf("the table must cover 2000-2040 once each, has %d rows", len(rows))
	}
	for _, r := range rows {
		for _, c := range []struct {
			name  string
			lunar Date
			solar time.Time
		}{
			{"Tết", Date{Year: r.year, Month: 1, Day: 1}, r.tet},
			{"Hùng Kings' day", Date{Year: r.year, Month: 3, Day: 10}, r.hungKings},
		} {
			y, m, d, err := c.lunar.Solar()
			if err != nil {
				t.Errorf("%d %s: %v", r.year, c.name, err)
				continue
			}
			if got := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); !got.Equal(c.solar) {
				t.Errorf("%d %s: %s is %s, published %s (line %d)", r.year, c.name, c.lunar,
					got.Format(time.DateOnly), c.solar.Format(time.DateOnly), r.line)
			}
			back, err := FromSolar(c.solar.Year(), c.solar.Month(), c.solar.Day())
			if err != nil || back != c.lunar {
				t.Errorf("%d %s: %s reads back as %s, %v", r.year, c.name, c.solar.Format(time.DateOnly), back, err)
			}
		}
	}
}

// Lunar dates printed in the Government's announcements of the Tết holidays of 2025 and 2026
// (for instance "Saturday 25 January 2025, the 26th day of the 12th lunar month"), and leap
// months: 2023 repeated month 2 (2/2 nhuận = 23 March 2023), 2020 month 4, 2025 month 6.
func TestFromSolar(t *testing.T) {
	for _, c := range []struct {
		solar string
		want  Date
	}{
		{"2025-01-25", Date{Year: 2024, Month: 12, Day: 26}},
		{"2025-01-27", Date{Year: 2024, Month: 12, Day: 28}},
		{"2025-02-02", Date{Year: 2025, Month: 1, Day: 5}},
		{"2026-02-14", Date{Year: 2025, Month: 12, Day: 27}},
		{"2026-02-16", Date{Year: 2025, Month: 12, Day: 29}},
		{"2026-02-20", Date{Year: 2026, Month: 1, Day: 4}},
		{"2026-02-22", Date{Year: 2026, Month: 1, Day: 6}},
		{"2023-03-22", Date{Year: 2023, Month: 2, Day: 1, Leap: true}},
		{"2023-03-23", Date{Year: 2023, Month: 2, Day: 2, Leap: true}},
		{"2023-04-20", Date{Year: 2023, Month: 3, Day: 1}},
		{"2020-05-23", Date{Year: 2020, Month: 4, Day: 1, Leap: true}},
		{"2025-07-25", Date{Year: 2025, Month: 6, Day: 1, Leap: true}},
	} {
		s, _ := time.Parse(time.DateOnly, c.solar)
		got, err := FromSolar(s.Year(), s.Month(), s.Day())
		if err != nil || got != c.want {
			t.Errorf("FromSolar(%s) = %s, %v; want %s", c.solar, got, err, c.want)
		}
	}
}

func TestLeapMonth(t *testing.T) {
	for year, want := range map[int]int{2017: 6, 2019: 0, 2020: 4, 2021: 0, 2023: 2, 2024: 0, 2025: 6} {
		if got := leapMonth(year); got != want {
			t.Errorf("LeapMonth(%d) = %d, want %d", year, got, want)
		}
	}
}

func TestSolarRejects(t *testing.T) {
	for _, d := range []Date{
		{Year: 2024, Month: 2, Day: 1, Leap: true}, // 2024 has no leap month
		{Year: 2023, Month: 3, Day: 1, Leap: true}, // 2023 repeats month 2, not 3
		{Year: 2024, Month: 12, Day: 30},           // 28/12 was 27 January 2025, 1/1 29 January
		{Year: 2024, Month: 0, Day: 1},
		{Year: 2024, Month: 13, Day: 1},
		{Year: 2024, Month: 1, Day: 0},
		{Year: 2024, Month: 1, Day: 31},
	} {
		if y, m, dd, err := d.Solar(); !errors.Is(err, ErrNoSuchDate) {
			t.Errorf("%s: got %d-%d-%d, %v; want ErrNoSuchDate", d, y, m, dd, err)
		}
	}
	for _, d := range []Date{{Year: 1700, Month: 1, Day: 1}, {Year: 2300, Month: 1, Day: 1}, {Year: 2199, Month: 12, Day: 1}} {
		if _, _, _, err := d.Solar(); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%s: %v, want ErrOutOfRange", d, err)
		}
	}
	if _, err := FromSolar(1799, 12, 31); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("FromSolar(1799-12-31): %v", err)
	}
	if _, err := FromSolar(2023, 2, 29); err == nil {
		t.Error("FromSolar(2023-02-29) accepted a day that does not exist")
	}
}

// TestEveryDay walks 1800-2199 day by day: each day follows the previous one in the lunar
// calendar (day+1, or day 1 of the next month after day 29 or 30), months have 29 or 30 days,
// years have 12 months or 13 with one leap month, and every day converts back to itself.
func TestEveryDay(t *testing.T) {
	if testing.Short() {
		t.Skip("walks 146,000 days")
	}
	start := julianDay(MinYear, time.January, 1)
	end := julianDay(MaxYear, time.December, 31)
	var prev Date
	for jd := start; jd <= end; jd++ {
		y, m, d := civilDate(jd)
		got, err := FromSolar(y, m, d)
		if err != nil {
			t.Fatalf("%d-%d-%d: %v", y, m, d, err)
		}
		if jd > start {
			switch {
			case got.Day == prev.Day+1 && got.Month == prev.Month && got.Leap == prev.Leap && got.Year == prev.Year:
			case got.Day == 1 && (prev.Day == 29 || prev.Day == 30) && followsMonth(prev, got):
			default:
				t.Fatalf("%d-%02d-%02d is %s after %s", y, m, d, got, prev)
			}
		}
		if got.Day == 1 && got.Month == 1 && !got.Leap && got.Year > MinYear {
			leap, months := leapMonth(got.Year-1), countMonths(got.Year-1)
			if (leap == 0 && months != 12) || (leap != 0 && months != 13) {
				t.Fatalf("lunar year %d: %d months, leap month %d", got.Year-1, months, leap)
			}
		}
		if y2, m2, d2, err := got.Solar(); err != nil || y2 != y || m2 != m || d2 != d {
			t.Fatalf("%d-%d-%d -> %s -> %d-%d-%d, %v", y, m, d, got, y2, m2, d2, err)
		}
		prev = got
	}
}

// followsMonth reports whether next's month directly follows prev's.
func followsMonth(prev, next Date) bool {
	if !prev.Leap && next.Leap {
		return next.Month == prev.Month && next.Year == prev.Year
	}
	if prev.Month == 12 {
		return next.Month == 1 && !next.Leap && next.Year == prev.Year+1
	}
	return next.Month == prev.Month+1 && !next.Leap && next.Year == prev.Year
}

// countMonths counts the months of lunar year year by converting their first days.
func countMonths(year int) int {
	n := 0
	for month := 1; month <= 12; month++ {
		for _, leap := range []bool{false, true} {
			if _, _, _, err := (Date{Year: year, Month: month, Day: 1, Leap: leap}).Solar(); err == nil {
				n++
			}
		}
	}
	return n
}

// leapMonth returns the number of the leap month of lunar year year, 0 when it has none.
func leapMonth(year int) int {
	for month := 1; month <= 12; month++ {
		if _, _, _, err := (Date{Year: year, Month: month, Day: 1, Leap: true}).Solar(); err == nil {
			return month
		}
	}
	return 0
}

func TestString(t *testing.T) {
	if got := (Date{Year: 2023, Month: 2, Day: 2, Leap: true}).String(); got != "2/2 nhuận/2023" {
		t.Errorf("leap: %q", got)
	}
	if got := (Date{Year: 2024, Month: 3, Day: 10}).String(); got != "10/3/2024" {
		t.Errorf("plain: %q", got)
	}
}

// FuzzSolarRoundTrip: any Gregorian day in range converts to a lunar date that converts back to
// the same day.
func FuzzSolarRoundTrip(f *testing.F) {
	for _, days := range []int{0, 1, 365, 73000, 83000, 83050, 146096} {
		f.Add(days)
	}
	start := julianDay(MinYear, time.January, 1)
	span := julianDay(MaxYear, time.December, 31) - start + 1
	f.Fuzz(func(t *testing.T, days int) {
		jd := start + ((days%span)+span)%span
		y, m, d := civilDate(jd)
		l, err := FromSolar(y, m, d)
		if err != nil {
			t.Fatalf("%d-%d-%d: %v", y, m, d, err)
		}
		if l.Day < 1 || l.Day > 30 || l.Month < 1 || l.Month > 12 {
			t.Fatalf("%d-%d-%d: impossible lunar date %+v", y, m, d, l)
		}
		y2, m2, d2, err := l.Solar()
		if err != nil || y2 != y || m2 != m || d2 != d {
			t.Fatalf("%d-%d-%d -> %s -> %d-%d-%d, %v", y, m, d, l, y2, m2, d2, err)
		}
	})
}

// FuzzLunarRoundTrip: any lunar date either is refused or converts to a Gregorian day that
// converts back to the same lunar date.
func FuzzLunarRoundTrip(f *testing.F) {
	f.Add(2024, 1, 1, false)
	f.Add(2023, 2, 30, true)
	f.Add(2024, 12, 30, false)
	f.Add(1800, 11, 1, false)
	f.Add(2199, 10, 29, false)
	f.Add(-5, 40, -1, true)
	f.Fuzz(func(t *testing.T, year, month, day int, leap bool) {
		l := Date{Year: year, Month: month, Day: day, Leap: leap}
		y, m, d, err := l.Solar()
		if err != nil {
			if !errors.Is(err, ErrNoSuchDate) && !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("%s: unexpected error %v", l, err)
			}
			return
		}
		back, err := FromSolar(y, m, d)
		if err != nil || back != l {
			t.Fatalf("%s -> %d-%d-%d -> %s, %v", l, y, m, d, back, err)
		}
	})
}
