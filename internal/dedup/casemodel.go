package dedup

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The case score is a Fellegi-Sunter model: each comparison of two cases lands on one level,
// and a level weighs ln(m/u), where m is the chance of that level when the cases are one
// matter and u the chance when they are not. The weights add up to the log-odds of one matter.
//
// Cases are compared with their candidates only, which come two ways, and each way has its
// own population of non-matches:
//   - Linked candidates share a citizen, a household or a delegation. Against all the
//     register's cases, such a link is rare, and weighs by how rare that very link is (as
//     Splink adjusts for term frequencies): a citizen with two cases shares them with one
//     other case in N, one with twenty cases with nineteen. Its u is that frequency, read from
//     the register's counts; the prior is the duplicates per case over N. The non-matches
//     among linked candidates are the citizen's other matters: what tells two matters apart
//     (another plot, other words) is common among random pairs and says little there, among a
//     citizen's own cases it says much. So the u of every other comparison is its chance among
//     linked non-matches.
//   - Text candidates share no one: they were found by shared identifiers, respondent and
//     words. Against random pairs, such agreement would weigh a lot, but every text candidate
//     has it: its u is the chance among text candidates, and the prior is the duplicates per
//     case with no one in common over the text candidates per case. A matter told again by
//     someone unrelated needs what identifies it (the parcel, the decision), not its pattern.

// Comparisons of two cases.
const (
	cmpPeople = iota
	cmpDocument
	cmpParcel
	cmpProject
	cmpPlace
	cmpAmount
	cmpNamed
	cmpCategory
	cmpWording
	numComparisons
)

// Level 0 of every comparison is "nothing to compare" and weighs nothing.
var comparisonLevels = [numComparisons][]string{
	cmpPeople:   {"unknown", "citizen", "household", "delegation", "none"},
	cmpDocument: {"none", "shared", "conflict"},
	cmpParcel:   {"none", "shared", "plot", "conflict"},
	cmpProject:  {"none", "shared", "conflict"},
	cmpPlace:    {"none", "village", "commune", "other-village", "other-commune"},
	cmpAmount:   {"none", "shared", "conflict"},
	cmpNamed:    {"none", "shared", "conflict"},
	cmpCategory: {"none", "same", "different"},
	cmpWording:  wordingLevels(),
}

// The wording of two cases is compared as one: the text's similarity, the respondent and the
// field. Two cases written on one pattern (every "Đề nghị xử lý trang trại lợn gây ô nhiễm")
// agree on all three at once, so adding three weights would count that pattern three times;
// the chance of each combination is counted instead.
var (
	textLevels       = []string{"text>=0.8", "text>=0.6", "text>=0.4", "text>=0.2", "text<0.2"}
	respondentLevels = []string{"same respondent", "no respondent", "other respondent"}
	fieldLevels      = []string{"same field", "neighbouring field", "other field"}
)

func wordingLevels() []string {
	out := []string{"none"}
	for _, t := range textLevels {
		for _, r := range respondentLevels {
			for _, f := range fieldLevels {
				out = append(out, t+", "+r+", "+f)
			}
		}
	}
	return out
}

func wordingLevel(text, respondent, field int) uint8 {
	return uint8(1 + (text*len(respondentLevels)+respondent)*len(fieldLevels) + field)
}

var comparisonNames = [numComparisons]string{"people", "document", "parcel", "project", "place", "amount", "named",
	"category", "wording"}

// Levels of the people comparison.
const (
	peopleUnknown = iota
	peopleCitizen
	peopleHousehold
	peopleDelegation
	peopleNone
)

// observation is where a pair of cases lands on each comparison, with what to tell staff.
type observation struct {
	level [numComparisons]uint8
	// tf: the key whose frequency is the u of a term-frequency level ("" for none)
	tf     [numComparisons]string
	reason [numComparisons]string
}

// linked says whether the cases share a citizen, a household or a delegation.
func (o *observation) linked() bool {
	l := o.level[cmpPeople]
	return l == peopleCitizen || l == peopleHousehold || l == peopleDelegation
}

