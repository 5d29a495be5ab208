// Package report renders a statistics summary as the paragraph an official
// report cites (Vietnamese or English) and as a two-column CSV.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tcd-registry/tcd/internal/period"
	"github.com/tcd-registry/tcd/internal/safecsv"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// Session kinds, the keys of Summary.ByKind, in the order CSV rows list them.
const (
	KindRegular  = "regular"
	KindPeriodic = "periodic"
	KindUrgent   = "urgent"
)

var kinds = []string{KindRegular, KindPeriodic, KindUrgent}

// KindFigures are the figures of one session kind.
type KindFigures struct {
	Sessions int `json:"sessions" validate:"required"`
	Visits   int `json:"visits" validate:"required"`
	Persons  int `json:"persons" validate:"required"`
	Cases    int `json:"cases" validate:"required"`
}

// DelegationFigures are the figures of the visits whose headcount reaches
// MinSize: the report's "đoàn đông người".
type DelegationFigures struct {
	MinSize int `json:"min_size" validate:"required"`
	Visits  int `json:"visits" validate:"required"`
	Persons int `json:"persons" validate:"required"`
	Cases   int `json:"cases" validate:"required"`
}

// PetitionFigures are the period's petitions (đơn): those received in it, and those decided in
// it (whenever received) by decision, on time or after their due date.
type PetitionFigures struct {
	Received   int            `json:"received"`
	Decided    int            `json:"decided"`
	ByDecision map[string]int `json:"by_decision"` // every decision of the vocabulary, zeros included
	OnTime     int            `json:"on_time"`
	Late       int            `json:"late"`
}

// MarshalJSON writes every decision of the vocabulary under by_decision, zeros included, as the
// CSV lists them.
func (p PetitionFigures) MarshalJSON() ([]byte, error) {
	type plain PetitionFigures // without this method
	all := make(map[string]int, len(vocab.PetitionDecision.Terms))
	for _, d := range vocab.PetitionDecision.Values() {
		all[d] = p.ByDecision[d]
	}
	p.ByDecision = all
	return json.Marshal(plain(p))
}

// Summary is the statistics of one period and organisation subtree, as
// GET /stats/summary answers it (docs/contract.md, "Statistics", says what each field counts).
type Summary struct {
	From  string `json:"from" validate:"required"`
	To    string `json:"to" validate:"required"`
	OrgID string `json:"org_id" validate:"required"`
	// RootIDs lists the top organisations counted when the figures are the whole register's and
	// it has several (org_id is then only the default one's); absent otherwise.
	RootIDs     []string               `json:"root_ids,omitempty"`
	Visits      int                    `json:"visits" validate:"required"`
	Persons     int                    `json:"persons" validate:"required"`
	Cases       int                    `json:"cases" validate:"required"`
	CasesFirst  int                    `json:"cases_first" validate:"required"`
	CasesRepeat int                    `json:"cases_repeat" validate:"required"`
	ByKind      map[string]KindFigures `json:"by_kind" validate:"required"` // keys "regular", "periodic", "urgent", always all three
	Delegations DelegationFigures      `json:"delegations" validate:"required"`

	ConclusionNotices int `json:"conclusion_notices" validate:"required"`
	DirectiveLetters  int `json:"directive_letters" validate:"required"`

	Petitions PetitionFigures `json:"petitions" validate:"required"`
}

// Validate checks that the figures agree with each other. A hand-made
// report once printed 419 visits whose parts add up to 420; a paragraph
// derived from records must never contradict itself, so Text and CSV refuse
// a summary that does. A missing ByKind entry counts as all zeros.
func (s Summary) Validate() error {
	from, err := period.ParseDate(s.From)
	if err != nil {
		return fmt.Errorf("from: %w", err)
	}
	to, err := period.ParseDate(s.To)
	if err != nil {
		return fmt.Errorf("to: %w", err)
	}
	if from.After(to) {
		return errors.New("from is after to")
	}
	for k := range s.ByKind {
		if k != KindRegular && k != KindPeriodic && k != KindUrgent {
			return fmt.Errorf("by_kind: unknown kind %q", k)
		}
	}
	// A slice, not a map, so that the first negative figure reported is
	// always the same one.
	type figure struct {
		name  string
		value int
	}
	figures := []figure{
		{"visits", s.Visits}, {"persons", s.Persons}, {"cases", s.Cases},
		{"cases_first", s.CasesFirst}, {"cases_repeat", s.CasesRepeat},
		{"delegations.visits", s.Delegations.Visits}, {"delegations.persons", s.Delegations.Persons},
		{"delegations.cases", s.Delegations.Cases},
		{"conclusion_notices", s.ConclusionNotices}, {"directive_letters", s.DirectiveLetters},
		{"petitions.received", s.Petitions.Received}, {"petitions.decided", s.Petitions.Decided},
		{"petitions.on_time", s.Petitions.OnTime}, {"petitions.late", s.Petitions.Late},
	}
	decided := 0
	for _, d := range vocab.PetitionDecision.Values() {
		figures = append(figures, figure{"petitions.by_decision." + d, s.Petitions.ByDecision[d]})
		decided += s.Petitions.ByDecision[d]
	}
	var visits, persons int
	for _, k := range kinds {
		f := s.ByKind[k]
		figures = append(figures,
			figure{"by_kind." + k + ".sessions", f.Sessions}, figure{"by_kind." + k + ".visits", f.Visits},
			figure{"by_kind." + k + ".persons", f.Persons}, figure{"by_kind." + k + ".cases", f.Cases})
		visits += f.Visits
		persons += f.Persons
	}
	for _, f := range figures {
		if f.value < 0 {
			return fmt.Errorf("%s is negative", f.name)
		}
	}
	switch {
	case s.Delegations.MinSize < 1:
		return errors.New("delegations.min_size must be at least 1")
	case visits != s.Visits:
		return fmt.Errorf("visits %d is not the sum over by_kind (%d)", s.Visits, visits)
	case persons != s.Persons:
		return fmt.Errorf("persons %d is not the sum over by_kind (%d)", s.Persons, persons)
	case s.CasesFirst+s.CasesRepeat != s.Cases:
		return fmt.Errorf("cases %d is not cases_first + cases_repeat (%d)", s.Cases, s.CasesFirst+s.CasesRepeat)
	case s.Delegations.Visits > s.Visits, s.Delegations.Persons > s.Persons, s.Delegations.Cases > s.Cases:
		return errors.New("delegations exceed the totals")
	case decided != s.Petitions.Decided:
		return fmt.Errorf("petitions.decided %d is not the sum over by_decision (%d)", s.Petitions.Decided, decided)
	case s.Petitions.OnTime+s.Petitions.Late != s.Petitions.Decided:
		return fmt.Errorf("petitions.decided %d is not on_time + late (%d)", s.Petitions.Decided, s.Petitions.OnTime+s.Petitions.Late)
	}
	return nil
}

