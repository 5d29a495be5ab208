package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/calendar"
	"github.com/tcd-registry/tcd/internal/validate"
)

// CalendarYear lists every day off of year (weekends included) and every weekend day made a
// working day, each with its reason and source, as the calendar in force has them.
func (s *Service) CalendarYear(ctx context.Context, year int) ([]calendar.Day, error) {
	if year < calendar.MinYear || year > calendar.MaxYear {
		return nil, apperr.Field("year", "must be %d-%d", calendar.MinYear, calendar.MaxYear)
	}
	rules, err := s.deadlines(ctx, s.store.DB)
	if err != nil {
		return nil, err
	}
	return rules.Calendar().Year(year), nil
}

// CalendarDayInput is the body of PUT /calendar/days/{date}.
type CalendarDayInput struct {
	Kind   string `json:"kind" validate:"required,vocab" vocab:"calendar_day.kind" enums:"off,working"`
	Reason string `json:"reason" validate:"required,max=300" example:"Nghỉ hoán đổi, làm bù thứ Bảy 10/01/2026"`
}

// SetCalendarDay makes date a day off or a working day, whatever the law and the shipped
// announcements say, and moves every due date that depends on it, in one transaction.
func (s *Service) SetCalendarDay(ctx context.Context, actor auth.Actor, date string, in CalendarDayInput) (calendar.Day, error) {
	d, err := calendar.ParseDate(date)
	if err != nil {
		return calendar.Day{}, apperr.Field("date", "%s", err.Error())
	}
	if err := validate.Struct(in); err != nil {
		return calendar.Day{}, err
	}
	o := calendar.Override{Date: d, Kind: calendar.Kind(in.Kind), Reason: in.Reason}
	if err := fieldError(o.Validate()); err != nil {
		return calendar.Day{}, err
	}
	err = s.changeCalendar(ctx, actor, "set", "calendar_day", d.String(), map[string]any{"kind": in.Kind, "reason": in.Reason},
		func(tx *gorm.DB) error {
			row := map[string]any{"date": d.String(), "kind": in.Kind, "reason": in.Reason, "updated_at": s.now()}
			if err := tx.Exec("DELETE FROM calendar_days WHERE date = ?", d.String()).Error; err != nil {
				return err
			}
			return tx.Table("calendar_days").Create(row).Error
		})
	if err != nil {
		return calendar.Day{}, err
	}
	return calendar.Day{Date: d, Kind: o.Kind, Reason: o.Reason, Source: calendar.SourceAdmin}, nil
}

// ClearCalendarDay removes an administrator's day: date is again what the law and the
// announcements make it. 404 when no administrator's day is recorded for it.
func (s *Service) ClearCalendarDay(ctx context.Context, actor auth.Actor, date string) error {
	d, err := calendar.ParseDate(date)
	if err != nil {
		return apperr.Field("date", "%s", err.Error())
	}
	return s.changeCalendar(ctx, actor, "delete", "calendar_day", d.String(), nil, func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM calendar_days WHERE date = ?", d.String())
		if res.Error == nil && res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "no administrator's day on %s", d)
		}
		return res.Error
	})
}

// DeadlineRules lists the rules in force by name.
func (s *Service) DeadlineRules(ctx context.Context) ([]calendar.Rule, error) {
	rules, err := s.deadlines(ctx, s.store.DB)
	if err != nil {
		return nil, err
	}
	return rules.List(), nil
}

// RulePatch is the body of PATCH /deadline-rules/{name}: only the fields present change.
type RulePatch struct {
	Days          validate.Optional[int]    `json:"days" validate:"omitnil,gte=1,lte=366" swaggertype:"integer"`
	Unit          validate.Optional[string] `json:"unit" validate:"omitempty,vocab" vocab:"deadline_rule.unit" enums:"working_days,calendar_days" swaggertype:"string"`
	From          validate.Optional[string] `json:"from" validate:"omitempty,vocab" vocab:"deadline_rule.from" enums:"received_on,accepted_on" swaggertype:"string"`
	ComplexDays   validate.Optional[int]    `json:"complex_days" validate:"omitnil,gte=0,lte=366" swaggertype:"integer"`
	ExtensionDays validate.Optional[int]    `json:"extension_days" validate:"omitnil,gte=0,lte=366" swaggertype:"integer"`
	MaxExtensions validate.Optional[int]    `json:"max_extensions" validate:"omitnil,gte=0,lte=10" swaggertype:"integer"`
}

