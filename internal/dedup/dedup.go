// Package dedup finds likely duplicate persons and cases in the register: Vietnamese-aware name
// and text comparison, evidence weighted by how common each term is, blocking keys, and a
// labelled record generator to measure precision and recall.
package dedup

import (
	"math"
	"sort"
)

// DefaultThreshold is the score from which a person is offered to staff as the same citizen.
// Scores are posterior probabilities that two records are the same person. Offering from 0.4
// rather than 0.5 costs staff a glance now and then, and misses fewer duplicates, each of which
// counts a citizen or a matter twice: on the generated register of 100,000 persons it balances
// precision and recall (both 0.96), where 0.5 gives 0.975 and 0.955.
const DefaultThreshold = 0.4

// DefaultCaseThreshold is the score from which a case is offered as the same matter, at a visit
// and on GET /cases/{id}/duplicates. Lower than the persons': a matter a family member brings
// back is told from a namesake family's matter of the village by little more than its wording,
// and scores low, as does a matter filed under another field. On three generated registers of
// 100,000 cases, offering from 0.15 finds 0.955 to 0.957 of the duplicates at precision 0.981
// to 0.984 with the default weights, which serve until a scan (0.903 and 0.995 from 0.4 on
// one), and 0.968 at 0.972 with a scan's, a look-alike or ordinary case being offered another
// matter in at most 3.5% of lookups. A duplicate missed counts a matter twice in the statistics
// a report cites; a wrong offer costs a clerk a glance (docs/duplicates.md, "The cut-off").
const DefaultCaseThreshold = 0.15

// Match is the verdict on a pair of records.
type Match struct {
	Score   float64  // 0..1
	Reasons []string // the evidence, strongest first, for a person to check
}

// evidence is one piece of the verdict: its log-likelihood ratio (natural log; positive for
// "same", negative for "different") and what to tell staff about it ("" tells nothing).
type evidence struct {
	llr    float64
	reason string
}

type verdict []evidence

func (v *verdict) add(llr float64, reason string) { *v = append(*v, evidence{llr, reason}) }

// match turns prior log-odds and the evidence into a probability and the reasons, strongest
// first. A reason that argues against the match is still shown: staff should see it.
func (v verdict) match(prior float64) Match {
	logit := prior
	for _, e := range v {
		logit += e.llr
	}
	sorted := append(verdict(nil), v...)
	sort.SliceStable(sorted, func(i, j int) bool { return math.Abs(sorted[i].llr) > math.Abs(sorted[j].llr) })
	var reasons []string
	for _, e := range sorted {
		if e.reason != "" {
			reasons = append(reasons, e.reason)
		}
	}
	return Match{Score: math.Round(1/(1+math.Exp(-logit))*1000) / 1000, Reasons: reasons}
}
