package dedup

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
)

// prepareRegister reads a generated register the way the registry does: each case with its
// citizens, delegations and delegation members, counted as the database counts them.
func prepareRegister(reg CaseRegister) ([]*PreparedCase, MapCounts) {
	cases := make([]*PreparedCase, len(reg.Cases))
	n := MapCounts{DF: map[string]int{}}
	citizen := func(i int) Citizen {
		p := reg.Persons[i].Person
		return NewCitizen("p"+strconv.Itoa(i), p.FullName, p.BirthYear, p.IDNumber, p.Phone, p.Address)
	}
	for i, c := range reg.Cases {
		p := PrepareCase(c.Case)
		p.Seq = int64(i + 1)
		for _, who := range c.Persons {
			p.People = append(p.People, citizen(who))
		}
		if c.Delegation >= 0 {
			id := "d" + strconv.Itoa(c.Delegation)
			d := reg.Delegations[c.Delegation]
			p.Delegations = map[string]string{id: d.Name}
			for _, rep := range d.Representatives {
				if !slices.Contains(c.Persons, rep) {
					p.Members = append(p.Members, Member{Citizen: citizen(rep), Delegation: id})
				}
			}
		}
		cases[i] = &p
		terms := p.TextTerms()
		for _, k := range p.StoredKeys() {
			if k[0] != 'w' {
				terms = append(terms, k)
			}
		}
		slices.Sort(terms)
		n.Add(slices.Compact(terms))
	}
	return cases, n
}

// lookups looks every later case up among the cases before it, as at its visit.
func lookups(reg CaseRegister, cases []*PreparedCase, n MapCounts, m *CaseModel) *CaseEvaluator {
	ix := NewBlockIndex(cases)
	ev := NewCaseEvaluator()
	for i, c := range reg.Cases {
		ev.Label(cases[i].Seq, c.Matter)
	}
	for i, c := range reg.Cases {
		if !c.Later() {
			continue
		}
		var ranked []Ranked
		for _, j := range ix.Candidates(cases[i], n, i, 20) {
			ranked = append(ranked, Ranked{Seq: cases[j].Seq, Score: m.Score(cases[i], cases[j], n).Score})
		}
		slices.SortFunc(ranked, func(a, b Ranked) int {
			if a.Score != b.Score {
				if a.Score > b.Score {
					return -1
				}
				return 1
			}
			return int(b.Seq - a.Seq)
		})
		ev.List(cases[i].Seq, c.Kind, ranked, DefaultThreshold, 5)
	}
	return ev
}

func printKinds(t *testing.T, ev *CaseEvaluator) {
	t.Logf("%-11s %7s %9s %6s %6s %6s %8s", "kind", "lookups", "precision", "recall", "R@1", "R@5", "offered")
	for _, q := range append(ev.Kinds(), ev.All(DuplicateKinds...), ev.All()) {
		t.Logf("%s", fmt.Sprintf("%-11s %7d %9.3f %6.3f %6.3f %6.3f %8.3f", q.Kind, q.Lookups, q.Precision, q.Recall, q.Recall1, q.Recall5, q.Share))
	}
}

func TestGeneratedCasesQuality(t *testing.T) {
	size := 10000
	if v, err := strconv.Atoi(os.Getenv("DEDUP_QUALITY_CASES")); err == nil {
		size = v
	}
	reg := GenerateCaseRegister(size, 5)
	cases, n := prepareRegister(reg)
	ev := lookups(reg, cases, n, DefaultCaseModel())
	printKinds(t, ev)
}

// blockedPairs are the pairs a scan compares: each case with the earlier cases it finds.
func blockedPairs(cases []*PreparedCase, n Counts) [][2]int {
	ix := NewBlockIndex(cases)
	var out [][2]int
	for i := range cases {
		for _, j := range ix.Candidates(cases[i], n, i, 20) {
			out = append(out, [2]int{j, i})
		}
	}
	return out
}

func TestTrainedCasesQuality(t *testing.T) {
	size := 10000
	if v, err := strconv.Atoi(os.Getenv("DEDUP_QUALITY_CASES")); err == nil {
		size = v
	}
	reg := GenerateCaseRegister(size, 5)
	cases, n := prepareRegister(reg)
	m := TrainCaseModel(DefaultCaseModel(), cases, blockedPairs(cases, n), nil, n)
	for c := range numComparisons {
		t.Logf("%-10s m %v\n           ul %v\n           u  %v", comparisonNames[c], fmt3(m.M[c]), fmt3(m.ULinked[c]), fmt3(m.U[c]))
	}
	t.Logf("duplicates per case %.3f %+v", m.Duplicates, *m.TrainedOn)
	printKinds(t, lookups(reg, cases, n, m))
}

func fmt3(xs []float64) string {
	s := ""
	for _, x := range xs[1:] {
		s += fmt.Sprintf(" %.4f", x)
	}
	return s
}