// Text renders the summary as the report paragraph, in lang "vi" (the
// default when empty) or "en". The Vietnamese follows the wording of the
// provincial reports agencies already file, so it can be pasted into one.
func Text(s Summary, lang string) (string, error) {
	var w wording
	switch lang {
	case "", "vi":
		w = vi
	case "en":
		w = en
	default:
		return "", fmt.Errorf("lang must be vi or en, not %q", lang)
	}
	if err := s.Validate(); err != nil {
		return "", err
	}
	from, _ := period.ParseDate(s.From)
	to, _ := period.ParseDate(s.To)
	var b strings.Builder
	b.WriteString(w.period(from.Format("02/01/2006"), to.Format("02/01/2006")))
	if s.Visits == 0 {
		b.WriteString(w.noVisits)
	} else {
		b.WriteString(w.totals(s.Visits, s.Persons, s.Cases))
		b.WriteString(w.ofWhich)
		// The report's order: periodic, its delegations, regular, urgent.
		items := []string{
			w.kindItem(w.periodic, s.ByKind[KindPeriodic]),
			w.delegationItem(s.Delegations),
			w.kindItem(w.regular, s.ByKind[KindRegular]),
			w.kindItem(w.urgent, s.ByKind[KindUrgent]),
		}
		b.WriteString(w.itemPrefix)
		b.WriteString(strings.Join(items, w.itemSep))
		b.WriteString(".")
	}
	b.WriteString(" ")
	b.WriteString(w.documents(s.ConclusionNotices, s.DirectiveLetters))
	if p := s.Petitions; p.Received > 0 || p.Decided > 0 {
		b.WriteString(" ")
		b.WriteString(w.petitions(p))
	}
	// Every piece above is NFC already: the literals are written precomposed
	// (checked by the tests) and the rest is ASCII digits and slashes.
	return b.String(), nil
}

// wording holds one language's phrases; the numbers are formatted by num,
// since Vietnamese reports pad counts below ten ("05 người", "08 vụ việc").
type wording struct {
	period         func(from, to string) string
	noVisits       string
	totals         func(visits, persons, cases int) string
	ofWhich        string
	itemPrefix     string
	itemSep        string
	periodic       string
	regular        string
	urgent         string
	kindItem       func(label string, f KindFigures) string
	delegationItem func(d DelegationFigures) string
	documents      func(notices, letters int) string
	petitions      func(p PetitionFigures) string
}

// pad2 writes a count the way Vietnamese official documents do: at least
// two digits.
func pad2(n int) string { return fmt.Sprintf("%02d", n) }

