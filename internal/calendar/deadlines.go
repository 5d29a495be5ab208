package calendar

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Unit is what a deadline rule counts.
type Unit string

const (
	WorkingDays  Unit = "working_days"
	CalendarDays Unit = "calendar_days"
)

// The events a deadline is counted from.
const (
	FromReceived = "received_on" // the day the petition was received
	FromAccepted = "accepted_on" // the day the complaint or denunciation was accepted (thụ lý)
)

// The rules tcd ships.
const (
	PetitionDecision       = "petition.decision"
	ComplaintResolution    = "complaint.resolution"
	DenunciationResolution = "denunciation.resolution"
)

// MaxRuleDays bounds every period of a rule: a year is far beyond any legal period, and a typo
// of 3000 days would otherwise set due dates a decade away.
const MaxRuleDays = 366

// Rule is a legal period: Days of Unit counted from the event From. A complex case gets
// ComplexDays instead when set; each extension adds ExtensionDays, at most MaxExtensions times.
type Rule struct {
	Name          string `json:"name" validate:"required"`
	Days          int    `json:"days" validate:"required"`
	Unit          Unit   `json:"unit" validate:"required"`
	From          string `json:"from" validate:"required"`
	ComplexDays   int    `json:"complex_days,omitempty"`
	ExtensionDays int    `json:"extension_days,omitempty"`
	MaxExtensions int    `json:"max_extensions,omitempty"`
}

// DefaultRules returns the periods the law sets, which an administrator may change:
//   - petition.decision: a petition is handled (accepted, guided, transferred, stored or
//     returned) within 10 working days of its receipt;
//   - complaint.resolution: 30 days from acceptance, 45 for a complex case (Law on Complaints
//     2011, Art. 28);
//   - denunciation.resolution: 30 days from acceptance, extendable by 30 days at most twice (Law
//     on Denunciations 2018, Art. 30).
func DefaultRules() []Rule {
	return []Rule{
		{Name: PetitionDecision, Days: 10, Unit: WorkingDays, From: FromReceived},
		{Name: ComplaintResolution, Days: 30, Unit: CalendarDays, From: FromAccepted, ComplexDays: 45},
		{Name: DenunciationResolution, Days: 30, Unit: CalendarDays, From: FromAccepted, ExtensionDays: 30, MaxExtensions: 2},
	}
}

// Validate checks a rule as an administrator submits it.
func (r Rule) Validate() error {
	switch {
	case r.Name == "":
		return &FieldError{"name", "is required"}
	case r.Days < 1 || r.Days > MaxRuleDays:
		return &FieldError{"days", fmt.Sprintf("must be 1-%d", MaxRuleDays)}
	case r.Unit != WorkingDays && r.Unit != CalendarDays:
		return &FieldError{"unit", fmt.Sprintf("must be %q or %q", WorkingDays, CalendarDays)}
	case r.From != FromReceived && r.From != FromAccepted:
		return &FieldError{"from", fmt.Sprintf("must be %q or %q", FromReceived, FromAccepted)}
	case r.ComplexDays < 0 || r.ComplexDays > MaxRuleDays:
		return &FieldError{"complex_days", fmt.Sprintf("must be 0 (none) or 1-%d", MaxRuleDays)}
	case r.ExtensionDays < 0 || r.ExtensionDays > MaxRuleDays:
		return &FieldError{"extension_days", fmt.Sprintf("must be 0 (none) or 1-%d", MaxRuleDays)}
	case r.MaxExtensions < 0 || r.MaxExtensions > 10:
		return &FieldError{"max_extensions", "must be 0-10"}
	case (r.ExtensionDays == 0) != (r.MaxExtensions == 0):
		return &FieldError{"max_extensions", "and extension_days must both be set or both be 0"}
	}
	return nil
}

// Rules are the deadline rules in force on a calendar.
type Rules struct {
	cal    *Calendar
	byName map[string]Rule
}

// ErrUnknownRule is returned for a rule name that is not defined.
var ErrUnknownRule = errors.New("no such deadline rule")

// NewRules returns rules on cal; names must be unique.
func NewRules(cal *Calendar, rules []Rule) (*Rules, error) {
	rs := &Rules{cal: cal, byName: make(map[string]Rule, len(rules))}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		if _, dup := rs.byName[r.Name]; dup {
			return nil, fmt.Errorf("rule %q is defined twice", r.Name)
		}
		rs.byName[r.Name] = r
	}
	return rs, nil
}

// Calendar returns the calendar the rules count on.
func (rs *Rules) Calendar() *Calendar { return rs.cal }

// List returns the rules by name.
func (rs *Rules) List() []Rule {
	out := make([]Rule, 0, len(rs.byName))
	for _, r := range rs.byName {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Rule returns the rule called name.
func (rs *Rules) Rule(name string) (Rule, bool) {
	r, ok := rs.byName[name]
	return r, ok
}

// Options are what a case adds to its rule: whether it is complex, how many times its period
// was extended.
type Options struct {
	Complex    bool
	Extensions int
}

// Due returns the last day of the period of rule name counted from the day from. A period in
// working days ends on its n-th working day after from; a period in calendar days ends n days
// after from, or on the next working day when that day is off.
func (rs *Rules) Due(name string, from Date, opts Options) (Date, error) {
	r, ok := rs.byName[name]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownRule, name)
	}
	if opts.Extensions < 0 || opts.Extensions > r.MaxExtensions {
		return 0, &FieldError{"extensions", fmt.Sprintf("must be 0-%d for %s", r.MaxExtensions, name)}
	}
	days := r.Days
	if opts.Complex && r.ComplexDays > 0 {
		days = r.ComplexDays
	}
	days += opts.Extensions * r.ExtensionDays
	if r.Unit == WorkingDays {
		return rs.cal.AddWorkingDays(from, days), nil
	}
	return rs.cal.AddCalendarDays(from, days), nil
}

// Status is where a petition stands against its deadline.
type Status string

const (
	StatusPending     Status = "pending"      // undecided, due later than DueSoonWorkingDays away
	StatusDueSoon     Status = "due_soon"     // undecided, due today or within DueSoonWorkingDays working days
	StatusOverdue     Status = "overdue"      // undecided after its due day
	StatusDecided     Status = "decided"      // decided on or before its due day
	StatusDecidedLate Status = "decided_late" // decided after its due day
)

// Status derives the status of something due on due and decided on decidedOn (nil while
// undecided), as of today. It is derived on every read, never stored: a petition turns overdue
// at midnight without anything being written. A petition due today is not yet overdue.
func (c *Calendar) Status(due Date, decidedOn *Date, today Date) Status {
	switch {
	case decidedOn != nil && *decidedOn > due:
		return StatusDecidedLate
	case decidedOn != nil:
		return StatusDecided
	case today > due:
		return StatusOverdue
	case c.DueSoon(due, today):
		return StatusDueSoon
	}
	return StatusPending
}
