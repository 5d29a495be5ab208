package calendar

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"
)

// d parses a date in a test table.
func d(s string) Date {
	date, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return date
}

func TestDate(t *testing.T) {
	for _, s := range []string{"1970-01-01", "2024-02-29", "1969-12-31", "2199-12-31", "1900-01-01"} {
		date := d(s)
		if date.String() != s {
			t.Errorf("%s prints as %s", s, date)
		}
		tm, _ := time.Parse(time.DateOnly, s)
		if date.Weekday() != tm.Weekday() {
			t.Errorf("%s: weekday %s, want %s", s, date.Weekday(), tm.Weekday())
		}
		if date.Year() != tm.Year() || !date.Time().Equal(tm) {
			t.Errorf("%s: year %d, time %s", s, date.Year(), date.Time())
		}
	}
	if d("2024-03-01")-d("2024-02-28") != 2 {
		t.Error("2024 is a leap year: 28 February to 1 March is two days")
	}
	for _, bad := range []string{"2023-02-29", "2024-13-01", "24-01-01", "2024-1-1", "", "2024-01-01T00:00:00Z"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	// 06:30 on 1 May in Vietnam is 30 April in UTC: the day is Vietnam's.
	hcm := time.FixedZone("ICT", 7*60*60)
	if got := DateOf(time.Date(2024, 5, 1, 6, 30, 0, 0, hcm)); got != d("2024-05-01") {
		t.Errorf("DateOf in UTC+7: %s", got)
	}
	var v struct {
		Due Date `json:"due"`
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-03-03"}`), &v); err != nil || v.Due != d("2026-03-03") {
		t.Fatalf("unmarshal: %v %s", err, v.Due)
	}
	if b, _ := json.Marshal(v); string(b) != `{"due":"2026-03-03"}` {
		t.Errorf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &v); err == nil {
		t.Error("unmarshal accepted 30 February")
	}
}

// TestDays checks days of the shipped calendar against what the law and the Government's
// announcements make of them.
func TestDays(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		date   string
		kind   Kind
		source Source
		reason string
	}{
		{"2026-03-04", Working, "", ""},
		{"2026-03-07", Off, SourceWeekend, "Nghỉ hằng tuần (thứ Bảy)"},
		{"2026-03-08", Off, SourceWeekend, "Nghỉ hằng tuần (Chủ nhật)"},
		// Tết by the rule (no announcement yet for 2027): the last day of the year and 1-4/1,
		// then two compensatory days for mùng 1 and 2 on the weekend.
		{"2027-02-04", Working, "", ""},
		{"2027-02-05", Off, SourceLaw, "Tết Nguyên đán (29 tháng Chạp)"},
		{"2027-02-06", Off, SourceLaw, "Tết Nguyên đán (mùng 1 tháng Giêng)"},
		{"2027-02-09", Off, SourceLaw, "Tết Nguyên đán (mùng 4 tháng Giêng)"},
		{"2027-02-10", Off, SourceCompensatory, "Nghỉ bù Tết Nguyên đán (06/02/2027 là thứ Bảy)"},
		{"2027-02-11", Off, SourceCompensatory, "Nghỉ bù Tết Nguyên đán (07/02/2027 là Chủ nhật)"},
		{"2027-02-12", Working, "", ""},
		// Hùng Kings' day on a Sunday gives the Monday.
		{"2026-04-26", Off, SourceLaw, "Giỗ Tổ Hùng Vương (mùng 10 tháng 3)"},
		{"2026-04-27", Off, SourceCompensatory, "Nghỉ bù Giỗ Tổ Hùng Vương (26/04/2026 là Chủ nhật)"},
		// Three holidays in a row over a weekend: the compensatory days queue up after 1 May.
		{"2023-05-02", Off, SourceCompensatory, "Nghỉ bù Giỗ Tổ Hùng Vương (29/04/2023 là thứ Bảy)"},
		{"2023-05-03", Off, SourceCompensatory, "Nghỉ bù Ngày Chiến thắng (30/04/2023 là Chủ nhật)"},
		{"2023-05-04", Working, "", ""},
		{"2023-01-02", Off, SourceCompensatory, "Nghỉ bù Tết Dương lịch (01/01/2023 là Chủ nhật)"},
		// The announcements win: Tết 2024 put a compensatory day before (8 February) instead of
		// the rule's 15 February; 2025 took Tết from 28/12 to 3/1.
		{"2024-02-08", Off, SourceAnnouncement, "Tết Nguyên đán (29 tháng Chạp)"},
		{"2024-02-15", Working, "", ""},
		{"2025-01-27", Off, SourceAnnouncement, "Tết Nguyên đán (28 tháng Chạp)"},
		{"2025-02-03", Working, "", ""},
		// Swaps: a Monday off, a Saturday worked.
		{"2024-04-29", Off, SourceAnnouncement, "Nghỉ hoán đổi dịp 30/4 và 1/5 (làm bù thứ Bảy 04/05/2024)"},
		{"2024-05-04", Working, SourceAnnouncement, "Làm bù cho ngày nghỉ hoán đổi 29/04/2024"},
		{"2026-01-10", Working, SourceAnnouncement, "Làm bù cho ngày nghỉ hoán đổi 02/01/2026"},
		// National Day: the law of 2019 adds one adjacent day, the rule's default the day after;
		// announcements chose the day before in 2022, 2023, 2025 and 2026.
		{"2027-09-03", Off, SourceLaw, "Quốc khánh (ngày liền kề)"},
		{"2026-09-01", Off, SourceAnnouncement, "Quốc khánh (ngày liền kề)"},
		{"2026-09-03", Working, "", ""},
		{"2022-09-05", Working, "", ""},
		{"2023-09-04", Off, SourceAnnouncement, "Nghỉ bù Quốc khánh (02/09/2023 là thứ Bảy)"},
		// Before 2021 the Labour Code of 2012 gave 2 September alone.
		{"2020-09-02", Off, SourceLaw, "Quốc khánh"},
		{"2020-09-03", Working, "", ""},
		// Outside the years the lunar calendar covers only weekends count.
		{"1850-01-01", Working, "", ""},
	} {
		got := c.Day(d(tc.date))
		if got.Kind != tc.kind || got.Source != tc.source || got.Reason != tc.reason {
			t.Errorf("%s: %s/%s %q, want %s/%s %q", tc.date, got.Kind, got.Source, got.Reason, tc.kind, tc.source, tc.reason)
		}
		if c.IsWorkingDay(d(tc.date)) != (tc.kind == Working) {
			t.Errorf("%s: IsWorkingDay disagrees with Day", tc.date)
		}
	}
}

