package imports

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tcd-registry/tcd/internal/idnumber"
	"github.com/tcd-registry/tcd/internal/vntext"
	"github.com/tcd-registry/tcd/internal/vocab"
)

// The cell parsers read what clerks type into a register by hand as well as what the export
// writes. Each takes the cell's text and returns the value or an error a clerk can act on; none
// panics or loops on any input (FuzzCells).

// Excel's serial dates count days from 1899-12-30 (day 1 is 1900-01-01, and Lotus's phantom
// 29 February 1900 is day 60, so every later date lands right from that epoch).
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// Serial dates are accepted between these years: a number in a date column outside them is a
// mistake (a headcount, a serial number) rather than a reception day.
const (
	firstYear = 1950
	lastYear  = 2100
)

// parseDate reads a reception day: dd/mm/yyyy and its variants (d/m/yy, dashes or dots,
// "ngày 5 tháng 3 năm 2024", a time after the date), yyyy-mm-dd, or an Excel serial day number.
// Day-first is the Vietnamese order; a month above 12 is an error, never a guess at the American
// order.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("the date is empty")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil { // what a date cell holds in an XLSX file
		return serialDate(f)
	}
	fields := dateFields(s)
	if len(fields) != 3 {
		return time.Time{}, fmt.Errorf("%q is not a date; write it as dd/mm/yyyy", s)
	}
	nums := make([]int, 3)
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || len(f) > 4 {
			return time.Time{}, fmt.Errorf("%q is not a date; write it as dd/mm/yyyy", s)
		}
		nums[i] = n
	}
	d, m, y := nums[0], nums[1], nums[2]
	if len(fields[0]) == 4 { // yyyy-mm-dd
		y, m, d = nums[0], nums[1], nums[2]
	} else if len(fields[2]) <= 2 {
		// two-digit years: this register's years are recent, so 00-69 are 2000-2069
		y += 1900
		if y < 1970 {
			y += 100
		}
	} else if len(fields[2]) != 4 {
		return time.Time{}, fmt.Errorf("%q: the year must have 2 or 4 digits", s)
	}
	if m < 1 || m > 12 {
		return time.Time{}, fmt.Errorf("%q: there is no month %d (dates are day/month/year)", s, m)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d || t.Month() != time.Month(m) {
		return time.Time{}, fmt.Errorf("%q: month %d has no day %d", s, m, d)
	}
	if y < firstYear || y > lastYear {
		return time.Time{}, fmt.Errorf("%q: the year %d is out of range", s, y)
	}
	return t, nil
}

// dateFields splits a date written with /, -, . or spaces, or in words ("ngày 05 tháng 3 năm
// 2024"), into its three numbers; a time of day after them ("05/03/2024 08:30") is dropped.
func dateFields(s string) []string {
	folded := vntext.Fold(s) // "ngay 05 thang 3 nam 2024", "05 03 2024 08 30"
	var nums []string
	for _, w := range strings.Fields(folded) {
		switch {
		case w == "ngay" || w == "thang" || w == "nam":
		case isDigits(w):
			nums = append(nums, w)
		default:
			return nil
		}
	}
	if len(nums) > 3 && strings.Contains(s, ":") { // a time of day follows the date
		nums = nums[:3]
	}
	return nums
}

func serialDate(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 1 || f > 1e6 {
		return time.Time{}, fmt.Errorf("%v is not a date; write it as dd/mm/yyyy", f)
	}
	days := int(math.Floor(f)) // a fraction is the time of day
	t := excelEpoch.AddDate(0, 0, days)
	if t.Year() < firstYear || t.Year() > lastYear {
		return time.Time{}, fmt.Errorf("%v is not a date in a register (as a day number it is %s); write it as dd/mm/yyyy", f, t.Format("02/01/2006"))
	}
	return t, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseIDNumber reads an identity number. A spreadsheet that took a CCCD for a number dropped
// its leading zero (every province code starts with 0) and may show it as 4.5175001234E+10;
// both are put back before parsing. "CCCD:", "CMND số" and the like before the number are
// dropped.
func parseIDNumber(s string) (idnumber.Number, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, "eE") && f >= 1 && f < 1e13 {
		s = strconv.FormatFloat(f, 'f', 0, 64)
	}
	s = stripIDLabel(s)
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return r
	}, s)
	if isDigits(digits) && (len(digits) == 11 || len(digits) == 8) {
		s = "0" + digits
	}
	return idnumber.Parse(s)
}

// stripIDLabel drops a label such as "CCCD:", "Số CMND", "HC" before an identity number.
func stripIDLabel(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsDigit(r) })
	if i <= 0 {
		return s
	}
	// a passport number starts with its letter: "HC: B1234567" keeps the B
	if isASCIILetter(s[i-1]) && (i == 1 || !isASCIILetter(s[i-2])) {
		i--
	}
	if i == 0 {
		return s
	}
	prefix := vntext.Fold(s[:i])
	if prefix == "" {
		return s[i:]
	}
	for _, w := range strings.Fields(prefix) {
		if !slices.Contains(idLabelWords, w) {
			return s
		}
	}
	return s[i:]
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

