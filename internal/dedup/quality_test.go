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
		ev.Label(r.Seq, r.Entity, r.Role)
	}
	return ps, st, ev
}

// TestGeneratedRegisterQuality scans a generated register in memory (the blocking and scoring
// of the database lookups, without the database); make bench-dedup measures the real thing.
func TestGeneratedRegisterQuality(t *testing.T) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("DEDUP_QUALITY_PERSONS")); err == nil {
		n = v
	}
	ps, st, ev := prepareLabelled(GeneratePersons(n, 1))
	q := ev.Pairs(ScanPersons(ps, st, DefaultThreshold, nil))
	t.Logf("scan of %d persons: %d pairs, precision %.3f recall %.3f F1 %.3f, namesakes offered %d", len(ps), q.Offered, q.Precision, q.Recall, q.F1, q.NamesakesOffered)
	if q.Precision < 0.95 || q.Recall < 0.95 {
		t.Errorf("want precision and recall of at least 0.95")
	}
}
