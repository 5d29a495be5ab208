package dedup

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Block is one blocking key of a person: the records whose Column equals Value, whose folded
// name starts with one of Initials (empty: any), and whose birth year lies in [YearFrom,
// YearTo] (both 0: any year, or none) or, with NoYear, that have no birth year. A person's
// duplicates are among the records sharing at least one block, which keeps a lookup to a few
// index ranges however large the register. Column names the indexed column of persons holding
// the key.
type Block struct {
	Column           string
	Value            string
	Initials         string
	YearFrom, YearTo int
	NoYear           bool
}

// Blocking columns of persons.
const (
	ColIDNumber = "id_number"
	ColPhone    = "phone"
	ColName     = "name_folded"
	ColGiven    = "block_given"   // generated: GivenKey(name_folded)
	ColRest     = "block_rest"    // generated: RestKey(name_folded)
	ColAddress  = "block_address" // stored with the record: PersonAddressKey(address)
)

// PersonBlocks are where p's duplicates can be. They catch the copies clerks make: the same ID
// number or phone; the same given name born within a year (a typo elsewhere in the name); the
// same family and middle names and given-name initial born within a year (a typo in the given
// name); the same address, born within a year (any typo, as long as the address is the same
// once spelled out: Th. 3, X. Gio Mỹ is Thôn 3, xã Gio Mỹ); and when a birth year is missing
// on either side, the same folded name, or the same address.
func PersonBlocks(p *Prepared) []Block {
	var out []Block
	if p.IDNumber != nil {
		out = append(out, Block{Column: ColIDNumber, Value: *p.IDNumber})
	}
	if p.Phone != nil {
		out = append(out, Block{Column: ColPhone, Value: *p.Phone})
	}
	if p.BirthYear == nil {
		out = append(out, Block{Column: ColName, Value: p.Folded})
		for _, r := range rotations(p.Name) {
			out = append(out, Block{Column: ColName, Value: r})
		}
		if address := columnValue(p, ColAddress); address != "" {
			out = append(out, Block{Column: ColAddress, Value: address})
		}
		return out
	}
	y := *p.BirthYear
	given := GivenKey(p.Folded)
	rest := RestKey(p.Folded)
	family := familyInitials(p.Folded)
	out = append(out,
		Block{Column: ColGiven, Value: given, Initials: family, YearFrom: y - 1, YearTo: y + 1},
		Block{Column: ColRest, Value: rest, YearFrom: y - 1, YearTo: y + 1},
		Block{Column: ColName, Value: p.Folded, NoYear: true})
	// the given name as a clerk may have heard or spelt it (Lan: Nan, Lang, Nang), under its
	// own key and under the family and middle names with its initial
	initials := given[:min(len(given), 1)]
	for _, r := range Respellings(given)[1:] {
		out = append(out, Block{Column: ColGiven, Value: r, Initials: family, YearFrom: y - 1, YearTo: y + 1})
		if !strings.Contains(initials, r[:1]) {
			initials += r[:1]
			out = append(out, Block{Column: ColRest, Value: rest[:len(rest)-1] + r[:1], YearFrom: y - 1, YearTo: y + 1})
		}
	}
	// the name written in another order: Nguyễn Thị Lan is found as Lan Nguyễn Thị, and the
	// other way, born within a year or of no stated year (as the exact name is): a record
	// without a year looks up the rotations in any year, so these must find it back
	for _, r := range rotations(p.Name) {
		out = append(out, Block{Column: ColName, Value: r, YearFrom: y - 1, YearTo: y + 1},
			Block{Column: ColName, Value: r, NoYear: true})
	}
	if address := columnValue(p, ColAddress); address != "" {
		out = append(out, Block{Column: ColAddress, Value: address, YearFrom: y - 1, YearTo: y + 1},
			Block{Column: ColAddress, Value: address, NoYear: true})
	}
	return out
}

// familyInitials are the letters the family name of folded may start with as another clerk
// wrote it: its own initial and those of its respellings (Lê is heard as Nê, Trần as Chần).
// The given-name block asks for one of them. A common given name born within a year is shared
// by thousands at a national register (about 900 candidates a lookup at a million persons,
// each read and scored), and the family name's initial divides them by about five while
// keeping what the block is for, a typo or a dropped word in the family or middle names: a
// slip on the very first letter is what the other blocks (ID, phone, address) must catch.
func familyInitials(folded string) string {
	family, _, _ := strings.Cut(folded, " ")
	var out []byte
	for _, r := range Respellings(family) {
		if r != "" && !slices.Contains(out, r[0]) {
			out = append(out, r[0])
		}
	}
	return string(out)
}

// maxRotated bounds the words of a name looked up in every other order: names are two to
// five words, and a longer "name" is a note typed into the field.
const maxRotated = 5

// rotations are the folded name in each other order that keeps its words in a ring ("lan
// nguyen thi", "thi lan nguyen" for "nguyen thi lan"): how other systems write the given
// name first, or the family name last.
func rotations(n Name) []string {
	k := len(n.Folded)
	if k < 2 || k > maxRotated {
		return nil
	}
	out := make([]string, 0, k-1)
	for i := 1; i < k; i++ {
		out = append(out, strings.Join(append(slices.Clone(n.Folded[i:]), n.Folded[:i]...), " "))
	}
	return out
}

