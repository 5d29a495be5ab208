package dedup

import "math"

// Stats counts in how many records of the register each term occurs, so that agreeing on a
// term weighs what the term tells: sharing "nguyen" (a third of the population) says little,
// sharing "xuyen" a lot. The weight of a term is its inverse document frequency, the
// Fellegi-Sunter agreement weight -ln(u) where u is the chance that two unrelated records share
// it by accident.
type Stats struct {
	records int
	df      map[string]int
	unseen  float64 // the share of records assumed to hold a term never counted
}

// NewStats returns empty statistics in which a term never seen is taken to be in a share
// unseen of the records, until the register's own counts outweigh that guess.
func NewStats(unseen float64) *Stats { return &Stats{df: map[string]int{}, unseen: unseen} }

// Add counts one record with the given terms (each counted once per record).
func (s *Stats) Add(terms []string) {
	s.records++
	for i, t := range terms {
		if !seenBefore(terms, i) {
			s.df[t]++
		}
	}
}

func seenBefore(terms []string, i int) bool {
	for _, t := range terms[:i] {
		if t == terms[i] {
			return true
		}
	}
	return false
}

// Records is how many records were counted.
func (s *Stats) Records() int { return s.records }

// priorRecords is how many records the guess about unseen terms weighs: the register's own
// counts take over as it grows past that. Without it a register of ten persons would call every
// name rare.
const priorRecords = 100.0

// IDF is the weight of agreeing on term t: -ln of its smoothed frequency.
func (s *Stats) IDF(t string) float64 { return s.idf(t, 0) }

// PairIDF is the IDF of t among the other records than the two compared, own of which hold
// it: what sharing t says is how rare it is elsewhere. In a register of a few records the pair
// itself would otherwise make every word it shares look common.
func (s *Stats) PairIDF(t string, own int) float64 { return s.idf(t, own) }

func (s *Stats) idf(t string, own int) float64 {
	n := max(s.records-min(own, 2), 0)
	return -math.Log((float64(s.OthersDF(t, own)) + priorRecords*s.unseen) / (float64(n) + priorRecords))
}

// OthersDF is how many records other than the compared pair (own of which hold t) hold t.
func (s *Stats) OthersDF(t string, own int) int { return max(s.df[t]-own, 0) }

// Frequency is the smoothed share of records that hold t.
func (s *Stats) Frequency(t string) float64 { return math.Exp(-s.IDF(t)) }

// PairIDFOf is the IDF of holding any of ts (spellings of one name), among the other records
// than the two compared, own of which hold one.
func (s *Stats) PairIDFOf(ts []string, own int) float64 {
	df := 0
	for _, t := range ts {
		df += s.df[t]
	}
	n := max(s.records-min(own, 2), 0)
	return -math.Log((float64(max(df-own, 0)) + priorRecords*s.unseen) / (float64(n) + priorRecords))
}
