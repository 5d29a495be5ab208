package dedup

import (
	"sort"
	"strconv"
)

// Probe is where a person's duplicates can be: records that share at least one blocking key.
// Comparing only those keeps a lookup to a few index ranges however large the register. The
// keys catch the copies clerks make: the same ID number or phone; the same given name born
// within a year (a typo elsewhere in the name); the same family and middle names and
// given-name initial born within a year (a typo in the given name); and, when a birth year is
// missing on either side, the same folded name or the same family and middle names and
// initial.
type Probe struct {
	IDNumber string // "" when none
	Phone    string // "" when none
	Given    string // block_given
	Rest     string // block_rest
	YearFrom int    // birth years to search, 0 when the person's year is unknown
	YearTo   int
	// Folded (name_folded) and Rest find persons without a birth year when YearFrom is set,
	// and persons of any year when it is not.
	Folded string
}

// PersonProbe returns the blocking keys of p.
func PersonProbe(p *Prepared) Probe {
	pr := Probe{Given: GivenKey(p.Folded), Rest: RestKey(p.Folded), Folded: p.Folded}
	if p.IDNumber != nil {
		pr.IDNumber = *p.IDNumber
	}
	if p.Phone != nil {
		pr.Phone = *p.Phone
	}
	if p.BirthYear != nil {
		pr.YearFrom, pr.YearTo = *p.BirthYear-1, *p.BirthYear+1
	}
	return pr
}

// MaxBlock bounds how many records one key may gather. A key shared by more (a placeholder
// phone such as 0000000000) separates nothing and would make scans quadratic.
const MaxBlock = 1000

// ScanPersons compares every pair of persons sharing a blocking key and returns the pairs
// scoring at least threshold, best first. skip(a, b) leaves out pairs already decided.
func ScanPersons(ps []Prepared, st *PersonStats, threshold float64, skip func(a, b int64) bool) []Pair {
	index := map[string][]int32{}
	for i := range ps {
		for _, k := range indexKeys(&ps[i]) {
			index[k] = append(index[k], int32(i))
		}
	}
	var out []Pair
	seen := map[int32]bool{}
	for i := range ps {
		clear(seen)
		for _, k := range probeKeys(&ps[i]) {
			block := index[k]
			if len(block) > MaxBlock {
				continue
			}
			for _, j := range block {
				// probes are symmetric: the pair is found from its lower index too
				if int(j) <= i || seen[j] {
					continue
				}
				seen[j] = true
				a, b := &ps[i], &ps[j]
				if skip != nil && skip(a.Seq, b.Seq) {
					continue
				}
				if m := ScorePersons(a, b, st); m.Score >= threshold {
					out = append(out, Pair{A: a.Seq, B: b.Seq, Match: m})
				}
			}
		}
	}
	SortPairs(out)
	return out
}

// Pair is a candidate pair of a scan.
type Pair struct {
	A, B int64 // the seqs of the two records
	Match
}

// SortPairs orders pairs best first, newest records first among equals.
func SortPairs(ps []Pair) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Score != ps[j].Score {
			return ps[i].Score > ps[j].Score
		}
		return max(ps[i].A, ps[i].B) > max(ps[j].A, ps[j].B)
	})
}

// indexKeys are the keys a stored person can be found by (the indexed columns).
func indexKeys(p *Prepared) []string {
	var keys []string
	if p.IDNumber != nil {
		keys = append(keys, "i"+*p.IDNumber)
	}
	if p.Phone != nil {
		keys = append(keys, "p"+*p.Phone)
	}
	keys = append(keys, "N"+p.Folded, "R"+RestKey(p.Folded))
	if p.BirthYear == nil {
		keys = append(keys, "n"+p.Folded, "r"+RestKey(p.Folded)+"|")
	} else {
		y := "|" + strconv.Itoa(*p.BirthYear)
		keys = append(keys, "g"+GivenKey(p.Folded)+y, "r"+RestKey(p.Folded)+y)
	}
	return keys
}

// probeKeys are the keys a lookup for p searches, as the lookup's query does with a Probe.
func probeKeys(p *Prepared) []string {
	pr := PersonProbe(p)
	var keys []string
	if pr.IDNumber != "" {
		keys = append(keys, "i"+pr.IDNumber)
	}
	if pr.Phone != "" {
		keys = append(keys, "p"+pr.Phone)
	}
	if pr.YearFrom == 0 {
		return append(keys, "N"+pr.Folded, "R"+pr.Rest)
	}
	keys = append(keys, "n"+pr.Folded, "r"+pr.Rest+"|")
	for y := pr.YearFrom; y <= pr.YearTo; y++ {
		ys := "|" + strconv.Itoa(y)
		keys = append(keys, "g"+pr.Given+ys, "r"+pr.Rest+ys)
	}
	return keys
}
