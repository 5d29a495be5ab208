package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/orgs"
	"github.com/tcd-registry/tcd/internal/registry"
	"github.com/tcd-registry/tcd/internal/stats"
)

func (s *Server) registerCompliance(r router) {
	r.handle(http.MethodPatch, "/orgs/:id", auth.OrgsWrite, s.updateOrg)
	r.read("/compliance", auth.StatsRead, s.compliance)
}

// updateOrg godoc
// @ID        updateOrg
// @Summary   Set an organisation's level (province, district, commune, other)
// @Description The level sets the legal minimum of its head's reception days (GET /compliance).
// @Tags      orgs
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id   path string true "organisation id"
// @Param     body body orgs.OrgPatch true "the level"
// @Success   200 {object} orgs.Org
// @Failure   400,401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/orgs/{id} [patch]
func (s *Server) updateOrg(c echo.Context) error {
	var in orgs.OrgPatch
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	org, err := s.Orgs.Update(ctx, auth.ActorFrom(ctx), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, org)
}

// ComplianceReport is the answer of GET /compliance.
type ComplianceReport struct {
	From  string                   `json:"from" example:"2026-01-01"`
	To    string                   `json:"to" example:"2026-03-31"`
	Items []registry.OrgCompliance `json:"items"`
}

// compliance godoc
// @ID        getCompliance
// @Summary   Each organisation's record against the law: the head's reception days, petitions, directive letters
// @Description Per organisation of the subtree, by its own records: the days its head received in person (periodic or urgent sessions with host_role head) per month, or per week for a commune, against the minimum of its level (province 1 a month, district 2 a month, commune 1 a week; a span asks no more days than it has working days; a span not over yet is ok); the days an authorised deputy received; petitions decided in the period on time or late and undecided past due now; directive letters overdue now. Each part and the whole carry ok.
// @Tags      compliance
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     period query string false "2026, 2026-Q1, 2026-03, 2026-6M, 2026-9M (or from and to)"
// @Param     from   query string false "first day, YYYY-MM-DD"
// @Param     to     query string false "last day, YYYY-MM-DD"
// @Param     basis  query string false "calendar (default) or statutory" Enums(calendar, statutory) Extensions(x-vocab=stats.basis)
// @Param     org    query string false "that organisation's subtree (default the caller's)"
// @Success   200 {object} ComplianceReport
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/compliance [get]
func (s *Server) compliance(c echo.Context) error {
	q, err := stats.ParseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	if q.Range.From.IsZero() {
		return apperr.Field("period", "is required: a period or from and to")
	}
	ctx := c.Request().Context()
	items, err := s.Registry.Compliance(ctx, auth.ActorFrom(ctx), q.OrgID, q.Range.FromDate(), q.Range.ToDate())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ComplianceReport{From: q.Range.FromDate(), To: q.Range.ToDate(), Items: items})
}

// The public schedule feeds: an organisation's coming periodic sessions, without a token, for
// a website or a phone's calendar to subscribe to. They name the official who receives, the
// day and the place, never a citizen.

// scheduleTTL is how long a feed is served from memory: a subscribing phone polls every few
// hours, a website on every page view.
const scheduleTTL = 5 * time.Minute

type cachedFeed struct {
	body    []byte
	expires time.Time
}

// scheduleCache holds the rendered feeds by code and format; a feed is at most scheduleTTL old.
type scheduleCache struct {
	mu    sync.Mutex
	feeds map[string]cachedFeed
}

func (sc *scheduleCache) get(key string, now time.Time) ([]byte, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	f, ok := sc.feeds[key]
	return f.body, ok && now.Before(f.expires)
}

func (sc *scheduleCache) put(key string, body []byte, now time.Time) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.feeds == nil || len(sc.feeds) > 10000 { // bounded whatever codes are asked for
		sc.feeds = map[string]cachedFeed{}
	}
	sc.feeds[key] = cachedFeed{body: body, expires: now.Add(scheduleTTL)}
}

// registerPublic serves the feeds outside the authenticated routes.
func (s *Server) registerPublic(e *echo.Echo) {
	e.GET("/api/v1/public/orgs/:code/schedule.ics", s.scheduleICS)
	e.GET("/api/v1/public/orgs/:code/schedule.json", s.scheduleJSON)
}

