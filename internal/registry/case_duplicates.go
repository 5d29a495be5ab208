package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/dedup"
)

// CaseDuplicate is a case that may be the same matter as the one looked up.
type CaseDuplicate struct {
	Case    Case     `json:"case" validate:"required"`
	Score   float64  `json:"score" example:"0.91" validate:"required"`
	Reasons []string `json:"reasons" example:"same citizen: Nguyễn Văn An (+8.2),same land parcel: thửa 45, tờ 12 (+2.1),no citizen in common (-3.0)" validate:"required"`
}

// CaseDuplicates lists the cases within the actor's reach that may be the same matter as case
// id, best first.
func (d *Duplicates) CaseDuplicates(ctx context.Context, actor auth.Actor, id string, q DuplicateQuery) ([]CaseDuplicate, error) {
	row, err := load[caseRow](ctx, d.reg.store.DB, actor, "case", id, ReadOptions{})
	if err != nil {
		return nil, err
	}
	found, err := d.matchCase(ctx, d.reg.store.DB, actorScope(actor), row, q.orDefaults(dedup.DefaultCaseThreshold), func(ids []string) (map[string]bool, error) {
		return d.reg.secretCases(ctx, d.reg.store.DB, actor, ids)
	})
	if err != nil {
		return nil, err
	}
	seqs := make([]int64, len(found))
	for i, f := range found {
		seqs[i] = f.row.Seq
	}
	figures, err := caseVisitFigures(ctx, d.reg.store.DB, seqs)
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

// matchCase scores the live, unmerged cases that a clerk would look at for case c: the cases
// of its citizens (the same person, one merged with them, the same ID number, the same name
// and birth year), of their households (family name and address), of its delegations and their
// members, and the cases naming the same document, parcel or person or sharing two of its
// respondent, project and rarest title words; leaving out c's own merge group and the cases
// staff declared distinct from it. secret, when given, names the cases (of c and the
// candidates) whose citizens the reader may not know of: their citizens then count for
// nothing, neither in the score nor in the reasons, so that no suggestion tells who denounced
// what. Every statement goes to db.
func (d *Duplicates) matchCase(ctx context.Context, db *gorm.DB, sc scope, c *caseRow, q DuplicateQuery,
	secret func(ids []string) (map[string]bool, error)) ([]caseMatch, error) {
	model, err := caseModel(ctx, db)
	if err != nil {
		return nil, err
	}
	links, err := d.caseLinks(ctx, db, []int64{c.RootSeq})
	if err != nil {
		return nil, err
	}
	var hidden map[string]bool
	if secret != nil {
		if hidden, err = secret([]string{c.ID}); err != nil {
			return nil, err
		}
	}
	probe := d.prepared(c, links[c.RootSeq], hidden[c.ID])
	counts := dedup.MapCounts{DF: map[string]int{}}
	if err := readCounts(ctx, db, &counts, slices.Concat(probe.TextTerms(), probe.PeopleKeys())); err != nil {
		return nil, err
	}
	linked, err := linkedCases(ctx, db, c.OrgID, &probe)
	if err != nil {
		return nil, err
	}
	strong, weak := probe.LookupKeys(counts)
	text, err := sharingKeys(ctx, db, c.OrgID, c.Seq, strong, weak, q.postings)
	if err != nil {
		return nil, err
	}
	seqs := append(linked, text...)
	if len(seqs) == 0 {
		return nil, nil
	}
	rows, err := mergeRoots(ctx, db, sc, seqs, c.RootSeq)
	if err != nil {
		return nil, err
	}
	roots := make([]int64, len(rows))
	ids := make([]string, len(rows))
	for i := range rows {
		roots[i], ids[i] = rows[i].Seq, rows[i].ID
	}
	if links, err = d.caseLinks(ctx, db, roots); err != nil {
		return nil, err
	}
	skip, err := excludedFrom(ctx, db, "case", "cases", c.ID, c.MergedInto)
	if err != nil {
		return nil, err
	}
	if secret != nil {
		if hidden, err = secret(ids); err != nil {
			return nil, err
		}
	}
	cands := make([]dedup.PreparedCase, 0, len(rows))
	kept := make([]caseRow, 0, len(rows))
	var terms []string
	for i := range rows {
		if skip[rows[i].ID] {
			continue
		}
		cand := d.prepared(&rows[i], links[rows[i].Seq], hidden[rows[i].ID])
		cands = append(cands, cand)
		kept = append(kept, rows[i])
		terms = append(terms, cand.CandidateTerms()...)
	}
	if err := readCounts(ctx, db, &counts, terms); err != nil {
		return nil, err
	}
	var out []caseMatch
	for i := range cands {
		if m := model.Score(&probe, &cands[i], counts); m.Score >= q.MinScore {
			out = append(out, caseMatch{row: kept[i], Match: m})
		}
	}
	sortMatches(out, func(m caseMatch) (float64, int64) { return m.Score, m.row.Seq })
	return out[:min(len(out), q.Limit)], nil
}

// mergeRoots reads the live roots of the merge groups of the cases seqs, but that of root,
// newest first. Two primary-key reads from the lists given rather than a join or a subquery:
// joined, SQLite walked the organisation's every case (half a second a lookup at 10,000), and
// no plan here depends on the planner's statistics.
func mergeRoots(ctx context.Context, db *gorm.DB, sc scope, seqs []int64, root int64) ([]caseRow, error) {
	var roots []int64
	if err := db.WithContext(ctx).Table("cases").Distinct("root_seq").Where("seq IN ?", seqs).Pluck("root_seq", &roots).Error; err != nil {
		return nil, err
	}
	var rows []caseRow
	err := sc(db.WithContext(ctx).Where("seq IN ? AND voided_at IS NULL AND merged_into IS NULL AND seq <> ?", roots, root), "org_id").
		Order("seq DESC").Find(&rows).Error
	return rows, err
}

// linkedCases are the seqs of the cases dedup.ChooseLinked picks among those of probe's
// citizens (and the persons merged into them), of its delegations' members, and those holding
// one of its citizen, household or delegation keys in its organisation. Each source brings at
// most dedup.LinkedPerKey cases, those opened nearest the probe on either side: a household
// key may be held by a village's every namesake, and its newest cases would crowd out the
// family's of the probe's own weeks. One statement, each part read by an index with a list or
// a key given: a lookup's time is mostly its round trips, and no plan here depends on the
// planner's statistics.
func linkedCases(ctx context.Context, db *gorm.DB, orgID string, probe *dedup.PreparedCase) ([]int64, error) {
	keys := probe.PeopleKeys()
	if len(keys) == 0 {
		return nil, nil
	}
	var ids []string
	for _, p := range probe.People {
		ids = append(ids, p.ID)
	}
	for _, m := range probe.Members {
		ids = append(ids, m.ID)
	}
	persons, err := mergedInto(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	parts := []string{fmt.Sprintf(`SELECT case_seq, %d AS tie FROM (SELECT DISTINCT v.case_seq FROM visit_persons vp
		JOIN visits v ON v.id = vp.visit_id WHERE vp.person_id IN ? AND v.voided_at IS NULL AND v.case_seq <> ?
		ORDER BY v.case_seq DESC LIMIT ?) AS p`, dedup.TieCitizen)}
	args := []any{persons, probe.Seq, dedup.LinkedPerKey}
	for i, k := range keys {
		for j, side := range []string{"< ? ORDER BY case_seq DESC", "> ? ORDER BY case_seq"} {
			parts = append(parts, fmt.Sprintf(`SELECT case_seq, %d FROM (SELECT case_seq FROM case_keys
				WHERE org_id = ? AND key = ? AND case_seq %s LIMIT ?) AS k%d_%d`, dedup.KeyTie(k), side, i, j))
			args = append(args, orgID, k, probe.Seq, dedup.LinkedPerKey)
		}
	}
	var found []dedup.LinkedCase
	err = db.WithContext(ctx).Raw(`SELECT c.seq, l.tie, c.status = 'open' AS open,
			COALESCE((SELECT MAX(v.date) FROM visits v WHERE v.case_seq = c.seq AND v.voided_at IS NULL), '') AS last_visit
		FROM (`+strings.Join(parts, " UNION ALL ")+`) AS l JOIN cases c ON c.seq = l.case_seq
		WHERE c.voided_at IS NULL`, args...).Scan(&found).Error
	if err != nil {
		return nil, err
	}
	return dedup.ChooseLinked(probe, found), nil
}

// mergedInto is ids with the persons merged into them, down every merge chain; never empty.
func mergedInto(ctx context.Context, db *gorm.DB, ids []string) ([]string, error) {
	all := append([]string{""}, ids...)
	for frontier, depth := ids, 0; len(frontier) > 0 && depth < 100; depth++ {
		var merged []string
		if err := db.WithContext(ctx).Table("persons").Where("merged_into IN ?", frontier).Pluck("id", &merged).Error; err != nil {
			return nil, err
		}
		all = append(all, merged...)
		frontier = merged
	}
	return all, nil
}

// sharingKeys returns the cases of an organisation holding one of the strong keys or two of
// the weak ones, those sharing most first. Each key brings at most its postings newest cases:
// a rare key (a parcel, a name, a decision) brings every case that has it, a key found in
// every other case only recent ones. That bounds the work per lookup however large the
// register grows; a national register's "tranh chấp đất đai" alone has hundreds of thousands
// of cases.
func sharingKeys(ctx context.Context, db *gorm.DB, orgID string, self int64, strong, weak []string, postings int) ([]int64, error) {
	var parts []string
	var args []any
	add := func(keys []string, weight int) {
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf(`SELECT case_seq, %d AS w FROM (SELECT case_seq FROM case_keys
				WHERE org_id = ? AND key = ? AND case_seq <> ? ORDER BY case_seq DESC LIMIT ?) AS k%d`, weight, len(parts)))
			args = append(args, orgID, k, self, postings)
		}
	}
	add(strong, 2)
	add(weak, 1)
	if len(parts) == 0 {
		return nil, nil
	}
	var seqs []int64
	err := db.WithContext(ctx).Raw(`SELECT case_seq FROM (`+strings.Join(parts, " UNION ALL ")+`) AS shared
		GROUP BY case_seq HAVING SUM(w) >= 2 ORDER BY SUM(w) DESC, case_seq DESC LIMIT ?`, append(args, dedup.TextCandidates)...).
		Scan(&seqs).Error
	return seqs, err
}

