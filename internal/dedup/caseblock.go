package dedup

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Finding the candidates of a case, the way a clerk would look: first every case of its
// citizens, of their households and of the members of its delegations, whatever the wording;
// then the cases that name the same document, parcel or person; then those sharing two of its
// respondent, project and rarest title words.

// TitleWordKeys is how many of a title's rarest words a case is looked up by.
const TitleWordKeys = 6

// PeopleKeys are the keys of a case's citizens (and of its delegations' members) and of its
// delegations: every case holding one is a candidate.
func (c *PreparedCase) PeopleKeys() []string {
	if c.Hidden {
		return nil
	}
	var out []string
	for _, p := range c.People {
		out = append(out, p.Keys()...)
	}
	for _, m := range c.Members {
		out = append(out, m.Keys()...)
	}
	for id := range c.Delegations {
		out = append(out, DelegationKey(id))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// keyScheme numbers the ways a case's keys are made: a new kind of key (2: the phone at the
// address) or a key read otherwise (3: a judgment's number ends where its code does) has the
// register derive every case's keys again, as a new vocabulary does.
const keyScheme = 3

// CaseKeysVersion names how the stored keys of cases are made: the vocabulary table texts and
// addresses are read by, and the kinds of keys.
func CaseKeysVersion() string { return VocabularyVersion() + "." + strconv.Itoa(keyScheme) }

// StoredKeys are the keys a case is stored under, for others to find it by: its own citizens
// and delegations (not its delegations' other members: they are found through their own
// cases), its identifiers, respondent and every title word.
func (c *PreparedCase) StoredKeys() []string {
	var out []string
	for _, p := range c.People {
		out = append(out, p.Keys()...)
	}
	for id := range c.Delegations {
		out = append(out, DelegationKey(id))
	}
	strong, weak := c.TextKeys()
	out = append(append(out, strong...), weak...)
	for _, w := range c.Title.Words {
		out = append(out, "w:"+w)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// LookupKeys are the text keys a case looks others up by: strong ones find a case alone, a
// case needs two of the weak ones (respondent, project, rarest title words).
func (c *PreparedCase) LookupKeys(n Counts) (strong, weak []string) {
	strong, weak = c.TextKeys()
	words := slices.Clone(c.Title.Words)
	slices.SortFunc(words, func(x, y string) int { return cmp.Or(cmp.Compare(n.Of("w:"+x), n.Of("w:"+y)), strings.Compare(x, y)) })
	for _, w := range words[:min(len(words), TitleWordKeys)] {
		weak = append(weak, "w:"+w)
	}
	return strong, weak
}

// Bounds of a lookup's candidates, the same for the register's lookups and in memory (the
// quality tests and a scan), so that what is measured in memory is what a lookup does.
const (
	// LinkedCandidates is how many cases of the probe's citizens, households and delegations
	// are compared at most: the closest ties first, then those nearest the probe in time.
	LinkedCandidates = 100
	// NamesakeCandidates is how many of them are linked only by a family name at an address:
	// beyond the few dozen of the weeks around the probe, those are a village's namesakes'
	// matters, which a clerk would not look through, and each costs the lookup its reads.
	NamesakeCandidates = 40
	// LinkedPerKey is how many cases one citizen, household or delegation key brings at most,
	// those nearest the probe (by number: in the order they were opened). A household key,
	// a family name in a village, may be held by hundreds of cases; a citizen's a few.
	LinkedPerKey = 400
	// RecentMonths: a closed case whose latest visit is older than this (before the probe's
	// latest) is not brought back by its citizens alone: a matter settled long ago comes back
	// through its text, if at all.
	RecentMonths = 24
	// TextCandidates is how many cases found through the text are compared at most: those
	// sharing most of the probe's identifiers, respondent and rarest title words.
	TextCandidates = 20
	// PostingsPerKey is how many cases each text key brings at most, the newest: a rare key
	// (a parcel, a name, a decision) brings every case that has it, a key found in every other
	// case only recent ones, which bounds a lookup's work however large the register grows.
	PostingsPerKey = 1000
	// PostingsAtVisit is the same when a visit opens a case: the form must not wait, and the
	// rarest words are looked up, so few of them reach it.
	PostingsAtVisit = 300
)

// Ties, the closer first: a link through the citizen themselves (the record, the ID number,
// the name with the birth year), through a delegation they came with or belong to, through
// their household by its phone at the address, and by the family name at the address, which
// a village's many namesakes share.
const (
	TieCitizen = iota
	TieDelegation
	TiePhone
	TieFamilyName
)

// KeyTie is how close a link through a stored people key is.
func KeyTie(k string) int {
	switch prefix, _, _ := strings.Cut(k, ":"); prefix {
	case "dl":
		return TieDelegation
	case "cp":
		return TiePhone
	case "ch":
		return TieFamilyName
	}
	return TieCitizen
}

// LinkedCase is a case found through the probe's people: how close the tie, the date of its
// latest visit ("" for none), whether it is open.
type LinkedCase struct {
	Seq       int64
	Tie       int
	LastVisit string
	Open      bool
}

// ChooseLinked picks, from the cases found through probe's people (a case may come several
// times, by several keys; probe itself never), those compared: open or recent, at most
// LinkedCandidates, the closest ties first (at most NamesakeCandidates by the family name
// alone) and, within a tie, those nearest the probe's date (its latest visit), as a clerk
// looks first at the family's cases of the weeks around the visit rather than at the
// village's newest. Recency and nearness are counted from the probe's own date, never from
// today: the same data gives the same candidates whenever it is looked up.
func ChooseLinked(probe *PreparedCase, found []LinkedCase) []int64 {
	date := probe.Opened
	if last, err := time.Parse(time.DateOnly, probe.LastVisit); err == nil {
		date = last
	}
	since := date.AddDate(0, -RecentMonths, 0).Format(time.DateOnly)
	type chosen struct {
		LinkedCase
		distance int64 // days from the probe's date
	}
	best := map[int64]*chosen{}
	for _, f := range found {
		if !f.Open && f.LastVisit < since {
			continue
		}
		if c, ok := best[f.Seq]; ok {
			c.Tie = min(c.Tie, f.Tie)
			continue
		}
		c := &chosen{LinkedCase: f, distance: math.MaxInt64}
		if last, err := time.Parse(time.DateOnly, f.LastVisit); err == nil {
			c.distance = int64(math.Abs(last.Sub(date).Hours() / 24))
		}
		best[f.Seq] = c
	}
	all := slices.Collect(maps.Values(best))
	slices.SortFunc(all, func(a, b *chosen) int {
		return cmp.Or(cmp.Compare(a.Tie, b.Tie), cmp.Compare(a.distance, b.distance), cmp.Compare(b.Seq, a.Seq))
	})
	out := make([]int64, 0, min(len(all), LinkedCandidates))
	namesakes := 0
	for _, c := range all {
		if c.Tie == TieFamilyName {
			if namesakes == NamesakeCandidates {
				break
			}
			namesakes++
		}
		out = append(out, c.Seq)
		if len(out) == LinkedCandidates {
			break
		}
	}
	return out
}

// BlockIndex finds candidates in memory the way the register's lookups find them in the
// database (a scan of the whole register, and the quality tests), within the same bounds.
type BlockIndex struct {
	cases []*PreparedCase
	index map[string][]int32 // ascending: in the order the cases were opened
}

// NewBlockIndex indexes cases, in the order they were opened, by their stored keys.
func NewBlockIndex(cases []*PreparedCase) *BlockIndex {
	ix := &BlockIndex{cases: cases, index: map[string][]int32{}}
	for i, c := range cases {
		for _, k := range c.StoredKeys() {
			ix.index[k] = append(ix.index[k], int32(i))
		}
	}
	return ix
}

// nearest are at most bound of the cases holding key before the index before, the latest.
func (ix *BlockIndex) nearest(key string, before, bound int) []int32 {
	block := ix.index[key]
	end, _ := slices.BinarySearch(block, int32(before))
	return block[max(end-bound, 0):end]
}

// Candidates returns the indexes of the cases probe is compared with among those before the
// index before (opened earlier: as at its visit), as the register's lookup finds them, each
// text key bringing at most postings cases.
func (ix *BlockIndex) Candidates(probe *PreparedCase, n Counts, before int, postings int) []int {
	keep := func(j int32) bool { return ix.cases[j] != probe }
	var found []LinkedCase
	for _, k := range probe.PeopleKeys() {
		for _, j := range ix.nearest(k, before, LinkedPerKey) {
			if c := ix.cases[j]; keep(j) {
				found = append(found, LinkedCase{Seq: int64(j), Tie: KeyTie(k), LastVisit: c.LastVisit, Open: c.Open})
			}
		}
	}
	var out []int
	seen := map[int32]bool{}
	for _, j := range ChooseLinked(probe, found) {
		seen[int32(j)] = true
		out = append(out, int(j))
	}
	strong, weak := probe.LookupKeys(n)
	shared := map[int32]int{}
	count := func(keys []string, w int) {
		for _, k := range keys {
			for _, j := range ix.nearest(k, before, postings) {
				if keep(j) {
					shared[j] += w
				}
			}
		}
	}
	count(strong, 2)
	count(weak, 1)
	type hit struct {
		j int32
		n int
	}
	var hits []hit
	for j, s := range shared {
		if s >= 2 {
			hits = append(hits, hit{j, s})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(b.j, a.j)) })
	// the text's best, less those already linked (as the register's lookup takes them)
	for _, h := range hits[:min(len(hits), TextCandidates)] {
		if !seen[h.j] {
			out = append(out, int(h.j))
		}
	}
	return out
}
