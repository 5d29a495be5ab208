package registry

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// How much the register grew, which decides whether the term statistics behind duplicate
// scores are counted again, is looked up at most once a second for a large register, and on
// every use for a small one, whose statistics follow every change.
func TestStatsCacheLooksUpGrowthOnceASecondForALargeRegister(t *testing.T) {
	ctx := context.Background()
	highest, lookups, counts := int64(0), 0, 0
	top := func(context.Context) (int64, error) { lookups++; return highest, nil }
	count := func(context.Context) (int, int, error) { counts++; return counts, int(highest), nil }
	get := func(c *statsCache[int]) int {
		t.Helper()
		v, err := c.get(ctx, top, count)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	var large statsCache[int]
	highest = backgroundCount
	if v := get(&large); v != 1 || lookups != 1 {
		t.Fatalf("first use: want the first count, got value %d after %d lookups", v, lookups)
	}
	highest += backgroundCount / 20
	if v := get(&large); v != 1 || lookups != 1 {
		t.Fatalf("within the second: want the kept count and no lookup, got value %d after %d lookups", v, lookups)
	}
	large.looked = large.looked.Add(-growthLookupEvery)
	if v := get(&large); v != 1 || lookups != 2 || counts != 1 {
		t.Fatalf("a second later, grown by a twentieth: want a lookup and the kept count, got value %d, %d lookups, %d counts", v, lookups, counts)
	}

	var small statsCache[int]
	highest, lookups, counts = 100, 0, 0
	get(&small)
	highest = 120
	if v := get(&small); v != 2 || lookups != 2 {
		t.Fatalf("a small register grown by a fifth within the second: want a new count, got value %d after %d lookups", v, lookups)
	}
	highest = 125
	if v := get(&small); v != 2 || lookups != 3 {
		t.Fatalf("a small register grown by less than a tenth: want the kept count, got value %d after %d lookups", v, lookups)
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
