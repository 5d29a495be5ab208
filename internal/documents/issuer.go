package documents

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// IssuerOf is the issuer of an organisation named name, whose parent body is parent ("" for
// none) and whose code is the symbol in its documents' numbers; its place is the place name
// its name (else its parent's) ends with, "" when neither names one.
func IssuerOf(name, parent, code string) Issuer {
	place := PlaceOf(name)
	if place == "" {
		place = PlaceOf(parent)
	}
	return Issuer{Parent: parent, Name: name, Symbol: strings.ToUpper(code), Place: place}
}

// administrativeUnits are the words that come before a place name in the name of a body
// (Ban Tiếp công dân tỉnh Quảng Trị, Ủy ban nhân dân xã Hải Thượng), two-word ones first so
// that "thị xã" is not read as "xã".
var administrativeUnits = [][]string{
	{"thành", "phố"}, {"thị", "xã"}, {"thị", "trấn"},
	{"tỉnh"}, {"huyện"}, {"quận"}, {"xã"}, {"phường"},
}

// PlaceOf is the place name (địa danh) an organisation's name ends with, the words after its
// last administrative unit: "Quảng Trị" for "Ban Tiếp công dân tỉnh Quảng Trị"; "" when the
// name has none ("Ban Tiếp công dân"). Decree 30/2020 dates a document with it.
func PlaceOf(name string) string {
	words := strings.Fields(norm.NFC.String(name))
	for i := len(words) - 2; i >= 0; i-- {
		for _, unit := range administrativeUnits {
			if i+len(unit) < len(words) && unitAt(words, i, unit) {
				return strings.Join(words[i+len(unit):], " ")
			}
		}
	}
	return ""
}

// unitAt reports whether words, from i on, begin with unit (in any letter case).
func unitAt(words []string, i int, unit []string) bool {
	for j, u := range unit {
		if strings.ToLower(words[i+j]) != u {
			return false
		}
	}
	return true
}
