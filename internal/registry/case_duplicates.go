package registry

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
)

// CaseDuplicate is a case that may be the same matter as the one looked up.
type CaseDuplicate struct {
	Case    Case     `json:"case"`
	Score   float64  `json:"score" example:"0.91"`
	Reasons []string `json:"reasons" example:"same citizen: Nguyễn Văn An,same respondent: UBND huyện Gio Linh,title similarity 0.82"`
}

// CaseDuplicates lists the cases within the actor's reach that may be the same matter as case
// id, best first.
func (s *Service) CaseDuplicates(ctx context.Context, actor auth.Actor, id string, q DuplicateQuery) ([]CaseDuplicate, error) {
	row, err := load[caseRow](ctx, s.store.DB, actor, "case", id, ReadOptions{})
	if err != nil {
		return nil, err
	}
	w, err := s.weights(ctx)
	if err != nil {
		return nil, err
	}
	found, err := s.matchCase(ctx, s.store.DB, w, actorScope(actor), row, q.orDefaults(), func(ids []string) (map[string]bool, error) {
		return s.secretCases(ctx, s.store.DB, actor, ids)
	})
	if err != nil {
		return nil, err
	}
	seqs := make([]int64, len(found))
	for i, f := range found {
		seqs[i] = f.row.Seq
	}
	figures, err := caseVisitFigures(ctx, s.store.DB, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]CaseDuplicate, len(found))
	for i, f := range found {
		out[i] = CaseDuplicate{Case: f.row.toCase(figures[f.row.Seq]), Score: f.Score, Reasons: f.Reasons}
	}
	return out, nil
}

type caseMatch struct {
	row caseRow
	dedup.Match
}

// matchedPersonsPerCase bounds how many of a case's citizens are looked up for likely
// duplicates of their own: a delegation's hundred members would make intake slow, and its
// first few are its representatives.
const matchedPersonsPerCase = 5

