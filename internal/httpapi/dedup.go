package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerDedup(r router) {
	r.handle(http.MethodGet, "/persons/:id/duplicates", auth.RegistryRead, s.personDuplicates)
	r.handle(http.MethodPost, "/persons/:id/merge", auth.RegistryWrite, s.mergePerson)
	r.handle(http.MethodPost, "/persons/:id/unmerge", auth.RegistryWrite, s.unmergePerson)
	r.handle(http.MethodPost, "/persons/:id/not-duplicate", auth.RegistryWrite, s.notDuplicatePersons)
	r.handle(http.MethodGet, "/cases/:id/duplicates", auth.RegistryRead, s.caseDuplicates)
	r.handle(http.MethodPost, "/cases/:id/merge", auth.RegistryWrite, s.mergeCase)
	r.handle(http.MethodPost, "/cases/:id/unmerge", auth.RegistryWrite, s.unmergeCase)
	r.handle(http.MethodPost, "/cases/:id/not-duplicate", auth.RegistryWrite, s.notDuplicateCases)
	r.read("/dedup/candidates", auth.RegistryRead, s.listDuplicatePairs)
	r.handle(http.MethodPost, "/dedup/scan", auth.DedupScan, s.scanDuplicates)
}

// mergePerson godoc
// @ID        mergePerson
// @Summary   Merge a person into the record of the same citizen
// @Description The person stays, readable, with merged_into set, and leaves lists and duplicate suggestions. Merging into a person who was merged goes on to the person they were merged into (merged_into says which). Already merged: 409, unmerge first. Into itself, an unknown or a voided person: 422.
// @Tags      dedup
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id              path   string              true  "person id"
// @Param     If-Match        header string              false "the ETag read; 412 if the record changed since"
// @Param     Idempotency-Key header string              false "repeat-safe key: a replay answers the first response"
// @Param     body            body   registry.MergeInput true  "the surviving person"
// @Success   200 {object} registry.Person
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,409,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/persons/{id}/merge [post]
func (s *Server) mergePerson(c echo.Context) error {
	return patchRecord(c, s.Registry.Duplicates().MergePerson)
}

// unmergePerson godoc
// @ID        unmergePerson
// @Summary   Undo the merge of a person
// @Description The person is a record of their own again, as before the merge. Not merged: 409.
// @Tags      dedup
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "person id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Success   200 {object} registry.Person
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,409,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/persons/{id}/unmerge [post]
func (s *Server) unmergePerson(c echo.Context) error {
	return unmergeRecord(c, s.Registry.Duplicates().UnmergePerson)
}

// notDuplicatePersons godoc
// @ID        notDuplicatePersons
// @Summary   Record that two persons are different citizens
// @Description The pair is never suggested as duplicates again (GET /persons/{id}/duplicates, GET /dedup/candidates). Recording it again answers the first decision.
// @Tags      dedup
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id   path string                     true "person id"
// @Param     body body registry.NotDuplicateInput true "the other person"
// @Success   200 {object} registry.Decision
// @Failure   400,401,403,404,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/persons/{id}/not-duplicate [post]
func (s *Server) notDuplicatePersons(c echo.Context) error {
	return notDuplicate(c, s.Registry.Duplicates().PersonsNotDuplicate)
}

// mergeCase godoc
// @ID        mergeCase
// @Summary   Merge a case into the case of the same matter
// @Description The case stays, readable, with merged_into set; its visits (and those of the cases merged into it) count for the survivor from then on, in visit_count and in every statistic. Merging into a case that was merged goes on to the case it was merged into. Already merged: 409, unmerge first. Into itself, an unknown or a voided case: 422.
// @Tags      dedup
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id              path   string              true  "case id"
// @Param     If-Match        header string              false "the ETag read; 412 if the record changed since"
// @Param     Idempotency-Key header string              false "repeat-safe key: a replay answers the first response"
// @Param     body            body   registry.MergeInput true  "the surviving case"
// @Success   200 {object} registry.Case
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,409,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id}/merge [post]
func (s *Server) mergeCase(c echo.Context) error {
	return patchRecord(c, s.Registry.Duplicates().MergeCase)
}

