package dedup

import (
	"fmt"
	"io"
	"slices"
)

// KindQuality is how well the candidates offered for the later cases of one kind agree with
// the truth. A later case whose matter has an earlier case in the register should be offered
// one (a hit); any other case offered is a false offer.
type KindQuality struct {
	Kind               string
	Lookups            int // later cases looked up
	WithTruth          int // of which the register held an earlier case of the same matter
	Hits, Hits1, Hits5 int // offered one at the cut-off; ranked one first; one in the first five
	Offered, Correct   int // candidates offered at the cut-off, and how many were right
	Misled             int // lookups offered another matter at the cut-off
	Precision, Recall  float64
	Recall1, Recall5   float64
	FalseOffers        float64 // the share of lookups offered another matter
}

// Ranked is one candidate of a lookup.
type Ranked struct {
	Seq   int64
	Score float64
}

// CaseEvaluator scores the candidate lists of later cases by kind.
type CaseEvaluator struct {
	matter  map[int64]int
	members map[int]int // cases per matter in the register
	kinds   map[string]*KindQuality
	order   []string
}

// NewCaseEvaluator knows no case yet.
func NewCaseEvaluator() *CaseEvaluator {
	e := &CaseEvaluator{matter: map[int64]int{}, members: map[int]int{}, kinds: map[string]*KindQuality{}}
	for _, k := range append(slices.Clone(DuplicateKinds), LookalikeKinds...) {
		e.kind(k)
	}
	return e
}

func (e *CaseEvaluator) kind(k string) *KindQuality {
	q, ok := e.kinds[k]
	if !ok {
		q = &KindQuality{Kind: k}
		e.kinds[k] = q
		e.order = append(e.order, k)
	}
	return q
}

// Label records that the register holds case seq, of matter.
func (e *CaseEvaluator) Label(seq int64, matter int) {
	e.matter[seq] = matter
	e.members[matter]++
}

// List scores the candidates ranked for probe (best first, every score); those scoring at
// least cutoff, at most limit of them, are what staff are offered.
func (e *CaseEvaluator) List(probe int64, kind string, ranked []Ranked, cutoff float64, limit int) {
	q := e.kind(kind)
	q.Lookups++
	m := e.matter[probe]
	truth := e.members[m] > 1
	if truth {
		q.WithTruth++
	}
	var hit, wrong bool
	for i, r := range ranked {
		right := e.matter[r.Seq] == m
		if right && i == 0 {
			q.Hits1++
		}
		if right && i < 5 && !slices.ContainsFunc(ranked[:i], func(x Ranked) bool { return e.matter[x.Seq] == m }) {
			q.Hits5++
		}
		if r.Score >= cutoff && i < limit {
			q.Offered++
			if right {
				q.Correct++
				hit = true
			} else {
				wrong = true
			}
		}
	}
	if hit {
		q.Hits++
	}
	if wrong {
		q.Misled++
	}
}

// Kinds are the figures by kind, duplicates first; All adds them up.
func (e *CaseEvaluator) Kinds() []KindQuality {
	var out []KindQuality
	for _, k := range e.order {
		out = append(out, e.kinds[k].finish())
	}
	return out
}

// All adds up every kind; Duplicates the kinds that are one matter with an earlier case.
func (e *CaseEvaluator) All(kinds ...string) KindQuality {
	sum := KindQuality{Kind: "all"}
	if len(kinds) > 0 {
		sum.Kind = "duplicates"
	}
	for _, k := range e.order {
		if len(kinds) > 0 && !slices.Contains(kinds, k) {
			continue
		}
		q := e.kinds[k]
		sum.Lookups += q.Lookups
		sum.WithTruth += q.WithTruth
		sum.Hits += q.Hits
		sum.Hits1 += q.Hits1
		sum.Hits5 += q.Hits5
		sum.Offered += q.Offered
		sum.Correct += q.Correct
		sum.Misled += q.Misled
	}
	return sum.finish()
}

func (q KindQuality) finish() KindQuality {
	q.Precision, q.Recall, q.Recall1, q.Recall5 = 1, 1, 1, 1
	if q.Offered > 0 {
		q.Precision = float64(q.Correct) / float64(q.Offered)
	}
	if q.WithTruth > 0 {
		q.Recall = float64(q.Hits) / float64(q.WithTruth)
		q.Recall1 = float64(q.Hits1) / float64(q.WithTruth)
		q.Recall5 = float64(q.Hits5) / float64(q.WithTruth)
	}
	if q.Lookups > 0 {
		q.FalseOffers = float64(q.Misled) / float64(q.Lookups)
	}
	return q
}

// CaseSweep scores the same lookups at several cut-offs at once: what offering cases from a
// lower or a higher score than DefaultCaseThreshold would give, from one run over the register.
type CaseSweep struct {
	cutoffs []float64
	evs     []*CaseEvaluator
}

// sweptCutoffs are the cut-offs a CaseSweep scores at besides DefaultCaseThreshold: finer
// around it, where the choice was made.
var sweptCutoffs = []float64{0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5}

// NewCaseSweep knows no case yet.
func NewCaseSweep() *CaseSweep {
	s := &CaseSweep{cutoffs: slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(sweptCutoffs), DefaultCaseThreshold))))}
	for range s.cutoffs {
		s.evs = append(s.evs, NewCaseEvaluator())
	}
	return s
}

// Label records that the register holds case seq, of matter.
func (s *CaseSweep) Label(seq int64, matter int) {
	for _, e := range s.evs {
		e.Label(seq, matter)
	}
}

// List scores the candidates ranked for probe (best first) at every cut-off, at most limit of
// them offered.
func (s *CaseSweep) List(probe int64, kind string, ranked []Ranked, limit int) {
	for i, e := range s.evs {
		e.List(probe, kind, ranked, s.cutoffs[i], limit)
	}
}

// InForce is the evaluator of DefaultCaseThreshold: what staff are offered.
func (s *CaseSweep) InForce() *CaseEvaluator {
	return s.evs[slices.Index(s.cutoffs, DefaultCaseThreshold)]
}

// Write prints a line per cut-off: the duplicates' recall and precision, recall by kind of
// duplicate, and, after the bar, the share of look-alikes and ordinary cases offered another
// matter, by kind.
func (s *CaseSweep) Write(w io.Writer, prefix string) {
	fmt.Fprintf(w, "%s%6s %6s %9s", prefix, "cutoff", "recall", "precision")
	for _, k := range DuplicateKinds {
		fmt.Fprintf(w, " %10s", k)
	}
	fmt.Fprint(w, " |")
	for _, k := range LookalikeKinds {
		fmt.Fprintf(w, " %9s", k)
	}
	fmt.Fprintln(w)
	for i, c := range s.cutoffs {
		e := s.evs[i]
		d := e.All(DuplicateKinds...)
		fmt.Fprintf(w, "%s%6.3f %6.3f %9.3f", prefix, c, d.Recall, d.Precision)
		for _, k := range DuplicateKinds {
			fmt.Fprintf(w, " %10.3f", e.kinds[k].finish().Recall)
		}
		fmt.Fprint(w, " |")
		for _, k := range LookalikeKinds {
			fmt.Fprintf(w, " %9.3f", e.kinds[k].finish().FalseOffers)
		}
		fmt.Fprintln(w)
	}
}
