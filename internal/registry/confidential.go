package registry

import (
	"context"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/apperr"
	"github.com/tcd-registry/tcd/internal/auth"
)

// A denouncer's identity is secret (Law 42/2013 Art. 3; docs/domain.md, "Personal data and
// denouncer secrecy"): who came about a denunciation is known only to admins and to the staff
// of the organisation that owns the denunciation (an unscoped staff token counts as staff of the
// default organisation). Everyone else who may read the
// register (auditors, the staff of other organisations, a parent's included) reads the visits
// and delegations of such a person about such a case with their persons left out
// ("identity_hidden": true), cannot find those visits by person, and does not find a person at
// all (404, absent from lists, no identity in the audit log) when every visit and delegation
// naming them is such a link: the record's existence and its timestamps would point at the
// denunciation. A person who also came about another matter stays visible, without the secret
// link.
//
// Secrecy sticks to the people, not to the case's label: a person named in a visit or
// delegation about a case that is a denunciation, or counts for one by a merge, is written to
// the denouncers table with that case and the organisation owning the denunciation, and stays
// there whatever later happens to the case (recategorised, merged, unmerged). Every rule below
// reads that table through keptDenouncer, the one predicate; everything that links a person to
// a case, or makes a case count as a denunciation, records through recordDenouncers. Exports
// and the audit log ask the registry (SecretLinkSQL, KeptDenouncers) rather than repeat it.

const denunciation = "denunciation"

// DenouncersSeenBy says whose denouncers actor may see: all of them (admins), or those of the
// cases of one organisation (its staff; "" for no organisation).
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

// keptDenouncer is the secrecy predicate: SQL that holds when a denouncer record matching where
// (a condition over the record, alias d, and the outer query's columns) is kept from actor;
// "" when actor sees every denouncer.
func (s *Service) keptDenouncer(actor auth.Actor, where string) (string, []any) {
	org, all := s.DenouncersSeenBy(actor)
	if all {
		return "", nil
	}
	return "EXISTS (SELECT 1 FROM denouncers d WHERE " + where + " AND d.org_id <> ?)", []any{org}
}

// SecretLinkSQL is SQL that holds when the person whose id is in column person, named about the
// case whose id is in column caseID, is a denouncer kept from actor; "" when actor sees every
// denouncer. The register export asks this of each person it prints.
func (s *Service) SecretLinkSQL(actor auth.Actor, person, caseID string) (string, []any) {
	return s.keptDenouncer(actor, "d.person_id = "+person+" AND d.case_id = "+caseID)
}

// secretVisit holds for the visits (table visits) that name a denouncer of their case kept from
// actor: their persons are left out.
func (s *Service) secretVisit(actor auth.Actor) (string, []any) {
	return s.keptDenouncer(actor, "d.case_id = visits.case_id AND d.person_id IN (SELECT person_id FROM visit_persons WHERE visit_id = visits.id)")
}

// secretPetition holds for the petitions (table petitions) that name a denouncer of their case
// kept from actor: their senders are left out.
func (s *Service) secretPetition(actor auth.Actor) (string, []any) {
	return s.keptDenouncer(actor, "d.case_id = petitions.case_id AND d.person_id IN (SELECT person_id FROM petition_persons WHERE petition_id = petitions.id)")
}

// secretDelegation holds for the delegations (table delegations) one of whose representatives is
// a denouncer of its case kept from actor.
func (s *Service) secretDelegation(actor auth.Actor) (string, []any) {
	return s.keptDenouncer(actor, "d.case_id = delegations.case_id AND d.person_id IN (SELECT person_id FROM delegation_representatives WHERE delegation_id = delegations.id)")
}

// secretCitizens holds for the cases (table cases) of whose citizens, over the whole merge group
// the case belongs to, some are denouncers kept from actor: duplicate matching then counts none
// of them, since a score or a reason would tell who denounced what.
// The case itself is asked apart from its group: a case opened in the transaction asking has no
// group yet (root 0 until numbered), and one condition "in the group or this case" made
// PostgreSQL probe every case of the register for each candidate (250 ms a lookup at 750,000
// cases), where two find the few rows through the indexes.
func (s *Service) secretCitizens(actor auth.Actor) (string, []any) {
	own, ownArgs := s.keptDenouncer(actor, "d.case_id = cases.id")
	if own == "" {
		return "", nil
	}
	group, groupArgs := s.keptDenouncer(actor, "d.case_id IN (SELECT g.id FROM cases g WHERE g.root_seq = cases.root_seq)")
	return "(" + own + " OR " + group + ")", append(ownArgs, groupArgs...)
}

