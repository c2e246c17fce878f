package ratelimit

// This file owns the adaptive limit: a semaphore whose size follows what the server shows.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Adaptive is a semaphore whose limit adapts to the server, in the manner of TCP congestion
// control and Netflix's Gradient and Vegas limiters, on five rules:
//
//   - Slow start: the limit starts low (InitialLimit, within [floor, ceiling]) and grows by
//     SlowStartFactor every window whose mean latency stays within LatencyTolerance of the baseline, until
//     the first decrease.
//   - Probe: after that it grows by one per such window.
//   - Gradient: a window whose mean latency exceeds the baseline by more than
//     LatencyTolerance, or whose 90th percentile exceeds the lowest one by more than
//     TailTolerance, means the server queues; the limit is multiplied by baseline/latency
//     (at least by 1/2, at most by (limit−1)/limit), which brings it back to what the server
//     serves at once.
//   - Drops: a 429, a 503 or a timeout halves the limit, at most once per window (the
//     requests admitted before a decrease say nothing about the new limit), and a
//     Retry-After stops every admission until it has passed.
//   - Plateau: after a decrease at limit L the limit climbs back freely to L−1 and holds
//     there for Patience before it probes L again; each time L fails again the patience
//     doubles, up to MaxPatience, so that probing a steady server costs little queueing,
//     while a server that got faster is found within MaxPatience. A probe past the plateau
//     that succeeds ends it.
//
// A window closes once WindowSamples(limit) requests admitted since it opened were served;
// its mean latency is compared with the baseline, the lowest window mean observed (a mean,
// not a single sample, so that jitter does not read as queueing). The limit only grows when
// the window used at least half of it: an idle limit proves nothing. When the limit sits at
// its floor and the latency stays high for FloorWindows windows, the server got slower
// whatever the concurrency, and the baseline moves up to the latest window.
//
// The limit never leaves [floor, ceiling]. Waiters are served in arrival order. An Adaptive
// is safe for concurrent use; it starts no goroutine (a Retry-After arms a timer).
type Adaptive struct {
	floor, ceiling float64

	mu        sync.Mutex
	limit     float64
	inUse     int
	waiters   []*waiter
	holdUntil time.Time   // no admission before this (Retry-After)
	timer     *time.Timer // wakes the waiters at holdUntil
	slowStart bool
	baseline  time.Duration // lowest window mean latency; 0 until the first window
	baseP90   time.Duration // lowest window 90th percentile latency
	cut       time.Time     // the last decrease: earlier admissions cannot cause another
	win       window
	high      int // consecutive windows at the floor with a high latency
	// failed is the limit of the last decrease (0 before any); the limit holds one below it
	// for patience after the decrease before it probes it again.
	failed   int
	patience time.Duration
}

type window struct {
	start time.Time
	lat   []time.Duration // latencies of the requests served
	sum   time.Duration
	peak  int // most slots in use at once
}

type waiter struct {
	ready   chan struct{}
	granted bool
}

// Tuning of Adaptive.
const (
	// InitialLimit is the limit an Adaptive starts at, within its floor and ceiling.
	InitialLimit = 4
	// SlowStartFactor is the growth per window until the first decrease: less than TCP's
	// doubling, so that overshooting a server's capacity queues fewer requests.
	SlowStartFactor = 1.5
	// LatencyTolerance is how far above the baseline a window's mean latency may be and still
	// count as no queueing: 5 %.
	LatencyTolerance = 0.05
	// TailTolerance is how far above the lowest window 90th percentile a window's may be and
	// still count as no queueing: 50 %. It catches the one request in ten a limit just
	// past the server's capacity queues, which moves the mean little.
	TailTolerance = 0.5
	// FloorWindows is how many windows at the floor with a high latency move the baseline.
	FloorWindows = 5
	// Patience is how long the limit first holds one below a limit that failed before it
	// probes it again; each time the same limit fails again it doubles, up to MaxPatience.
	Patience, MaxPatience = 250 * time.Millisecond, 4 * time.Second
)

// WindowSamples is how many served requests close a window at the given limit: twice the
// limit (two rounds, so that a request the server queued is among them whatever the phase
// of the rounds), at least 8 and at most 128.
func WindowSamples(limit float64) int { return min(max(2*int(math.Ceil(limit)), 8), 128) }

// Sample is how one admitted request went, as Release reports it.
type Sample struct {
	// Admitted is when Acquire granted its slot.
	Admitted time.Time
	// Latency is the request's time on the wire; it counts only when Succeeded.
	Latency time.Duration
	// Succeeded: the server served the request (whatever its answer, a 404 too), so that
	// Latency is its time to serve it. Dropped: the server shed load (429, 503, a timeout).
	// Neither: the outcome says nothing about capacity.
	Succeeded, Dropped bool
	// RetryAfter is how long the server asked to wait before the next request; 0 for none.
	RetryAfter time.Duration
}

// NewAdaptive returns an adaptive semaphore whose limit stays within [floor, ceiling];
// 1 ≤ floor ≤ ceiling.
func NewAdaptive(floor, ceiling int) (*Adaptive, error) {
	if floor < 1 || ceiling < floor {
		return nil, fmt.Errorf("adaptive limit %d..%d: want 1 ≤ floor ≤ ceiling", floor, ceiling)
	}
	a := &Adaptive{floor: float64(floor), ceiling: float64(ceiling), slowStart: true}
	a.limit = min(max(InitialLimit, a.floor), a.ceiling)
	return a, nil
}

