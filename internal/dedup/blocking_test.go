package dedup

import (
	"reflect"
	"slices"
	"testing"
)

// The given-name block narrows a common given name by the family name's initial, as another
// clerk may have heard it, and nothing else narrows: the other blocks are as they were.
func TestGivenNameBlockAsksForTheFamilyInitial(t *testing.T) {
	year := 1970
	for _, c := range []struct {
		name     string
		initials string
	}{
		{"Nguyễn Thị Lan", "n"},
		{"Lê Văn Hùng", "ln"},    // Lê is heard as Nê
		{"Trần Thị Mai", "tc"},   // Trần as Chần
		{"Đặng Văn Quý", "dgr"},  // blocks read folded names, where đ is d; scoring tells them apart
		{"Lan", "ln"},            // a single word is its own family and given name
		{"Dương Văn Nam", "dgr"}, // d, gi and r are heard alike
	} {
		p := Prepare(Person{FullName: c.name, BirthYear: &year})
		var given []Block
		for _, b := range PersonBlocks(&p) {
			if b.Column == ColGiven {
				given = append(given, b)
			} else if b.Initials != "" {
				t.Errorf("%s: block %+v asks for initials; only the given-name block should", c.name, b)
			}
		}
		if len(given) == 0 {
			t.Fatalf("%s: no given-name block", c.name)
		}
		for _, b := range given {
			got := []byte(b.Initials)
			want := []byte(c.initials)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: given-name block %q asks for initials %q, want %q", c.name, b.Value, b.Initials, c.initials)
			}
		}
	}
}

// A Parser gives what Prepare gives, the first time and from what it kept.
func TestParserPreparesAsPrepareDoes(t *testing.T) {
	parser := NewParser(100, 100)
	for round := range 2 {
		for _, r := range GenerateVariedPersons(500, 3) {
			if got, want := parser.Prepare(r.Person), Prepare(r.Person); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: %q parsed as %+v, want %+v", round, r.FullName, got, want)
			}
		}
	}
}

// A warm set larger than the parser was made for is kept whole, with the room it was made for
// still there for the names met later.
func TestParserWarmGrowsToTheWarmSet(t *testing.T) {
	parser := NewParser(2, 1)
	var names, addresses []string
	for _, r := range GenerateVariedPersons(200, 5) {
		names = append(names, r.FullName)
		if r.Address != nil {
			addresses = append(addresses, *r.Address)
		}
	}
	names, addresses = slices.Compact(slices.Sorted(slices.Values(names))), slices.Compact(slices.Sorted(slices.Values(addresses)))
	parser.Warm(names, addresses)
	warmed := parser.Misses()
	if warmed != int64(len(names)+len(addresses)) {
		t.Fatalf("warming %d names and %d addresses parsed %d", len(names), len(addresses), warmed)
	}
	for i, n := range names {
		parser.Prepare(Person{FullName: n, Address: &addresses[i%len(addresses)]})
	}
	if n := parser.Misses() - warmed; n != 0 {
		t.Errorf("%d of the %d warmed names and addresses parsed again", n, len(names)+len(addresses))
	}
	parser.Prepare(Person{FullName: "Tên Chưa Gặp"})
	parser.Prepare(Person{FullName: "Tên Chưa Gặp Hai"})
	parser.Prepare(Person{FullName: names[0]})
	if n := parser.Misses() - warmed; n != 2 {
		t.Errorf("two new names and a warmed one: %d parsed, want 2", n)
	}
}

// An address is a key spelled out and folded, as scoring reads "the same address": a record
// written with the address short, in capitals, without diacritics, whose name changed on its
// first letter and which has no birth year (so no key of the name's parts), still shares a
// block with the citizen's record, from either side (a scan compares a pair from one).
func TestAddressBlockReadsTheAddressSpelledOut(t *testing.T) {
	year := 1986
	full := "Thôn 5, xã Hải Ba, huyện Hải Lăng, tỉnh Quảng Trị"
	citizen := Prepare(Person{FullName: "Trần Hữu Thành", BirthYear: &year, Address: &full})
	for _, address := range []string{"Th. 5, X. Hải Ba, H. Hải Lăng, T. Quảng Trị", "THON 5, XA HAI BA, HUYEN HAI LANG, TINH QUANG TRI"} {
		later := Prepare(Person{FullName: "Trầng Hữu Thành", Address: &address})
		if got, want := PersonAddressKey(address), addressTerms(full)[0][1:]; got != want {
			t.Errorf("%s: key %q, want the address as scoring reads it whole, %q", address, got, want)
		}
		ps := []Prepared{citizen, later}
		ps[0].Seq, ps[1].Seq = 1, 2
		st := NewPersonStats()
		st.Add(&ps[0])
		st.Add(&ps[1])
		ix := NewPersonIndex(ps)
		for i := range 2 {
			// every pair compared scores at least 0
			if compared := ix.Lookup(i, st, 0); len(compared) != 1 {
				t.Errorf("%s: record %d never compared with the other", address, i)
			}
		}
	}
}
