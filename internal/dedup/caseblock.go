package dedup

import (
	"cmp"
	"slices"
	"strings"
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

// BlockIndex finds candidates in memory the way the register's lookups find them in the
// database (a scan of the whole register, and the quality tests).
type BlockIndex struct {
	cases []*PreparedCase
	index map[string][]int32
}

// NewBlockIndex indexes cases by their stored keys.
func NewBlockIndex(cases []*PreparedCase) *BlockIndex {
	ix := &BlockIndex{cases: cases, index: map[string][]int32{}}
	for i, c := range cases {
		for _, k := range c.StoredKeys() {
			ix.index[k] = append(ix.index[k], int32(i))
		}
	}
	return ix
}

// Candidates returns the indexes of the cases probe is compared with (before the index
// itself when before is set: a case is compared with those that came earlier), at most limit
// found through the text.
func (ix *BlockIndex) Candidates(probe *PreparedCase, n Counts, before int, limit int) []int {
	seen := map[int32]bool{}
	var out []int
	keep := func(j int32) bool { return (before < 0 || int(j) < before) && ix.cases[j] != probe && !seen[j] }
	for _, k := range probe.PeopleKeys() {
		if block := ix.index[k]; len(block) <= MaxBlock {
			for _, j := range block {
				if keep(j) {
					seen[j] = true
					out = append(out, int(j))
				}
			}
		}
	}
	strong, weak := probe.LookupKeys(n)
	shared := map[int32]int{}
	count := func(keys []string, w int) {
		for _, k := range keys {
			for _, j := range ix.index[k] {
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
	for _, h := range hits[:min(len(hits), limit)] {
		out = append(out, int(h.j))
	}
	return out
}