var vi = wording{
	period: func(from, to string) string {
		return "Từ ngày " + from + " đến ngày " + to + ", "
	},
	noVisits: "không có lượt tiếp công dân nào.",
	totals: func(v, p, c int) string {
		return "tiếp " + pad2(v) + " lượt/ " + pad2(p) + " người/ " + pad2(c) + " vụ việc (sau khi đã lọc vụ trùng)."
	},
	ofWhich:    " Trong đó: ",
	itemPrefix: "+ ",
	itemSep:    "; + ",
	periodic:   "Tiếp định kỳ",
	regular:    "Tiếp thường xuyên",
	urgent:     "Tiếp đột xuất",
	kindItem: func(label string, f KindFigures) string {
		if f.Visits == 0 {
			return label + ": Không có"
		}
		return label + ": " + pad2(f.Visits) + " lượt/ " + pad2(f.Persons) + " người"
	},
	delegationItem: func(d DelegationFigures) string {
		label := "Tiếp Đoàn đông người (từ " + pad2(d.MinSize) + " người trở lên)"
		if d.Visits == 0 {
			return label + ": Không có"
		}
		return label + ": " + pad2(d.Visits) + " lượt đoàn/ " + pad2(d.Cases) + " vụ việc"
	},
	documents: func(n, l int) string {
		const notices, letters = "Thông báo kết luận", "công văn chỉ đạo"
		switch {
		case n == 0 && l == 0:
			return "Không ban hành " + notices + " hay " + letters + " nào."
		case l == 0:
			return "Đã ban hành " + pad2(n) + " " + notices + "; không ban hành " + letters + "."
		case n == 0:
			return "Đã ban hành " + pad2(l) + " " + letters + "; không ban hành " + notices + "."
		}
		return "Đã ban hành " + pad2(n) + " " + notices + " và " + pad2(l) + " " + letters + "."
	},
	petitions: func(p PetitionFigures) string {
		return "Tiếp nhận " + pad2(p.Received) + " đơn; xử lý " + pad2(p.Decided) + " đơn (đúng hạn " + pad2(p.OnTime) +
			", quá hạn " + pad2(p.Late) + ")."
	},
}

// count writes an English count with its noun, singular for one.
func count(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return strconv.Itoa(n) + " " + plural
}

var en = wording{
	period: func(from, to string) string {
		return "From " + from + " to " + to + ": "
	},
	noVisits: "no visits.",
	totals: func(v, p, c int) string {
		return count(v, "visit", "visits") + " / " + count(p, "person", "persons") + " / " +
			count(c, "case", "cases") + " (after removing duplicate cases)."
	},
	ofWhich:    " Of which: ",
	itemPrefix: "",
	itemSep:    "; ",
	periodic:   "periodic reception",
	regular:    "regular reception",
	urgent:     "urgent reception",
	kindItem: func(label string, f KindFigures) string {
		if f.Visits == 0 {
			return label + ": none"
		}
		return label + ": " + count(f.Visits, "visit", "visits") + " / " + count(f.Persons, "person", "persons")
	},
	delegationItem: func(d DelegationFigures) string {
		label := "delegations (" + strconv.Itoa(d.MinSize) + " or more people)"
		if d.Visits == 0 {
			return label + ": none"
		}
		return label + ": " + count(d.Visits, "delegation visit", "delegation visits") + " / " +
			count(d.Cases, "case", "cases")
	},
	documents: func(n, l int) string {
		switch {
		case n == 0 && l == 0:
			return "No conclusion notices or directive letters were issued."
		case l == 0:
			return count(n, "conclusion notice", "conclusion notices") + " and no directive letters were issued."
		case n == 0:
			return count(l, "directive letter", "directive letters") + " and no conclusion notices were issued."
		}
		return count(n, "conclusion notice", "conclusion notices") + " and " +
			count(l, "directive letter", "directive letters") + " were issued."
	},
	petitions: func(p PetitionFigures) string {
		return count(p.Received, "petition", "petitions") + " received; " + strconv.Itoa(p.Decided) + " decided (" +
			strconv.Itoa(p.OnTime) + " on time, " + strconv.Itoa(p.Late) + " late)."
	},
}

// CSV writes the summary as metric,value rows under a header, one row per
// figure in a fixed order so that spreadsheets and diff tools line up across
// periods. The period and organisation come first: a file without them
// would not say what it counts.
func CSV(w io.Writer, s Summary) error {
	if err := s.Validate(); err != nil {
		return err
	}
	rows := [][]string{
		{"metric", "value"},
		{"from", s.From},
		{"to", s.To},
		{"org_id", s.OrgID},
	}
	add := func(name string, v int) { rows = append(rows, []string{name, strconv.Itoa(v)}) }
	add("visits", s.Visits)
	add("persons", s.Persons)
	add("cases", s.Cases)
	add("cases_first", s.CasesFirst)
	add("cases_repeat", s.CasesRepeat)
	for _, k := range kinds {
		f := s.ByKind[k]
		add("by_kind."+k+".sessions", f.Sessions)
		add("by_kind."+k+".visits", f.Visits)
		add("by_kind."+k+".persons", f.Persons)
		add("by_kind."+k+".cases", f.Cases)
	}
	add("delegations.min_size", s.Delegations.MinSize)
	add("delegations.visits", s.Delegations.Visits)
	add("delegations.persons", s.Delegations.Persons)
	add("delegations.cases", s.Delegations.Cases)
	add("conclusion_notices", s.ConclusionNotices)
	add("directive_letters", s.DirectiveLetters)
	add("petitions.received", s.Petitions.Received)
	add("petitions.decided", s.Petitions.Decided)
	for _, d := range vocab.PetitionDecision.Values() {
		add("petitions.by_decision."+d, s.Petitions.ByDecision[d])
	}
	add("petitions.on_time", s.Petitions.OnTime)
	add("petitions.late", s.Petitions.Late)
	cw := safecsv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