// compareCases lands a and b on every comparison.
func compareCases(a, b *PreparedCase, n Counts) observation {
	var o observation
	comparePeople(&o, a, b, n)
	compareDocuments(&o, a, b, n)
	compareParcels(&o, a, b, n)
	compareShared(&o, cmpProject, identifiersOf(a, IdentProject), identifiersOf(b, IdentProject), n, "project")
	compareShared(&o, cmpNamed, identifiersOf(a, IdentPerson), identifiersOf(b, IdentPerson), n, "person named")
	comparePlaces(&o, a, b)
	compareAmounts(&o, a, b)
	compareWording(&o, a, b, n)
	if a.Category == b.Category {
		o.level[cmpCategory], o.reason[cmpCategory] = 1, "same category: "+a.Category
	} else {
		o.level[cmpCategory], o.reason[cmpCategory] = 2, "different category: "+a.Category+" / "+b.Category
	}
	return o
}

func comparePeople(o *observation, a, b *PreparedCase, n Counts) {
	if a.Hidden || b.Hidden {
		return
	}
	// the strongest link wins: the rarest key of the best kind
	best := func(level uint8, key, reason string) {
		cur := o.level[cmpPeople]
		if cur == peopleUnknown || level < cur || (level == cur && n.Of(key) < n.Of(o.tf[cmpPeople])) {
			o.level[cmpPeople], o.tf[cmpPeople], o.reason[cmpPeople] = level, key, reason
		}
	}
	for _, p := range a.People {
		for _, q := range b.People {
			if key, ok := sameCitizen(p, q); ok {
				best(peopleCitizen, key, "same citizen: "+p.Name)
			} else {
				for _, key := range sameHousehold(p, q) {
					best(peopleHousehold, key, "same household: "+p.Name+" / "+q.Name)
				}
			}
		}
	}
	for id, name := range a.Delegations {
		if _, ok := b.Delegations[id]; ok {
			best(peopleDelegation, DelegationKey(id), "same delegation: "+name)
		}
	}
	member := func(people []Citizen, members []Member, names map[string]string) {
		for _, p := range people {
			for _, m := range members {
				if _, ok := sameCitizen(p, m.Citizen); ok {
					best(peopleDelegation, DelegationKey(m.Delegation), "same delegation: "+p.Name+" is a member of "+names[m.Delegation])
				}
			}
		}
	}
	member(a.People, b.Members, b.Delegations)
	member(b.People, a.Members, a.Delegations)
	if o.level[cmpPeople] == peopleUnknown && len(a.People) > 0 && len(b.People) > 0 {
		o.level[cmpPeople], o.reason[cmpPeople] = peopleNone, "no citizen in common"
	}
}

// Member is a citizen who belongs to a delegation that came about a case.
type Member struct {
	Citizen
	Delegation string
}

// rarest is the key among keys the register holds least often.
func rarest(keys []string, n Counts) string {
	slices.SortFunc(keys, func(x, y string) int {
		if d := n.Of(x) - n.Of(y); d != 0 {
			return d
		}
		return strings.Compare(x, y)
	})
	return keys[0]
}

func sharedKeys(a, b []Identifier) (shared []string) {
	for _, x := range a {
		for _, y := range b {
			if sameIdentifier(x, y) {
				shared = append(shared, x.Key())
			}
		}
	}
	return shared
}

// sameIdentifier says whether two identifiers name one thing: the same value, or for a name
// (a person's, a commune's, a project's) one written shorter, a word left out at either end
// ("Đức An" for "Nguyễn Đức An", "xã Ba" for "xã Ba Lòng"), two words at least in common.
func sameIdentifier(x, y Identifier) bool {
	if x.Key() == y.Key() {
		return true
	}
	if x.Kind != y.Kind || (x.Kind != IdentPerson && x.Kind != IdentCommune && x.Kind != IdentProject) {
		return false
	}
	short, long := x.Value, y.Value
	if len(short) > len(long) {
		short, long = long, short
	}
	return strings.Contains(short, " ") && (strings.HasPrefix(long, short+" ") || strings.HasSuffix(long, " "+short))
}

