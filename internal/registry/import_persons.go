package registry

import (
	"context"
	"maps"
	"slices"

	"gorm.io/gorm"

	"github.com/tcd-registry/tcd/internal/dedup"
	"github.com/tcd-registry/tcd/internal/imports"
	"github.com/tcd-registry/tcd/internal/vntext"
)

// An imported person without an ID number is the person the duplicate matcher finds best (at
// or above its threshold), among the register and the persons the rows before registered. Row
// by row (knownPerson) each such person cost the batch's earlier persons written, the lookup's
// candidates read and the counts of their terms read: four round trips a person, a quarter of
// an import's time on PostgreSQL. A batch does it in bulk instead: before its first row, the
// register's candidates of every such person of the batch are read in a few statements and the
// counts of their terms in a few more; the persons the batch registers stay in memory, filed
// under their blocking keys as the database files them, until the batch is committed, and their
// terms are counted beside the register's: the next batch, prepared while this one is written,
// reads the register without them and takes them from here. Each person is then scored against
// what a lookup after the rows before it would have read.

// importProbe is what the matcher knows of an imported person without an ID number.
func importProbe(p imports.Person) *personRow {
	return &personRow{FullName: p.FullName, NameFolded: vntext.Fold(p.FullName), Gender: p.Gender, Address: optText(&p.Address)}
}

// probeOf names an imported person by what importProbe reads of them.
type probeOf struct{ name, gender, address string }

// batchMatcher finds the persons without an ID number of one batch.
type batchMatcher struct {
	d      *Duplicates
	ctx    context.Context
	db     *gorm.DB
	found  map[probeOf][]candidate // the register's candidates, read before the batch's rows
	counts map[string]int          // the register's counts of the terms read so far
	// the batch's registered persons, written at its end (writePersons), and those of the batch
	// before (nil: none), written but not committed while this one reads the register
	own, earlier *pendingPersons
}

// pendingPersons are the persons a batch registers, filed as the database will file them, and
// the counts of their terms.
type pendingPersons struct {
	index *dedup.PersonIndex
	ids   map[int64]string // a person's id by the seq it is filed under
	delta map[string]int64
	next  int64 // the seq the next person is filed under
}

// pendingSeq orders a batch's persons after the register's, in the order registered, as their
// seqs will: a tie goes to the newest record.
const pendingSeq = int64(1) << 62

// newBatchMatcher is the matcher of a batch read from db, after the persons of earlier (nil:
// none), which the register does not hold yet.
func newBatchMatcher(ctx context.Context, d *Duplicates, db *gorm.DB, earlier *pendingPersons) *batchMatcher {
	next := pendingSeq
	if earlier != nil {
		next = earlier.next
	}
	return &batchMatcher{d: d, ctx: ctx, db: db, found: map[probeOf][]candidate{}, counts: map[string]int{}, earlier: earlier,
		own: &pendingPersons{index: dedup.NewPersonIndex(nil), ids: map[int64]string{}, delta: map[string]int64{}, next: next}}
}

// candidates adds the pending persons filed under probe's keys to cs.
func (pp *pendingPersons) candidates(probe *dedup.Prepared, cs []candidate) []candidate {
	if pp == nil {
		return cs
	}
	pp.index.Candidates(probe, func(c *dedup.Prepared) {
		cs = append(cs, candidate{id: pp.ids[c.Seq], Prepared: *c})
	})
	return cs
}

// count is the pending persons' count of term.
func (pp *pendingPersons) count(term string) int {
	if pp == nil {
		return 0
	}
	return int(pp.delta[term])
}

// read reads the register's candidates of persons, and the counts of their terms.
func (m *batchMatcher) read(orgID string, persons []imports.Person) error {
	var keys []probeOf
	var probes []*dedup.Prepared
	seen := map[probeOf]bool{}
	for _, p := range persons {
		k := probeOf{p.FullName, p.Gender, p.Address}
		if seen[k] {
			continue
		}
		seen[k] = true
		probe := importProbe(p).prepared()
		keys, probes = append(keys, k), append(probes, &probe)
	}
	found, err := m.d.registerCandidates(m.ctx, m.db, orgScope(orgID), probes)
	if err != nil {
		return err
	}
	terms := []string{totalTerm}
	for i, k := range keys {
		m.found[k] = found[i]
		terms = append(terms, dedup.ScoringTerms(probes[i], candidatesOf(found[i]))...)
	}
	return m.readCounts(terms)
}

// readCounts reads the register's counts of the terms not read yet.
func (m *batchMatcher) readCounts(terms []string) error {
	var unread []string
	for _, t := range terms {
		if _, ok := m.counts[t]; !ok {
			m.counts[t] = 0 // a term never counted is not in the table
			unread = append(unread, t)
		}
	}
	if len(unread) == 0 {
		return nil
	}
	counts, err := personTerms.read(m.ctx, m.db, distinct(unread))
	maps.Copy(m.counts, counts)
	return err
}

// register files a person the batch registers: later rows find them as if written.
func (m *batchMatcher) register(r *personRow) {
	p := r.prepared()
	own := m.own
	p.Seq = own.next
	own.next++
	own.ids[p.Seq] = r.ID
	own.index.Add(p)
	for _, t := range append(dedup.CountedTerms(&p), totalTerm) {
		own.delta[t]++
	}
}

// known is the id of the person p is (knownPerson's answer), "" when none.
func (m *batchMatcher) known(p imports.Person) (string, error) {
	probe := importProbe(p).prepared()
	candidates := slices.Clone(m.found[probeOf{p.FullName, p.Gender, p.Address}])
	candidates = m.own.candidates(&probe, m.earlier.candidates(&probe, candidates))
	terms := append(dedup.ScoringTerms(&probe, candidatesOf(candidates)), totalTerm)
	if err := m.readCounts(terms); err != nil {
		return "", err
	}
	df := make(map[string]int, len(terms))
	for _, t := range terms {
		df[t] = m.counts[t] + m.earlier.count(t) + m.own.count(t)
	}
	found := scorePersons(&probe, candidates, dedup.PersonStatsFromCounts(df[totalTerm], df), DuplicateQuery{Limit: 1}.orDefaults(dedup.DefaultThreshold))
	if len(found) == 0 {
		return "", nil
	}
	return found[0].id, nil
}

func candidatesOf(cs []candidate) []*dedup.Prepared {
	out := make([]*dedup.Prepared, len(cs))
	for i := range cs {
		out[i] = &cs[i].Prepared
	}
	return out
}
