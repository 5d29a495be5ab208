package dedup

import "fmt"

// Quality is how well candidate lists agree with the labels: precision is the share of offered
// candidates that are true duplicates, recall the share of true duplicates offered.
type Quality struct {
	Lists, Truth, Offered, Correct int
	NamesakesOffered               int // false candidates where a namesake was offered for its original or the other way
	Precision, Recall, F1          float64
	// ByVariation is the recall of the true pairs by how the later record varied ("" for
	// everyday noise), and Lookalikes the one-change negatives met and how many were offered.
	ByVariation map[string]*Recall
	Lookalikes  map[string]*Recall
	// LaterFound counts, by variation, the later records (each duplicate written after its
	// citizen's first record) that found at least one record of their citizen: what the clerk
	// entering them sees, since one record found opens the citizen and all the records merged
	// into them. A pair missed between two later records of one citizen lowers ByVariation,
	// not this.
	LaterFound map[string]*Recall
}

// Recall counts true pairs (or negatives) met and offered.
type Recall struct{ Truth, Found int }

// Share is Found over Truth (1 when there was none).
func (r *Recall) Share() float64 {
	if r == nil || r.Truth == 0 {
		return 1
	}
	return float64(r.Found) / float64(r.Truth)
}

// Evaluator scores candidate lists against labelled records.
type Evaluator struct {
	label      map[int64]Labelled
	members    map[int][]int64 // records per entity
	lookalikes map[int][]int64 // the lookalikes of each entity
	q          Quality
}

// NewEvaluator knows no record yet.
func NewEvaluator() *Evaluator {
	return &Evaluator{label: map[int64]Labelled{}, members: map[int][]int64{}, lookalikes: map[int][]int64{}}
}

// Label records the truth about the record seq.
func (e *Evaluator) Label(seq int64, l Labelled) {
	e.label[seq] = l
	e.members[l.Entity] = append(e.members[l.Entity], seq)
	if l.Role == RoleLookalike {
		e.lookalikes[l.LooksLike] = append(e.lookalikes[l.LooksLike], seq)
	}
}

// pairVariation is how a true pair varied: a varied record's variation, else everyday noise.
func (e *Evaluator) pairVariation(a, b int64) string {
	if v := e.label[a].Variation; v != "" {
		return v
	}
	return e.label[b].Variation
}

func tally(m map[string]*Recall, key string, found bool) {
	r := m[key]
	if r == nil {
		r = &Recall{}
		m[key] = r
	}
	r.Truth++
	if found {
		r.Found++
	}
}

func (e *Evaluator) start(q *Quality) {
	if q.ByVariation == nil {
		q.ByVariation, q.Lookalikes, q.LaterFound = map[string]*Recall{}, map[string]*Recall{}, map[string]*Recall{}
	}
}

// offer counts one offered pair.
func (e *Evaluator) offer(q *Quality, a, b int64) {
	q.Offered++
	la, lb := e.label[a], e.label[b]
	switch {
	case la.Entity == lb.Entity:
		q.Correct++
	case la.Role == RoleNamesake || lb.Role == RoleNamesake:
		q.NamesakesOffered++
	}
}

// List scores the candidates offered for probe.
func (e *Evaluator) List(probe int64, candidates []int64) {
	e.start(&e.q)
	offered := map[int64]bool{}
	for _, c := range candidates {
		offered[c] = true
		e.offer(&e.q, probe, c)
	}
	e.q.Lists++
	l := e.label[probe]
	citizenFound := false
	for _, m := range e.members[l.Entity] {
		if m != probe {
			e.q.Truth++
			tally(e.q.ByVariation, e.pairVariation(probe, m), offered[m])
			citizenFound = citizenFound || offered[m]
		}
	}
	if l.Role == RoleDuplicate {
		tally(e.q.LaterFound, l.Variation, citizenFound)
	}
	// the one-change negatives: a lookalike's list, and the lists of those it looks like
	if l.Role == RoleLookalike {
		for _, m := range e.members[l.LooksLike] {
			tally(e.q.Lookalikes, l.Variation, offered[m])
		}
	}
	for _, m := range e.lookalikes[l.Entity] {
		tally(e.q.Lookalikes, e.label[m].Variation, offered[m])
	}
}

// Pairs scores the pairs of a whole-register scan: every true pair is expected once, and every
// pair of a lookalike with someone of the entity it looks like is a negative.
func (e *Evaluator) Pairs(pairs []Pair) Quality {
	q := Quality{Lists: 1}
	e.start(&q)
	found := map[[2]int64]bool{}
	for _, p := range pairs {
		e.offer(&q, p.A, p.B)
		found[[2]int64{min(p.A, p.B), max(p.A, p.B)}] = true
	}
	for seq, l := range e.label {
		citizenFound := false
		for _, m := range e.members[l.Entity] {
			pairFound := found[[2]int64{min(seq, m), max(seq, m)}]
			citizenFound = citizenFound || pairFound
			if m > seq {
				q.Truth++
				tally(q.ByVariation, e.pairVariation(seq, m), pairFound)
			}
		}
		if l.Role == RoleDuplicate {
			tally(q.LaterFound, l.Variation, citizenFound)
		}
		if l.Role == RoleLookalike {
			for _, m := range e.members[l.LooksLike] {
				tally(q.Lookalikes, l.Variation, found[[2]int64{min(seq, m), max(seq, m)}])
			}
		}
	}
	return q.finish()
}

// Quality totals the lists scored so far.
func (e *Evaluator) Quality() Quality { return e.q.finish() }

func (q Quality) finish() Quality {
	q.Precision, q.Recall = 1, 1
	if q.Offered > 0 {
		q.Precision = float64(q.Correct) / float64(q.Offered)
	}
	if q.Truth > 0 {
		q.Recall = float64(q.Correct) / float64(q.Truth)
	}
	if q.Precision+q.Recall > 0 {
		q.F1 = 2 * q.Precision * q.Recall / (q.Precision + q.Recall)
	}
	return q
}

// VariationReport is q's recall per variation and false offers on lookalikes, a line each.
func VariationReport(q Quality) []string {
	var out []string
	for _, v := range append([]string{""}, Variations...) {
		name := v
		if v == "" {
			name = "everyday"
		}
		if r := q.ByVariation[v]; r != nil {
			line := fmt.Sprintf("  %-9s recall %.3f (%d of %d pairs)", name, r.Share(), r.Found, r.Truth)
			if c := q.LaterFound[v]; c != nil {
				line += fmt.Sprintf("; later records finding their citizen %.3f (%d of %d)", c.Share(), c.Found, c.Truth)
			}
			out = append(out, line)
		}
	}
	for _, v := range []string{VariationSpelling, VariationHeard} {
		if r := q.Lookalikes[v]; r != nil {
			out = append(out, fmt.Sprintf("  lookalike %-9s offered %.3f (%d of %d)", v, r.Share(), r.Found, r.Truth))
		}
	}
	return out
}
