package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/registry"
)

func (s *Server) registerPetitions(r router) {
	r.read("/petitions", auth.RegistryRead, s.listPetitions)
	r.handle(http.MethodPost, "/petitions", auth.RegistryWrite, s.createPetition)
	r.handle(http.MethodGet, "/petitions/:id", auth.RegistryRead, s.getPetition)
	r.handle(http.MethodPatch, "/petitions/:id", auth.RegistryWrite, s.updatePetition)
	r.handle(http.MethodDelete, "/petitions/:id", auth.RegistryWrite, s.voidPetition)
	r.handle(http.MethodPost, "/petitions/:id/decide", auth.RegistryWrite, s.decidePetition)
}

// listPetitions godoc
// @ID        listPetitions
// @Summary   List petitions (đơn), newest first
// @Description status is as of today in the organisation's time zone: due_soon is undecided and due within 3 working days, overdue undecided after due_on. Petitions about a denunciation answer person_ids [] and identity_hidden true to tokens that may not see its denouncers, and person_id does not find them.
// @Tags      petitions
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     status         query string false "where the petition stands against its due date" Enums(pending, due_soon, overdue, decided, decided_late) Extensions(x-vocab=deadline.status)
// @Param     channel        query string false "how it arrived" Enums(in_person, post, online, forwarded) Extensions(x-vocab=petition.channel)
// @Param     decision       query string false "how it was handled" Enums(accepted, guided, transferred, stored, returned) Extensions(x-vocab=petition.decision)
// @Param     from           query string false "received on or after, YYYY-MM-DD" format(date)
// @Param     to             query string false "received on or before, YYYY-MM-DD" format(date)
// @Param     case_id        query string false "petitions about this case"
// @Param     person_id      query string false "petitions sent by this person"
// @Param     include_voided query bool   false "include voided records"
// @Param     limit          query int    false "page size (1-500, default 50)" minimum(1) maximum(500) default(50)
// @Param     cursor         query string false "next_cursor of the previous page"
// @Success   200 {object} Page[registry.Petition]
// @Failure   400,401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/petitions [get]
func (s *Server) listPetitions(c echo.Context) error {
	f := registry.PetitionFilter{Status: c.QueryParam("status"), Channel: c.QueryParam("channel"), Decision: c.QueryParam("decision"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), CaseID: c.QueryParam("case_id"), PersonID: c.QueryParam("person_id")}
	return listRecords(c, &f, &f.Page, &f.IncludeVoided, s.Registry.ListPetitions)
}

// createPetition godoc
// @ID        createPetition
// @Summary   Record a petition, with its new case and new senders in the same request
// @Description Give case_id or case (a new case), and person_ids and/or persons (new senders); an anonymous petition names none. sender_count defaults to the senders named and may not be below them. forwarded_from is required for the channel forwarded. due_on is derived from the rule petition.decision (by default 10 working days from received_on). All of it is written, or nothing. When the request opens a case, possible_duplicates lists existing cases that look like the same matter, as for a visit.
// @Tags      petitions
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.NewPetition true "the petition"
// @Success   201 {object} registry.CreatedPetition
// @Failure   400,401,403,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/petitions [post]
func (s *Server) createPetition(c echo.Context) error {
	return createRecord(c, "petitions", s.Registry.CreatePetition)
}

// getPetition godoc
// @ID        getPetition
// @Summary   One petition, with its due date and status as of today
// @Tags      petitions
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id             path  string true  "petition id"
// @Param     include_voided query bool   false "also find a voided record"
// @Success   200 {object} registry.Petition
// @Header    200 {string} ETag "version, for If-Match"
// @Failure   401,403,404,422,429,500,503 {object} Problem
// @Router    /api/v1/petitions/{id} [get]
func (s *Server) getPetition(c echo.Context) error {
	return getRecord(c, s.Registry.GetPetition)
}

// updatePetition godoc
// @ID        updatePetition
// @Summary   Change some fields of a petition
// @Description A new received_on moves due_on. The case and the senders stay; the decision changes with POST /petitions/{id}/decide. Fields left out stay as they are; null clears a field that may be empty ("" too, for text); null for a field that always has a value is 422.
// @Tags      petitions
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id       path   string true  "petition id"
// @Param     If-Match header string false "the ETag read; 412 if the record changed since"
// @Param     body     body   registry.PetitionPatch true "fields to change"
// @Success   200 {object} registry.Petition
// @Failure   400,401,403,404,408,412,413,422,429,500,503 {object} Problem
// @Router    /api/v1/petitions/{id} [patch]
func (s *Server) updatePetition(c echo.Context) error {
	return patchRecord(c, s.Registry.UpdatePetition)
}

// decidePetition godoc
// @ID        decidePetition
// @Summary   Record how a petition was handled
// @Description decided_on may be neither before received_on nor after today; transferred_to is required for transferred and refused otherwise. Accepting a petition puts its case under resolution from decided_on (accepted_on, resolution_due_on) unless the case was accepted already. Deciding again corrects the decision.
// @Tags      petitions
// @Accept    json
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id   path string true "petition id"
// @Param     Idempotency-Key header string false "repeat-safe key: a replay answers the first response"
// @Param     body body registry.PetitionDecision true "the decision"
// @Success   200 {object} registry.Petition
// @Failure   400,401,403,404,408,409,413,422,429,500,503 {object} Problem
// @Router    /api/v1/petitions/{id}/decide [post]
func (s *Server) decidePetition(c echo.Context) error {
	return actOn(c, s.Registry.DecidePetition)
}

// voidPetition godoc
// @ID        voidPetition
// @Summary   Void a petition (kept, hidden from lists and statistics)
// @Tags      petitions
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Param     id     path  string true "petition id"
// @Param     reason query string true "why the record is voided" minlength(1) maxlength(1000)
// @Success   200 {object} registry.Petition
// @Failure   401,403,404,409,422,429,500,503 {object} Problem
// @Router    /api/v1/petitions/{id} [delete]
func (s *Server) voidPetition(c echo.Context) error {
	return voidRecord(c, s.Registry.VoidPetition)
}