// matchCase scores the live, unmerged cases that share with c a citizen (the same person, one
// merged with them, or one matched as likely the same), a delegation, or two informative title
// words, leaving out c's own merge group and the cases staff declared distinct from it.
// secret, when given, names the cases (of c and the candidates) whose citizens the reader may
// not know of: their citizens then count for nothing, neither in the score nor in the reasons,
// so that no suggestion tells who denounced what. Every statement goes to db.
func (s *Service) matchCase(ctx context.Context, db *gorm.DB, w weights, sc scope, c *caseRow, q DuplicateQuery,
	secret func(ids []string) (map[string]bool, error)) ([]caseMatch, error) {
	st := w.cases
	links, err := caseLinks(ctx, db, []int64{c.RootSeq})
	if err != nil {
		return nil, err
	}
	probe := c.prepared(links[c.RootSeq])
	// every person counted as one of c's citizens, under that citizen's key
	keyOf := map[string]string{}
	citizens := slices.Sorted(maps.Keys(probe.People))
	for _, id := range citizens {
		keyOf[id] = id
	}
	var looked []personRow
	if err := db.WithContext(ctx).Where("id IN ?", citizens[:min(len(citizens), matchedPersonsPerCase)]).Order("id").Find(&looked).Error; err != nil {
		return nil, err
	}
	for i := range looked {
		matches, err := s.matchPerson(ctx, db, w.persons, sc, &looked[i], DuplicateQuery{}.orDefaults())
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			if _, taken := keyOf[m.id]; !taken {
				keyOf[m.id] = looked[i].ID
			}
		}
	}
	var seqs []int64
	if len(keyOf) > 0 {
		byPersons, err := casesOfPersons(ctx, db, slices.Collect(maps.Keys(keyOf)))
		if err != nil {
			return nil, err
		}
		seqs = append(seqs, byPersons...)
	}
	if len(probe.Delegations) > 0 {
		var byDelegation []int64
		err := db.WithContext(ctx).Table("visits").Select("DISTINCT case_seq").
			Where("delegation_id IN ? AND voided_at IS NULL", slices.Collect(maps.Keys(probe.Delegations))).Scan(&byDelegation).Error
		if err != nil {
			return nil, err
		}
		seqs = append(seqs, byDelegation...)
	}
	if tokens := titleTokens(c.Title); len(tokens) >= 2 {
		// the rarest words: a plot number or a place finds the same matter, "đất" every case
		slices.SortStableFunc(tokens, func(a, b string) int { return cmp.Compare(st.Words.IDF(b), st.Words.IDF(a)) })
		byWords, err := sharingWords(ctx, db, c.OrgID, c.Seq, tokens[:min(len(tokens), blockWords)], q.postings)
		if err != nil {
			return nil, err
		}
		seqs = append(seqs, byWords...)
	}
	if len(seqs) == 0 {
		return nil, nil
	}
	// two primary-key reads rather than a subquery: no plan to get wrong however stale the
	// planner's statistics
	var survivors []int64
	if err := db.WithContext(ctx).Table("cases").Distinct("root_seq").Where("seq IN ?", seqs).Pluck("root_seq", &survivors).Error; err != nil {
		return nil, err
	}
	var rows []caseRow
	err = sc(db.WithContext(ctx).Where("seq IN ? AND voided_at IS NULL AND merged_into IS NULL AND root_seq <> ?", survivors, c.RootSeq), "org_id").
		Limit(dedup.MaxBlock).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	roots := make([]int64, len(rows))
	for i := range rows {
		roots[i] = rows[i].Seq
	}
	if links, err = caseLinks(ctx, db, roots); err != nil {
		return nil, err
	}
	skip, err := excludedFrom(ctx, db, "case", "cases", c.ID, c.MergedInto)
	if err != nil {
		return nil, err
	}
	var hidden map[string]bool
	if secret != nil {
		ids := []string{c.ID}
		for i := range rows {
			ids = append(ids, rows[i].ID)
		}
		if hidden, err = secret(ids); err != nil {
			return nil, err
		}
		if hidden[c.ID] {
			probe.People = nil
		}
	}
	var out []caseMatch
	for i := range rows {
		if skip[rows[i].ID] {
			continue
		}
		l := links[rows[i].Seq]
		// a person matched with one of c's citizens counts as that citizen
		people := map[string]string{}
		for id, name := range l.people {
			if key, ok := keyOf[id]; ok {
				people[key] = name
			} else {
				people[id] = name
			}
		}
		l.people = people
		if hidden[rows[i].ID] {
			l.people = nil
		}
		cand := rows[i].prepared(l)
		if m := dedup.ScoreCases(&probe, &cand, st); m.Score >= q.MinScore {
			out = append(out, caseMatch{row: rows[i], Match: m})
		}
	}
	sortMatches(out, func(m caseMatch) (float64, int64) { return m.Score, m.row.Seq })
	return out[:min(len(out), q.Limit)], nil
}

// links are the citizens (by the id of the person each was finally merged into, with that
// person's name) and delegations (by id, with name) that came about a case's merge group.
type links struct {
	people      map[string]string
	delegations map[string]string
}

func (r *caseRow) prepared(l links) dedup.PreparedCase {
	p := dedup.PrepareCase(dedup.Case{Seq: r.Seq, Title: r.Title, Summary: r.Summary, Category: r.Category,
		Field: r.Field, Respondent: r.Respondent})
	p.People, p.Delegations = l.people, l.delegations
	return p
}

