// Package idnumber parses the identity numbers citizens present: the 12-digit
// CCCD (căn cước), the old 9-digit CMND and passports.
package idnumber

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kind says which document an identity number belongs to.
type Kind string

// The kinds are stored, so their values must not change.
const (
	CCCD     Kind = "cccd"
	CMND     Kind = "cmnd"
	Passport Kind = "passport"
)

// Number is a parsed identity number. Province, BirthYear and Gender are
// decoded from a CCCD and empty for the other kinds.
type Number struct {
	Value     string // normalised: spaces/dots/dashes removed, letters upper-cased
	Kind      Kind
	Province  string // CCCD only: the 3-digit code, e.g. "045"
	BirthYear int    // CCCD only: full year decoded from digits 4-6
	Gender    string // CCCD only: "male" or "female"
}

// now is a variable so that tests can pin the year the future is judged from.
var now = time.Now

const shapeRule = "12 digits (CCCD), 9 digits (CMND) or a letter and 7 digits (passport)"

// Parse normalises raw and says which kind of number it is. Clerks copy
// numbers as printed or grouped ("045 075 001 234", "045.075.001.234"), so
// spaces, dots and dashes are ignored.
func Parse(raw string) (Number, error) {
	value := normalise(raw)
	if value == "" {
		return Number{}, errors.New("ID number is empty")
	}
	switch {
	case len(value) == 12 && allDigits(value):
		return parseCCCD(value)
	case len(value) == 9 && allDigits(value):
		return Number{Value: value, Kind: CMND}, nil
	case len(value) == 8 && value[0] >= 'A' && value[0] <= 'Z' && allDigits(value[1:]):
		return Number{Value: value, Kind: Passport}, nil
	}
	if allDigits(value) {
		// The count tells the clerk whether a digit was dropped or doubled.
		return Number{}, fmt.Errorf("ID number has %d digits; it must be %s", len(value), shapeRule)
	}
	return Number{}, errors.New("ID number must be " + shapeRule)
}

func normalise(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range raw {
		switch {
		case unicode.IsSpace(r), r == '.', r == '-':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCCCD decodes a 12-digit number by the scheme of Decree 137/2015/NĐ-CP
// Art. 7 and Circular 07/2016/TT-BCA Art. 7: province of birth registration,
// century-and-sex digit, two-digit year, six free digits.
func parseCCCD(value string) (Number, error) {
	province := value[:3]
	if _, ok := provinces[province]; !ok {
		return Number{}, fmt.Errorf("unknown province code %s in CCCD", province)
	}
	// Digit 4 counts centuries from the 20th, even for men and odd for women:
	// 0/1 1900s, 2/3 2000s, 4/5 2100s, 6/7 2200s, 8/9 2300s. No digit means
	// the 1800s, so the earliest year a CCCD can give is 1900.
	d := int(value[3] - '0')
	yy, _ := strconv.Atoi(value[4:6])
	year := 1900 + d/2*100 + yy
	gender := "male"
	if d%2 == 1 {
		gender = "female"
	}
	if year > now().Year() {
		return Number{}, fmt.Errorf("CCCD says born %d, which is in the future", year)
	}
	return Number{Value: value, Kind: CCCD, Province: province, BirthYear: year, Gender: gender}, nil
}

// CheckPerson reports whether what a CCCD encodes contradicts the birth year
// and gender recorded for its holder. A nil birthYear, a gender other than
// "male" or "female", and the other kinds of number are not checked, since
// they carry nothing to compare.
func (n Number) CheckPerson(birthYear *int, gender string) error {
	if n.Kind != CCCD {
		return nil
	}
	var errs []error
	if birthYear != nil && *birthYear != n.BirthYear {
		errs = append(errs, fmt.Errorf("CCCD says born %d but birth_year is %d", n.BirthYear, *birthYear))
	}
	if (gender == "male" || gender == "female") && gender != n.Gender {
		errs = append(errs, fmt.Errorf("CCCD says %s but gender is %s", n.Gender, gender))
	}
	return errors.Join(errs...)
}

// provinces holds the 63 codes of the place of birth registration in the
// appendix of Circular 07/2016/TT-BCA, which follow the GSO province codes
// (Decision 124/2004/QĐ-TTg). A number keeps its code for life, so codes of
// provinces merged away in 2025 stay valid.
var provinces = map[string]string{
	"001": "Hà Nội",
	"002": "Hà Giang",
	"004": "Cao Bằng",
	"006": "Bắc Kạn",
	"008": "Tuyên Quang",
	"010": "Lào Cai",
	"011": "Điện Biên",
	"012": "Lai Châu",
	"014": "Sơn La",
	"015": "Yên Bái",
	"017": "Hòa Bình",
	"019": "Thái Nguyên",
	"020": "Lạng Sơn",
	"022": "Quảng Ninh",
	"024": "Bắc Giang",
	"025": "Phú Thọ",
	"026": "Vĩnh Phúc",
	"027": "Bắc Ninh",
	"030": "Hải Dương",
	"031": "Hải Phòng",
	"033": "Hưng Yên",
	"034": "Thái Bình",
	"035": "Hà Nam",
	"036": "Nam Định",
	"037": "Ninh Bình",
	"038": "Thanh Hóa",
	"040": "Nghệ An",
	"042": "Hà Tĩnh",
	"044": "Quảng Bình",
	"045": "Quảng Trị",
	"046": "Thừa Thiên Huế",
	"048": "Đà Nẵng",
	"049": "Quảng Nam",
	"051": "Quảng Ngãi",
	"052": "Bình Định",
	"054": "Phú Yên",
	"056": "Khánh Hòa",
	"058": "Ninh Thuận",
	"060": "Bình Thuận",
	"062": "Kon Tum",
	"064": "Gia Lai",
	"066": "Đắk Lắk",
	"067": "Đắk Nông",
	"068": "Lâm Đồng",
	"070": "Bình Phước",
	"072": "Tây Ninh",
	"074": "Bình Dương",
	"075": "Đồng Nai",
	"077": "Bà Rịa - Vũng Tàu",
	"079": "Hồ Chí Minh",
	"080": "Long An",
	"082": "Tiền Giang",
	"083": "Bến Tre",
	"084": "Trà Vinh",
	"086": "Vĩnh Long",
	"087": "Đồng Tháp",
	"089": "An Giang",
	"091": "Kiên Giang",
	"092": "Cần Thơ",
	"093": "Hậu Giang",
	"094": "Sóc Trăng",
	"095": "Bạc Liêu",
	"096": "Cà Mau",
}
