package dedup

import (
	"math"
	"slices"
)

// Training follows Splink's recipe where the register identifies a parameter well, and
// leaves the rest to staff's decisions:
//   - u among text candidates is counted on the pairs the blocking finds through their text,
//     which are nearly all different matters (each weighted by how far the starting model
//     takes it for one), with the pairs staff declared distinct; and how many such candidates
//     a case has;
//   - among the pairs of cases that share a citizen, a household or a delegation, some are one
//     matter brought back and the rest the citizen's other matters: expectation maximisation
//     with m and u as they stand estimates the share of the first, from which the prior (the
//     duplicates per case) follows. Estimating m and u there as well, EM took a citizen's
//     other matters of the same field for matters brought back (on the generated register,
//     false offers rose from under 1% to 19%), so it does not;
//   - u among the candidates a family name at an address links (mostly namesake families) is
//     counted on those pairs, as u among text candidates is, in turn with the share above.
//     Counting a citizen's own other cases so as well (u_linked) took their other matters for
//     matters brought back again: on 30,000 generated cases, the same citizen's other matters
//     were offered in 3.6% of lookups rather than 0.3%, so it does not;
//   - m, and u among cases linked by a citizen, a delegation or a household's phone, move only
//     with staff decisions, as labelled pairs: a merge shows how one matter came back, a
//     not-duplicate between linked cases how a citizen's two matters differ. Each weighs as
//     labelWeight pairs.
//
// Every estimate is smoothed towards the starting parameters (priorWeight pairs' worth), so
// that a small register or a level seldom seen keeps a sensible weight. The same register
// and decisions give the same model.

// TrainingSummary says what a model was estimated from.
type TrainingSummary struct {
	Cases       int `json:"cases"`
	LinkedPairs int `json:"linked_pairs"`
	TextPairs   int `json:"text_pairs"`
	Merged      int `json:"merged_pairs"`
	Distinct    int `json:"distinct_pairs"`
	Iterations  int `json:"iterations"`
}

// LabelledPair is a staff decision on two cases (indexes into the cases trained on).
type LabelledPair struct {
	A, B int
	Same bool
}

const (
	labelWeight    = 5.0
	priorWeight    = 20.0
	emIterations   = 20
	minProbability = 1e-4
)

