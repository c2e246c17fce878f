package ratelimit

// This file owns the adaptive limit: a semaphore whose size follows what the server shows.

import (
	"context"
	"math"
	"sync"
	"time"
)

// Adaptive is a semaphore whose limit adapts to the server, in the manner of TCP congestion
// control and Netflix's Gradient and Vegas limiters, on six rules:
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
//     requests admitted before a decrease say nothing about the new limit). A Retry-After
//     stops every admission until it has passed, unless requests succeeded since the last
//     such pause under a pace (below): then the drop is the pace's probe and only cuts it.
//   - Pace: a 429 (Sample.Throttled) says the server limits the request rate, which no
//     concurrency limit measures. The first one after successes sets a pace, the rate of
//     successes over the last second, which grows by PaceStartGrowth a second until the
//     next 429; each later one multiplies the pace by PaceCut, and it grows by PaceGrowth a
//     second after it. It grows only while it holds the run back. Admissions are spaced by
//     1/pace, and the limit is cut only to what the pace needs at the baseline latency
//     (PaceHeadroom × pace × baseline); it does not grow in a window the pace held back.
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
// The limit and every rule but the pace are a Rule, which a pool of processes shares through
// Redis (package redispool). The limit never leaves [floor, ceiling]. Waiters are served in
// arrival order. An Adaptive
// is safe for concurrent use; it starts no goroutine (a Retry-After or the pace arms a timer).
type Adaptive struct {
	mu        sync.Mutex
	rule      Rule
	inUse     int
	waiters   []*waiter
	holdUntil time.Time   // no admission before this (Retry-After)
	timer     *time.Timer // wakes the waiters at holdUntil
	win       window
	pace      float64   // admissions per second; 0: not paced
	growth    float64   // the pace's growth per second while it holds the run back
	next      time.Time // the earliest next admission under the pace
	held      bool      // the pace alone holds a waiter back
	paused    bool      // a Retry-After paused admissions and no request succeeded since
	served    meter     // successes released
}

type window struct {
	start time.Time
	lat   []time.Duration // latencies of the requests served
	peak  int             // most slots in use at once
	paced bool            // the pace held back an admission
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
	// PaceCut is what a 429 multiplies the pace by (the first one: the rate of successes).
	PaceCut = 0.95
	// PaceStartGrowth and PaceGrowth are how much each admission the pace held back raises
	// it, in admissions per second: at a pace of p that is p such admissions a second, a
	// growth of 25 % a second from the first pace (the rate of successes, below the server's
	// since it was probing for it) until the next 429, and of 2 % a second after.
	PaceStartGrowth, PaceGrowth = 0.25, 0.02
	// PaceHeadroom is how many more slots than pace × baseline latency the limit keeps
	// under a pace, so that the pace, not the limit, holds the run back.
	PaceHeadroom = 1.25
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
	// Throttled: Dropped with a 429, the server limits the request rate.
	Throttled bool
	// RetryAfter is how long the server asked to wait before the next request; 0 for none.
	RetryAfter time.Duration
}

// NewAdaptive returns an adaptive semaphore whose limit stays within [floor, ceiling];
// 1 ≤ floor ≤ ceiling.
func NewAdaptive(floor, ceiling int) (*Adaptive, error) {
	r, err := NewRule(floor, ceiling)
	if err != nil {
		return nil, err
	}
	return &Adaptive{rule: r}, nil
}

// Limit is the current limit: how many slots may be held at once now.
func (a *Adaptive) Limit() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rule.Slots()
}

// Floor is the least the limit will ever be.
func (a *Adaptive) Floor() int { return int(a.rule.Floor) }

// Cap is the ceiling: the most slots it will ever grant at once.
func (a *Adaptive) Cap() int { return int(a.rule.Ceiling) }

// HeldUntil is when the hold a server's Retry-After put on every admission ends; the zero
// time, or a time past, when none holds them.
func (a *Adaptive) HeldUntil() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.holdUntil
}

