package imports

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/tcd-registry/tcd/internal/vntext"
)

// Person is a citizen named in a row.
type Person struct {
	FullName string
	// Gender is "male" or "female" when the register wrote "Ông"/"Anh" or "Bà"/"Chị" before the
	// name, else empty.
	Gender   string
	Address  string
	IDNumber string // normalised; empty when the register has none for this person
	IDKind   string // "cccd", "cmnd" or "passport" with IDNumber
}

// parsePersons reads a names-and-addresses cell: one person a line, each written as the export
// writes it ("Nguyễn Văn An - thôn 3, xã Hải Thượng") or as clerks do ("Ông Nguyễn Văn An,
// thôn 3, …", or the name on one line and the address on the lines under it). An identity
// number among the parts (the form's "Họ tên - Địa chỉ - CMND" column) is taken as the person's.
func parsePersons(s string) ([]Person, error) {
	var persons []Person
	for _, line := range cellLines(s) {
		line = strings.TrimLeft(line, "-+•*·– ")
		line = stripEnumeration(line)
		if line == "" {
			continue
		}
		if addr, ok := addressLine(line); ok && len(persons) > 0 {
			last := &persons[len(persons)-1]
			if last.Address == "" {
				last.Address = addr
			} else {
				last.Address += ", " + addr
			}
			continue
		}
		p, err := parsePersonLine(line)
		if err != nil {
			return nil, err
		}
		persons = append(persons, p)
	}
	return persons, nil
}

// parsePersonLine reads "name", "name - address[ - ID]" or "name, address[, ID]".
func parsePersonLine(line string) (Person, error) {
	sep := " - "
	if !strings.Contains(line, sep) {
		sep = ","
	}
	parts := strings.Split(line, sep)
	var p Person
	var address []string
	for _, part := range parts[1:] {
		part = strings.TrimSpace(part)
		if p.IDNumber == "" && strings.IndexFunc(part, unicode.IsDigit) >= 0 {
			if n, err := parseIDNumber(part); err == nil {
				p.IDNumber, p.IDKind = n.Value, string(n.Kind)
				continue
			}
		}
		if part != "" {
			address = append(address, part)
		}
	}
	joiner := sep
	if sep == "," {
		joiner = ", "
	}
	p.Address = vntext.NFC(strings.Join(address, joiner))
	name, gender := stripHonorific(parts[0])
	p.FullName, p.Gender = vntext.NFC(name), gender
	if err := checkName(p.FullName); err != nil {
		return Person{}, err
	}
	return p, nil
}

// checkName rejects what cannot be a person's name: digits in it usually mean an address or a
// number got into the name's place.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("a line has no name")
	}
	if strings.IndexFunc(name, unicode.IsDigit) >= 0 {
		return fmt.Errorf("%q is not a name (it has digits); write one person a line as \"Họ tên - Địa chỉ\"", name)
	}
	if !strings.ContainsFunc(name, unicode.IsLetter) {
		return fmt.Errorf("%q is not a name", name)
	}
	if n := len([]rune(name)); n > 100 {
		return fmt.Errorf("a name of %d characters is too long; write one person a line as \"Họ tên - Địa chỉ\"", n)
	}
	return nil
}

// Words a clerk writes before a name, with the gender they tell.
var honorifics = []struct{ word, gender string }{
	{"ong ba", ""}, {"ong", "male"}, {"anh", "male"}, {"ba", "female"}, {"chi", "female"}, {"cu", ""},
	{"ho ten", ""}, {"ho va ten", ""},
}

// stripHonorific drops "Ông", "Bà", "Họ tên:" and the like from the start of a name.
func stripHonorific(s string) (name, gender string) {
	s = strings.TrimSpace(s)
	folded := vntext.Fold(s)
	words := strings.Fields(folded)
	for _, h := range honorifics {
		hw := strings.Fields(h.word)
		// "Ông/Bà" folds to "ong ba". Ông and Anh are also surnames: followed by a middle name
		// (Ông Văn Tùng, Anh Văn Tú) the word is the name's
		if strings.HasPrefix(folded+" ", h.word+" ") && len(words) >= len(hw)+2 &&
			!slices.Contains(middleNames, words[len(hw)]) {
			rest := afterWords(s, len(hw))
			return rest, h.gender
		}
	}
	return s, ""
}

// Words that start an address. Some are also surnames (Tô, Phương, Bàn, Xa): followed by a
// middle name (Tô Văn Lâm, Phương Thị Hoa) they start a name instead.
var (
	addressWords = []string{"thon", "xom", "ap", "ban", "to", "khoi", "so", "xa", "phuong", "huyen", "quan",
		"tinh", "tp", "kp", "tdp", "duong", "khu", "thanh", "thi"}
	addressPairs = []string{"thi tran", "khu pho", "to dan", "thanh pho", "so nha", "khu dan"}
	middleNames  = []string{"van", "thi", "duc", "huu", "ngoc", "minh", "quang", "dinh", "cong", "xuan", "kim",
		"hong", "thanh", "tien", "ba", "dang", "viet", "the", "trong", "manh", "anh"}
)

// addressLine reports whether line continues an address rather than names another person; a
// label such as "Địa chỉ:" is dropped from the result.
func addressLine(line string) (string, bool) {
	folded := vntext.Fold(line)
	for _, label := range []string{"dia chi", "dc", "tru tai", "cho o", "noi o"} {
		if strings.HasPrefix(folded+" ", label+" ") {
			return afterWords(line, len(strings.Fields(label))), true
		}
	}
	words := strings.Fields(folded)
	if len(words) == 0 {
		return "", false
	}
	if unicode.IsDigit(rune(words[0][0])) {
		return strings.TrimSpace(line), true
	}
	if len(words) >= 2 && slices.Contains(addressPairs, words[0]+" "+words[1]) {
		return strings.TrimSpace(line), true
	}
	if slices.Contains(addressWords, words[0]) && (len(words) == 1 || !slices.Contains(middleNames, words[1])) {
		return strings.TrimSpace(line), true
	}
	return "", false
}

// stripEnumeration drops "1.", "2)" before a line of a list.
func stripEnumeration(line string) string {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i <= 2 && i < len(line) && (line[i] == '.' || line[i] == ')') && i+1 < len(line) && line[i+1] == ' ' {
		return strings.TrimSpace(line[i+1:])
	}
	return line
}

// cellLines splits a cell into its lines, trimmed; blank lines are kept, so that the n-th line
// of an ID column still belongs to the n-th person.
func cellLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return lines
}