// links are who came about a case's merge group: its citizens (each under the person they
// were finally merged into), its delegations by id with their names, the members of those
// delegations, and the date of its latest live visit.
type links struct {
	people      []dedup.Citizen
	delegations map[string]string
	members     []dedup.Member
	lastVisit   string
}

// prepared is r read for matching with who came about it; hidden: the reader may not know who.
func (d *Duplicates) prepared(r *caseRow, l links, hidden bool) dedup.PreparedCase {
	p := d.cachedText(r)
	p.People, p.Delegations, p.Members, p.LastVisit, p.Hidden = l.people, l.delegations, l.members, l.lastVisit, hidden
	p.Opened, p.Open = r.CreatedAt, r.Status == "open"
	return p
}

// caseLinks reads, for each root seq (every case's, for nil), who came about its merge
// group's live visits, which delegations did and who their members are.
func (d *Duplicates) caseLinks(ctx context.Context, db *gorm.DB, roots []int64) (map[int64]links, error) {
	return d.caseLinksBy(ctx, db, "c.root_seq", roots)
}

// caseLinksBy is caseLinks by the cases' column given: root_seq for merge groups, seq for
// cases alone. The persons are read with the visits and delegations that name them: two
// statements, three when someone was merged.
func (d *Duplicates) caseLinksBy(ctx context.Context, db *gorm.DB, column string, keys []int64) (map[int64]links, error) {
	out := make(map[int64]links, len(keys))
	if keys != nil && len(keys) == 0 {
		return out, nil
	}
	var rows []struct {
		RootSeq      int64
		Date         string
		DelegationID *string
		Person       linkedPerson `gorm:"embedded"`
	}
	q := db.WithContext(ctx).Table("cases AS c").Select(column + " AS root_seq, v.date, v.delegation_id, " + linkedPersonColumns).
		Joins("JOIN visits v ON v.case_seq = c.seq").Joins("LEFT JOIN visit_persons vp ON vp.visit_id = v.id").
		Joins("LEFT JOIN persons p ON p.id = vp.person_id").
		Where("c.voided_at IS NULL AND v.voided_at IS NULL")
	if keys != nil {
		q = q.Where(column+" IN ?", keys)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	delegations := map[string]bool{}
	persons := make([]linkedPerson, 0, len(rows))
	for _, r := range rows {
		persons = append(persons, r.Person)
		if r.DelegationID != nil {
			delegations[*r.DelegationID] = true
		}
	}
	members, names, err := membersOfDelegations(ctx, db, slices.Sorted(maps.Keys(delegations)))
	if err != nil {
		return nil, err
	}
	for _, ms := range members {
		persons = append(persons, ms...)
	}
	citizens, err := d.citizensOf(ctx, db, persons)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		l, ok := out[r.RootSeq]
		if !ok {
			l = links{delegations: map[string]string{}}
		}
		l.lastVisit = max(l.lastVisit, r.Date)
		if id := r.Person.PersonID; id != nil && !slices.ContainsFunc(l.people, func(c dedup.Citizen) bool { return c.ID == citizens[*id].ID }) {
			l.people = append(l.people, citizens[*id])
		}
		if r.DelegationID != nil {
			l.delegations[*r.DelegationID] = names[*r.DelegationID]
		}
		out[r.RootSeq] = l
	}
	for root, l := range out {
		for _, id := range slices.Sorted(maps.Keys(l.delegations)) {
			for _, m := range members[id] {
				c := citizens[*m.PersonID]
				if !slices.ContainsFunc(l.people, func(p dedup.Citizen) bool { return p.ID == c.ID }) {
					l.members = append(l.members, dedup.Member{Citizen: c, Delegation: id})
				}
			}
		}
		out[root] = l
	}
	return out, nil
}

