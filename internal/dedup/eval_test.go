package dedup

import "testing"

// A later record that found one record of its citizen found the citizen, though it missed the
// pair with another later record: the pair recall counts the miss, the later-record figure not.
func TestLaterRecordFindsItsCitizenThroughOneRecord(t *testing.T) {
	ev := NewEvaluator()
	ev.Label(1, Labelled{Entity: 7, Role: RoleOriginal})
	ev.Label(2, Labelled{Entity: 7, Role: RoleDuplicate})
	ev.Label(3, Labelled{Entity: 7, Role: RoleDuplicate, Variation: VariationOrder})
	ev.Label(4, Labelled{Entity: 8, Role: RoleOriginal})
	ev.Label(5, Labelled{Entity: 8, Role: RoleDuplicate, Variation: VariationOrder})
	q := ev.Pairs([]Pair{{A: 1, B: 2}, {A: 1, B: 3}})
	if r := q.ByVariation[VariationOrder]; r.Found != 1 || r.Truth != 3 {
		t.Errorf("reordered pairs found %d of %d, want 1 of 3", r.Found, r.Truth)
	}
	if r := q.LaterFound[VariationOrder]; r.Found != 1 || r.Truth != 2 {
		t.Errorf("reordered later records finding their citizen %d of %d, want 1 of 2", r.Found, r.Truth)
	}
	if r := q.LaterFound[""]; r.Found != 1 || r.Truth != 1 {
		t.Errorf("everyday later records finding their citizen %d of %d, want 1 of 1", r.Found, r.Truth)
	}

	ev.List(3, []int64{1})
	ev.List(5, nil)
	if r := ev.Quality().LaterFound[VariationOrder]; r.Found != 1 || r.Truth != 2 {
		t.Errorf("lists: reordered later records finding their citizen %d of %d, want 1 of 2", r.Found, r.Truth)
	}
}