// UpdateDeadlineRule changes a rule and moves every due date it sets, in one transaction.
func (s *Service) UpdateDeadlineRule(ctx context.Context, actor auth.Actor, name string, in RulePatch) (calendar.Rule, error) {
	if err := validate.Struct(in); err != nil {
		return calendar.Rule{}, err
	}
	var out calendar.Rule
	err := s.store.Tx(ctx, func(tx *gorm.DB) error {
		current, err := loadDeadlines(ctx, tx)
		if err != nil {
			return err
		}
		rule, ok := current.Rule(name)
		if !ok {
			return apperr.New(apperr.NotFound, "no deadline rule %q", name)
		}
		before := rule
		var fe apperr.Fields
		setValue(&fe, "days", &rule.Days, in.Days)
		if in.Unit.Set && in.Unit.Value != nil {
			rule.Unit = calendar.Unit(*in.Unit.Value)
		} else if in.Unit.Null() {
			fe.Add("unit", "cannot be null: it always has a value")
		}
		setValue(&fe, "from", &rule.From, in.From)
		setValue(&fe, "complex_days", &rule.ComplexDays, in.ComplexDays)
		setValue(&fe, "extension_days", &rule.ExtensionDays, in.ExtensionDays)
		setValue(&fe, "max_extensions", &rule.MaxExtensions, in.MaxExtensions)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := fieldError(rule.Validate()); err != nil {
			return err
		}
		out = rule
		return s.changeCalendarIn(ctx, tx, actor, "update", "deadline_rule", name, map[string]any{"from": before, "to": rule}, func(tx *gorm.DB) error {
			if err := tx.Exec("DELETE FROM deadline_rules WHERE name = ?", name).Error; err != nil {
				return err
			}
			return tx.Table("deadline_rules").Create(map[string]any{"name": rule.Name, "days": rule.Days, "unit": string(rule.Unit),
				"from_event": rule.From, "complex_days": rule.ComplexDays, "extension_days": rule.ExtensionDays,
				"max_extensions": rule.MaxExtensions, "updated_at": s.now()}).Error
		})
	})
	return out, err
}

// changeCalendar runs write in its own transaction with changeCalendarIn.
func (s *Service) changeCalendar(ctx context.Context, actor auth.Actor, action, entity, id string, changes map[string]any, write func(tx *gorm.DB) error) error {
	return s.store.Tx(ctx, func(tx *gorm.DB) error {
		return s.changeCalendarIn(ctx, tx, actor, action, entity, id, changes, write)
	})
}

// changeCalendarIn applies a change of the calendar or of a rule in tx: the version moves first
// (on PostgreSQL its row lock queues concurrent changes, so each recomputes on the other's
// result), then write, then every stored due date is computed again on the new calendar and the
// change is audited. Every replica reloads on its next read of the version.
func (s *Service) changeCalendarIn(ctx context.Context, tx *gorm.DB, actor auth.Actor, action, entity, id string, changes map[string]any,
	write func(tx *gorm.DB) error) error {
	db := tx.WithContext(ctx)
	if err := db.Exec("UPDATE calendar_version SET version = version + 1 WHERE id = 1").Error; err != nil {
		return err
	}
	if err := write(db); err != nil {
		return err
	}
	rules, err := loadDeadlines(ctx, db)
	if err != nil {
		return err
	}
	if err := recomputeDue(ctx, db, rules); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, action, entity, id, changes)
}

// fieldError turns the calendar's input errors into the API's (422 naming the field).
func fieldError(err error) error {
	var fe *calendar.FieldError
	if errors.As(err, &fe) {
		return apperr.Field(fe.Field, "%s", fe.Message)
	}
	return err
}

// Deadline is one thing due in the deadlines report: a petition to decide, a case under
// resolution or a directive letter awaiting its reply. It carries numbers and dates only, no
// personal data.
type Deadline struct {
	Kind   string `json:"kind" vocab:"deadline.kind" enums:"petition,case,directive"`
	ID     string `json:"id"`
	OrgID  string `json:"org_id"`
	Number string `json:"number" example:"DON-2026-000012"` // the petition's or case's code, the letter's number
	DueOn  string `json:"due_on" example:"2026-03-03"`
	Status string `json:"status" vocab:"deadline.due" enums:"due_soon,overdue"`
}

// DeadlineFilter narrows Deadlines; the json names are the query parameters.
type DeadlineFilter struct {
	Status string `json:"status" validate:"omitempty,vocab" vocab:"deadline.due" enums:"due_soon,overdue"` // both when empty
	OrgID  string `json:"org" validate:"max=100"`                                                          // that organisation's subtree; default the caller's
}

// deadlineLimit bounds the deadlines report: a board with more than this many things due soon
// or overdue needs its lists by status, not one page.
const deadlineLimit = 2000