// linkedPerson is a person record as matching reads it, beside the visit or delegation that
// names it (all nil when none does).
type linkedPerson struct {
	PersonID      *string
	PersonSeq     *int64
	PersonVersion *int
	FullName      *string
	BirthYear     *int
	IDNumber      *string
	Phone         *string
	Address       *string
	MergedInto    *string
}

// linkedPersonColumns select a linkedPerson from the persons joined as p.
const linkedPersonColumns = `p.id AS person_id, p.seq AS person_seq, p.version AS person_version, p.full_name,
	p.birth_year, p.id_number, p.phone, p.address, p.merged_into`

// membersOfDelegations reads the names of delegations and their members: the representatives
// and everyone named at their live visits. One statement.
func membersOfDelegations(ctx context.Context, db *gorm.DB, ids []string) (map[string][]linkedPerson, map[string]string, error) {
	members := map[string][]linkedPerson{}
	names := map[string]string{}
	if len(ids) == 0 {
		return members, names, nil
	}
	var rows []struct {
		DelegationID string
		Name         string
		Person       linkedPerson `gorm:"embedded"`
	}
	err := db.WithContext(ctx).Raw(`SELECT d.id AS delegation_id, d.name, `+linkedPersonColumns+` FROM delegations d
		LEFT JOIN (SELECT delegation_id, person_id FROM delegation_representatives WHERE delegation_id IN ?
			UNION SELECT v.delegation_id, vp.person_id FROM visits v JOIN visit_persons vp ON vp.visit_id = v.id
			WHERE v.delegation_id IN ? AND v.voided_at IS NULL) m ON m.delegation_id = d.id
		LEFT JOIN persons p ON p.id = m.person_id
		WHERE d.id IN ?`, ids, ids, ids).Scan(&rows).Error
	for _, r := range rows {
		names[r.DelegationID] = r.Name
		if r.Person.PersonID != nil {
			members[r.DelegationID] = append(members[r.DelegationID], r.Person)
		}
	}
	return members, names, err
}

