package imports

import (
	"regexp"
	"slices"
	"strings"

	"github.com/tcd-registry/tcd/internal/vntext"
)

// field is what a column of the file holds.
type field int

const (
	fieldNone         field = iota
	fieldSerial             // STT
	fieldDate               // Ngày tiếp
	fieldPersons            // Họ tên - Địa chỉ: names and addresses, one person a line
	fieldName               // a column of names only
	fieldAddress            // a column of addresses only
	fieldIDNumber           // Số CCCD/CMND/Hộ chiếu, one a line
	fieldCase               // Nội dung vụ việc
	fieldKindCount          // Phân loại đơn / Số người: "Khiếu nại / 3"
	fieldCategory           // Phân loại đơn alone
	fieldHeadcount          // Số người alone
	fieldPrevious           // Cơ quan đã giải quyết
	fieldOutcome            // Hướng xử lý
	fieldFollowUp           // Theo dõi kết quả
	fieldNote               // Ghi chú
	fieldCategoryFlag       // one column per category, the row's marked (the form's sub-columns)
	fieldOutcomeFlag        // one column per handling, the row's marked; a text in it is the detail
)

// fieldNames name the fields in errors, as the API names the visit's and case's fields.
var fieldNames = map[field]string{
	fieldSerial: "serial", fieldDate: "date", fieldPersons: "persons", fieldName: "persons", fieldAddress: "persons",
	fieldIDNumber: "id_number", fieldCase: "case", fieldKindCount: "category", fieldCategory: "category",
	fieldHeadcount: "headcount", fieldPrevious: "previously_handled_by", fieldOutcome: "outcome",
	fieldFollowUp: "follow_up", fieldNote: "note", fieldCategoryFlag: "category", fieldOutcomeFlag: "outcome",
}

// aliases are the titles (folded, without parenthesised remarks) a column of each field goes by:
// the export's own first, then those of hand-kept registers.
var aliases = map[field][]string{
	fieldSerial: {"stt", "tt", "so tt", "so thu tu"},
	fieldDate: {"ngay tiep", "ngay", "ngay thang", "ngay thang nam", "ngay tiep cong dan", "thoi gian tiep",
		"ngay tiep nhan", "thoi gian"},
	fieldPersons: {"ho ten dia chi", "ho va ten dia chi", "ho ten va dia chi", "nguoi duoc tiep",
		"ho ten dia chi cua nguoi duoc tiep", "cong dan"},
	fieldName:    {"ho ten", "ho va ten", "ho ten nguoi duoc tiep", "ho ten cong dan", "ten cong dan", "nguoi den"},
	fieldAddress: {"dia chi", "noi cu tru", "noi o", "dia chi thuong tru", "tru quan"},
	fieldCase: {"noi dung vu viec", "noi dung", "tom tat noi dung", "noi dung tiep", "noi dung don",
		"noi dung vu viec tom tat"},
	fieldKindCount: {"phan loai don so nguoi", "phan loai don so luong nguoi", "loai don so nguoi",
		"phan loai so nguoi"},
	fieldCategory:  {"phan loai don", "loai don", "phan loai", "loai vu viec", "phan loai vu viec"},
	fieldHeadcount: {"so nguoi", "so luong nguoi", "so nguoi den", "so luong", "so nguoi duoc tiep"},
	fieldPrevious: {"co quan da giai quyet", "co quan to chuc da giai quyet", "da giai quyet",
		"noi da giai quyet", "co quan to chuc don vi da giai quyet"},
	fieldOutcome:  {"huong xu ly", "ket qua xu ly", "xu ly", "huong giai quyet", "ket qua tiep"},
	fieldFollowUp: {"theo doi ket qua", "ket qua", "theo doi ket qua giai quyet", "ket qua giai quyet", "theo doi"},
	fieldNote:     {"ghi chu"},
}

// byAlias is aliases the other way round.
var byAlias = func() map[string]field {
	m := map[string]field{}
	for f, list := range aliases {
		for _, a := range list {
			m[a] = f
		}
	}
	return m
}()

var remark = regexp.MustCompile(`\([^)]*\)`)

// titleKey is how a title is compared: folded, without remarks in brackets such as "(nếu có)"
// or "(ngày/tháng/năm)".
func titleKey(title string) string {
	return vntext.Fold(remark.ReplaceAllString(title, " "))
}

// matchTitle says which field a column title names. Besides the aliases, a title that speaks
// of an identity document is the ID column, and one that also has the name in it (the form's
// "Họ tên - Địa chỉ - CMND/Hộ chiếu") is the persons column, whose lines may carry the number.
func matchTitle(title string) field {
	key := titleKey(title)
	if f, ok := byAlias[key]; ok {
		return f
	}
	words := " " + key + " "
	idDoc := false
	for _, w := range []string{" cccd ", " cmnd ", " ho chieu ", " can cuoc ", " dinh danh ", " cmtnd "} {
		idDoc = idDoc || strings.Contains(words, w)
	}
	hasName := strings.Contains(words, " ho ten ") || strings.Contains(words, " ho va ten ")
	switch {
	case hasName && (idDoc || strings.Contains(words, " dia chi ")):
		return fieldPersons
	case idDoc:
		return fieldIDNumber
	}
	return fieldNone
}