func compareDocuments(o *observation, a, b *PreparedCase, n Counts) {
	da, db := identifiersOf(a, IdentDocument, IdentJudgment), identifiersOf(b, IdentDocument, IdentJudgment)
	if shared := sharedKeys(da, db); len(shared) > 0 {
		k := rarest(shared, n)
		o.level[cmpDocument], o.tf[cmpDocument], o.reason[cmpDocument] = 1, k, "same document number: "+displayKey(k)
		return
	}
	for _, kind := range []string{IdentDocument, IdentJudgment} {
		xa, xb := identifiersOf(a, kind), identifiersOf(b, kind)
		if len(xa) > 0 && len(xb) > 0 {
			o.level[cmpDocument] = 2
			o.reason[cmpDocument] = "different document numbers: " + strings.Join(values(xa), ", ") + " / " + strings.Join(values(xb), ", ")
			return
		}
	}
}

func compareParcels(o *observation, a, b *PreparedCase, n Counts) {
	pa, pb := identifiersOf(a, IdentParcel), identifiersOf(b, IdentParcel)
	if len(pa) == 0 || len(pb) == 0 {
		return
	}
	level := uint8(3)
	var key string
	for _, x := range pa {
		for _, y := range pb {
			xp, xs, _ := strings.Cut(x.Value, "/")
			yp, ys, _ := strings.Cut(y.Value, "/")
			switch {
			case xp != yp:
			case xs == ys && xs != "":
				level, key = 1, x.Key()
			case (xs == "" || ys == "") && level > 2:
				level = 2
			}
		}
	}
	o.level[cmpParcel] = level
	switch level {
	case 1:
		o.tf[cmpParcel], o.reason[cmpParcel] = key, "same land parcel: "+displayParcel(key[2:])
	case 2:
		o.reason[cmpParcel] = "same plot number, map sheet not given on both"
	default:
		o.reason[cmpParcel] = "different land parcels: " + displayParcels(pa) + " / " + displayParcels(pb)
	}
}

func displayParcel(v string) string {
	plot, sheet, _ := strings.Cut(v, "/")
	if sheet == "" {
		return "thửa " + plot
	}
	return "thửa " + plot + ", tờ " + sheet
}

func displayParcels(ids []Identifier) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = displayParcel(id.Value)
	}
	return strings.Join(out, "; ")
}

// displayKey shows a stored key without its prefix.
func displayKey(k string) string {
	_, v, _ := strings.Cut(k, ":")
	return v
}

func compareShared(o *observation, c int, xa, xb []Identifier, n Counts, what string) {
	if len(xa) == 0 || len(xb) == 0 {
		return
	}
	if shared := sharedKeys(xa, xb); len(shared) > 0 {
		k := rarest(shared, n)
		o.level[c], o.tf[c], o.reason[c] = 1, k, "same "+what+": "+displayKey(k)
		return
	}
	o.level[c], o.reason[c] = 2, "different "+what+": "+strings.Join(values(xa), ", ")+" / "+strings.Join(values(xb), ", ")
}