// TestRuleWithoutAnnouncements: the same years by the law alone, which is what an
// unannounced year gets. 2024: Tết 9-13 February, mùng 1 and 2 on the weekend, so 14 and 15 off.
func TestRuleWithoutAnnouncements(t *testing.T) {
	h := DefaultHolidays()
	h.Announcements = nil
	c, err := New(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	off := []string{"2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14", "2024-02-15", "2024-05-04", "2022-09-02", "2022-09-05", "2025-01-28", "2025-02-03"}
	working := []string{"2024-02-08", "2024-02-16", "2024-04-29", "2022-09-01", "2025-01-27"}
	for _, s := range off {
		if c.IsWorkingDay(d(s)) {
			t.Errorf("%s should be off by the rule", s)
		}
	}
	for _, s := range working {
		if !c.IsWorkingDay(d(s)) {
			t.Errorf("%s should be a working day by the rule, is %+v", s, c.Day(d(s)))
		}
	}
}

// TestAdjacentDayIsData: which day sits beside 2 September is data, not code.
func TestAdjacentDayIsData(t *testing.T) {
	h := DefaultHolidays()
	h.Announcements = nil
	law := &h.Laws[len(h.Laws)-1]
	for i := range law.Holidays {
		if law.Holidays[i].Key == "national_day" {
			law.Holidays[i].DaysBefore, law.Holidays[i].DaysAfter = 1, 0
		}
	}
	c, err := New(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkingDay(d("2027-09-03")) || c.IsWorkingDay(d("2027-09-01")) {
		t.Error("with days_before 1, 1 September 2027 is off and 3 September worked")
	}
}

func TestOverrides(t *testing.T) {
	c, err := New(DefaultHolidays(), []Override{
		{Date: d("2027-05-08"), Kind: Working, Reason: "Làm bù theo thông báo"},
		{Date: d("2027-05-07"), Kind: Off, Reason: "Nghỉ theo quyết định của UBND tỉnh"},
		{Date: d("2024-05-04"), Kind: Off, Reason: "Đơn vị không làm bù"}, // over an announcement
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		date string
		kind Kind
	}{{"2027-05-08", Working}, {"2027-05-07", Off}, {"2024-05-04", Off}} {
		if got := c.Day(d(tc.date)); got.Kind != tc.kind || got.Source != SourceAdmin {
			t.Errorf("%s: %+v, want %s by admin", tc.date, got, tc.kind)
		}
	}
	if !Default().IsWorkingDay(d("2027-05-07")) {
		t.Error("overrides leak into another calendar")
	}

	for _, tc := range []struct {
		overrides []Override
		field     string
	}{
		{[]Override{{Date: d("2027-05-08"), Kind: "holiday", Reason: "x"}}, "kind"},
		{[]Override{{Date: d("2027-05-08"), Kind: Off}}, "reason"},
		{[]Override{{Date: d("1850-05-08"), Kind: Off, Reason: "x"}}, "date"},
		{[]Override{{Date: d("2027-05-08"), Kind: Off, Reason: "x"}, {Date: d("2027-05-08"), Kind: Working, Reason: "y"}}, "date"},
	} {
		_, err := New(DefaultHolidays(), tc.overrides)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%+v: %v, want a FieldError on %s", tc.overrides, err, tc.field)
		}
	}
}

func TestHolidaysValidate(t *testing.T) {
	for name, mutate := range map[string]func(*Holidays){
		"no law":                 func(h *Holidays) { h.Laws = nil },
		"laws out of order":      func(h *Holidays) { h.Laws[0], h.Laws[1] = h.Laws[1], h.Laws[0] },
		"unknown holiday":        func(h *Holidays) { h.Announcements[0].Holiday = "christmas" },
		"no source":              func(h *Holidays) { h.Announcements[0].Source = "" },
		"date in another year":   func(h *Holidays) { h.Announcements[0].Off[0].Date = d("2030-01-01") },
		"day announced twice":    func(h *Holidays) { h.Announcements[1].Off[0] = h.Announcements[0].Off[0] },
		"swap without a reason":  func(h *Holidays) { h.Announcements[5].Off[0].Reason = "" },
		"worked without reason":  func(h *Holidays) { h.Announcements[5].Working[0].Reason = "" },
		"holiday on 13th month":  func(h *Holidays) { h.Laws[0].Holidays[0].Month = 13 },
		"duplicate holiday key":  func(h *Holidays) { h.Laws[0].Holidays[1].Key = h.Laws[0].Holidays[0].Key },
		"announcement of no day": func(h *Holidays) { h.Announcements[0].Off = nil },
	} {
		h := DefaultHolidays()
		mutate(&h)
		if _, err := New(h, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestYear(t *testing.T) {
	days := Default().Year(2026)
	weekends, holidays := 0, map[Source]int{}
	for i, day := range days {
		if i > 0 && day.Date <= days[i-1].Date {
			t.Fatalf("not in date order at %s", day.Date)
		}
		if day.Date.Year() != 2026 {
			t.Fatalf("%s is not in 2026", day.Date)
		}
		if day.Source == SourceWeekend {
			weekends++
		} else {
			holidays[day.Source]++
		}
		if day.Reason == "" {
			t.Errorf("%s has no reason", day.Date)
		}
	}
	// 2026 has 52 Saturdays and 52 Sundays, less the worked Saturdays 10 January and
	// 22 August; the Sunday of Hùng Kings' day counts as that holiday.
	if weekends != 104-2-1 {
		t.Errorf("%d plain weekend days, want 101", weekends)
	}
	// New Year 1 January (law) and 2 January (swap); Tết 16-20 February; Hùng Kings' day and its
	// Monday; 30 April and 1 May; 31 August (swap), 1 and 2 September; 10 January and 22 August
	// worked.
	want := map[Source]int{SourceLaw: 4, SourceCompensatory: 1, SourceAnnouncement: 5 + 2 + 2 + 2}
	for s, n := range want {
		if holidays[s] != n {
			t.Errorf("%d days of source %s, want %d (%v)", holidays[s], s, n, holidays)
		}
	}
}

// TestConcurrentUse reads one calendar from many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	c := Default()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 400 {
				c.AddWorkingDays(d("2020-01-01")+Date(g*400+i), 10)
			}
		})
	}
	wg.Wait()
}

// TestAnnouncementsWin: every day an announcement names is as it says in the shipped calendar,
// whatever the rule would have made of it.
func TestAnnouncementsWin(t *testing.T) {
	c := Default()
	for _, a := range DefaultHolidays().Announcements {
		for _, e := range a.Off {
			if day := c.Day(e.Date); day.Kind != Off || day.Source != SourceAnnouncement {
				t.Errorf("%s (%s): %+v", e.Date, a.Source, day)
			}
		}
		for _, e := range a.Working {
			if day := c.Day(e.Date); day.Kind != Working || day.Source != SourceAnnouncement {
				t.Errorf("%s (%s): %+v", e.Date, a.Source, day)
			}
		}
	}
}