// TrainCaseModel estimates a model from the register's cases, the pairs the blocking
// compares, and staff decisions, starting from start.
func TrainCaseModel(start *CaseModel, cases []*PreparedCase, pairs [][2]int, labels []LabelledPair, n Counts) *CaseModel {
	m := &CaseModel{Duplicates: start.Duplicates, FamilyCases: start.FamilyCases}
	for c := range numComparisons {
		m.M[c], m.ULinked[c], m.UHousehold[c], m.U[c] = slices.Clone(start.M[c]), slices.Clone(start.ULinked[c]), slices.Clone(start.UHousehold[c]), slices.Clone(start.U[c])
	}
	summary := &TrainingSummary{Cases: len(cases)}
	m.TrainedOn = summary
	defer m.named()
	if len(cases) < 2 {
		return m
	}
	labelled := make([]observation, len(labels))
	for i, l := range labels {
		labelled[i] = compareCases(cases[l.A], cases[l.B], n)
		if l.Same {
			summary.Merged++
		} else {
			summary.Distinct++
		}
	}

	// u among text candidates: the pairs found through their text, weighted by how far the
	// starting model takes them for different matters, and those staff declared distinct
	observed := make([]observation, len(pairs))
	u := levelCounts()
	var textPairs, others float64
	for i, p := range pairs {
		observed[i] = compareCases(cases[p[0]], cases[p[1]], n)
		if o := &observed[i]; !o.linked() {
			textPairs++
			q := 1 - start.posterior(o, n)
			u.add(o, q)
			others += q
		}
	}
	for i, l := range labels {
		if !l.Same && !labelled[i].linked() {
			u.add(&labelled[i], labelWeight)
			others += labelWeight
		}
	}
	for c := 1; c < numComparisons; c++ {
		for l := 1; l < len(u[c]); l++ {
			m.U[c][l] = smoothed(u[c][l], others, start.U[c][l], priorWeight)
		}
	}
	if textPairs > 0 {
		m.TextCandidates = textPairs / float64(len(cases))
	}
	summary.TextPairs = int(textPairs)

	// EM over the linked pairs
	var linked []observation
	for i := range observed {
		if observed[i].linked() {
			linked = append(linked, observed[i])
		}
	}
	summary.LinkedPairs = len(linked)
	// the share of one matter among them, by EM with m and u as they stand: the one quantity
	// of the mixture the register identifies well (estimating m and u as well, EM took the
	// citizens' other matters of the same field for the matters brought back)
	share := 0.5
	estimateShare := func() {
		for it := 0; it < emIterations && len(linked) > 0; it++ {
			var matches float64
			for i := range linked {
				matches += m.linkedPosterior(&linked[i], share, n)
			}
			share = (matches + 1) / (float64(len(linked)) + 2)
			summary.Iterations++
		}
		if len(linked) > 0 {
			m.Duplicates = m.priorFor(linked, share, n)
		}
	}
	estimateShare()
	// staff decisions refine m and u among linked cases: a merge shows how one matter came
	// back, a not-duplicate between linked cases how a citizen's (or a family's) two matters
	// differ
	mSum := levelCounts()
	uSum := levelCounts()
	var merged float64
	var distinct [3]float64
	for i, l := range labels {
		switch pop := labelled[i].population(); {
		case l.Same:
			mSum.add(&labelled[i], labelWeight)
			merged += labelWeight
		case pop == popLinked:
			uSum.add(&labelled[i], labelWeight)
			distinct[pop] += labelWeight
		case pop == popHousehold:
			distinct[pop] += labelWeight // counted with the register's household pairs below
		}
	}
	for c := range numComparisons {
		for l := 1; l < len(comparisonLevels[c]); l++ {
			if merged > 0 {
				m.M[c][l] = smoothed(mSum[c][l], merged, start.M[c][l], priorWeight)
			}
			if distinct[popLinked] > 0 && c != cmpPeople {
				m.ULinked[c][l] = smoothed(uSum[c][l], distinct[popLinked], start.ULinked[c][l], priorWeight)
			}
		}
	}
	// u among the candidates a family name at an address links, from the register as u among
	// text candidates is: its pairs are nearly all two matters (at 30,000 generated cases,
	// 98 in 100), mostly of namesake families. Each counts by how far the model takes it for
	// two matters, and by the share of namesakes among the key's other cases (the family's
	// own weigh as a citizen's other matters, by u_linked); then the share of one matter
	// among linked pairs, hence the prior, is estimated again with the new u. A few rounds
	// settle: the matters brought back by a family member, scored low by the starting u,
	// leave the count as the u they inflated falls.
	var household []observation
	for i := range linked {
		if linked[i].population() == popHousehold {
			household = append(household, linked[i])
		}
	}
	for range householdRounds {
		if len(household) == 0 && distinct[popHousehold] == 0 {
			break
		}
		sum, total := levelCounts(), 0.0
		count := func(o *observation, weight float64) {
			w := weight * (1 - m.family(o, n))
			sum.add(o, w)
			total += w
		}
		for i := range household {
			count(&household[i], 1-m.posterior(&household[i], n))
		}
		for i, l := range labels {
			if !l.Same && labelled[i].population() == popHousehold {
				count(&labelled[i], labelWeight)
			}
		}
		for c := 1; c < numComparisons; c++ {
			for l := 1; l < len(comparisonLevels[c]); l++ {
				m.UHousehold[c][l] = smoothed(sum[c][l], total, start.UHousehold[c][l], priorWeight)
			}
		}
		estimateShare()
	}
	return m
}

// householdRounds is how often u among household-linked candidates and the prior are
// estimated in turn.
const householdRounds = 3

// levels counts, per comparison, the (weighted) pairs at each level.
type levels [numComparisons][]float64

func levelCounts() levels {
	var out levels
	for c := range numComparisons {
		out[c] = make([]float64, len(comparisonLevels[c]))
	}
	return out
}

func (ls levels) add(o *observation, weight float64) {
	for c := range numComparisons {
		ls[c][o.level[c]] += weight
	}
}

// linkedPosterior is the chance that a linked pair is one matter, given the share of one
// matter among linked pairs and every comparison but the people.
func (m *CaseModel) linkedPosterior(o *observation, share float64, n Counts) float64 {
	logit := math.Log(share / (1 - share))
	pop, family := o.population(), 0.0
	if pop == popHousehold {
		family = m.family(o, n)
	}
	for c := 1; c < numComparisons; c++ {
		logit += m.weight(c, o.level[c], pop, family, 0)
	}
	return 1 / (1 + math.Exp(-logit))
}

// priorFor is the duplicates per case that EM's matches among the linked pairs imply: they
// are the matters brought back by someone linked, a share m(citizen) + m(household) +
// m(delegation) of all.
func (m *CaseModel) priorFor(linked []observation, share float64, n Counts) float64 {
	viaPeople := m.M[cmpPeople][peopleCitizen] + m.M[cmpPeople][peopleHousehold] + m.M[cmpPeople][peopleDelegation]
	return share * float64(len(linked)) / viaPeople / float64(max(n.Cases(), 1))
}

// smoothed is count/total pulled towards prior by weight pairs' worth, kept off zero.
func smoothed(count, total, prior, weight float64) float64 {
	return math.Max((count+prior*weight)/(total+weight), minProbability)
}

// posterior is the probability that the pair observed is one matter, unrounded.
func (m *CaseModel) posterior(o *observation, n Counts) float64 {
	logit, _ := m.evidence(o, n)
	return 1 / (1 + math.Exp(-logit))
}
