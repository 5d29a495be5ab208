package stats

import (
	"context"
	"strings"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
)

// org is an organisation of the counted subtree.
type org struct {
	ID    string
	Code  string
	Name  string
	Path  string
	Depth int // levels below the subtree's root
}

// scope is the subtree a query counts. The organisation ids are resolved once, up front, so
// that every aggregate is an `org_id IN (…)` range scan per organisation on the covering
// index instead of a join against the organisation tree.
type scope struct {
	RootID string // the subtree's root; the default organisation for the whole register
	// Roots lists the top organisations counted when the whole register has more than one
	// (nil otherwise): RootID alone would then claim figures that are not all its own.
	Roots []string
	Orgs  []org // tree order
	IDs   []string
}

// resolveScope finds the subtree to count: the requested organisation's, else the actor's own,
// else (unscoped actor) the whole register. An unknown organisation is the client's input
// error; one outside a scoped actor's subtree is forbidden, not hidden, since statistics name
// no personal data and an agency should learn that it asked beyond its remit.
func (s *Service) resolveScope(ctx context.Context, actor auth.Actor, orgID string) (scope, error) {
	if orgID == "" && actor.Scoped() {
		orgID = actor.OrgID
	}
	prefix := ""
	if orgID != "" {
		var paths []string
		if err := s.store.DB.WithContext(ctx).Table("orgs").Where("id = ?", orgID).Pluck("path", &paths).Error; err != nil {
			return scope{}, err
		}
		if len(paths) == 0 {
			return scope{}, apperr.FieldAs(apperr.UnknownReference, "org", "no organisation with id %q", orgID)
		}
		if !actor.Reaches(paths[0]) {
			return scope{}, apperr.New(apperr.Forbidden, "organisation %q is outside this token's subtree", orgID)
		}
		prefix = paths[0]
	}
	var orgs []org
	q := s.store.DB.WithContext(ctx).Table("orgs").Select("id, code, name, path").Order("path")
	if prefix != "" {
		q = q.Where("path LIKE ?", prefix+"%")
	}
	if err := q.Scan(&orgs).Error; err != nil {
		return scope{}, err
	}
	sc := scope{RootID: orgID, Orgs: orgs, IDs: make([]string, len(orgs))}
	rootDepth := strings.Count(prefix, "/")
	if prefix == "" {
		rootDepth = 2 // "/root-id/"
	}
	var roots []string
	for i := range orgs {
		sc.IDs[i] = orgs[i].ID
		orgs[i].Depth = strings.Count(orgs[i].Path, "/") - rootDepth
		if orgs[i].Depth == 0 {
			roots = append(roots, orgs[i].ID)
		}
	}
	if orgID == "" {
		sc.RootID = s.cfg.DefaultOrgID
		if len(roots) > 1 {
			sc.Roots = roots
		}
	}
	return sc, nil
}