// unmergeCase godoc
// @ID        unmergeCase
// @Summary   Undo the merge of a case
// @Description The case and the cases merged into it count as it again, exactly as before the merge. Not merged: 409.
// @Tags      dedup
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "case id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Success   200 {object} registry.Case
// @Header  200 {string} ETag "the record's version, for If-Match"
// @Failure   400,401,403,404,408,409,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id}/unmerge [post]
func (s *Server) unmergeCase(c echo.Context) error {
	return unmergeRecord(c, s.Registry.Duplicates().UnmergeCase)
}

// notDuplicateCases godoc
// @ID        notDuplicateCases
// @Summary   Record that two cases are different matters
// @Description The pair is never suggested as duplicates again (GET /cases/{id}/duplicates, a visit's possible_duplicates, GET /dedup/candidates). Recording it again answers the first decision.
// @Tags      dedup
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id   path string                     true "case id"
// @Param     body body registry.NotDuplicateInput true "the other case"
// @Success   200 {object} registry.Decision
// @Failure   400,401,403,404,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id}/not-duplicate [post]
func (s *Server) notDuplicateCases(c echo.Context) error {
	return notDuplicate(c, s.Registry.Duplicates().CasesNotDuplicate)
}

func unmergeRecord[T record](c echo.Context, unmerge func(context.Context, auth.Actor, string, *int) (T, error)) error {
	match, err := ifMatch(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := unmerge(ctx, auth.ActorFrom(ctx), c.Param("id"), match)
	return answer(c, v, err)
}

func notDuplicate(c echo.Context, decide func(context.Context, auth.Actor, string, registry.NotDuplicateInput) (registry.Decision, error)) error {
	var in registry.NotDuplicateInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := decide(ctx, auth.ActorFrom(ctx), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// duplicateQuery reads ?min_score= and ?limit= of a duplicates lookup.
func duplicateQuery(c echo.Context) (registry.DuplicateQuery, error) {
	var q registry.DuplicateQuery
	if v := c.QueryParam("min_score"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1 {
			return q, apperr.FieldAs(apperr.OutOfRange, "min_score", "must be a number above 0 and at most 1")
		}
		q.MinScore = f
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return q, apperr.FieldAs(apperr.OutOfRange, "limit", "must be an integer from 1 to 100")
		}
		q.Limit = n
	}
	return q, nil
}

// personDuplicates godoc
// @ID        personDuplicates
// @Summary   Likely duplicates of a person, best first
// @Description Persons who may be the same citizen, with a score (the probability, 0 to 1, that the two records are one person) and the evidence: the same CCCD (decisive, as is another one), the same phone, the name compared word by word without regard to diacritics, tone placement or case and with typo tolerance (a common name such as Nguyễn weighs little, a rare given name much), birth year, gender and address. Persons merged away, voided, or declared different (not-duplicate) are left out. The persons disclosed are written to the audit log.
// @Tags      dedup
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id        path  string true  "person id"
// @Param     min_score query number false "offer candidates from this score (default 0.4)" minimum(0) maximum(1) default(0.4)
// @Param     limit     query int    false "at most this many (1-100, default 20)" minimum(1) maximum(100) default(20)
// @Success   200 {array} registry.PersonCandidate
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/persons/{id}/duplicates [get]
func (s *Server) personDuplicates(c echo.Context) error {
	q, err := duplicateQuery(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	out, err := s.Registry.Duplicates().PersonDuplicates(ctx, auth.ActorFrom(ctx), c.Param("id"), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// caseDuplicates godoc
// @ID        caseDuplicates
// @Summary   Likely duplicates of a case, best first
// @Description Cases that may be the same matter, with a score (0 to 1, the probability) and every piece of evidence for and against, each with its weight (the log-likelihood ratio, in brackets): who links them (the same citizen, by record, merge, CCCD or name and birth year; the same household, by family name and address; the same delegation or one of its members; or no citizen in common), what identifies the matter (decision, document and judgment numbers, land parcel and map sheet, project, persons named, place, amounts), and the wording (title and summary similarity with the respondent, read through abbreviations, and the field, neighbouring fields counting as weak evidence). Looked at: every open or recent case of the case's citizens, households and delegations, whatever the wording, then the cases sharing an identifier or two of its respondent, project and rarest title words. Cases merged away, voided, or declared different (not-duplicate) are left out. The same data always gives the same scores.
// @Tags      dedup
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id        path  string true  "case id"
// @Param     min_score query number false "offer candidates from this score (default 0.15)" minimum(0) maximum(1) default(0.15)
// @Param     limit     query int    false "at most this many (1-100, default 20)" minimum(1) maximum(100) default(20)
// @Success   200 {array} registry.CaseDuplicate
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/cases/{id}/duplicates [get]
func (s *Server) caseDuplicates(c echo.Context) error {
	q, err := duplicateQuery(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	out, err := s.Registry.Duplicates().CaseDuplicates(ctx, auth.ActorFrom(ctx), c.Param("id"), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// DuplicatePairList is one page of the pairs of the latest scan.
type DuplicatePairList struct {
	Items      []registry.DuplicatePair `json:"items" validate:"required"`
	NextCursor *string                  `json:"next_cursor" extensions:"x-nullable" validate:"required"`
	ScannedAt  time.Time                `json:"scanned_at" validate:"required" format:"date-time"`
}

// listDuplicatePairs godoc
// @ID        listDuplicatePairs
// @Summary   The best candidate pairs across the register, for review
// @Description Pairs of persons or cases the latest scan (POST /dedup/scan, or tcd dedup scan) found likely to be one, best first, with score and reasons. Pairs merged, voided or declared different since are left out; the first call scans when no scan was made yet.
// @Tags      dedup
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     type   query string true  "person or case" Enums(person, case) Extensions(x-vocab=dedup.type)
// @Param     limit  query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor query string false "next_cursor of the previous page"
// @Success   200 {object} DuplicatePairList
// @Failure   401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/dedup/candidates [get]
func (s *Server) listDuplicatePairs(c echo.Context) error {
	p, err := pageOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	items, next, scan, err := s.Registry.Duplicates().ListDuplicatePairs(ctx, auth.ActorFrom(ctx), c.QueryParam("type"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DuplicatePairList{Items: items, NextCursor: cursorOrNil(next), ScannedAt: scan.ScannedAt})
}

// scanDuplicates godoc
// @ID        scanDuplicates
// @Summary   Scan the whole register for duplicate pairs now (unscoped admin)
// @Description Compares every pair of live, unmerged records of the type that share a blocking key and keeps the pairs scoring at least the type's default threshold (0.4 for persons, 0.15 for cases) for GET /dedup/candidates, which shows each reader the pairs within its reach. For cases it first estimates the score's parameters from the register and staff's merge and not-duplicate decisions, and keeps them: every case lookup after it scores with them. The scan covers every organisation (a citizen who went to two boards is one person) and answers how many records it compared, so only an unscoped admin token may start it (403 otherwise); tcd dedup scan does the same from the command line. A province's register takes seconds.
// @Tags      dedup
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     type query string true "person or case" Enums(person, case) Extensions(x-vocab=dedup.type)
// @Success   200 {object} registry.ScanResult
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/dedup/scan [post]
func (s *Server) scanDuplicates(c echo.Context) error {
	if auth.ActorFrom(c.Request().Context()).Scoped() {
		return apperr.New(apperr.Forbidden, "the scan covers every organisation's records: an unscoped admin token, or tcd dedup scan, runs it")
	}
	res, _, err := s.Registry.Duplicates().ScanDuplicates(c.Request().Context(), c.QueryParam("type"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
