package registry

import (
	"context"
	"sync"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/calendar"
)

// The deadlines of the register (a petition's decision, a complaint's or denunciation's
// resolution) are counted by internal/calendar on the working-day calendar with the
// administrator's days, under the deadline rules an administrator may change. Due dates are
// stored beside the records so that lists and the deadlines report select on them; every change
// of the calendar or of a rule writes them again in its own transaction (recomputeDue). Statuses
// are derived on every read from the due date, the decision and today.

// deadlineBook holds the calendar and rules in force in this process. Every replica of the
// service compares the version it loaded with calendar_version, which each change bumps, and
// reloads when it moved: a change made through one replica holds on all of them at once.
type deadlineBook struct {
	mu      sync.Mutex
	version int64
	rules   *calendar.Rules // nil until first loaded
}

// deadlines returns the calendar's rules in force, reading the stored days and rules again
// when another request changed them since they were loaded.
func (s *Service) deadlines(ctx context.Context, db *gorm.DB) (*calendar.Rules, error) {
	var version int64
	if err := db.WithContext(ctx).Table("calendar_version").Select("version").Where("id = 1").Scan(&version).Error; err != nil {
		return nil, err
	}
	b := &s.book
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rules != nil && b.version == version {
		return b.rules, nil
	}
	rules, err := loadDeadlines(ctx, db)
	if err != nil {
		return nil, err
	}
	b.rules, b.version = rules, version
	return rules, nil
}

// calendarDayRow is an administrator's day of the calendar.
type calendarDayRow struct {
	Date   string
	Kind   string
	Reason string
}

func (calendarDayRow) TableName() string { return "calendar_days" }

// deadlineRuleRow is a deadline rule an administrator changed.
type deadlineRuleRow struct {
	Name          string
	Days          int
	Unit          string
	FromEvent     string
	ComplexDays   int
	ExtensionDays int
	MaxExtensions int
}

func (deadlineRuleRow) TableName() string { return "deadline_rules" }

// loadDeadlines builds the calendar with the stored administrator's days, and the rules: the
// shipped defaults, each replaced by its stored version when an administrator changed it.
func loadDeadlines(ctx context.Context, db *gorm.DB) (*calendar.Rules, error) {
	var days []calendarDayRow
	if err := db.WithContext(ctx).Order("date").Find(&days).Error; err != nil {
		return nil, err
	}
	overrides := make([]calendar.Override, len(days))
	for i, d := range days {
		date, err := calendar.ParseDate(d.Date)
		if err != nil {
			return nil, err
		}
		overrides[i] = calendar.Override{Date: date, Kind: calendar.Kind(d.Kind), Reason: d.Reason}
	}
	cal, err := calendar.New(calendar.DefaultHolidays(), overrides)
	if err != nil {
		return nil, err
	}
	var stored []deadlineRuleRow
	if err := db.WithContext(ctx).Find(&stored).Error; err != nil {
		return nil, err
	}
	rules := calendar.DefaultRules()
	for _, r := range stored {
		rule := calendar.Rule{Name: r.Name, Days: r.Days, Unit: calendar.Unit(r.Unit), From: r.FromEvent,
			ComplexDays: r.ComplexDays, ExtensionDays: r.ExtensionDays, MaxExtensions: r.MaxExtensions}
		for i := range rules {
			if rules[i].Name == r.Name {
				rules[i] = rule
			}
		}
	}
	return calendar.NewRules(cal, rules)
}

// resolutionRule is the rule of a case's resolution by its category: only complaints and
// denunciations have one.
func resolutionRule(category string) (string, bool) {
	switch category {
	case "complaint":
		return calendar.ComplaintResolution, true
	case denunciation:
		return calendar.DenunciationResolution, true
	}
	return "", false
}

// resolutionDue is the due date of a case's resolution, nil when the case is not under
// resolution (not accepted, or of a category without a period).
func resolutionDue(rules *calendar.Rules, row *caseRow) (*string, error) {
	name, ok := resolutionRule(row.Category)
	if !ok || row.AcceptedOn == nil {
		return nil, nil
	}
	from, err := calendar.ParseDate(*row.AcceptedOn)
	if err != nil {
		return nil, err
	}
	// a rule since changed to allow fewer extensions than a case was granted counts those it
	// still allows: the case stays readable and due, and PATCH refuses the excess from then on
	rule, _ := rules.Rule(name)
	due, err := rules.Due(name, from, calendar.Options{Complex: row.Complex, Extensions: min(row.Extensions, rule.MaxExtensions)})
	if err != nil {
		return nil, err
	}
	out := due.String()
	return &out, nil
}

// petitionDue is the due date of the decision on a petition received on receivedOn.
func petitionDue(rules *calendar.Rules, receivedOn string) (string, error) {
	from, err := calendar.ParseDate(receivedOn)
	if err != nil {
		return "", err
	}
	due, err := rules.Due(calendar.PetitionDecision, from, calendar.Options{})
	return due.String(), err
}

// recomputeDue writes, in tx, every stored due date again under rules: after a change of the
// calendar or of a rule. The dates are computed once per distinct starting point (a register
// receives petitions on a few thousand distinct days at most), each written with one UPDATE
// that touches only the rows whose date moved.
func recomputeDue(ctx context.Context, tx *gorm.DB, rules *calendar.Rules) error {
	db := tx.WithContext(ctx)
	var received []string
	if err := db.Table("petitions").Distinct("received_on").Pluck("received_on", &received).Error; err != nil {
		return err
	}
	for _, day := range received {
		due, err := petitionDue(rules, day)
		if err != nil {
			return err
		}
		if err := db.Exec("UPDATE petitions SET due_on = ? WHERE received_on = ? AND due_on <> ?", due, day, due).Error; err != nil {
			return err
		}
	}
	var groups []caseRow
	if err := db.Table("cases").Distinct("accepted_on", "category", "complex", "extensions").
		Where("accepted_on IS NOT NULL AND category IN ?", []string{"complaint", denunciation}).Find(&groups).Error; err != nil {
		return err
	}
	for i := range groups {
		due, err := resolutionDue(rules, &groups[i])
		if err != nil {
			return err
		}
		g := groups[i]
		if err := db.Exec(`UPDATE cases SET resolution_due_on = ? WHERE accepted_on = ? AND category = ? AND complex = ? AND extensions = ?
			AND (resolution_due_on IS NULL OR resolution_due_on <> ?)`, due, g.AcceptedOn, g.Category, g.Complex, g.Extensions, due).Error; err != nil {
			return err
		}
	}
	return nil
}

// todayDate is today in the organisation's time zone, as the calendar counts days.
func (s *Service) todayDate() calendar.Date { return calendar.DateOf(s.now().In(s.cfg.Location)) }
