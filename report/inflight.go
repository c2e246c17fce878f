package report

// This file owns requests in flight over time: the wire interval a record stands for, and the
// time-weighted series the HTML report draws from such intervals in bounded memory, with the
// adaptive limit on the same buckets.

import (
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

// wireInterval is r's final attempt on the wire, [start, end) in whole microseconds on the
// records' time base (StartAt when r has one, else the Start offset), at least a microsecond
// long; ok is false for a record that never went on the wire. The Collector's peak and the
// HTML report's in-flight series read the same intervals, so the series never exceeds the
// peak.
func wireInterval(r *fetcher.Record) (start, end int64, ok bool) {
	if r.Attempts <= 0 {
		return 0, 0, false
	}
	at := int64(r.Start.Round(time.Microsecond))
	if !r.StartAt.IsZero() {
		at = r.StartAt.UnixNano()
	}
	endNS := at + int64(r.Total)
	start = floorDiv(endNS-int64(r.Latency)+500, 1000)
	end = max(floorDiv(endNS+500, 1000), start+1)
	return start, end, true
}

// flightBuckets is how many buckets a flight keeps.
const flightBuckets = 512

// flight is the number of intervals in progress over time, integrated per bucket: bucket i
// covers [origin + i·width, origin + (i+1)·width) µs and holds the integral of the in-flight
// count over it, in µs·requests. Its memory is fixed whatever the number of intervals: when
// an interval reaches past the buckets, their width doubles (pairs merge, integrals add);
// when one starts before them, they shift, or widen first. Adding is O(1) plus the rare
// O(flightBuckets) widening.
//
// The integral over a bucket divided by its width is the time-weighted mean count during the
// bucket, never more than the largest count at any moment of it; the sum of the integrals is
// the sum of the interval lengths.
//
// Each bucket also holds the lowest and the highest adaptive limit of the requests started in
// it (0 when none), which merge as the buckets do.
type flight struct {
	set    bool
	origin int64 // µs
	width  int64 // µs
	hi     int   // the last bucket holding anything
	area   [flightBuckets]int64
	// cover is a difference array of the buckets an interval spans in full, at the current
	// width: bucket i is covered by the prefix sum of cover[0..i] intervals, each for width.
	cover [flightBuckets + 1]int64
	// limLo and limHi are the lowest and highest limit of the requests started in each
	// bucket; 0 for none.
	limLo, limHi [flightBuckets]int32
}

// flightWidth is the first bucket width, in µs.
const flightWidth = 1000

// reach makes the buckets cover [s, e) µs, e > s, shifting or widening them.
func (f *flight) reach(s, e int64) {
	if !f.set {
		f.set, f.origin, f.width = true, s, flightWidth
	}
	for s < f.origin {
		k := int((f.origin - s + f.width - 1) / f.width)
		if f.hi+k < flightBuckets {
			f.shift(k)
		} else {
			f.widen()
		}
	}
	for e-f.origin > flightBuckets*f.width {
		f.widen()
	}
}

// limit counts an adaptive limit l ≥ 1 of a request started at µs at.
func (f *flight) limit(at int64, l int) {
	f.reach(at, at+1)
	i := int((at - f.origin) / f.width)
	v := int32(min(l, 1<<30))
	if f.limHi[i] == 0 {
		f.limLo[i], f.limHi[i] = v, v
	} else {
		f.limLo[i], f.limHi[i] = min(f.limLo[i], v), max(f.limHi[i], v)
	}
	f.hi = max(f.hi, i)
}

// add counts the interval [s, e) µs, e > s.
func (f *flight) add(s, e int64) {
	f.reach(s, e)
	a := int((s - f.origin) / f.width)
	b := int((e - 1 - f.origin) / f.width)
	if a == b {
		f.area[a] += e - s
	} else {
		f.area[a] += f.origin + int64(a+1)*f.width - s
		f.area[b] += e - (f.origin + int64(b)*f.width)
		if b > a+1 {
			f.cover[a+1]++
			f.cover[b]--
		}
	}
	f.hi = max(f.hi, b)
}

// settle folds cover into area.
func (f *flight) settle() {
	var n int64
	for i := range flightBuckets {
		n += f.cover[i]
		f.area[i] += n * f.width
	}
	clear(f.cover[:])
}

// widen doubles the width, merging buckets pairwise.
func (f *flight) widen() {
	f.settle()
	for i := range flightBuckets / 2 {
		f.area[i] = f.area[2*i] + f.area[2*i+1]
		lo, hi := f.limLo[2*i], f.limHi[2*i]
		if x, y := f.limLo[2*i+1], f.limHi[2*i+1]; y > 0 {
			if hi == 0 {
				lo, hi = x, y
			} else {
				lo, hi = min(lo, x), max(hi, y)
			}
		}
		f.limLo[i], f.limHi[i] = lo, hi
	}
	clear(f.area[flightBuckets/2:])
	clear(f.limLo[flightBuckets/2:])
	clear(f.limHi[flightBuckets/2:])
	f.width *= 2
	f.hi /= 2
}

// shift moves the buckets k later, so that the origin moves k buckets earlier; f.hi+k must be
// below flightBuckets.
func (f *flight) shift(k int) {
	copy(f.area[k:], f.area[:flightBuckets-k])
	clear(f.area[:k])
	copy(f.cover[k:], f.cover[:flightBuckets+1-k])
	clear(f.cover[:k])
	copy(f.limLo[k:], f.limLo[:flightBuckets-k])
	clear(f.limLo[:k])
	copy(f.limHi[k:], f.limHi[:flightBuckets-k])
	clear(f.limHi[:k])
	f.origin -= int64(k) * f.width
	f.hi += k
}

// series is the bucket starts (µs, on the intervals' time base), the integrals and the
// lowest and highest limits of buckets 0..hi; nil when nothing was added.
func (f *flight) series() (starts, areas []int64, lo, hi []int32) {
	if !f.set {
		return nil, nil, nil, nil
	}
	g := *f
	g.settle()
	for i := 0; i <= g.hi; i++ {
		starts = append(starts, g.origin+int64(i)*g.width)
		areas = append(areas, g.area[i])
	}
	return starts, areas, g.limLo[:g.hi+1], g.limHi[:g.hi+1]
}
