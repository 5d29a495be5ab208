package registry

import "testing"

func TestUnionFindGroupsPairedPersons(t *testing.T) {
	u := unionFind{}
	u.union("c", "d")
	u.union("a", "b")
	u.union("d", "b")
	for _, id := range []string{"a", "b", "c", "d"} {
		if u.find(id) != "a" {
			t.Errorf("%s: want group a, got %s", id, u.find(id))
		}
	}
	if u.find("e") != "e" {
		t.Errorf("a person never paired is a group of its own")
	}
}

func TestPairKeyOrdersIDs(t *testing.T) {
	if pairKey("b", "a") != pairKey("a", "b") || pairKey("a", "b") != [2]string{"a", "b"} {
		t.Fatalf("a pair is one key whichever way round")
	}
}