// Schedule is the answer of the JSON feed.
type Schedule struct {
	Code     string                      `json:"code"`
	Name     string                      `json:"name"`
	Sessions []registry.ScheduledSession `json:"sessions"`
}

// scheduleJSON godoc
// @ID        scheduleJSON
// @Summary   An organisation's coming periodic sessions (public, no token)
// @Tags      public
// @Produce   json
// @Produce   application/problem+json
// @Param     code path string true "organisation code"
// @Success   200 {object} Schedule
// @Failure   404,500,503 {object} Problem
// @Router    /api/v1/public/orgs/{code}/schedule.json [get]
func (s *Server) scheduleJSON(c echo.Context) error {
	return s.serveSchedule(c, "json", echo.MIMEApplicationJSON, func(sch Schedule) ([]byte, error) {
		var b bytes.Buffer
		err := jsonEncoder(&b).Encode(sch)
		return b.Bytes(), err
	})
}

// scheduleICS godoc
// @ID        scheduleICS
// @Summary   An organisation's coming periodic sessions as an iCalendar feed (public, no token)
// @Description One all-day event per session, for a phone's or a website's calendar to subscribe to.
// @Tags      public
// @Produce   text/calendar
// @Produce   application/problem+json
// @Param     code path string true "organisation code"
// @Success   200 {string} string "the iCalendar file"
// @Failure   404,500,503 {object} Problem
// @Router    /api/v1/public/orgs/{code}/schedule.ics [get]
func (s *Server) scheduleICS(c echo.Context) error {
	return s.serveSchedule(c, "ics", "text/calendar; charset=utf-8", func(sch Schedule) ([]byte, error) {
		return []byte(scheduleCalendar(sch, time.Now().UTC()).Serialize()), nil
	})
}

// serveSchedule answers a feed from the cache, or renders and caches it.
func (s *Server) serveSchedule(c echo.Context, format, contentType string, render func(Schedule) ([]byte, error)) error {
	code := c.Param("code")
	key, now := format+"\x00"+code, time.Now()
	body, ok := s.schedules.get(key, now)
	if !ok {
		name, sessions, found, err := s.Registry.Schedule(c.Request().Context(), code)
		if err != nil {
			return err
		}
		if !found {
			return apperr.New(apperr.NotFound, "no organisation with code %q", code)
		}
		if sessions == nil {
			sessions = []registry.ScheduledSession{}
		}
		if body, err = render(Schedule{Code: code, Name: name, Sessions: sessions}); err != nil {
			return err
		}
		s.schedules.put(key, body, now)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(scheduleTTL.Seconds())))
	return c.Blob(http.StatusOK, contentType, body)
}

// scheduleCalendar lays the sessions out as all-day events: the reception's hours are the
// organisation's office hours, which the schedule does not record.
func scheduleCalendar(sch Schedule, stamp time.Time) *ics.Calendar {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//tcd//Lịch tiếp công dân//VI")
	cal.SetName("Lịch tiếp công dân định kỳ - " + sch.Name)
	cal.SetXWRCalName("Lịch tiếp công dân định kỳ - " + sch.Name)
	cal.SetRefreshInterval("PT6H")
	for _, ss := range sch.Sessions {
		day, err := time.Parse(time.DateOnly, ss.Date)
		if err != nil {
			continue // dates are stored YYYY-MM-DD; a row that is not cannot be placed
		}
		ev := cal.AddEvent(ss.ID + "@tcd")
		ev.SetDtStampTime(stamp)
		ev.SetAllDayStartAt(day)
		ev.SetAllDayEndAt(day.AddDate(0, 0, 1))
		summary := "Tiếp công dân định kỳ"
		if ss.HostTitle != nil {
			summary += " - " + *ss.HostTitle
		}
		if ss.HostName != nil {
			summary += " " + *ss.HostName
		}
		ev.SetSummary(summary)
		if ss.Location != nil {
			ev.SetLocation(*ss.Location)
		}
	}
	return cal
}