// caseLinks reads, for each root seq (every case's, for nil), who came about its merge
// group's live visits and which delegations did, in three queries for all of them.
func caseLinks(ctx context.Context, db *gorm.DB, roots []int64) (map[int64]links, error) {
	out := make(map[int64]links, len(roots))
	if roots != nil && len(roots) == 0 {
		return out, nil
	}
	var rows []struct {
		RootSeq      int64
		PersonID     *string
		DelegationID *string
	}
	q := db.WithContext(ctx).Table("cases AS c").Select("c.root_seq, vp.person_id, v.delegation_id").
		Joins("JOIN visits v ON v.case_seq = c.seq").Joins("LEFT JOIN visit_persons vp ON vp.visit_id = v.id").
		Where("c.voided_at IS NULL AND v.voided_at IS NULL")
	if roots != nil {
		q = q.Where("c.root_seq IN ?", roots)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	var personIDs, delegationIDs []string
	for _, r := range rows {
		if r.PersonID != nil {
			personIDs = append(personIDs, *r.PersonID)
		}
		if r.DelegationID != nil {
			delegationIDs = append(delegationIDs, *r.DelegationID)
		}
	}
	survivor, names, err := personSurvivors(ctx, db, personIDs)
	if err != nil {
		return nil, err
	}
	delegationName := map[string]string{}
	err = inChunks(slices.Compact(slices.Sorted(slices.Values(delegationIDs))), func(ids []string) error {
		var delegations []struct{ ID, Name string }
		err := db.WithContext(ctx).Table("delegations").Select("id, name").Where("id IN ?", ids).Scan(&delegations).Error
		for _, d := range delegations {
			delegationName[d.ID] = d.Name
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		l, ok := out[r.RootSeq]
		if !ok {
			l = links{people: map[string]string{}, delegations: map[string]string{}}
			out[r.RootSeq] = l
		}
		if r.PersonID != nil {
			root := survivor[*r.PersonID]
			l.people[root] = names[root]
		}
		if r.DelegationID != nil {
			l.delegations[*r.DelegationID] = delegationName[*r.DelegationID]
		}
	}
	return out, nil
}

// inChunks runs fn over ids a thousand at a time: a whole register's ids would overflow the
// parameters of one statement (SQLite takes at most 32766).
func inChunks(ids []string, fn func(chunk []string) error) error {
	for lo := 0; lo < len(ids); lo += 1000 {
		if err := fn(ids[lo:min(lo+1000, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

// personSurvivors maps each person id to the person it was finally merged into (itself when
// not merged), and gives those survivors' names.
func personSurvivors(ctx context.Context, db *gorm.DB, ids []string) (map[string]string, map[string]string, error) {
	survivor := make(map[string]string, len(ids))
	names := map[string]string{}
	next := map[string]string{} // person met → the person it points to
	pending := slices.Compact(slices.Sorted(slices.Values(ids)))
	for depth := 0; len(pending) > 0 && depth < 100; depth++ {
		type person struct {
			ID, FullName string
			MergedInto   *string
		}
		var rows []person
		err := inChunks(pending, func(ids []string) error {
			var chunk []person
			err := db.WithContext(ctx).Table("persons").Select("id, full_name, merged_into").Where("id IN ?", ids).Scan(&chunk).Error
			rows = append(rows, chunk...)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		pending = nil
		for _, r := range rows {
			names[r.ID] = r.FullName
			next[r.ID] = r.ID
			if r.MergedInto != nil {
				next[r.ID] = *r.MergedInto
				if _, seen := next[*r.MergedInto]; !seen {
					pending = append(pending, *r.MergedInto)
				}
			}
		}
	}
	for _, id := range ids {
		s := id
		for i := 0; i < 100 && next[s] != s && next[s] != ""; i++ {
			s = next[s]
		}
		survivor[id] = s
	}
	return survivor, names, nil
}

// casesOfPersons returns the seqs of the cases with live visits by any of the given persons or
// by persons merged into them.
func casesOfPersons(ctx context.Context, db *gorm.DB, ids []string) ([]int64, error) {
	all := slices.Clone(ids)
	for frontier, depth := ids, 0; len(frontier) > 0 && depth < 100; depth++ {
		var merged []string
		if err := db.WithContext(ctx).Table("persons").Where("merged_into IN ?", frontier).Pluck("id", &merged).Error; err != nil {
			return nil, err
		}
		all = append(all, merged...)
		frontier = merged
	}
	var seqs []int64
	err := db.WithContext(ctx).Table("visit_persons AS vp").Select("DISTINCT v.case_seq").
		Joins("JOIN visits v ON v.id = vp.visit_id").
		Where("vp.person_id IN ? AND v.voided_at IS NULL", all).Scan(&seqs).Error
	return seqs, err
}

// weights are the register's term statistics, which duplicate scores weigh matches by. They
// are read before a lookup rather than during it: a lookup sends all its statements to one
// pinned connection (Store.Pinned), and reading them may take another from the pool.
type weights struct {
	persons *dedup.PersonStats
	cases   *dedup.CaseStats
}

func (s *Service) weights(ctx context.Context) (weights, error) {
	persons, err := s.personStats(ctx)
	if err != nil {
		return weights{}, err
	}
	cases, err := s.caseStats(ctx)
	return weights{persons: persons, cases: cases}, err
}

// caseStats returns the word and respondent weights of the register.
func (s *Service) caseStats(ctx context.Context) (*dedup.CaseStats, error) {
	return s.dedup.cases.get(ctx, topSeq(s.store.DB, "cases"), func(ctx context.Context) (*dedup.CaseStats, int, error) {
		rows, err := liveCases(ctx, s.store.DB)
		if err != nil {
			return nil, 0, err
		}
		st := dedup.NewCaseStats()
		for i := range rows {
			p := rows[i].prepared(links{})
			st.Add(&p)
		}
		return st, len(rows), nil
	})
}

// liveCases reads every case that can have duplicates: live and not merged away.
func liveCases(ctx context.Context, db *gorm.DB) ([]caseRow, error) {
	var rows []caseRow
	err := db.WithContext(ctx).Where("voided_at IS NULL AND merged_into IS NULL").Order("seq").Find(&rows).Error
	return rows, err
}

// scanCases compares the cases of the whole register. A citizen counts as the same across
// cases when the persons are one after merges, or the latest person scan paired them.
func (s *Service) scanCases(ctx context.Context, decided map[[2]string]bool) ([]ScannedPair, int, error) {
	rows, err := liveCases(ctx, s.store.DB)
	if err != nil {
		return nil, 0, err
	}
	all, err := caseLinks(ctx, s.store.DB, nil)
	if err != nil {
		return nil, 0, err
	}
	same, err := s.scannedPersonPairs(ctx)
	if err != nil {
		return nil, 0, err
	}
	cs := make([]dedup.PreparedCase, len(rows))
	ids := make(map[int64]string, len(rows))
	st := dedup.NewCaseStats()
	top := int64(0)
	for i := range rows {
		l := all[rows[i].Seq]
		people := map[string]string{}
		for id, name := range l.people {
			people[same.find(id)] = name
		}
		l.people = people
		cs[i] = rows[i].prepared(l)
		st.Add(&cs[i])
		ids[rows[i].Seq] = rows[i].ID
		top = max(top, rows[i].Seq)
	}
	s.dedup.cases.set(st, len(rows), top)
	found := dedup.ScanCases(cs, st, dedup.DefaultThreshold, func(a, b int64) bool { return decided[pairKey(ids[a], ids[b])] })
	out := make([]ScannedPair, len(found))
	for i, p := range found {
		out[i] = ScannedPair{IDs: pairKey(ids[p.A], ids[p.B]), Match: p.Match}
	}
	return out, len(rows), nil
}

// scannedPersonPairs joins the persons the latest person scan paired (scanning first when
// there is none) into groups of one citizen each.
func (s *Service) scannedPersonPairs(ctx context.Context) (unionFind, error) {
	var scans int64
	if err := s.store.DB.WithContext(ctx).Model(&scanRow{}).Where("entity = ?", "person").Count(&scans).Error; err != nil {
		return nil, err
	}
	if scans == 0 {
		if _, _, err := s.scanLocked(ctx, "person"); err != nil {
			return nil, err
		}
	}
	var pairs []candidateRow
	if err := s.store.DB.WithContext(ctx).Where("entity = ?", "person").Find(&pairs).Error; err != nil {
		return nil, err
	}
	u := unionFind{}
	for _, p := range pairs {
		u.union(p.LowID, p.HighID)
	}
	return u, nil
}

// unionFind groups ids; an id never joined is its own group.
type unionFind map[string]string

func (u unionFind) find(id string) string {
	root := id
	for p, ok := u[root]; ok && p != root; p, ok = u[root] {
		root = p
	}
	for id != root {
		// path compression: the next find is one step
		id, u[id] = u[id], root
	}
	return root
}

func (u unionFind) union(a, b string) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u[max(ra, rb)] = min(ra, rb)
	}
}
