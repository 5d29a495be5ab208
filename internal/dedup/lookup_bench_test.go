package dedup

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkVariedRegisterLookups measures the matcher's quality at a register too large to scan
// pair by pair (a million persons), in memory: the blocking and scoring of the database
// lookups, without the database (make bench-dedup measures those, and takes ten minutes to
// load a million persons). It looks up a random sample of 5,000 records and every varied record
// and lookalike (up to 5,000 of each kind), as staff would open them, and prints precision and
// recall of the sample and the recall per variation.
//
//	DEDUP_QUALITY_PERSONS  register size (default 100000)
func BenchmarkVariedRegisterLookups(b *testing.B) {
	n := qualityPersons(100000)
	for range b.N {
		start := time.Now()
		recs := GenerateVariedPersons(n, 1)
		ps, st, sampled := prepareLabelled(recs)
		varied := NewEvaluator()
		for i, r := range recs {
			varied.Label(ps[i].Seq, r)
		}
		ix := NewPersonIndex(ps)
		fmt.Printf("%d persons generated, counted and indexed in %s\n", n, time.Since(start).Round(time.Second))
		var took []time.Duration
		lookup := func(ev *Evaluator, i int) {
			start := time.Now()
			pairs := ix.Lookup(i, st, DefaultThreshold)
			took = append(took, time.Since(start))
			seqs := make([]int64, len(pairs))
			for k, p := range pairs {
				seqs[k] = p.B
			}
			ev.List(ps[i].Seq, seqs)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for _, i := range rng.Perm(len(ps))[:min(5000, len(ps))] {
			lookup(sampled, i)
		}
		q := sampled.Quality()
		slices.Sort(took)
		fmt.Printf("sample of %d lookups: precision %.3f recall %.3f F1 %.3f; p50 %s in memory\n", q.Lists, q.Precision, q.Recall, q.F1, took[len(took)/2])
		looked := map[string]int{}
		for i, r := range recs {
			if kind := r.Role + " " + r.Variation; r.Variation != "" && looked[kind] < 5000 {
				looked[kind]++
				lookup(varied, i)
			}
		}
		vq := varied.Quality()
		fmt.Printf("lookups of the varied records and lookalikes (%d persons): precision %.3f\n", n, vq.Precision)
		for _, line := range VariationReport(vq) {
			fmt.Println(line)
		}
	}
}