// hideSecretPersons is the persons' hide: a person is left out when they are a denouncer kept
// from actor and no visit, delegation or petition names them but about a case they denounced. The first
// test finds nothing for almost every person, through the denouncers' primary key.
func hideSecretPersons(s *Service, q *gorm.DB, actor auth.Actor) *gorm.DB {
	kept, args := s.keptDenouncer(actor, "d.person_id = persons.id")
	if kept == "" {
		return q
	}
	viaVisit, visitArgs := s.SecretLinkSQL(actor, "vp.person_id", "v.case_id")
	viaDelegation, delegationArgs := s.SecretLinkSQL(actor, "dr.person_id", "g.case_id")
	viaPetition, petitionArgs := s.SecretLinkSQL(actor, "pp.person_id", "pt.case_id")
	args = append(append(append(args, visitArgs...), delegationArgs...), petitionArgs...)
	return q.Where(`NOT (`+kept+`
		AND NOT EXISTS (SELECT 1 FROM visit_persons vp JOIN visits v ON v.id = vp.visit_id
			WHERE vp.person_id = persons.id AND NOT `+viaVisit+`)
		AND NOT EXISTS (SELECT 1 FROM delegation_representatives dr JOIN delegations g ON g.id = dr.delegation_id
			WHERE dr.person_id = persons.id AND NOT `+viaDelegation+`)
		AND NOT EXISTS (SELECT 1 FROM petition_persons pp JOIN petitions pt ON pt.id = pp.petition_id
			WHERE pp.person_id = persons.id AND NOT `+viaPetition+`))`, args...)
}

// KeptDenouncers says which of the persons ids are denouncers kept from actor (whether or not
// they came about something else too), in one query: the audit log shows no identity for them.
func (s *Service) KeptDenouncers(ctx context.Context, actor auth.Actor, ids []string) (map[string]bool, error) {
	kept, args := s.keptDenouncer(actor, "d.person_id = persons.id")
	if kept == "" || len(ids) == 0 {
		return nil, nil
	}
	return s.matching(ctx, s.store.DB, "persons", ids, kept, args)
}

// secretRows says which of ids (records of table) the test secret holds for; nil when there is
// no test.
func (s *Service) secretRows(ctx context.Context, db *gorm.DB, table string, ids []string, secret func(auth.Actor) (string, []any), actor auth.Actor) (map[string]bool, error) {
	test, args := secret(actor)
	if test == "" || len(ids) == 0 {
		return nil, nil
	}
	return s.matching(ctx, db, table, ids, test, args)
}

// matching returns which of ids (records of table) satisfy cond, in one query.
func (s *Service) matching(ctx context.Context, db *gorm.DB, table string, ids []string, cond string, args []any) (map[string]bool, error) {
	var hits []string
	err := db.WithContext(ctx).Table(table).Where(table+".id IN ?", ids).Where(cond, args...).Pluck(table+".id", &hits).Error
	out := make(map[string]bool, len(hits))
	for _, id := range hits {
		out[id] = true
	}
	return out, err
}

// secretCases says which of the cases ids have citizens the actor may not know of
// (secretCitizens), in one query.
func (s *Service) secretCases(ctx context.Context, db *gorm.DB, actor auth.Actor, ids []string) (map[string]bool, error) {
	return s.secretRows(ctx, db, "cases", ids, s.secretCitizens, actor)
}

// withoutSecretVisits leaves out of q (a query on visits) the visits that name a denouncer kept
// from actor.
func (s *Service) withoutSecretVisits(q *gorm.DB, actor auth.Actor) *gorm.DB {
	secret, args := s.secretVisit(actor)
	if secret == "" {
		return q
	}
	return q.Where("NOT "+secret, args...)
}

// keepingSecrets wraps the out of a table whose records name persons about a case (visits,
// delegations): hide takes the persons out of the objects for which secret holds.
func keepingSecrets[T any, PT rowPtr[T], O any](table string, secret func(*Service, auth.Actor) (string, []any), out outFunc[T, O], hide func(*O)) outFunc[T, O] {
	return func(ctx context.Context, s *Service, db *gorm.DB, actor auth.Actor, rows []T) ([]O, error) {
		objs, err := out(ctx, s, db, actor, rows)
		if err != nil {
			return nil, err
		}
		test := func(a auth.Actor) (string, []any) { return secret(s, a) }
		hidden, err := s.secretRows(ctx, db, table, idsOf[T, PT](rows), test, actor)
		for i := range rows {
			if hidden[PT(&rows[i]).meta().ID] {
				hide(&objs[i])
			}
		}
		return objs, err
	}
}

