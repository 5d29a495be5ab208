package documents

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestPlaceOfIsTheNameAfterTheLastAdministrativeUnit(t *testing.T) {
	for name, want := range map[string]string{
		"Ban Tiếp công dân tỉnh Quảng Trị":                   "Quảng Trị",
		"Ban Tiếp công dân thành phố Hồ Chí Minh":            "Hồ Chí Minh",
		"Ủy ban nhân dân thị xã Quảng Trị":                   "Quảng Trị",
		"UBND Thị Trấn Diên Sanh":                            "Diên Sanh",
		"Ban Tiếp công dân huyện Hải Lăng, tỉnh Quảng Trị":   "Quảng Trị",
		norm.NFD.String("Ủy ban nhân dân phường Đông Lương"): "Đông Lương",
		"Ban Tiếp công dân":                                  "",
		"Ban Tiếp công dân tỉnh":                             "",
	} {
		if got := PlaceOf(name); got != want {
			t.Errorf("PlaceOf(%q) = %q, want %q", name, got, want)
		}
	}
	if iss := IssuerOf("Ban Tiếp công dân huyện A", "Ban Tiếp công dân tỉnh Quảng Trị", "btcd"); iss.Place != "A" || iss.Symbol != "BTCD" {
		t.Errorf("the issuer's own place and its code in capitals: %+v", iss)
	}
	if iss := IssuerOf("Văn phòng tiếp dân", "Ủy ban nhân dân tỉnh Quảng Trị", "VP"); iss.Place != "Quảng Trị" {
		t.Errorf("else its parent's place: %+v", iss)
	}
}