// Limit is the current limit: how many slots may be held at once now.
func (a *Adaptive) Limit() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.slots()
}

// slots is the limit as a number of slots. a.mu is held.
func (a *Adaptive) slots() int { return int(math.Round(a.limit)) }

// Cap is the ceiling: the most slots it will ever grant at once.
func (a *Adaptive) Cap() int { return int(a.ceiling) }

// Acquire takes a slot, waiting until one is free under the current limit (and past any
// Retry-After) or ctx is done, and returns the time it waited. After a nil error the caller
// holds the slot and must Release it once; on error it holds nothing.
func (a *Adaptive) Acquire(ctx context.Context) (time.Duration, error) {
	a.mu.Lock()
	if len(a.waiters) == 0 && a.free(time.Now()) {
		a.take()
		a.mu.Unlock()
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		a.mu.Unlock()
		return 0, err
	}
	start := time.Now()
	w := &waiter{ready: make(chan struct{})}
	a.waiters = append(a.waiters, w)
	a.mu.Unlock()
	select {
	case <-w.ready:
		return time.Since(start), nil
	case <-ctx.Done():
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if w.granted {
		a.inUse--
		a.wake()
	} else {
		for i, x := range a.waiters {
			if x == w {
				a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
				break
			}
		}
	}
	return time.Since(start), ctx.Err()
}

// free reports whether a slot may be taken at now. a.mu is held.
func (a *Adaptive) free(now time.Time) bool {
	return a.inUse < a.slots() && !now.Before(a.holdUntil)
}

// take takes a slot. a.mu is held.
func (a *Adaptive) take() {
	a.inUse++
	a.win.peak = max(a.win.peak, a.inUse)
}

// wake grants slots to waiters in order while the limit allows, and arms the timer when a
// Retry-After holds them. a.mu is held.
func (a *Adaptive) wake() {
	now := time.Now()
	for len(a.waiters) > 0 && a.free(now) {
		w := a.waiters[0]
		a.waiters = a.waiters[1:]
		a.take()
		w.granted = true
		close(w.ready)
	}
	if len(a.waiters) > 0 && now.Before(a.holdUntil) {
		d := a.holdUntil.Sub(now)
		if a.timer == nil {
			a.timer = time.AfterFunc(d, func() {
				a.mu.Lock()
				defer a.mu.Unlock()
				a.wake()
			})
		} else {
			a.timer.Reset(d)
		}
	}
}

// Release frees a slot taken by Acquire, adapting the limit to s.
func (a *Adaptive) Release(s Sample) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inUse--
	a.observe(s, time.Now())
	a.wake()
}

// observe applies the rules of Adaptive to s at now. a.mu is held.
func (a *Adaptive) observe(s Sample, now time.Time) {
	switch {
	case s.Dropped:
		if s.RetryAfter > 0 && now.Add(s.RetryAfter).After(a.holdUntil) {
			a.holdUntil = now.Add(s.RetryAfter)
		}
		if !s.Admitted.After(a.cut) && !a.cut.IsZero() {
			return
		}
		a.decrease(a.limit/2, now)
		return
	case !s.Succeeded || s.Admitted.Before(a.win.start):
		return
	}
	a.win.lat = append(a.win.lat, s.Latency)
	a.win.sum += s.Latency
	if len(a.win.lat) < WindowSamples(a.limit) {
		return
	}
	mean := a.win.sum / time.Duration(len(a.win.lat))
	slices.Sort(a.win.lat)
	p90 := a.win.lat[len(a.win.lat)*9/10]
	if a.baseline == 0 || mean < a.baseline {
		a.baseline = mean
	}
	if a.baseP90 == 0 || p90 < a.baseP90 {
		a.baseP90 = p90
	}
	ratio := float64(mean) / float64(a.baseline)
	switch {
	case ratio > 1+LatencyTolerance || float64(p90) > float64(a.baseP90)*(1+TailTolerance):
		if a.limit <= a.floor {
			if a.high++; a.high >= FloorWindows {
				a.baseline, a.baseP90, a.high = mean, p90, 0
			}
		}
		// Down by the gradient, by one slot at least, by half at most.
		a.decrease(a.limit*max(0.5, min(1/ratio, float64(a.slots()-1)/float64(a.slots()))), now)
	case a.win.peak*2 < a.slots(): // the limit was not used: no evidence
		a.set(a.limit, now)
	case a.slowStart:
		a.set(a.limit*SlowStartFactor, now)
	case a.failed > 0 && a.slots()+1 >= a.failed && now.Sub(a.cut) < a.patience:
		a.set(a.limit, now) // on the plateau
	default:
		if a.slots() >= a.failed {
			a.failed = 0 // a probe past the plateau held
		}
		a.set(a.limit+1, now)
	}
}

// decrease lowers the limit to l after the current limit failed. a.mu is held.
func (a *Adaptive) decrease(l float64, now time.Time) {
	a.slowStart = false
	if f := a.slots(); f == a.failed {
		a.patience = min(a.patience*2, MaxPatience)
	} else {
		a.failed, a.patience = f, Patience
	}
	a.set(l, now)
}

// set moves the limit to l within [floor, ceiling] and opens a new window at now. a.mu is held.
func (a *Adaptive) set(l float64, now time.Time) {
	l = min(max(l, a.floor), a.ceiling)
	if l > a.floor {
		a.high = 0
	}
	if l < a.limit {
		a.cut = now
	}
	a.limit = l
	a.win = window{start: now, peak: a.inUse, lat: a.win.lat[:0]}
}
