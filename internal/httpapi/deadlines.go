package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/calendar"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerDeadlines(r router) {
	r.handle(http.MethodGet, "/calendar", auth.CalendarRead, s.getCalendar)
	r.handle(http.MethodPut, "/calendar/days/:date", auth.CalendarWrite, s.setCalendarDay)
	r.handle(http.MethodDelete, "/calendar/days/:date", auth.CalendarWrite, s.clearCalendarDay)
	r.handle(http.MethodGet, "/deadline-rules", auth.CalendarRead, s.listDeadlineRules)
	r.handle(http.MethodPatch, "/deadline-rules/:name", auth.CalendarWrite, s.updateDeadlineRule)
	r.read("/deadlines", auth.RegistryRead, s.listDeadlines)
}

// CalendarYear is the answer of GET /calendar.
type CalendarYear struct {
	Year int            `json:"year" example:"2026" validate:"required"`
	Days []calendar.Day `json:"days" validate:"required"`
}

// getCalendar godoc
// @ID        getCalendar
// @Summary   The working-day calendar of a year
// @Description Every day off (weekends included) and every weekend day made a working day, with its reason and source: weekend, law, compensatory, announcement (the Government's, shipped with the service) or admin.
// @Tags      deadlines
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     year query int true "the year, 1900-2199"
// @Success   200 {object} CalendarYear
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/calendar [get]
func (s *Server) getCalendar(c echo.Context) error {
	year, err := strconv.Atoi(c.QueryParam("year"))
	if err != nil {
		return apperr.FieldAs(apperr.Required, "year", "is required: a year such as 2026")
	}
	ctx := c.Request().Context()
	days, err := s.Registry.CalendarYear(ctx, year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CalendarYear{Year: year, Days: days})
}

// setCalendarDay godoc
// @ID        setCalendarDay
// @Summary   Make a day a day off or a working day (an official swap, an extra day off)
// @Description The day wins over the law and the shipped announcements. Every due date in the register follows at once. A swap is two calls: the weekday off and the Saturday worked.
// @Tags      deadlines
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     date path string true "the day, YYYY-MM-DD"
// @Param     body body registry.CalendarDayInput true "off or working, and why"
// @Success   200 {object} calendar.Day
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/calendar/days/{date} [put]
func (s *Server) setCalendarDay(c echo.Context) error {
	var in registry.CalendarDayInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	day, err := s.Registry.SetCalendarDay(ctx, auth.ActorFrom(ctx), c.Param("date"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, day)
}

// clearCalendarDay godoc
// @ID        clearCalendarDay
// @Summary   Remove an administrator's day: it is again what the law and the announcements make it
// @Tags      deadlines
// @Produce   application/problem+json
// @Security  Bearer
// @Param     date path string true "the day, YYYY-MM-DD"
// @Success   204
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/calendar/days/{date} [delete]
func (s *Server) clearCalendarDay(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.Registry.ClearCalendarDay(ctx, auth.ActorFrom(ctx), c.Param("date")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// DeadlineRules is the answer of GET /deadline-rules.
type DeadlineRules struct {
	Items []calendar.Rule `json:"items" validate:"required"`
}

// listDeadlineRules godoc
// @ID        listDeadlineRules
// @Summary   The deadline rules in force
// @Description petition.decision (10 working days from received_on), complaint.resolution (30 calendar days from accepted_on, complex_days 45) and denunciation.resolution (30 calendar days, extension_days 30 at most max_extensions 2), unless an administrator changed them.
// @Tags      deadlines
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Success   200 {object} DeadlineRules
// @Failure   401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/deadline-rules [get]
func (s *Server) listDeadlineRules(c echo.Context) error {
	rules, err := s.Registry.DeadlineRules(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DeadlineRules{Items: rules})
}

// updateDeadlineRule godoc
// @ID        updateDeadlineRule
// @Summary   Change a deadline rule
// @Description Every due date the rule sets follows at once.
// @Tags      deadlines
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     name path string true "the rule: petition.decision, complaint.resolution or denunciation.resolution"
// @Param     body body registry.RulePatch true "fields to change"
// @Success   200 {object} calendar.Rule
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/deadline-rules/{name} [patch]
func (s *Server) updateDeadlineRule(c echo.Context) error {
	var in registry.RulePatch
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	rule, err := s.Registry.UpdateDeadlineRule(ctx, auth.ActorFrom(ctx), c.Param("name"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rule)
}

// Deadlines is the answer of GET /deadlines.
type Deadlines struct {
	Items []registry.Deadline `json:"items" validate:"required"`
}

// listDeadlines godoc
// @ID        listDeadlines
// @Summary   What is due soon or overdue: petitions, cases under resolution, directive letters
// @Description One list ordered by due date, as of today in the organisation's time zone: due_soon is due today or within 3 working days, overdue is past its due date and still open (an undecided petition, an open case under resolution, an unanswered letter). Numbers and dates only. At most 2000 items.
// @Tags      deadlines
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     status query string false "only these (both when absent)" Enums(due_soon, overdue) Extensions(x-vocab=deadline.due)
// @Param     org    query string false "that organisation's subtree (default the caller's)"
// @Success   200 {object} Deadlines
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/deadlines [get]
func (s *Server) listDeadlines(c echo.Context) error {
	ctx := c.Request().Context()
	items, err := s.Registry.Deadlines(ctx, auth.ActorFrom(ctx), registry.DeadlineFilter{Status: c.QueryParam("status"), OrgID: c.QueryParam("org")})
	if err != nil {
		return err
	}
	if items == nil {
		items = []registry.Deadline{}
	}
	return c.JSON(http.StatusOK, Deadlines{Items: items})
}

// deadlineGauges exports on /metrics how many petitions, cases under resolution and directive
// letters are due soon or overdue, per organisation code: counts only, counted at each scrape.
type deadlineGauges struct {
	registry *registry.Service
	desc     *prometheus.Desc
}

func newDeadlineGauges(r *registry.Service) *deadlineGauges {
	return &deadlineGauges{registry: r, desc: prometheus.NewDesc("tcd_deadlines",
		"Petitions, cases under resolution and directive letters due soon or overdue, by organisation code.",
		[]string{"org", "kind", "status"}, nil)}
}

func (g *deadlineGauges) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

// scrapeTimeout bounds the counting queries of one scrape.
const scrapeTimeout = 10 * time.Second

func (g *deadlineGauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := g.registry.DeadlineCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(g.desc, err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, float64(n.N), n.OrgCode, n.Kind, n.Status)
	}
}
