package registry

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/calendar"
)

// OrgCompliance is one organisation's record over a period: the days its head received
// citizens in person against the legal minimum of its level, the days an authorised deputy
// received, its petitions decided on time or late and undecided past their due date now, and its
// directive letters overdue now. Counts and dates only.
type OrgCompliance struct {
	OrgID string `json:"org_id"`
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level" vocab:"org.level" enums:"province,district,commune,other"`
	// HeadDays judges the head's reception days month by month (week by week for a commune);
	// null for a level without a minimum.
	HeadDays   *calendar.Compliance `json:"head_days"`
	DeputyDays int                  `json:"deputy_days"` // distinct days an authorised deputy received
	Petitions  PetitionCompliance   `json:"petitions"`
	Directives DirectiveCompliance  `json:"directives"`
	OK         bool                 `json:"ok"` // every part is ok
}

// PetitionCompliance: petitions decided in the period on time or late, and undecided past due
// today; ok when none is late or overdue.
type PetitionCompliance struct {
	DecidedOnTime int  `json:"decided_on_time"`
	DecidedLate   int  `json:"decided_late"`
	OverdueNow    int  `json:"overdue_now"`
	OK            bool `json:"ok"`
}

// DirectiveCompliance: directive letters unanswered past their due date today; ok when none.
type DirectiveCompliance struct {
	OverdueNow int  `json:"overdue_now"`
	OK         bool `json:"ok"`
}

// Compliance judges every organisation of the subtree (org's, or the actor's) over from..to
// (YYYY-MM-DD), each by its own records.
func (s *Service) Compliance(ctx context.Context, actor auth.Actor, org, from, to string) ([]OrgCompliance, error) {
	db := s.store.DB.WithContext(ctx)
	path, err := s.subtreePath(ctx, db, actor, org)
	if err != nil {
		return nil, err
	}
	rules, err := s.deadlines(ctx, db)
	if err != nil {
		return nil, err
	}
	start, err := calendar.ParseDate(from)
	if err != nil {
		return nil, err
	}
	end, err := calendar.ParseDate(to)
	if err != nil {
		return nil, err
	}
	var orgRows []struct{ ID, Code, Name, Level string }
	if err := db.Table("orgs").Select("id, code, name, level").Where("path LIKE ?", path+"%").Order("path").Scan(&orgRows).Error; err != nil {
		return nil, err
	}
	today := s.todayDate()
	out := make([]OrgCompliance, len(orgRows))
	for i, o := range orgRows {
		out[i] = OrgCompliance{OrgID: o.ID, Code: o.Code, Name: o.Name, Level: o.Level}
		if err := s.judge(ctx, db, rules.Calendar(), &out[i], start, end, today); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// judge fills one organisation's figures.
func (s *Service) judge(ctx context.Context, db *gorm.DB, cal *calendar.Calendar, o *OrgCompliance, from, to, today calendar.Date) error {
	o.OK = true
	level := calendar.Level(o.Level)
	if spanFrom, spanTo, err := calendar.ComplianceSpan(level, from, to); err == nil {
		days, err := receptionDays(ctx, db, o.OrgID, "head", spanFrom.String(), spanTo.String())
		if err != nil {
			return err
		}
		judged, err := cal.Compliance(level, from, to, days, today)
		if err != nil {
			return err
		}
		o.HeadDays, o.OK = &judged, judged.OK
	} else if !errors.Is(err, calendar.ErrNoMinimum) {
		return err
	}
	deputy, err := receptionDays(ctx, db, o.OrgID, "authorized", from.String(), to.String())
	if err != nil {
		return err
	}
	o.DeputyDays = len(deputy)
	err = db.Raw(`SELECT
			COALESCE(SUM(CASE WHEN decided_on >= ? AND decided_on <= ? AND decided_on <= due_on THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN decided_on >= ? AND decided_on <= ? AND decided_on > due_on THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN decided_on IS NULL AND due_on < ? THEN 1 ELSE 0 END), 0)
		FROM petitions WHERE org_id = ? AND voided_at IS NULL`,
		from.String(), to.String(), from.String(), to.String(), today.String(), o.OrgID).
		Row().Scan(&o.Petitions.DecidedOnTime, &o.Petitions.DecidedLate, &o.Petitions.OverdueNow)
	if err != nil {
		return err
	}
	o.Petitions.OK = o.Petitions.DecidedLate == 0 && o.Petitions.OverdueNow == 0
	err = db.Raw(`SELECT COUNT(*) FROM directives WHERE org_id = ? AND voided_at IS NULL AND replied_on IS NULL AND due_on < ?`,
		o.OrgID, today.String()).Row().Scan(&o.Directives.OverdueNow)
	if err != nil {
		return err
	}
	o.Directives.OK = o.Directives.OverdueNow == 0
	o.OK = o.OK && o.Petitions.OK && o.Directives.OK
	return nil
}

// receptionDays lists the distinct days from..to on which the organisation's periodic or urgent
// sessions were hosted by role (head or authorized).
func receptionDays(ctx context.Context, db *gorm.DB, orgID, role, from, to string) ([]calendar.Date, error) {
	var dates []string
	err := db.WithContext(ctx).Table("sessions").Distinct("date").
		Where("org_id = ? AND voided_at IS NULL AND kind IN ? AND host_role = ? AND date >= ? AND date <= ?",
			orgID, []string{"periodic", "urgent"}, role, from, to).Order("date").Pluck("date", &dates).Error
	out := make([]calendar.Date, 0, len(dates))
	for _, d := range dates {
		date, perr := calendar.ParseDate(d)
		if perr != nil {
			return nil, perr
		}
		out = append(out, date)
	}
	return out, err
}

// ScheduledSession is a coming periodic session as the public schedule shows it: when, who
// receives, where. Nothing about any citizen.
type ScheduledSession struct {
	ID        string  `json:"id" validate:"required"`
	Date      string  `json:"date" example:"2026-03-16" format:"date" validate:"required"`
	HostName  *string `json:"host_name" example:"Nguyễn Văn Hùng" extensions:"x-nullable" validate:"required"`
	HostTitle *string `json:"host_title" example:"Chủ tịch UBND huyện" extensions:"x-nullable" validate:"required"`
	Location  *string `json:"location" example:"Trụ sở Tiếp công dân huyện" extensions:"x-nullable" validate:"required"`
}

// scheduleLimit bounds the public schedule: a year of weekly sessions and more.
const scheduleLimit = 200

// Schedule lists the coming (from today) live periodic sessions of the organisation with code,
// by date; ok is false when no organisation has that code.
func (s *Service) Schedule(ctx context.Context, code string) (name string, sessions []ScheduledSession, ok bool, err error) {
	db := s.store.DB.WithContext(ctx)
	var orgs []struct{ ID, Name string }
	if err := db.Table("orgs").Select("id, name").Where("code = ?", code).Limit(1).Scan(&orgs).Error; err != nil || len(orgs) == 0 {
		return "", nil, false, err
	}
	err = db.Table("sessions").Select("id, date, host_name, host_title, location").
		Where("org_id = ? AND kind = 'periodic' AND voided_at IS NULL AND date >= ?", orgs[0].ID, s.todayDate().String()).
		Order("date, seq").Limit(scheduleLimit).Scan(&sessions).Error
	return orgs[0].Name, sessions, true, err
}
