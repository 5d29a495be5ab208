package dedup

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tcd-registry/tcd/internal/vntext"
)

// Case is what matching needs of a case (as stored: NFC text).
type Case struct {
	Seq        int64
	Title      string
	Summary    *string
	Category   string
	Field      string
	Respondent *string
}

// Citizen is someone who came about a case, as matching compares them with the citizens of
// another case.
type Citizen struct {
	ID        string // the person record (after merges: the survivor)
	Name      string // as registered, for reasons
	Folded    string // the folded full name
	BirthYear int    // 0: unknown
	IDNumber  string
	Phone     string
	Address   string // AddressKey of the address
}

// NewCitizen reads a person record for matching.
func NewCitizen(id, name string, birthYear *int, idNumber, phone, address *string) Citizen {
	c := Citizen{ID: id, Name: name, Folded: vntext.Fold(name)}
	if birthYear != nil {
		c.BirthYear = *birthYear
	}
	digits := func(s *string) string {
		if s == nil {
			return ""
		}
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, *s)
	}
	c.IDNumber, c.Phone = digits(idNumber), digits(phone)
	if address != nil {
		c.Address = AddressKey(*address)
	}
	return c
}

func (c Citizen) family() string {
	f, _, _ := strings.Cut(c.Folded, " ")
	return f
}

// Keys are what the register stores and counts of a citizen on each case they came about:
// the record, the ID number, the name with the birth year, and the household (the family name
// at the address, and the phone at the address). Cases sharing one are looked at whatever
// their wording.
func (c Citizen) Keys() []string {
	keys := []string{"pp:" + c.ID}
	if c.IDNumber != "" {
		keys = append(keys, "ci:"+c.IDNumber)
	}
	if c.Folded != "" && c.BirthYear != 0 {
		keys = append(keys, "cn:"+c.Folded+"|"+strconv.Itoa(c.BirthYear))
	}
	if c.householdKnown() {
		keys = append(keys, c.householdKey())
	}
	if c.Phone != "" && c.Address != "" {
		keys = append(keys, c.phoneKey())
	}
	return keys
}

func (c Citizen) householdKnown() bool { return c.Address != "" && c.family() != "" }

func (c Citizen) householdKey() string { return "ch:" + c.family() + "|" + c.Address }

// phoneKey is the household by its phone: a spouse keeps her own family name, and a village's
// namesakes share the family name but not the phone.
func (c Citizen) phoneKey() string { return "cp:" + c.Phone + "|" + c.Address }

// DelegationKey is stored and counted on each case a delegation came about.
func DelegationKey(id string) string { return "dl:" + id }

// PeopleKey says whether a stored key is a citizen's or a delegation's (a visit gave it to the
// case) rather than one of the case's text.
func PeopleKey(k string) bool {
	prefix, _, _ := strings.Cut(k, ":")
	return prefix == "pp" || prefix == "ci" || prefix == "cn" || prefix == "ch" || prefix == "cp" || prefix == "dl"
}

// sameCitizen says whether two person records are one citizen by what cannot be a
// coincidence, and by which key (for its frequency).
func sameCitizen(a, b Citizen) (string, bool) {
	switch {
	case a.ID == b.ID:
		return "pp:" + a.ID, true
	case a.IDNumber != "" && a.IDNumber == b.IDNumber:
		return "ci:" + a.IDNumber, true
	case a.Folded != "" && a.Folded == b.Folded && a.BirthYear != 0 && a.BirthYear == b.BirthYear:
		return "cn:" + a.Folded + "|" + strconv.Itoa(a.BirthYear), true
	case a.Folded != "" && a.Folded == b.Folded && ((a.Phone != "" && a.Phone == b.Phone) || (a.Address != "" && a.Address == b.Address)):
		return "pp:" + a.ID, true
	}
	return "", false
}

// sameHousehold says whether two citizens live together, and by which keys (for their
// frequencies): the same family name at the same address, the same phone at the same address
// (a spouse keeps her own family name), or both.
func sameHousehold(a, b Citizen) []string {
	if a.Address == "" || a.Address != b.Address {
		return nil
	}
	var keys []string
	if a.family() == b.family() {
		keys = append(keys, a.householdKey())
	}
	if a.Phone != "" && a.Phone == b.Phone {
		keys = append(keys, a.phoneKey())
	}
	return keys
}

// PreparedCase is a case read once for many comparisons, with who came about it.
type PreparedCase struct {
	Case
	Title, Summary CaseText
	Words          []string     // of title and summary
	Identifiers    []Identifier // of title and summary, sorted by key
	Respondent     Respondent
	// People came about the case; Members are the members of the delegations that came about
	// it who are not among People; Delegations are those delegations by id, with their names.
	People      []Citizen
	Members     []Member
	Delegations map[string]string
	// Hidden: the reader may not know who came about it (a denunciation's denouncers), so
	// its citizens weigh nothing either way.
	Hidden bool
	// LastVisit is the date of its latest visit (else Opened, when it was registered): its
	// citizens' cases older than that by far and closed are not brought back by them alone.
	LastVisit string
	Opened    time.Time
	// Open: its status is open, and its citizens bring it back however old it is.
	Open bool
}