// Deadlines lists what is due soon (today to DueSoonWorkingDays working days on) or overdue, in
// the caller's subtree or org's: undecided petitions, open cases under resolution and
// unanswered directive letters, ordered by due date.
func (s *Service) Deadlines(ctx context.Context, actor auth.Actor, f DeadlineFilter) ([]Deadline, error) {
	if err := validate.Struct(f); err != nil {
		return nil, err
	}
	db := s.store.DB.WithContext(ctx)
	path, err := s.subtreePath(ctx, db, actor, f.OrgID)
	if err != nil {
		return nil, err
	}
	rules, err := s.deadlines(ctx, db)
	if err != nil {
		return nil, err
	}
	today := s.todayDate()
	from, to := "0000-00-00", rules.Calendar().DueSoonUntil(today).String()
	switch f.Status {
	case string(calendar.StatusOverdue):
		to = (today - 1).String()
	case string(calendar.StatusDueSoon):
		from = today.String()
	}
	var out []Deadline
	for _, src := range deadlineSources {
		var rows []Deadline
		err := db.Raw(`SELECT '`+src.kind+`' AS kind, t.id, t.org_id, t.`+src.number+` AS number, t.`+src.due+` AS due_on
			FROM `+src.table+` t JOIN orgs o ON o.id = t.org_id
			WHERE t.voided_at IS NULL AND `+src.open+` AND t.`+src.due+` >= ? AND t.`+src.due+` <= ? AND o.path LIKE ?
			ORDER BY t.`+src.due+` LIMIT ?`, from, to, path+"%", deadlineLimit).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	slices.SortStableFunc(out, func(a, b Deadline) int { return cmp.Or(cmp.Compare(a.DueOn, b.DueOn), cmp.Compare(a.Kind, b.Kind)) })
	for i := range out {
		out[i].Status = string(calendar.StatusDueSoon)
		if out[i].DueOn < today.String() {
			out[i].Status = string(calendar.StatusOverdue)
		}
	}
	return out[:min(len(out), deadlineLimit)], nil
}

// deadlineSources are the tables the deadlines report reads: what is still open in each, and
// which columns hold its due date and its number.
var deadlineSources = []struct{ kind, table, due, number, open string }{
	{"petition", "petitions", "due_on", "code", "t.decided_on IS NULL"},
	{"case", "cases", "resolution_due_on", "code", "t.resolution_due_on IS NOT NULL AND t.status = 'open' AND t.merged_into IS NULL"},
	{"directive", "directives", "due_on", "number", "t.replied_on IS NULL AND t.due_on IS NOT NULL"},
}

// subtreePath is the path of the subtree a report covers: org's, which the actor must reach, or
// the actor's own (every organisation for an unscoped actor).
func (s *Service) subtreePath(ctx context.Context, db *gorm.DB, actor auth.Actor, org string) (string, error) {
	if org == "" {
		return actor.OrgPath, nil
	}
	var path string
	if err := db.Table("orgs").Select("path").Where("id = ?", org).Scan(&path).Error; err != nil {
		return "", err
	}
	if path == "" || !actor.Reaches(path) {
		return "", apperr.New(apperr.Forbidden, "the organisation %q is outside the caller's subtree", org)
	}
	return path, nil
}

// DeadlineCount is how many things of a kind are due soon or overdue in one organisation.
type DeadlineCount struct {
	OrgCode string
	Kind    string
	Status  string
	N       int
}

// DeadlineCounts counts, per organisation, kind and status, what the deadlines report lists:
// the /metrics gauges (counts only).
func (s *Service) DeadlineCounts(ctx context.Context) ([]DeadlineCount, error) {
	db := s.store.DB.WithContext(ctx)
	rules, err := s.deadlines(ctx, db)
	if err != nil {
		return nil, err
	}
	today := s.todayDate()
	soon := rules.Calendar().DueSoonUntil(today).String()
	var out []DeadlineCount
	for _, src := range deadlineSources {
		var rows []DeadlineCount
		err := db.Raw(`SELECT org_code, kind, status, COUNT(*) AS n FROM (
				SELECT o.code AS org_code, '`+src.kind+`' AS kind, CASE WHEN t.`+src.due+` < ? THEN 'overdue' ELSE 'due_soon' END AS status
				FROM `+src.table+` t JOIN orgs o ON o.id = t.org_id
				WHERE t.voided_at IS NULL AND `+src.open+` AND t.`+src.due+` <= ?) due
			GROUP BY org_code, kind, status`, today.String(), soon).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("count %s deadlines: %w", src.kind, err)
		}
		out = append(out, rows...)
	}
	return out, nil
}
