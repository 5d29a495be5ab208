package registry

import "testing"

func TestPairKeyOrdersIDs(t *testing.T) {
	if pairKey("b", "a") != pairKey("a", "b") || pairKey("a", "b") != [2]string{"a", "b"} {
		t.Fatalf("a pair is one key whichever way round")
	}
}
