package registry

import (
	"context"
	"testing"
	"time"
)

// The term statistics behind duplicate scores are counted again once the register grew by a
// tenth, and how much it grew is looked up at most once a second.
func TestStatsCacheCountsAgainAfterATenthOfGrowth(t *testing.T) {
	ctx := context.Background()
	var c statsCache[int]
	highest, lookups, counts := int64(100), 0, 0
	top := func(context.Context) (int64, error) { lookups++; return highest, nil }
	count := func(context.Context) (int, int, error) { counts++; return counts, int(highest), nil }
	get := func() int {
		t.Helper()
		v, err := c.get(ctx, top, count)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	aSecondLater := func() { c.looked = c.looked.Add(-growthLookupEvery - time.Millisecond) }

	if v := get(); v != 1 || counts != 1 {
		t.Fatalf("first use: want the first count, got value %d after %d counts", v, counts)
	}
	highest = 120
	if v := get(); v != 1 || lookups != 1 {
		t.Fatalf("within a second: want the kept count and no lookup, got value %d after %d lookups", v, lookups)
	}
	aSecondLater()
	if v := get(); v != 2 || lookups != 2 {
		t.Fatalf("a second later, grown by a fifth: want a new count, got value %d after %d lookups", v, lookups)
	}
	highest = 125
	aSecondLater()
	if v := get(); v != 2 || counts != 2 || lookups != 3 {
		t.Fatalf("grown by less than a tenth: want the kept count, got value %d, %d counts, %d lookups", v, counts, lookups)
	}
}
