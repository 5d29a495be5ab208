package dedup

import (
	"os"
	"strconv"
	"testing"

	"github.com/tcd-registry/tcd/internal/vntext"
)

// prepareLabelled stores generated records the way the register does (NFC, tidy spaces) and
// labels them for evaluation.
func prepareLabelled(recs []Labelled) ([]Prepared, *PersonStats, *Evaluator) {
	ps := make([]Prepared, len(recs))
	st := NewPersonStats()
	ev := NewEvaluator()
	for i, r := range recs {
		r.Seq = int64(i + 1)
		r.FullName = vntext.NFC(r.FullName)
		ps[i] = Prepare(r.Person)
		st.Add(&ps[i])
		ev.Label(r.Seq, r)
	}
	return ps, st, ev
}

func qualityPersons(def int) int {
	if v, err := strconv.Atoi(os.Getenv("DEDUP_QUALITY_PERSONS")); err == nil {
		return v
	}
	return def
}

// TestGeneratedRegisterQuality scans a generated register in memory (the blocking and scoring
// of the database lookups, without the database); make bench-dedup measures the real thing.
func TestGeneratedRegisterQuality(t *testing.T) {
	ps, st, ev := prepareLabelled(GeneratePersons(qualityPersons(10000), 1))
	q := ev.Pairs(ScanPersons(ps, st, DefaultThreshold, nil))
	t.Logf("scan of %d persons: %d pairs, precision %.3f recall %.3f F1 %.3f, namesakes offered %d", len(ps), q.Offered, q.Precision, q.Recall, q.F1, q.NamesakesOffered)
	if q.Precision < 0.95 || q.Recall < 0.95 {
		t.Errorf("want precision and recall of at least 0.95")
	}
}

// TestVariedRegisterQuality scans a register with the ways names really vary (the given name
// first, i/y spellings, misheard syllables, the birth year off by one, no phone) and the
// lookalikes that differ from someone by one such change. The floors sit a little under what
// the scoring reaches on 20,000 persons: before the spelling table and name order, a rotated
// name was found 0.41 of the time, another i/y spelling 0.76.
func TestVariedRegisterQuality(t *testing.T) {
	ps, st, ev := prepareLabelled(GenerateVariedPersons(qualityPersons(20000), qualitySeed(1)))
	q := ev.Pairs(ScanPersons(ps, st, DefaultThreshold, nil))
	t.Logf("scan of %d persons: %d pairs, precision %.3f recall %.3f", len(ps), q.Offered, q.Precision, q.Recall)
	for _, line := range VariationReport(q) {
		t.Log(line)
	}
	if q.Precision < 0.98 {
		t.Errorf("precision %.3f, want at least 0.98", q.Precision)
	}
	// the birth year off by one is found when something besides a name agrees: those missed
	// are a common name and nothing else (a CCCD, which says the year, is never on them)
	floors := map[string]float64{"": 0.975, VariationOrder: 0.94, VariationSpelling: 0.95, VariationHeard: 0.94,
		VariationYear: 0.93, VariationNoPhone: 0.97}
	for v, floor := range floors {
		if r := q.ByVariation[v]; r.Share() < floor {
			t.Errorf("variation %q: recall %.3f, want at least %.2f", v, r.Share(), floor)
		}
	}
	for v, r := range q.Lookalikes {
		if r.Share() > 0.08 {
			t.Errorf("lookalikes differing by %s: %.3f offered, want at most 0.08", v, r.Share())
		}
	}
}
