package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/vocab"
)

func (s *Server) registerVocab(r router) {
	r.handle(http.MethodGet, "/vocab", auth.VocabRead, s.getVocab)
}

// getVocab godoc
// @ID        getVocab
// @Summary   Every enum of the contract, with its Vietnamese and English labels
// @Description Keys are ENTITY.FIELD (case.category, visit.outcome, …); each list is in the order reports print it. An enum query parameter of this document names its list in x-vocab. Every role may read it: it holds no personal data.
// @Tags      vocab
// @Produce   json
// @Produce   application/problem+json
// @Security  Bearer
// @Success   200 {object} map[string][]vocab.Term
// @Failure   401,403,422,429,500,503 {object} Problem
// @Router    /api/v1/vocab [get]
func (s *Server) getVocab(c echo.Context) error {
	return c.JSON(http.StatusOK, vocab.ByKey())
}