func comparePlaces(o *observation, a, b *PreparedCase) {
	ca, cb := identifiersOf(a, IdentCommune), identifiersOf(b, IdentCommune)
	va, vb := identifiersOf(a, IdentVillage), identifiersOf(b, IdentVillage)
	villages := len(sharedKeys(va, vb)) > 0
	switch {
	case len(sharedKeys(ca, cb)) > 0 && villages:
		o.level[cmpPlace], o.reason[cmpPlace] = 1, "same place: "+strings.Join(values(sharedIDs(va, vb)), ", ")+", "+strings.Join(values(sharedIDs(ca, cb)), ", ")
	case len(sharedKeys(ca, cb)) > 0 && len(va) > 0 && len(vb) > 0:
		o.level[cmpPlace], o.reason[cmpPlace] = 3, "same commune, other village: "+strings.Join(values(va), ", ")+" / "+strings.Join(values(vb), ", ")
	case len(sharedKeys(ca, cb)) > 0:
		o.level[cmpPlace], o.reason[cmpPlace] = 2, "same commune: "+strings.Join(values(sharedIDs(ca, cb)), ", ")
	case len(ca) > 0 && len(cb) > 0:
		o.level[cmpPlace], o.reason[cmpPlace] = 4, "different commune: "+strings.Join(values(ca), ", ")+" / "+strings.Join(values(cb), ", ")
	case villages:
		o.level[cmpPlace], o.reason[cmpPlace] = 2, "same village: "+strings.Join(values(sharedIDs(va, vb)), ", ")
	}
}

