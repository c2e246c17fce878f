package ratelimit

// This file owns the rules that move an adaptive limit from the windows of served requests
// and the requests shed, apart from admissions, waiters and the pace.

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Rule is an adaptive limit and what its rules remember between windows: slow start, probe,
// gradient, drops and plateau, as Adaptive describes them (the pace is Adaptive's alone). It
// holds no admissions and reads no clock: each change is told its moment, so that a pool can
// keep one Rule in Redis on Redis's clock and apply it from any process (package
// redispool). The caller opens a new window after each Close and each Decrease. Its fields
// are exported so that it can be stored (encoding/json); NewRule makes a valid one. A Rule is
// not safe for concurrent use.
type Rule struct {
	Floor, Ceiling float64 // the limit never leaves [Floor, Ceiling]
	Limit          float64
	SlowStart      bool          // no decrease yet
	Baseline       time.Duration // lowest window mean latency; 0 until the first window
	BaseP90        time.Duration // lowest window 90th percentile latency
	Cut            time.Time     // the last decrease: earlier admissions cannot cause another
	High           int           // consecutive windows at the floor with a high latency
	// Failed is the limit of the last decrease (0 before any); the limit holds one below it
	// for Patience after the decrease before it probes it again.
	Failed   int
	Patience time.Duration
}

// NewRule returns the rule of a limit within [floor, ceiling], 1 ≤ floor ≤ ceiling, at
// InitialLimit (within them) in slow start.
func NewRule(floor, ceiling int) (Rule, error) {
	if floor < 1 || ceiling < floor {
		return Rule{}, fmt.Errorf("adaptive limit %d..%d: want 1 ≤ floor ≤ ceiling", floor, ceiling)
	}
	f, c := float64(floor), float64(ceiling)
	return Rule{Floor: f, Ceiling: c, Limit: min(max(InitialLimit, f), c), SlowStart: true}, nil
}

// Slots is the limit as a number of slots.
func (r *Rule) Slots() int { return int(math.Round(r.Limit)) }

// Window is what one window of served requests showed.
type Window struct {
	// Latencies are those of the requests admitted since the window opened and served;
	// Close sorts them in place.
	Latencies []time.Duration
	Peak      int  // most slots in use at once during the window
	Paced     bool // a pace held back an admission (Adaptive's)
}

// Full reports whether n served requests close a window at the current limit
// (WindowSamples).
func (r *Rule) Full(n int) bool { return n >= WindowSamples(r.Limit) }

// Close applies the rules to w, a window closed at now (Full): the gradient on its mean
// latency and 90th percentile, then slow start, the plateau or a probe when the window used
// at least half the limit.
func (r *Rule) Close(w Window, now time.Time) {
	n := len(w.Latencies)
	if n == 0 {
		r.set(r.Limit, now)
		return
	}
	var sum time.Duration
	for _, l := range w.Latencies {
		sum += l
	}
	mean := sum / time.Duration(n)
	slices.Sort(w.Latencies)
	p90 := w.Latencies[n*9/10]
	if r.Baseline == 0 || mean < r.Baseline {
		r.Baseline = mean
	}
	if r.BaseP90 == 0 || p90 < r.BaseP90 {
		r.BaseP90 = p90
	}
	ratio := float64(mean) / float64(r.Baseline)
	switch {
	case ratio > 1+LatencyTolerance || float64(p90) > float64(r.BaseP90)*(1+TailTolerance):
		if r.Limit <= r.Floor {
			if r.High++; r.High >= FloorWindows {
				r.Baseline, r.BaseP90, r.High = mean, p90, 0
			}
		}
		// Down by the gradient, by one slot at least, by half at most.
		r.Decrease(r.Limit*max(0.5, min(1/ratio, float64(r.Slots()-1)/float64(r.Slots()))), now)
	case w.Peak*2 < r.Slots() || w.Paced: // the limit was not used, or the pace held the run: no evidence
		r.set(r.Limit, now)
	case r.SlowStart:
		r.set(r.Limit*SlowStartFactor, now)
	case r.Failed > 0 && r.Slots()+1 >= r.Failed && now.Sub(r.Cut) < r.Patience:
		r.set(r.Limit, now) // on the plateau
	default:
		if r.Slots() >= r.Failed {
			r.Failed = 0 // a probe past the plateau held
		}
		r.set(r.Limit+1, now)
	}
}

// Stale reports whether a request admitted at admitted, which the server shed, says nothing
// new: it was admitted before the last decrease.
func (r *Rule) Stale(admitted time.Time) bool { return !r.Cut.IsZero() && !admitted.After(r.Cut) }

// Decrease lowers the limit to l at now after the current limit failed (a drop halves it:
// Decrease(Limit/2)), ending slow start and starting or lengthening the plateau below it.
func (r *Rule) Decrease(l float64, now time.Time) {
	r.SlowStart = false
	if f := r.Slots(); f == r.Failed {
		r.Patience = min(r.Patience*2, MaxPatience)
	} else {
		r.Failed, r.Patience = f, Patience
	}
	r.set(l, now)
}

// set moves the limit to l within [Floor, Ceiling] at now.
func (r *Rule) set(l float64, now time.Time) {
	l = min(max(l, r.Floor), r.Ceiling)
	if l > r.Floor {
		r.High = 0
	}
	if l < r.Limit {
		r.Cut = now
	}
	r.Limit = l
}