// citizensOf reads persons for matching, by id, each under the identity of the person they
// were finally merged into.
func (d *Duplicates) citizensOf(ctx context.Context, db *gorm.DB, persons []linkedPerson) (map[string]dedup.Citizen, error) {
	out := make(map[string]dedup.Citizen, len(persons))
	var merged []string
	for _, p := range persons {
		if p.PersonID == nil || p.PersonSeq == nil {
			continue
		}
		if _, done := out[*p.PersonID]; done {
			continue
		}
		row := personRow{Meta: Meta{Seq: *p.PersonSeq, ID: *p.PersonID, Version: *p.PersonVersion}, BirthYear: p.BirthYear,
			IDNumber: p.IDNumber, Phone: p.Phone, Address: p.Address, MergedInto: p.MergedInto}
		if p.FullName != nil {
			row.FullName = *p.FullName
		}
		out[row.ID] = d.cachedCitizen(&row)
		if row.MergedInto != nil {
			merged = append(merged, row.ID)
		}
	}
	if len(merged) == 0 {
		return out, nil
	}
	survivor, _, err := personSurvivors(ctx, db, merged)
	for _, id := range merged {
		c := out[id]
		c.ID = survivor[id]
		out[id] = c
	}
	return out, err
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

type modelRow struct {
	Entity    string `gorm:"primaryKey"`
	TrainedAt time.Time
	Params    string
}

func (modelRow) TableName() string { return "dedup_models" }

// caseModel reads the case score's parameters the latest scan estimated, or the defaults.
// They are read with the lookup, from the database: every replica scores alike, and a new
// model counts from the moment it is stored.
func caseModel(ctx context.Context, db *gorm.DB) (*dedup.CaseModel, error) {
	var row modelRow
	err := db.WithContext(ctx).Where("entity = ?", "case").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return dedup.DefaultCaseModel(), nil
	}
	if err != nil {
		return nil, err
	}
	return dedup.ReadCaseModel([]byte(row.Params))
}