// Acquire takes a slot, waiting until one is free under the current limit (and past any
// Retry-After) or ctx is done, and returns the time it waited. After a nil error the caller
// holds the slot and must Release it once; on error it holds nothing.
func (a *Adaptive) Acquire(ctx context.Context) (time.Duration, error) {
	a.mu.Lock()
	if now := time.Now(); len(a.waiters) == 0 && a.free(now) {
		a.take(now, false)
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
	a.wake() // arms the timer when a Retry-After or the pace holds the first waiter
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
	return a.inUse < a.rule.Slots() && !now.Before(a.readyAt())
}

// readyAt is the earliest moment of the next admission: past the Retry-After and, under a
// pace, its next admission. a.mu is held.
func (a *Adaptive) readyAt() time.Time {
	if a.pace > 0 && a.next.After(a.holdUntil) {
		return a.next
	}
	return a.holdUntil
}

// take takes a slot at now; waited tells whether the caller waited. a.mu is held.
func (a *Adaptive) take(now time.Time, waited bool) {
	a.inUse++
	a.win.peak = max(a.win.peak, a.inUse)
	if a.pace <= 0 {
		return
	}
	if waited && a.held {
		a.win.paced = true
		a.pace += a.growth
		a.rule.Limit = max(a.rule.Limit, min(a.paceNeeds(), a.rule.Ceiling))
	}
	a.held = false
	a.next = later(a.next, now).Add(a.interval())
}

// paceNeeds is the limit the pace needs at the baseline latency, with headroom; 0 before
// a baseline. a.mu is held.
func (a *Adaptive) paceNeeds() float64 {
	return a.pace * a.rule.Baseline.Seconds() * PaceHeadroom
}

// interval is the spacing of admissions under the pace. a.mu is held.
func (a *Adaptive) interval() time.Duration {
	return time.Duration(float64(time.Second) / a.pace)
}

func later(x, y time.Time) time.Time {
	if y.After(x) {
		return y
	}
	return x
}

// wake grants slots to waiters in order while the limit allows, and arms the timer when a
// Retry-After or the pace holds them. a.mu is held.
func (a *Adaptive) wake() {
	now := time.Now()
	for len(a.waiters) > 0 && a.free(now) {
		w := a.waiters[0]
		a.waiters = a.waiters[1:]
		a.take(now, true)
		w.granted = true
		close(w.ready)
	}
	if at := a.readyAt(); len(a.waiters) > 0 && a.inUse < a.rule.Slots() && now.Before(at) {
		a.held = at.Equal(a.next) // only the pace holds the next waiter back
		d := at.Sub(now)
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
	if s.Dropped {
		a.drop(s, now)
		return
	}
	if !s.Succeeded {
		return
	}
	a.served.add(now, s.Admitted)
	a.paused = false
	if s.Admitted.Before(a.win.start) {
		return
	}
	a.win.lat = append(a.win.lat, s.Latency)
	if !a.rule.Full(len(a.win.lat)) {
		return
	}
	a.rule.Close(Window{Latencies: a.win.lat, Peak: a.win.peak, Paced: a.win.paced}, now)
	a.open(now)
}

// drop applies the rules for a request the server shed, at now. a.mu is held.
func (a *Adaptive) drop(s Sample, now time.Time) {
	if a.rule.Stale(s.Admitted) {
		return // admitted before the last decrease: nothing new
	}
	if s.RetryAfter > 0 && (a.pace == 0 || a.paused) {
		a.holdUntil = later(a.holdUntil, now.Add(s.RetryAfter))
		a.paused = true
	}
	rate := a.served.rate(now)
	if !s.Throttled || (a.pace == 0 && rate == 0) {
		a.rule.Decrease(a.rule.Limit/2, now)
		a.open(now)
		return
	}
	if a.pace == 0 {
		a.pace, a.growth = rate, PaceStartGrowth
	} else {
		a.pace, a.growth = a.pace*PaceCut, PaceGrowth
	}
	a.next = now.Add(a.interval())
	a.rule.Decrease(max(a.rule.Limit/2, a.paceNeeds()), now)
	a.open(now)
}

// meter counts events over the last second, in two halves.
type meter struct {
	begun, start time.Time // when the first event began; the current half
	cur, prev    int       // events in the current half and the one before
}

// meterHalf is half the span a meter counts over.
const meterHalf = 500 * time.Millisecond

// roll moves the meter's current half to now.
func (m *meter) roll(now time.Time) {
	switch d := now.Sub(m.start); {
	case d >= 2*meterHalf:
		m.prev, m.cur, m.start = 0, 0, now
	case d >= meterHalf:
		m.prev, m.cur, m.start = m.cur, 0, m.start.Add(meterHalf)
	}
}

// add counts an event at now, of something that began at begun (the meter's span starts
// at its first event's begun).
func (m *meter) add(now, begun time.Time) {
	if m.begun.IsZero() {
		m.begun, m.start = begun, now
	}
	m.roll(now)
	m.cur++
}

// rate is the events per second over the last second (since the first event began when
// that is shorter, but over 100 ms at least); 0 before any.
func (m *meter) rate(now time.Time) float64 {
	if m.begun.IsZero() {
		return 0
	}
	m.roll(now)
	span := min(now.Sub(m.start)+meterHalf, now.Sub(m.begun))
	return float64(m.cur+m.prev) / max(span, 100*time.Millisecond).Seconds()
}

// open opens a new window at now. a.mu is held.
func (a *Adaptive) open(now time.Time) {
	a.win = window{start: now, peak: a.inUse, lat: a.win.lat[:0]}
}
