package stats

import (
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// denseSet is a set of case seqs held as one 8 KiB bitset per 65,536 values. A period's union
// is made of thousands of small per-day bitmaps; folding them into roaring's array containers
// copies the growing union each time, while setting bits costs the same for every value.
type denseSet map[uint32]*[1024]uint64

// addAll adds every value of the bitmaps.
func (d denseSet) addAll(bms []*roaring.Bitmap) {
	buf := make([]uint32, 256)
	var (
		chunk *[1024]uint64
		key   = ^uint32(0)
	)
	for _, bm := range bms {
		it := bm.ManyIterator()
		for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
			for _, x := range buf[:n] {
				if x>>16 != key {
					key = x >> 16
					chunk = d.chunk(key)
				}
				chunk[(x&0xffff)>>6] |= 1 << (x & 63)
			}
		}
	}
}

// chunk is the block of the values whose high 16 bits are key, made empty if there is none.
func (d denseSet) chunk(key uint32) *[1024]uint64 {
	c := d[key]
	if c == nil {
		c = new([1024]uint64)
		d[key] = c
	}
	return c
}

// set adds x to the set, or removes it.
func (d denseSet) set(x uint32, in bool) {
	if in {
		d.chunk(x >> 16)[(x&0xffff)>>6] |= 1 << (x & 63)
	} else if c := d[x>>16]; c != nil {
		c[(x&0xffff)>>6] &^= 1 << (x & 63)
	}
}

func (d denseSet) len() int {
	n := 0
	for _, c := range d {
		for _, w := range c {
			n += bits.OnesCount64(w)
		}
	}
	return n
}

// andLen is the size of the intersection.
func (d denseSet) andLen(o denseSet) int {
	n := 0
	for k, c := range d {
		oc := o[k]
		if oc == nil {
			continue
		}
		for i, w := range c {
			n += bits.OnesCount64(w & oc[i])
		}
	}
	return n
}

// countIn is how many values of bm are in d.
func (d denseSet) countIn(bm *roaring.Bitmap) int {
	n := 0
	bm.Iterate(func(x uint32) bool {
		if c := d[x>>16]; c != nil && c[(x&0xffff)>>6]&(1<<(x&63)) != 0 {
			n++
		}
		return true
	})
	return n
}
