package report

import (
	"container/heap"
	"math"
	"time"
)

// IdealWall is the best wall time a strategy could achieve given the measured service times,
// in input order. It is a greedy list schedule: request i starts at the later of its token time
// and the earliest moment one of slots slots is free, and holds that slot for service[i]; the
// result is the latest finish.
//
// slots ≤ 0 means no cap on requests in flight. rate ≤ 0 means no token pacing; otherwise
// request i gets its token at max(0, i−burst+1)/rate seconds, with burst ≤ 0 taken as 1.
// Sequential is slots 1 (the sum), unbounded slots 0 (the maximum). An empty list gives 0.
// It runs in O(N log slots) time and O(slots) memory.
func IdealWall(service []time.Duration, slots int, rate float64, burst int) time.Duration {
	return schedule(len(service), func(i int) time.Duration { return service[i] }, slots, rate, burst)
}

// tokenTime is when token k (0-based) of a bucket of rate per second and size burst is
// available at the earliest.
func tokenTime(k int, rate float64, burst int) time.Duration {
	k -= max(burst, 1) - 1
	if rate <= 0 || k <= 0 {
		return 0
	}
	return time.Duration(min(math.Round(float64(k)/rate*float64(time.Second)), maxTokenTime))
}

// maxTokenTime caps tokenTime far enough below the largest Duration that adding a service
// time cannot overflow.
const maxTokenTime = float64(math.MaxInt64 / 4)

// schedule is IdealWall over n service times read through at.
func schedule(n int, at func(int) time.Duration, slots int, rate float64, burst int) time.Duration {
	token := func(i int) time.Duration { return tokenTime(i, rate, burst) }
	var end time.Duration
	if slots <= 0 || slots >= n {
		for i := range n {
			end = max(end, satAdd(token(i), at(i)))
		}
		return end
	}
	free := make(durationHeap, slots)
	for i := range n {
		start := max(token(i), free[0])
		finish := satAdd(start, at(i))
		free[0] = finish
		heap.Fix(&free, 0)
		end = max(end, finish)
	}
	return end
}

// satAdd is a+b for b ≥ 0, at most the largest Duration.
func satAdd(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// durationHeap is a min-heap of the times at which slots become free.
type durationHeap []time.Duration

func (h durationHeap) Len() int           { return len(h) }
func (h durationHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h durationHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *durationHeap) Push(x any)        { *h = append(*h, x.(time.Duration)) }
func (h *durationHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