func sharedIDs(a, b []Identifier) []Identifier {
	var out []Identifier
	for _, x := range a {
		if slices.ContainsFunc(b, func(y Identifier) bool { return sameIdentifier(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

func compareAmounts(o *observation, a, b *PreparedCase) {
	xa, xb := identifiersOf(a, IdentMoney, IdentArea), identifiersOf(b, IdentMoney, IdentArea)
	if len(xa) == 0 || len(xb) == 0 {
		return
	}
	if shared := sharedIDs(xa, xb); len(shared) > 0 {
		o.level[cmpAmount], o.reason[cmpAmount] = 1, "same amount: "+displayAmount(shared[0])
		return
	}
	o.level[cmpAmount], o.reason[cmpAmount] = 2, "different amounts"
}

func displayAmount(id Identifier) string {
	if id.Kind == IdentArea {
		return id.Value + " m2"
	}
	return id.Value + " đồng"
}

// compareWording compares the texts (the titles, and the titles with the summaries: one
// clerk's title may say what another put in the summary; the better counts), the
// respondents and the fields.
func compareWording(o *observation, a, b *PreparedCase, n Counts) {
	title := textSimilarity(a.Title.Words, b.Title.Words, n)
	all := textSimilarity(a.Words, b.Words, n)
	sim, what := title, "title similarity"
	if all > title && (len(a.Summary.Words) > 0 || len(b.Summary.Words) > 0) {
		sim, what = all, "title and summary similarity"
	}
	if sim < 0 {
		return
	}
	text := 4
	for i, from := range []float64{0.8, 0.6, 0.4, 0.2} {
		if sim >= from {
			text = i
			break
		}
	}
	reasons := []string{fmt.Sprintf("%s %.2f", what, sim)}
	respondent := 1
	if a.Respondent.Key != "" && b.Respondent.Key != "" {
		ra, rb := *a.Case.Respondent, *b.Case.Respondent
		both := ra + " / " + rb
		switch ka, kb := a.Respondent.Key, b.Respondent.Key; {
		case ka == kb && ra == rb:
			respondent = 0
			reasons = append(reasons, "same respondent: "+ra)
		case ka == kb:
			respondent = 0
			reasons = append(reasons, "same respondent: "+ra+", written another way: "+rb)
		case relatedRespondents(ka, kb):
			respondent = 0
			reasons = append(reasons, "related respondent: "+both)
		default:
			respondent = 2
			reasons = append(reasons, "different respondent: "+both)
		}
	}
	field := 0
	switch {
	case a.Field == b.Field:
		reasons = append(reasons, "same field: "+a.Field)
	case Neighbours(a.Field, b.Field):
		field = 1
		reasons = append(reasons, "neighbouring field: "+a.Field+" / "+b.Field)
	default:
		field = 2
		reasons = append(reasons, "different field: "+a.Field+" / "+b.Field)
	}
	o.level[cmpWording] = wordingLevel(text, respondent, field)
	o.reason[cmpWording] = strings.Join(reasons, ", ")
}

// tfLevel says whether level l of comparison c weighs by the frequency of its value: the
// links of people.
func tfLevel(c int, l uint8) bool {
	return c == cmpPeople && (l == peopleCitizen || l == peopleHousehold || l == peopleDelegation)
}

// CaseModel holds the parameters of the case score: for every comparison and level, m (the
// chance of the level for two cases of one matter), u among candidates linked by a citizen, a
// delegation or a household's phone that are not one matter, u among those linked by a family
// name at an address, and u among text candidates; how many earlier cases a new case is one
// matter with, on average; how many text candidates a case has; and how many cases a family
// brings under its family name at its address besides the two compared. Defaults come with
// the code; TrainCaseModel estimates most of them from the register.
//
// The two linked populations differ: a citizen's other cases are that citizen's other
// matters, while the other cases holding a family name at an address are, at a register's
// scale, mostly namesake families of the village, dozens of them. Against that crowd a
// retelling stands out far more than against one citizen's few other matters. With one u for
// both, either the crowd decided how a citizen's other matters weigh (counted from the
// generated register, the two pooled offered the same citizen's other matters in one lookup
// in ten) or the citizen's decided the crowd's (a family member's retelling at a common
// family name scored under the cut-off: at 100,000 cases, 3 in 10 of them).
type CaseModel struct {
	Duplicates     float64                      `json:"duplicates_per_case"`
	TextCandidates float64                      `json:"text_candidates_per_case"`
	FamilyCases    float64                      `json:"family_cases_per_key,omitempty"`
	M              [numComparisons][]float64    `json:"-"`
	ULinked        [numComparisons][]float64    `json:"-"`
	UHousehold     [numComparisons][]float64    `json:"-"`
	U              [numComparisons][]float64    `json:"-"`
	Levels         map[string]map[string]Params `json:"levels"` // the same, by name, as stored
	TrainedOn      *TrainingSummary             `json:"trained_on,omitempty"`
}

// Params are one level's probabilities.
type Params struct {
	M          float64 `json:"m"`
	ULinked    float64 `json:"u_linked"`
	UHousehold float64 `json:"u_household,omitempty"` // absent from models stored before it: u_linked
	U          float64 `json:"u"`
}

// Populations of candidates, each with its own u.
const (
	popText      = iota // no one in common
	popLinked           // a citizen, a delegation, or a household by its phone at the address
	popHousehold        // a household by its family name at the address
)

// population says among which candidates the non-matches of o's kind are counted. A phone at
// an address is one family's; a family name at an address is shared by the village's namesake
// families.
func (o *observation) population() int {
	switch {
	case !o.linked():
		return popText
	case o.level[cmpPeople] == peopleHousehold && strings.HasPrefix(o.tf[cmpPeople], "ch:"):
		return popHousehold
	}
	return popLinked
}

// family is the share of the family's own cases among the other cases holding the family
// name at the address that links o's pair: the family brings FamilyCases of them, the rest
// are namesake families. Only those are unrelated to the pair's matters; the family's own
// are its other matters, as alike as a citizen's (the same village, the same head of the
// household named).
func (m *CaseModel) family(o *observation, n Counts) float64 {
	others := float64(max(n.Of(o.tf[cmpPeople])-2, 0))
	if others <= m.FamilyCases {
		return 1
	}
	return m.FamilyCases / others
}

// weight is the log-likelihood ratio of level l of comparison c between candidates of
// population pop (family: the family's share, for a household by its family name); tf is
// the u of its value, for a term-frequency level.
func (m *CaseModel) weight(c int, l uint8, pop int, family, tf float64) float64 {
	switch {
	case l == 0:
		return 0
	case tfLevel(c, l):
		return math.Log(m.M[c][l] / tf)
	case c == cmpPeople:
		// no one in common: every text candidate shares no one
		return math.Log(m.M[c][l])
	case pop == popHousehold:
		return math.Log(m.M[c][l] / (family*m.ULinked[c][l] + (1-family)*m.UHousehold[c][l]))
	case pop == popLinked:
		return math.Log(m.M[c][l] / m.ULinked[c][l])
	}
	return math.Log(m.M[c][l] / m.U[c][l])
}

// prior is the log-odds that a candidate is one matter before any comparison.
func (m *CaseModel) prior(linked bool, n Counts) float64 {
	if linked {
		return math.Log(m.Duplicates / float64(max(n.Cases(), 1)))
	}
	return math.Log(m.Duplicates / m.TextCandidates)
}

// evidence is the log-odds of one matter and the weight of each comparison.
func (m *CaseModel) evidence(o *observation, n Counts) (float64, [numComparisons]float64) {
	linked, pop := o.linked(), o.population()
	logit := m.prior(linked, n)
	var family float64
	if pop == popHousehold {
		family = m.family(o, n)
	}
	var ws [numComparisons]float64
	for c := range numComparisons {
		var tf float64
		if tfLevel(c, o.level[c]) {
			tf = frequency(n, o.tf[c], 2)
		}
		ws[c] = m.weight(c, o.level[c], pop, family, tf)
		logit += ws[c]
	}
	return logit, ws
}

// Score weighs the evidence that a and b are one matter.
func (m *CaseModel) Score(a, b *PreparedCase, n Counts) Match {
	o := compareCases(a, b, n)
	return m.score(&o, n)
}

// evidenceReason shows one comparison's evidence with its weight, so that staff see what
// counted for and against, and by how much.
func evidenceReason(reason string, w float64) string {
	return fmt.Sprintf("%s (%+.1f)", reason, w)
}

func (m *CaseModel) score(o *observation, n Counts) Match {
	logit, ws := m.evidence(o, n)
	type ev struct {
		w      float64
		reason string
	}
	var evs []ev
	for c := range numComparisons {
		if o.level[c] != 0 {
			evs = append(evs, ev{ws[c], evidenceReason(o.reason[c], ws[c])})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return math.Abs(evs[i].w) > math.Abs(evs[j].w) })
	reasons := make([]string, len(evs))
	for i, e := range evs {
		reasons[i] = e.reason
	}
	return Match{Score: roundScore(1 / (1 + math.Exp(-logit))), Reasons: reasons}
}

// roundScore keeps three decimals, or three significant digits below a thousandth: a case far
// from a match still shows how far, for staff looking below the cut-off.
func roundScore(p float64) float64 {
	if r := math.Round(p*1000) / 1000; r > 0 {
		return r
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(p, 'g', 3, 64), 64)
	return r
}

// DefaultCaseModel is the model before the register trains one: levels set by reasoning
// about how clerks record a matter again (see docs/duplicates.md), to be replaced by what the
// register shows.
func DefaultCaseModel() *CaseModel {
	// a family brings, besides the two cases compared, about one other (FamilyCases)
	m := &CaseModel{Duplicates: 0.3, TextCandidates: 10, FamilyCases: 1}
	// u among household-linked candidates starts as among a citizen's: until the register
	// shows otherwise, a namesake family of the village is taken to bring matters of the
	// village as alike as the citizen's own (the same project, the same road)
	set := func(c int, mm, ul, u []float64) {
		m.M[c], m.ULinked[c], m.UHousehold[c], m.U[c] = mm, ul, slices.Clone(ul), u
	}
	// level 0 of each: nothing to compare; its m and u are equal, it weighs nothing
	// people: the u of a link is its frequency in the register, of no one in common 1
	set(cmpPeople, []float64{1, 0.6, 0.15, 0.15, 0.05}, []float64{1, 1, 1, 1, 1}, []float64{1, 1, 1, 1, 1})
	set(cmpDocument, []float64{1, 0.35, 0.02}, []float64{1, 0.03, 0.2}, []float64{1, 0.05, 0.1})
	set(cmpParcel, []float64{1, 0.4, 0.1, 0.02}, []float64{1, 0.05, 0.05, 0.3}, []float64{1, 0.002, 0.01, 0.1})
	set(cmpProject, []float64{1, 0.35, 0.01}, []float64{1, 0.08, 0.05}, []float64{1, 0.15, 0.05})
	set(cmpPlace, []float64{1, 0.35, 0.2, 0.02, 0.01}, []float64{1, 0.1, 0.15, 0.1, 0.2}, []float64{1, 0.05, 0.25, 0.1, 0.3})
	set(cmpAmount, []float64{1, 0.25, 0.05}, []float64{1, 0.02, 0.15}, []float64{1, 0.01, 0.3})
	set(cmpNamed, []float64{1, 0.3, 0.05}, []float64{1, 0.1, 0.2}, []float64{1, 0.03, 0.3})
	set(cmpCategory, []float64{1, 0.85, 0.15}, []float64{1, 0.4, 0.6}, []float64{1, 0.6, 0.4})
	// wording: until the register says how its parts go together, as if they were independent;
	// among random pairs, though, a text alike is mostly a pattern alike, with the same
	// respondent and field
	text := [3][]float64{{0.35, 0.25, 0.2, 0.12, 0.08}, {0.03, 0.07, 0.15, 0.3, 0.45}, {0.1, 0.15, 0.25, 0.3, 0.2}}
	respondent := [3][]float64{{0.8, 0.1, 0.1}, {0.35, 0.1, 0.55}, {0.6, 0.15, 0.25}}
	field := [3][]float64{{0.85, 0.1, 0.05}, {0.35, 0.1, 0.55}, {0.8, 0.05, 0.15}}
	var wording [3][]float64
	for k := range 3 {
		wording[k] = []float64{1}
		for t := range text[k] {
			for r := range respondent[k] {
				for f := range field[k] {
					wording[k] = append(wording[k], text[k][t]*respondent[k][r]*field[k][f])
				}
			}
		}
	}
	set(cmpWording, wording[0], wording[1], wording[2])
	m.named()
	return m
}

// named fills Levels from the arrays, for storing and reading.
func (m *CaseModel) named() {
	m.Levels = map[string]map[string]Params{}
	for c := range numComparisons {
		levels := map[string]Params{}
		for l, name := range comparisonLevels[c] {
			if l > 0 {
				levels[name] = Params{M: m.M[c][l], ULinked: m.ULinked[c][l], UHousehold: m.UHousehold[c][l], U: m.U[c][l]}
			}
		}
		m.Levels[comparisonNames[c]] = levels
	}
}

// ReadCaseModel reads a stored model.
func ReadCaseModel(data []byte) (*CaseModel, error) {
	var m CaseModel
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("stored case model: %w", err)
	}
	m.fromNamed()
	return &m, nil
}

// fromNamed fills the arrays from Levels (a stored model), starting from the defaults for any
// level a stored model lacks.
func (m *CaseModel) fromNamed() {
	d := DefaultCaseModel()
	for c := range numComparisons {
		m.M[c], m.ULinked[c], m.UHousehold[c], m.U[c] = slices.Clone(d.M[c]), slices.Clone(d.ULinked[c]), slices.Clone(d.UHousehold[c]), slices.Clone(d.U[c])
		for l, name := range comparisonLevels[c] {
			if p, ok := m.Levels[comparisonNames[c]][name]; ok && l > 0 && p.M > 0 && p.U > 0 && p.ULinked > 0 {
				m.M[c][l], m.ULinked[c][l], m.UHousehold[c][l], m.U[c][l] = p.M, p.ULinked, p.ULinked, p.U
				if p.UHousehold > 0 {
					m.UHousehold[c][l] = p.UHousehold
				}
			}
		}
	}
	if m.Duplicates <= 0 {
		m.Duplicates = d.Duplicates
	}
	if m.TextCandidates <= 0 {
		m.TextCandidates = d.TextCandidates
	}
	if m.FamilyCases <= 0 {
		m.FamilyCases = d.FamilyCases
	}
}