// columnValue is p's value of a blocking column ("" when it has none).
func columnValue(p *Prepared, column string) string {
	switch column {
	case ColIDNumber:
		return deref(p.IDNumber)
	case ColPhone:
		return deref(p.Phone)
	case ColName:
		return p.Folded
	case ColGiven:
		return GivenKey(p.Folded)
	case ColAddress:
		if p.Person.Address == nil {
			return ""
		}
		return PersonAddressKey(*p.Person.Address)
	}
	return RestKey(p.Folded)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// PersonBlocksVersion names the way the blocking keys stored with a person (its address's,
// PersonAddressKey) are derived: keys stored another way are derived again when the service
// starts.
const PersonBlocksVersion = "1"

// MaxBlock bounds how many records one key may gather. A key shared by more (a placeholder
// phone such as 0000000000) separates nothing and would make scans quadratic.
const MaxBlock = 1000

// PersonIndex files persons under their blocking keys, in memory, as the indexed columns of
// persons do in the database: what scans and in-memory lookups read.
type PersonIndex struct {
	ps   []Prepared
	keys map[string][]int32
}

// NewPersonIndex indexes ps.
func NewPersonIndex(ps []Prepared) *PersonIndex {
	ix := &PersonIndex{ps: ps, keys: map[string][]int32{}}
	for i := range ps {
		for _, k := range indexKeys(&ps[i]) {
			ix.keys[k] = append(ix.keys[k], int32(i))
		}
	}
	return ix
}

// Add files p under its keys, after the persons indexed before it: a register growing in
// memory (the persons an import's batch registers before it writes them).
func (ix *PersonIndex) Add(p Prepared) {
	i := int32(len(ix.ps))
	ix.ps = append(ix.ps, p)
	for _, k := range indexKeys(&p) {
		ix.keys[k] = append(ix.keys[k], i)
	}
}

// Candidates calls visit once for every indexed person sharing a block of probe, which need
// not be indexed itself.
func (ix *PersonIndex) Candidates(probe *Prepared, visit func(p *Prepared)) {
	ix.eachCandidate(probe, map[int32]bool{}, func(j int32) { visit(&ix.ps[j]) })
}

// eachCandidate calls visit once for every person sharing a block of probe (itself included,
// when indexed).
func (ix *PersonIndex) eachCandidate(probe *Prepared, seen map[int32]bool, visit func(j int32)) {
	clear(seen)
	for _, k := range probeKeys(probe) {
		block := ix.keys[k]
		if len(block) > MaxBlock {
			continue
		}
		for _, j := range block {
			if !seen[j] {
				seen[j] = true
				visit(j)
			}
		}
	}
}

// Lookup is the candidates of ps[i] scoring at least threshold, best first: what a lookup of
// the register returns for it.
func (ix *PersonIndex) Lookup(i int, st *PersonStats, threshold float64) []Pair {
	var out []Pair
	ix.eachCandidate(&ix.ps[i], map[int32]bool{}, func(j int32) {
		if int(j) == i {
			return
		}
		a, b := &ix.ps[i], &ix.ps[j]
		if m := ScorePersons(a, b, st); m.Score >= threshold {
			out = append(out, Pair{A: a.Seq, B: b.Seq, Match: m})
		}
	})
	SortPairs(out)
	return out
}

// ScanPersons compares every pair of persons sharing a blocking key and returns the pairs
// scoring at least threshold, best first. skip(a, b) leaves out pairs already decided.
func ScanPersons(ps []Prepared, st *PersonStats, threshold float64, skip func(a, b int64) bool) []Pair {
	ix := NewPersonIndex(ps)
	var out []Pair
	seen := map[int32]bool{}
	for i := range ps {
		ix.eachCandidate(&ps[i], seen, func(j int32) {
			// probes are symmetric: the pair is found from its lower index too
			if int(j) <= i {
				return
			}
			a, b := &ps[i], &ps[j]
			if skip != nil && skip(a.Seq, b.Seq) {
				return
			}
			if m := ScorePersons(a, b, st); m.Score >= threshold {
				out = append(out, Pair{A: a.Seq, B: b.Seq, Match: m})
			}
		})
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

// The in-memory index of a scan answers a Block the way the indexed columns do: each record
// is filed under column, value and birth year ("-" for none), and under column and value
// whatever the year ("*").
func indexKeys(p *Prepared) []string {
	year := "-"
	if p.BirthYear != nil {
		year = strconv.Itoa(*p.BirthYear)
	}
	var keys []string
	for _, c := range []string{ColIDNumber, ColPhone, ColName, ColGiven, ColRest, ColAddress} {
		if v := columnValue(p, c); v != "" {
			k := c + "|" + v + "|"
			if c == ColGiven {
				// the given-name block also asks for the family name's initial
				k += p.Folded[:1] + "|"
			}
			keys = append(keys, k+year, k+"*")
		}
	}
	return keys
}

func probeKeys(p *Prepared) []string {
	var keys []string
	for _, b := range PersonBlocks(p) {
		prefixes := []string{b.Column + "|" + b.Value + "|"}
		if b.Initials != "" {
			prefixes = prefixes[:0]
			for i := range len(b.Initials) {
				prefixes = append(prefixes, b.Column+"|"+b.Value+"|"+b.Initials[i:i+1]+"|")
			}
		}
		for _, k := range prefixes {
			switch {
			case b.NoYear:
				keys = append(keys, k+"-")
			case b.YearFrom == 0:
				keys = append(keys, k+"*")
			default:
				for y := b.YearFrom; y <= b.YearTo; y++ {
					keys = append(keys, k+strconv.Itoa(y))
				}
			}
		}
	}
	return keys
}
