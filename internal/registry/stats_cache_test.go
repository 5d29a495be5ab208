package registry

import (
	"context"
	"sync/atomic"
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

// A large register is counted again in the background, the old statistics serving
// meanwhile, and at most once a minute however fast it grows.
func TestStatsCacheCountsALargeRegisterInTheBackgroundAtMostOnceAMinute(t *testing.T) {
	ctx := context.Background()
	var c statsCache[int64]
	var highest atomic.Int64
	highest.Store(backgroundCount)
	counted := make(chan int64, 4)
	top := func(context.Context) (int64, error) { return highest.Load(), nil }
	count := func(context.Context) (int64, int, error) {
		n := highest.Load()
		counted <- n
		return n, int(n), nil
	}
	get := func() int64 {
		t.Helper()
		c.mu.Lock()
		c.looked = time.Time{} // a second or more since the last lookup
		c.mu.Unlock()
		v, err := c.get(ctx, top, count)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	waitForCount := func(want int64) {
		t.Helper()
		select {
		case n := <-counted:
			if n != want {
				t.Fatalf("counted a register of %d, want %d", n, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no count")
		}
		for { // until the count is kept
			c.mu.Lock()
			done := !c.refreshing
			c.mu.Unlock()
			if done {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}

	get()
	waitForCount(backgroundCount)
	highest.Store(2 * backgroundCount)
	if v := get(); v != backgroundCount {
		t.Fatalf("while counting in the background the old statistics serve: got %d", v)
	}
	waitForCount(2 * backgroundCount)
	if v := get(); v != 2*backgroundCount {
		t.Fatalf("the background count serves once done: got %d", v)
	}
	highest.Store(4 * backgroundCount)
	get()
	select {
	case n := <-counted:
		t.Fatalf("counted again (%d) within a minute of the last count", n)
	case <-time.After(100 * time.Millisecond):
	}
	c.mu.Lock()
	c.recounted = c.recounted.Add(-backgroundRecountEvery)
	c.mu.Unlock()
	get()
	waitForCount(4 * backgroundCount)
}