// column is one column of the file the parser reads.
type column struct {
	index int    // 0-based
	title string // as the file says it, header levels joined by " - "
	field field
	value string // for a flag column, the category or outcome it marks
}

// letter is the column's name in a spreadsheet: A, B, …, AA.
func (c column) letter() string {
	name := ""
	for n := c.index + 1; n > 0; n = (n - 1) / 26 {
		name = string(rune('A'+(n-1)%26)) + name
	}
	return name
}

// headerScore is how many distinct fields a row's cells name, and whether they include the two
// every register has: the date and the persons.
func headerScore(cells []string) (score int, complete bool) {
	seen := map[field]bool{}
	for _, c := range cells {
		if f := matchTitle(c); f != fieldNone {
			seen[f] = true
		}
	}
	return len(seen), seen[fieldDate] && (seen[fieldPersons] || seen[fieldName])
}

// isHeader reports whether a row is the register's header: its cells name at least three of the
// register's columns, the date and the persons among them.
func isHeader(cells []string) bool {
	score, complete := headerScore(cells)
	return complete && score >= 3
}

// isNumberRow reports whether a row only numbers the columns ("1", "2", … or "(1)", "(2)", …;
// "MS" may head it), as printed forms do under their header.
func isNumberRow(cells []string) bool {
	n := 0
	for _, c := range cells {
		c = strings.Trim(strings.TrimSpace(c), "()")
		switch {
		case c == "" || strings.EqualFold(c, "ms"):
		case isDigits(c) && len(c) <= 2:
			n++
		default:
			return false
		}
	}
	return n >= 3
}

// isSubHeader reports whether the row under the header is a second header level: no date
// where the date column is, and at least half of its cells naming a column or a category or
// handling (the form splits "Phân loại đơn" and "Hướng xử lý" into such sub-columns). A first
// data row without its date still has names and a case, which name nothing.
func isSubHeader(cells []string, dateIndex int) bool {
	if dateIndex < len(cells) {
		if _, err := parseDate(cells[dateIndex]); err == nil {
			return false
		}
	}
	filled, named := 0, 0
	for _, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		filled++
		if matchTitle(c) != fieldNone || flagOf(c) != fieldNone {
			named++
		}
	}
	return named > 0 && 2*named >= filled
}

// flagOf says whether a sub-column title is a category or a handling, whose column is marked
// for the rows of that kind.
func flagOf(title string) field {
	if _, err := categories.parse(remark.ReplaceAllString(title, " ")); err == nil {
		return fieldCategoryFlag
	}
	if _, err := outcomes.parse(remark.ReplaceAllString(title, " ")); err == nil {
		return fieldOutcomeFlag
	}
	return fieldNone
}

// layout maps the header rows (one, or two when the form splits columns) to the file's columns.
// A sub-column takes its own title when it names a field or a flag, else the title of its parent
// and itself together; an empty sub-column cell leaves the column to its parent (a header cell
// merged down). Parents merged across several columns are read as their first cell repeated.
// The first column of each field wins; the others (and unknown columns) are ignored.
func layout(header, sub []string) []column {
	width := max(len(header), len(sub))
	var cols []column
	taken := map[field]bool{}
	parent := ""
	for i := 0; i < width; i++ {
		own := cellAt(header, i)
		if strings.TrimSpace(own) != "" {
			parent = own
		}
		child := cellAt(sub, i)
		c := column{index: i, title: strings.TrimSpace(own)}
		switch {
		case strings.TrimSpace(child) == "":
			c.field = matchTitle(own)
		case flagOf(child) != fieldNone:
			c.title = strings.TrimSpace(parent) + " - " + strings.TrimSpace(child)
			c.field = flagOf(child)
			if c.field == fieldCategoryFlag {
				c.value, _ = categories.parse(remark.ReplaceAllString(child, " "))
			} else {
				c.value, _ = outcomes.parse(remark.ReplaceAllString(child, " "))
			}
		default:
			c.title = strings.TrimSpace(parent) + " - " + strings.TrimSpace(child)
			if c.field = matchTitle(child); c.field == fieldNone {
				c.field = matchTitle(parent + " " + child)
			}
		}
		flag := c.field == fieldCategoryFlag || c.field == fieldOutcomeFlag
		if c.field == fieldNone || taken[c.field] && !flag {
			continue
		}
		taken[c.field] = true
		cols = append(cols, c)
	}
	return cols
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// missingColumns names the fields a register must have that the layout lacks.
func missingColumns(cols []column) []string {
	has := func(fs ...field) bool {
		return slices.ContainsFunc(cols, func(c column) bool { return slices.Contains(fs, c.field) })
	}
	var missing []string
	if !has(fieldDate) {
		missing = append(missing, "Ngày tiếp")
	}
	if !has(fieldPersons, fieldName) {
		missing = append(missing, "Họ tên - Địa chỉ")
	}
	if !has(fieldCase) {
		missing = append(missing, "Nội dung vụ việc")
	}
	if !has(fieldKindCount, fieldCategory, fieldCategoryFlag) {
		missing = append(missing, "Phân loại đơn / Số người")
	}
	return missing
}
