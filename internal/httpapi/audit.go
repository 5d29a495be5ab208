package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/audit"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/page"
)

func (s *Server) registerAudit(r router) {
	r.read("/audit", auth.AuditRead, s.listAudit)
}

// AuditList is one page of the audit log, newest first.
type AuditList struct {
	Items      []audit.Entry `json:"items" validate:"required"`
	NextCursor *string       `json:"next_cursor" extensions:"x-nullable" validate:"required"`
}

// listAudit godoc
// @ID        listAudit
// @Summary   The audit log (admin, auditor): every write, void, merge, token and organisation change, and reads of personal data
// @Description Each entry carries org_id, the organisation of what it is about (null for what belongs to none); a token scoped to an organisation reads its subtree's entries only. An entry about a person who denounced a matter the reader may not know of has identity_hidden, changes naming only the fields touched, and no request_id; only an admin reads which citizens a change linked (others read person_count, representative_count, disclosed_count).
// @Tags      audit
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     entity    query string false "entity type, e.g. person, visit, case"
// @Param     entity_id query string false "the record's id"
// @Param     actor     query string false "token name"
// @Param     from      query string false "first day, YYYY-MM-DD" format(date)
// @Param     to        query string false "last day, YYYY-MM-DD (inclusive)" format(date)
// @Param     limit     query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor    query string false "next_cursor of the previous page"
// @Success   200 {object} AuditList
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/audit [get]
func (s *Server) listAudit(c echo.Context) error {
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	f := audit.Filter{Entity: c.QueryParam("entity"), EntityID: c.QueryParam("entity_id"), Actor: c.QueryParam("actor"), Page: pg,
		Reader: auth.ActorFrom(c.Request().Context())}
	var fe apperr.Fields
	if v := c.QueryParam("from"); v != "" {
		if t, err := time.Parse(time.DateOnly, v); err != nil {
			fe.Add("from", "must be a date YYYY-MM-DD")
		} else {
			f.From = &t
		}
	}
	if v := c.QueryParam("to"); v != "" {
		if t, err := time.Parse(time.DateOnly, v); err != nil {
			fe.Add("to", "must be a date YYYY-MM-DD")
		} else {
			end := t.AddDate(0, 0, 1)
			f.To = &end
		}
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		fe.Add("from", "must not be after to")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	items, next, err := s.Audit.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, AuditList{Items: items, NextCursor: cursorOrNil(next)})
}

func pageOf(c echo.Context) (page.Request, error) {
	return page.Parse(c.QueryParam("limit"), c.QueryParam("cursor"))
}

func cursorOrNil(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}