// Sources of the links recordDenouncers writes: pairs (person_id, case_id) of persons named about
// a case.
const (
	// a visit's persons
	visitLinks = `SELECT vp.person_id, v.case_id FROM visit_persons vp JOIN visits v ON v.id = vp.visit_id WHERE v.id = ?`
	// a delegation's representatives
	delegationLinks = `SELECT dr.person_id, g.case_id FROM delegation_representatives dr JOIN delegations g ON g.id = dr.delegation_id
		WHERE g.id = ? AND g.case_id IS NOT NULL`
	// a petition's senders
	petitionLinks = `SELECT pp.person_id, p.case_id FROM petition_persons pp JOIN petitions p ON p.id = pp.petition_id WHERE p.id = ?`
	// everyone named about a case and, when it is a merge group's root, about the cases merged
	// into it (by the case's seq, given six times)
	groupLinks = `SELECT vp.person_id, v.case_id FROM visit_persons vp JOIN visits v ON v.id = vp.visit_id
			WHERE v.case_seq IN (SELECT seq FROM cases WHERE root_seq = ? OR seq = ?)
		UNION
		SELECT dr.person_id, g.case_id FROM delegation_representatives dr JOIN delegations g ON g.id = dr.delegation_id
			WHERE g.case_id IN (SELECT id FROM cases WHERE root_seq = ? OR seq = ?)
		UNION
		SELECT pp.person_id, p.case_id FROM petition_persons pp JOIN petitions p ON p.id = pp.petition_id
			WHERE p.case_seq IN (SELECT seq FROM cases WHERE root_seq = ? OR seq = ?)`
)

// recordDenouncers writes, in tx, the persons of the links that source (with args) selects as
// denouncers of their case when the case is a denunciation, or counts for one (its root), with
// the organisation owning that denunciation. Rows already there stay: it is idempotent.
func (s *Service) recordDenouncers(ctx context.Context, tx *gorm.DB, source string, args ...any) error {
	return tx.WithContext(ctx).Exec(`INSERT INTO denouncers (person_id, case_id, org_id, recorded_at)
		SELECT DISTINCT l.person_id, l.case_id, k.org_id, CURRENT_TIMESTAMP FROM (`+source+`) l
		JOIN cases c ON c.id = l.case_id
		JOIN cases k ON (k.seq = c.seq OR k.seq = c.root_seq) AND k.category = '`+denunciation+`'
		WHERE true
		ON CONFLICT DO NOTHING`, args...).Error
}

// recordNewDenunciation records, in tx, everyone named about c (and, when it is a root, about
// the cases merged into it) as denouncers of c's organisation: c becomes a denunciation in this
// transaction, before its new category is written.
func (s *Service) recordNewDenunciation(ctx context.Context, tx *gorm.DB, c *caseRow) error {
	return tx.WithContext(ctx).Exec(`INSERT INTO denouncers (person_id, case_id, org_id, recorded_at)
		SELECT DISTINCT l.person_id, l.case_id, ?, CURRENT_TIMESTAMP FROM (`+groupLinks+`) l
		WHERE true
		ON CONFLICT DO NOTHING`, c.OrgID, c.Seq, c.Seq, c.Seq, c.Seq, c.Seq, c.Seq).Error
}

// mayDropDenunciation refuses to let anyone but an admin or the staff of the case's own
// organisation change a denunciation into another category: the denouncers stay secret either
// way, but what a matter is called is the owning organisation's decision.
func (s *Service) mayDropDenunciation(actor auth.Actor, c *caseRow) error {
	if org, all := s.DenouncersSeenBy(actor); all || org == c.OrgID {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only an admin or the staff of the case's own organisation may change a denunciation into another category")
}

// carryDenouncers keeps the representatives of a delegation that moves from one case to another
// as secret as they were: those recorded as denouncers of the old case are recorded with the new
// one, under the same organisations.
func (s *Service) carryDenouncers(ctx context.Context, tx *gorm.DB, delegationID, from, to string) error {
	return tx.WithContext(ctx).Exec(`INSERT INTO denouncers (person_id, case_id, org_id, recorded_at)
		SELECT d.person_id, ?, d.org_id, CURRENT_TIMESTAMP FROM denouncers d
		WHERE d.case_id = ? AND d.person_id IN (SELECT person_id FROM delegation_representatives WHERE delegation_id = ?)
		ON CONFLICT DO NOTHING`, to, from, delegationID).Error
}

// recordedDenouncers reports whether any representative of the delegation is recorded as a
// denouncer of caseID.
func recordedDenouncers(ctx context.Context, tx *gorm.DB, delegationID, caseID string) (bool, error) {
	var hits []int
	err := tx.WithContext(ctx).Table("denouncers").Select("1").
		Where("case_id = ? AND person_id IN (SELECT person_id FROM delegation_representatives WHERE delegation_id = ?)", caseID, delegationID).
		Limit(1).Scan(&hits).Error
	return len(hits) > 0, err
}