// PrepareCase reads c for matching; the caller adds who came about it.
func PrepareCase(c Case) PreparedCase {
	out := PreparedCase{Case: c, Title: ReadText(c.Title)}
	if c.Summary != nil {
		out.Summary = ReadText(*c.Summary)
	}
	out.Identifiers = append(slices.Clone(out.Title.Identifiers), out.Summary.Identifiers...)
	slices.SortFunc(out.Identifiers, func(a, b Identifier) int { return strings.Compare(a.Key(), b.Key()) })
	out.Identifiers = slices.Compact(out.Identifiers)
	out.Words = append(slices.Clone(out.Title.Words), out.Summary.Words...)
	slices.Sort(out.Words)
	out.Words = slices.Compact(out.Words)
	if c.Respondent != nil {
		out.Respondent = ResolveRespondent(*c.Respondent)
	}
	return out
}

// TextTerms are what the register counts of a case's own text: its words, its identifiers
// and its respondent. With the citizen and delegation keys they make the frequencies that
// weigh a shared word or identifier.
func (c *PreparedCase) TextTerms() []string {
	out := c.WordTerms()
	for _, id := range c.Identifiers {
		out = append(out, id.Key())
	}
	if c.Respondent.Key != "" {
		out = append(out, "r:"+c.Respondent.Key)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WordTerms are the counted terms a comparison weighs words by: all a lookup needs to read of
// the counts, with the people keys.
func (c *PreparedCase) WordTerms() []string {
	out := make([]string, len(c.Words))
	for i, w := range c.Words {
		out[i] = "w:" + w
	}
	return out
}

// CandidateTerms are the terms of a candidate whose counts scoring it against a probe reads,
// beside the probe's TextTerms and PeopleKeys: its words, and its delegations (the probe's
// citizen may be one of their members). Every other link weighs by the probe's own key, so a
// lookup need not read the counts of its candidates' citizens: most are held by a case or two,
// each a read of its own, and they were a third of a lookup's reads at 100,000 cases.
func (c *PreparedCase) CandidateTerms() []string {
	out := c.WordTerms()
	for id := range c.Delegations {
		out = append(out, DelegationKey(id))
	}
	return out
}

// strongIdentifier kinds find a case alone; the others only with more in common.
func strongIdentifier(kind string) bool {
	return kind == IdentDocument || kind == IdentJudgment || kind == IdentParcel || kind == IdentPerson
}

// TextKeys are the keys a case is found by through its text: its identifiers (those that
// find it alone first) and its respondent. Title words are added by the caller, the rarest.
func (c *PreparedCase) TextKeys() (strong, weak []string) {
	for _, id := range c.Identifiers {
		switch {
		case id.Kind == IdentParcel && strings.HasSuffix(id.Value, "/"):
			weak = append(weak, id.Key()) // a plot number alone is on every map sheet
		case strongIdentifier(id.Kind):
			strong = append(strong, id.Key())
		case id.Kind == IdentProject:
			weak = append(weak, id.Key())
		}
	}
	if c.Respondent.Key != "" {
		weak = append(weak, "r:"+c.Respondent.Key)
	}
	return strong, weak
}

// Counts are the register's frequencies: how many live cases hold each term or key. They
// come from the database, which keeps them with every write, so that the same data always
// gives the same scores.
type Counts interface {
	Cases() int
	Of(term string) int
}

// MapCounts are counts held in memory.
type MapCounts struct {
	Total int
	DF    map[string]int
}

// Cases is how many live cases were counted.
func (m MapCounts) Cases() int { return m.Total }

// Of is how many of them hold term.
func (m MapCounts) Of(term string) int { return m.DF[term] }

// Add counts one case holding terms (each once).
func (m *MapCounts) Add(terms []string) {
	m.Total++
	for _, t := range terms {
		m.DF[t]++
	}
}

// frequency is the smoothed share of the live cases other than the compared pair (own of
// which hold term) that hold term: the chance that a case taken at random shares it.
func frequency(n Counts, term string, own int) float64 {
	others := max(n.Of(term)-own, 0)
	return (float64(others) + 1) / (float64(max(n.Cases()-2, 0)) + 100)
}

// idf is how telling a word is: -ln of its frequency.
func idf(n Counts, term string, own int) float64 { return -math.Log(frequency(n, term, own)) }

// textSimilarity says how far two texts share their words, each word weighted by the square
// of its IDF so that a name or a rare noun counts for much and "đất" for little: the share
// of each text's weight the other has too, averaged over both directions. -1: a text is empty.
func textSimilarity(a, b []string, n Counts) float64 {
	if len(a) == 0 || len(b) == 0 {
		return -1
	}
	var hit, onlyA, onlyB float64
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			w := idf(n, "w:"+a[i], 1)
			onlyA += w * w
			i++
		case i == len(a) || b[j] < a[i]:
			w := idf(n, "w:"+b[j], 1)
			onlyB += w * w
			j++
		default:
			w := idf(n, "w:"+a[i], 2)
			hit += w * w
			i, j = i+1, j+1
		}
	}
	if hit == 0 {
		return 0
	}
	return (hit/(hit+onlyA) + hit/(hit+onlyB)) / 2
}

func identifiersOf(c *PreparedCase, kinds ...string) []Identifier {
	var out []Identifier
	for _, id := range c.Identifiers {
		if slices.Contains(kinds, id.Kind) {
			out = append(out, id)
		}
	}
	return out
}

func values(ids []Identifier) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.Value
	}
	return out
}
