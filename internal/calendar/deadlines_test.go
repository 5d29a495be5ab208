package calendar

import (
	"errors"
	"testing"
)

func defaultRules(t *testing.T, cal *Calendar) *Rules {
	t.Helper()
	rs, err := NewRules(cal, DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestDue(t *testing.T) {
	swapped, err := New(DefaultHolidays(), []Override{{Date: d("2027-05-08"), Kind: Working, Reason: "Làm bù thứ Bảy"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cal  *Calendar
		rule string
		from string
		opts Options
		want string
	}{
		{"an ordinary fortnight: 10 working days from a Monday end on the second Monday after",
			Default(), PetitionDecision, "2026-03-09", Options{}, "2026-03-23"},
		{"the day of receipt is not counted, even when it is a day off",
			Default(), PetitionDecision, "2026-03-08", Options{}, "2026-03-20"},
		// 11, 12, 13 February, then Tết 14-22 (weekends, 29/12 to 4/1), then 23 February on.
		{"across Tết", Default(), PetitionDecision, "2026-02-10", Options{}, "2026-03-03"},
		// 21-24 April, Hùng Kings' day on Sunday 26 with Monday 27 off, 28-29, 30 April-3 May off.
		{"across Hùng Kings' day and 30 April", Default(), PetitionDecision, "2026-04-20", Options{}, "2026-05-07"},
		// 1 May 2027 is a Saturday: Monday 3 May is off in its place.
		{"a holiday on a weekend", Default(), PetitionDecision, "2027-04-28", Options{}, "2027-05-14"},
		{"an admin swap makes Saturday 8 May 2027 a working day", swapped, PetitionDecision, "2027-04-28", Options{}, "2027-05-13"},
		// 2024: Monday 29 April off, Saturday 4 May worked in exchange.
		{"the shipped swap of 2024", Default(), PetitionDecision, "2024-04-25", Options{}, "2024-05-13"},
		{"30 calendar days ending on a working day", Default(), ComplaintResolution, "2026-03-02", Options{}, "2026-04-01"},
		// 16 January + 30 = Sunday 15 February; 16-20 are Tết, 21-22 a weekend.
		{"30 calendar days ending on a day off end on the next working day",
			Default(), ComplaintResolution, "2026-01-16", Options{}, "2026-02-23"},
		{"a complex complaint has 45 days", Default(), ComplaintResolution, "2026-03-02", Options{Complex: true}, "2026-04-16"},
		{"a denunciation", Default(), DenunciationResolution, "2026-03-02", Options{}, "2026-04-01"},
		{"a denunciation extended twice: 90 days", Default(), DenunciationResolution, "2026-03-02", Options{Extensions: 2}, "2026-06-01"},
		{"complex means nothing to a denunciation's period", Default(), DenunciationResolution, "2026-03-02", Options{Complex: true}, "2026-04-01"},
	} {
		got, err := defaultRules(t, tc.cal).Due(tc.rule, d(tc.from), tc.opts)
		if err != nil || got != d(tc.want) {
			t.Errorf("%s: %s from %s = %s, %v; want %s", tc.name, tc.rule, tc.from, got, err, tc.want)
		}
	}
}

func TestDueRejects(t *testing.T) {
	rs := defaultRules(t, Default())
	if _, err := rs.Due("petition.answer", d("2026-03-02"), Options{}); !errors.Is(err, ErrUnknownRule) {
		t.Errorf("unknown rule: %v", err)
	}
	for _, tc := range []struct {
		rule string
		ext  int
	}{{DenunciationResolution, 3}, {DenunciationResolution, -1}, {ComplaintResolution, 1}} {
		_, err := rs.Due(tc.rule, d("2026-03-02"), Options{Extensions: tc.ext})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "extensions" {
			t.Errorf("%s with %d extensions: %v", tc.rule, tc.ext, err)
		}
	}
}

// TestRulesAreData: an administrator's change to a rule moves the due dates.
func TestRulesAreData(t *testing.T) {
	rules := DefaultRules()
	rules[0].Days, rules[0].Unit = 15, CalendarDays
	rs, err := NewRules(Default(), rules)
	if err != nil {
		t.Fatal(err)
	}
	// 10 February + 15 days = 25 February, a Wednesday after Tết.
	if got, _ := rs.Due(PetitionDecision, d("2026-02-10"), Options{}); got != d("2026-02-25") {
		t.Errorf("15 calendar days: %s", got)
	}
	r, ok := rs.Rule(PetitionDecision)
	if !ok || r.Days != 15 {
		t.Errorf("Rule: %+v %v", r, ok)
	}
	list := rs.List()
	if len(list) != 3 || list[0].Name != ComplaintResolution || list[2].Name != PetitionDecision {
		t.Errorf("List is not the three rules by name: %+v", list)
	}
}

func TestRuleValidate(t *testing.T) {
	ok := Rule{Name: "x", Days: 10, Unit: WorkingDays, From: FromReceived}
	for field, r := range map[string]Rule{
		"name":           {Days: 10, Unit: WorkingDays, From: FromReceived},
		"days":           {Name: "x", Days: 0, Unit: WorkingDays, From: FromReceived},
		"unit":           {Name: "x", Days: 10, Unit: "weeks", From: FromReceived},
		"from":           {Name: "x", Days: 10, Unit: WorkingDays, From: "decided_on"},
		"complex_days":   {Name: "x", Days: 10, Unit: WorkingDays, From: FromReceived, ComplexDays: MaxRuleDays + 1},
		"extension_days": {Name: "x", Days: 10, Unit: WorkingDays, From: FromReceived, ExtensionDays: -1},
		"max_extensions": {Name: "x", Days: 10, Unit: WorkingDays, From: FromReceived, ExtensionDays: 30},
	} {
		var fe *FieldError
		if err := r.Validate(); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%+v: %v, want an error on %s", r, err, field)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
	for _, r := range DefaultRules() {
		if err := r.Validate(); err != nil {
			t.Errorf("default %s: %v", r.Name, err)
		}
	}
	if _, err := NewRules(Default(), []Rule{ok, ok}); err == nil {
		t.Error("a rule defined twice was accepted")
	}
	if _, err := NewRules(Default(), []Rule{{Name: "x"}}); err == nil {
		t.Error("an invalid rule was accepted")
	}
}

// TestStatus follows one petition through its life on a fixed clock: received Tuesday
// 10 February 2026, due Tuesday 3 March (10 working days, Tết in between).
func TestStatus(t *testing.T) {
	c := Default()
	due, _ := defaultRules(t, c).Due(PetitionDecision, d("2026-02-10"), Options{})
	if due != d("2026-03-03") {
		t.Fatalf("due %s", due)
	}
	decided := func(s string) *Date { date := d(s); return &date }
	for _, tc := range []struct {
		today   string
		decided *Date
		want    Status
	}{
		{"2026-02-10", nil, StatusPending},
		{"2026-02-18", nil, StatusPending}, // in the Tết break, 7 working days left
		{"2026-02-25", nil, StatusPending}, // Wednesday: 4 working days left
		{"2026-02-26", nil, StatusDueSoon}, // Thursday: 27/2, 2/3, 3/3
		{"2026-02-28", nil, StatusDueSoon}, // Saturday: 2/3, 3/3
		{"2026-03-03", nil, StatusDueSoon}, // due today, not yet overdue
		{"2026-03-04", nil, StatusOverdue}, // the day after
		{"2026-06-01", nil, StatusOverdue}, // still undecided months later
		{"2026-03-04", decided("2026-02-20"), StatusDecided},
		{"2026-03-04", decided("2026-03-03"), StatusDecided},
		{"2026-03-04", decided("2026-03-04"), StatusDecidedLate},
		{"2026-02-26", decided("2026-02-26"), StatusDecided}, // a decision ends "due soon"
	} {
		if got := c.Status(due, tc.decided, d(tc.today)); got != tc.want {
			t.Errorf("today %s, decided %v: %s, want %s", tc.today, tc.decided, got, tc.want)
		}
	}
}

func TestWorkingDayArithmetic(t *testing.T) {
	c := Default()
	if got := c.AddWorkingDays(d("2026-03-03"), -10); got != d("2026-02-10") {
		t.Errorf("10 working days back from 3 March 2026: %s", got)
	}
	if got := c.AddWorkingDays(d("2026-02-15"), 0); got != d("2026-02-15") {
		t.Errorf("0 working days: %s", got)
	}
	if got := c.WorkingDaysBetween(d("2026-02-10"), d("2026-03-03")); got != 10 {
		t.Errorf("working days 10/2-3/3: %d", got)
	}
	if got := c.WorkingDaysBetween(d("2026-03-03"), d("2026-02-10")); got != 0 {
		t.Errorf("backwards span: %d", got)
	}
	if got := c.WorkingDayOnOrAfter(d("2026-02-14")); got != d("2026-02-23") {
		t.Errorf("first working day from 14 February 2026: %s", got)
	}
	if got := c.WorkingDayOnOrAfter(d("2026-02-23")); got != d("2026-02-23") {
		t.Errorf("a working day is its own: %s", got)
	}
	if c.DueSoon(d("2026-03-02"), d("2026-03-03")) {
		t.Error("a deadline already past is not due soon")
	}
	// On Friday 13 February 2026 the next three working days are 23, 24 and 25 February.
	if got := c.DueSoonUntil(d("2026-02-13")); got != d("2026-02-25") {
		t.Errorf("due soon until %s", got)
	}
	// Property: WorkingDaysBetween(D, AddWorkingDays(D, n)) == n, and the result is a working day.
	for from := d("2020-01-01"); from < d("2030-01-01"); from += 7 {
		for _, n := range []int{1, 3, 10, 22} {
			due := c.AddWorkingDays(from, n)
			if !c.IsWorkingDay(due) || c.WorkingDaysBetween(from, due) != n || c.WorkingDaysBetween(from, due-1) != n-1 {
				t.Fatalf("%d working days from %s: %s", n, from, due)
			}
		}
	}
}