// storeCaseModel keeps a trained model, in tx.
func storeCaseModel(ctx context.Context, tx *gorm.DB, m *dedup.CaseModel, at time.Time) error {
	params, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return tx.WithContext(ctx).Exec(`INSERT INTO dedup_models (entity, trained_at, params) VALUES ('case', ?, ?)
		ON CONFLICT (entity) DO UPDATE SET trained_at = excluded.trained_at, params = excluded.params`, at, string(params)).Error
}

// scanCases compares the cases of the whole register as their lookups would, after
// estimating the score's parameters from them and staff's decisions (and keeping them for
// the lookups that follow).
func (d *Duplicates) scanCases(ctx context.Context, decided map[[2]string]bool) ([]ScannedPair, int, error) {
	db := d.reg.store.DB.WithContext(ctx)
	var rows []caseRow
	if err := db.Where("voided_at IS NULL").Order("seq").Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	all, err := d.caseLinks(ctx, d.reg.store.DB, nil)
	if err != nil {
		return nil, 0, err
	}
	df, err := caseTerms.readAll(ctx, db)
	if err != nil {
		return nil, 0, err
	}
	counts := dedup.MapCounts{DF: df, Total: df[totalTerm]}
	// every live case, for staff's decisions; the unmerged ones are compared
	prepared := make([]dedup.PreparedCase, len(rows))
	index := map[string]int{}
	var live []*dedup.PreparedCase
	var liveRows []int
	var merged []int64
	for i := range rows {
		if rows[i].MergedInto != nil {
			merged = append(merged, rows[i].Seq)
		}
	}
	// a merged case as it was before its merge, for the staff decision it stands for
	own, err := d.caseLinksBy(ctx, d.reg.store.DB, "c.seq", merged)
	if err != nil {
		return nil, 0, err
	}
	for i := range rows {
		l := all[rows[i].RootSeq]
		if rows[i].MergedInto != nil {
			l = own[rows[i].Seq]
		}
		prepared[i] = d.prepared(&rows[i], l, false)
		index[rows[i].ID] = i
		if rows[i].MergedInto == nil {
			live = append(live, &prepared[i])
			liveRows = append(liveRows, i)
		}
	}
	bi := dedup.NewBlockIndex(live)
	var pairs [][2]int
	for i, c := range live {
		for _, j := range bi.Candidates(c, counts, i, dedup.PostingsPerKey) {
			pairs = append(pairs, [2]int{j, i})
		}
	}
	// the model is estimated afresh from the defaults each time: the same register and
	// decisions give the same model, whatever was estimated before
	everyCase := make([]*dedup.PreparedCase, len(prepared))
	for i := range prepared {
		everyCase[i] = &prepared[i]
	}
	labels, err := decisionLabels(ctx, d.reg.store.DB, index)
	if err != nil {
		return nil, 0, err
	}
	trainPairs := make([][2]int, len(pairs))
	for i, p := range pairs {
		trainPairs[i] = [2]int{liveRows[p[0]], liveRows[p[1]]}
	}
	model := dedup.TrainCaseModel(dedup.DefaultCaseModel(), everyCase, trainPairs, labels, counts)
	if err := d.reg.store.Tx(ctx, func(tx *gorm.DB) error { return storeCaseModel(ctx, tx, model, d.reg.now()) }); err != nil {
		return nil, 0, err
	}
	var out []ScannedPair
	for _, p := range pairs {
		a, b := &rows[liveRows[p[0]]], &rows[liveRows[p[1]]]
		ids := pairKey(a.ID, b.ID)
		if decided[ids] {
			continue
		}
		if m := model.Score(live[p[0]], live[p[1]], counts); m.Score >= dedup.DefaultCaseThreshold {
			out = append(out, ScannedPair{IDs: ids, Match: m})
		}
	}
	slices.SortFunc(out, func(x, y ScannedPair) int {
		if x.Score != y.Score {
			if x.Score > y.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(x.IDs[0]+x.IDs[1], y.IDs[0]+y.IDs[1])
	})
	return out, len(live), nil
}

// decisionLabels are staff's decisions on cases, as labelled pairs of the cases given by
// index: the merges in force (one matter) and the pairs declared distinct (two).
func decisionLabels(ctx context.Context, db *gorm.DB, index map[string]int) ([]dedup.LabelledPair, error) {
	var out []dedup.LabelledPair
	add := func(a, b string, same bool) {
		i, ok := index[a]
		j, ok2 := index[b]
		if ok && ok2 {
			out = append(out, dedup.LabelledPair{A: i, B: j, Same: same})
		}
	}
	var merges []mergeRow
	if err := db.WithContext(ctx).Where("entity = ? AND unmerged_at IS NULL", "case").Order("seq").Find(&merges).Error; err != nil {
		return nil, err
	}
	for _, m := range merges {
		add(m.RecordID, m.RequestedInto, true)
	}
	var distinct []decisionRow
	if err := db.WithContext(ctx).Where("entity = ?", "case").Order("seq").Find(&distinct).Error; err != nil {
		return nil, err
	}
	for _, d := range distinct {
		add(d.LowID, d.HighID, false)
	}
	return out, nil
}
