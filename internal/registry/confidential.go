package registry

import (
	"context"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
)

// A denouncer's identity is secret (Law 42/2013 Art. 3; docs/domain.md, "Personal data and
// denouncer secrecy"): for a case of category denunciation, who came about it is shown only to
// admins and to the staff of the organisation that owns the case (an unscoped staff token counts
// as staff of the default organisation).
// Everyone else who may read the register (auditors, the staff of other organisations, a
// parent's included) reads the visits and delegations of such a case with their persons left
// out ("identity_hidden": true), cannot find those visits by person, and does not find a person
// at all (404, absent from lists) whose every visit and delegation is of such a case: the
// record's existence and its timestamps would point at the denunciation. A person who also came
// about another matter stays visible, without the secret link. A case counts as a denunciation
// when it is one itself or the case it was merged into is; the rule is applied on every read, so
// a case recategorised or merged later is covered from then on.

const denunciation = "denunciation"

// DenouncersSeenBy says whose denouncers actor may see: all of them (admins), or those of the
// cases of one organisation (its staff; "" for no organisation). Exports apply the same rule.
func (s *Service) DenouncersSeenBy(actor auth.Actor) (org string, all bool) {
	switch {
	case actor.Role == auth.Admin:
		return "", true
	case actor.Role == auth.Staff && actor.Scoped():
		return actor.OrgID, false
	case actor.Role == auth.Staff:
		return s.cfg.DefaultOrgID, false
	}
	return "", false
}

// secretTest is SQL over a case sc and the case sr it counts for (its root) that holds when
// they keep their denouncers from actor; "" when actor sees every denouncer.
func (s *Service) secretTest(actor auth.Actor) (string, []any) {
	org, all := s.DenouncersSeenBy(actor)
	if all {
		return "", nil
	}
	return `((sc.category = '` + denunciation + `' AND sc.org_id <> ?) OR (sr.category = '` + denunciation + `' AND sr.org_id <> ?))`,
		[]any{org, org}
}

// secretCase is SQL that holds when the case whose id is in column (a qualified column of the
// outer query) keeps its denouncers from actor; "" when actor sees every denouncer. Cases are
// read by their unique id and root seq.
func (s *Service) secretCase(actor auth.Actor, column string) (string, []any) {
	test, args := s.secretTest(actor)
	if test == "" {
		return "", nil
	}
	return "EXISTS (SELECT 1 FROM cases sc JOIN cases sr ON sr.seq = sc.root_seq WHERE sc.id = " + column + " AND " + test + ")", args
}

// withoutSecretCases leaves out of q (a query on table) the records about a case that keeps
// its denouncers from actor.
func (s *Service) withoutSecretCases(q *gorm.DB, actor auth.Actor, table string) *gorm.DB {
	secret, args := s.secretCase(actor, table+".case_id")
	if secret == "" {
		return q
	}
	return q.Where("NOT "+secret, args...)
}

// hideSecretPersons is the persons' hide: a person is left out when every visit and delegation
// naming them (there is at least one) is about a case that keeps its denouncers from actor.
// One correlated aggregate per person, read through the person indexes of the link tables:
// written as EXISTS tests joined by OR, PostgreSQL hashes the whole tables instead.
func hideSecretPersons(s *Service, q *gorm.DB, actor auth.Actor) *gorm.DB {
	test, args := s.secretTest(actor)
	if test == "" {
		return q
	}
	return q.Where(`COALESCE((SELECT MIN(CASE WHEN `+test+` THEN 1 ELSE 0 END) FROM (
			SELECT v.case_id FROM visit_persons vp JOIN visits v ON v.id = vp.visit_id WHERE vp.person_id = persons.id
			UNION ALL
			SELECT d.case_id FROM delegation_representatives dr JOIN delegations d ON d.id = dr.delegation_id WHERE dr.person_id = persons.id
		) l LEFT JOIN cases sc ON sc.id = l.case_id LEFT JOIN cases sr ON sr.seq = sc.root_seq), 0) = 0`, args...)
}

// secretIDs returns which of ids (records of table, which has case_id) are about a case that
// keeps its denouncers from actor, in one query.
func (s *Service) secretIDs(ctx context.Context, db *gorm.DB, actor auth.Actor, table string, ids []string) (map[string]bool, error) {
	secret, args := s.secretCase(actor, table+".case_id")
	if secret == "" || len(ids) == 0 {
		return nil, nil
	}
	var hits []string
	err := db.WithContext(ctx).Table(table).Where(table+".id IN ?", ids).Where(secret, args...).Pluck(table+".id", &hits).Error
	out := make(map[string]bool, len(hits))
	for _, id := range hits {
		out[id] = true
	}
	return out, err
}

// keepingSecrets wraps the out of a table whose records are about a case (visits,
// delegations): hide takes the persons out of the objects about a case that keeps its
// denouncers from the actor.
func keepingSecrets[T any, PT rowPtr[T], O any](table string, out outFunc[T, O], hide func(*O)) outFunc[T, O] {
	return func(ctx context.Context, s *Service, db *gorm.DB, actor auth.Actor, rows []T) ([]O, error) {
		objs, err := out(ctx, s, db, actor, rows)
		if err != nil {
			return nil, err
		}
		secret, err := s.secretIDs(ctx, db, actor, table, idsOf[T, PT](rows))
		for i := range rows {
			if secret[PT(&rows[i]).meta().ID] {
				hide(&objs[i])
			}
		}
		return objs, err
	}
}