var idLabelWords = []string{"so", "cccd", "cmnd", "cmtnd", "hc", "ho", "chieu", "can", "cuoc", "cong", "dan", "dinh", "danh"}

// parseCount reads a number of people: "3", "3 người", "03".
func parseCount(s string) (int, error) {
	f := strings.Fields(vntext.Fold(s))
	if len(f) == 0 {
		return 0, errors.New("empty")
	}
	if len(f) > 2 || len(f) == 2 && f[1] != "nguoi" {
		return 0, fmt.Errorf("%q is not a number of people", strings.TrimSpace(s))
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 || n > 100000 {
		return 0, fmt.Errorf("%q is not a number of people", strings.TrimSpace(s))
	}
	return n, nil
}

// vocabulary reads the Vietnamese labels of one enum of the vocabulary (the words the export
// prints) back into its values, matching them folded (case, diacritics and punctuation do not
// matter). extra are further spellings hand-kept registers use.
type vocabulary struct {
	name   string // the field, for messages
	values map[string]string
	labels []string // for messages, in the vocabulary's order
}

func newVocabulary(name string, enum vocab.Enum, extra map[string]string) vocabulary {
	v := vocabulary{name: name, values: map[string]string{}}
	for _, t := range enum.Terms {
		v.values[vntext.Fold(t.VI)] = t.Value
		v.labels = append(v.labels, t.VI)
	}
	for spelling, value := range extra {
		v.values[vntext.Fold(spelling)] = value
	}
	return v
}

func (v vocabulary) parse(s string) (string, error) {
	if value, ok := v.values[vntext.Fold(s)]; ok {
		return value, nil
	}
	return "", fmt.Errorf("%q is not a %s; write one of: %s", strings.TrimSpace(s), v.name, strings.Join(v.labels, ", "))
}

var (
	categories = newVocabulary("category", vocab.CaseCategory, map[string]string{
		"Kiến nghị, phản ánh": "petition", "Đơn khiếu nại": "complaint", "Đơn tố cáo": "denunciation",
		"Đơn kiến nghị": "petition", "Đơn phản ánh": "feedback",
	})
	outcomes = newVocabulary("handling", vocab.VisitOutcome, map[string]string{
		"Thụ lý giải quyết": "accepted", "Hướng dẫn": "guided", "Trả lại đơn": "guided",
		"Trả lại đơn, hướng dẫn": "guided", "Chuyển đơn đến cơ quan có thẩm quyền": "transferred",
		"Chuyển": "transferred", "Giải thích, trả lời trực tiếp": "answered", "Giải thích": "answered",
	})
	statuses = newVocabulary("status", vocab.CaseStatus, nil)
)

// parseOutcome reads the handling column. A hand-kept register often writes more than the
// label ("Chuyển đơn đến UBND huyện Hải Lăng"): a cell that begins with a label is that outcome,
// and the rest is kept as its detail.
func parseOutcome(s string) (value, detail string, err error) {
	if v, err := outcomes.parse(s); err == nil {
		return v, "", nil
	}
	folded := vntext.Fold(s)
	best := ""
	for spelling := range outcomes.values {
		if strings.HasPrefix(folded, spelling+" ") && len(spelling) > len(best) {
			best = spelling
		}
	}
	if best == "" {
		_, err := outcomes.parse(s)
		return "", "", err
	}
	return outcomes.values[best], afterWords(s, len(strings.Fields(best))), nil
}

// afterWords is s without its first n words (as Fold counts them) and the punctuation after
// them.
func afterWords(s string, n int) string {
	rest := s
	for range n {
		rest = strings.TrimLeftFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		i := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) })
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	return strings.TrimSpace(strings.TrimLeft(rest, " ,.;:-"))
}

// parseFollowUp reads the follow-up column the export writes: the case's status, then "; công
// văn số" and the directive letters' numbers. Anything else is kept as free text.
func parseFollowUp(s string) (status string, directives []string, text string) {
	s = strings.TrimSpace(s)
	head, numbers, found := strings.Cut(s, directivesPrefix)
	if found {
		for _, n := range strings.Split(numbers, directivesSep) {
			if n = strings.TrimSpace(n); n != "" {
				directives = append(directives, n)
			}
		}
	}
	if v, err := statuses.parse(head); err == nil {
		return v, directives, ""
	}
	return "", nil, s
}

// How the export joins a status to the directive letters' numbers (register.go, cells).
const (
	directivesPrefix = "; công văn số "
	directivesSep    = ", "
)
