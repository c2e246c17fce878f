package fetcher

// This file owns the seams a run waits on before each request: admission (a slot) and
// pacing (a token), and the kit their gates are made with.
//
// Two waits are not Pacers. The quota gate (quota.go) follows the server: its budget and
// rate change with every answer (a Pacer is told nothing back), it has no schedule for
// Grant.Intended to name, and it waits besides the strategy's pacer, not instead of it
// (Gates holds one). Adaptive's pace after a 429 spaces admissions, not starts, and is one
// state with the limit it cuts (ratelimit.Adaptive); as a Pacer it would need the
// admission's outcomes, and it would make an adaptive run a paced one, whose records and
// ideal wall read Limits.Rate.

import (
	"context"
	"fmt"
	"time"

	"github.com/fetchbench/fetchbench/ratelimit"
)

// Admission decides how many requests may be in progress. Implementations are safe for
// concurrent use; a limit may change during a run (between 1 and Max), from the outcomes
// Release reports.
type Admission interface {
	// Acquire takes a slot, waiting until one is free or ctx is done, and returns the time
	// it waited. After a nil error the caller holds the slot and must Release it once; on
	// error it holds nothing.
	Acquire(ctx context.Context) (time.Duration, error)
	// Release frees a slot with the outcome of the request that held it.
	Release(o Feedback)
	// Max is the most slots it will ever grant at once; it sizes the worker pool. 0 means no
	// bound.
	Max() int
	// Limit is how many slots it grants at once now; Max when the limit is fixed.
	Limit() int
}

// Feedback is what the request that held a slot tells the Admission when it releases it.
type Feedback struct {
	Result Result
	// Admitted is when Acquire granted the slot.
	Admitted time.Time
	// Latency is the final attempt's time on the wire; 0 when nothing went on the wire.
	Latency time.Duration
	// Answered: the server answered the final attempt with a status, so that Latency is
	// its time to serve the request (a 404 counts, a 429 is Dropped).
	Answered bool
	// RetryAfter is the wait the server asked for (Retry-After, cut to Config.MaxRetryAfter)
	// when it shed load; 0 when it asked for none.
	RetryAfter time.Duration
	// Throttled: the server shed it with a 429, for the request rate.
	Throttled bool
}

// Result is how a request went, as an admission sees it.
type Result int

// The results an Admission is told of.
const (
	Succeeded Result = iota // the server answered and the request succeeded
	Dropped                 // the server shed load: 429, 503 or a timeout
	Ignored                 // anything else: says nothing about the server's capacity
)

// ResultOf classifies rec for an Admission.
func ResultOf(rec *Record) Result {
	switch {
	case rec.OK():
		return Succeeded
	case shed(rec.Status, rec.Class):
		return Dropped
	}
	return Ignored
}

// shed reports whether an answer of status, or a failure of class, means the server shed
// load: 429, 503 or a timeout.
func shed(status int, class ErrorClass) bool {
	return status == 429 || status == 503 || class == ClassTimeout
}

// Pacer paces request starts with a token bucket of a rate and a burst, as rate.Limiter
// does: in any window of length t at most burst + rate·t calls of Take return without error.
// *ratelimit.Pacer implements it in one process, redispool's pacer across the processes of a
// pool. Implementations are safe for concurrent use.
type Pacer interface {
	// Take waits until the caller may start, or ctx is done. After a nil error the caller
	// has consumed one token and starts at Grant.At; Grant.Intended is its slot in the
	// schedule (see ratelimit.Grant): when it would have started had every start come on
	// time, so that At − Intended is how late it started, the time a slow caller or a late
	// wake-up cost it (coordinated omission). On error the caller may not start and
	// consumes nothing: a token reserved for it is given back, as rate.Limiter.Wait gives
	// back its reservation, so that the next Take gets the slot it would have had, unless a
	// later Take already reserved the slot after it (then, as with rate.Limiter, the token
	// is lost: giving it back would let two starts share a slot).
	Take(ctx context.Context) (ratelimit.Grant, error)
	// Granted is how many starts were granted so far (Take returned nil).
	Granted() int
}

// Gates are what a run waits on before each request.
type Gates struct {
	Admission Admission // nil: no cap on requests in progress
	Pacer     Pacer     // nil: starts are not paced
	// Shared is set when the gates are shared with other processes (a pool of workers): a
	// serial strategy then waits for Admission too, so that one at a time holds across them.
	// Unset, a serial strategy ignores the gates: it is one at a time by itself.
	Shared bool
}

// GateKit makes the gates a strategy's limits are built of (Strategy.Gates), one method per
// kind of limit. LocalGates makes them in this process from package ratelimit; a pool
// supplies a kit whose gates live in Redis, shared by its workers.
type GateKit interface {
	// Slots returns an admission of a fixed n ≥ 1 slots (Limits.Slots).
	Slots(n int) (Admission, error)
	// Pace returns a pacer of rate > 0 starts per second with bursts of burst ≥ 1
	// (Limits.Rate, Limits.Burst).
	Pace(rate float64, burst int) (Pacer, error)
	// Adapt returns an admission whose limit adapts between floor and ceiling,
	// 1 ≤ floor ≤ ceiling (Limits.Floor, Limits.Slots). A kit that cannot share an adapting
	// limit returns an error.
	Adapt(floor, ceiling int) (Admission, error)
}

// LocalGates is the GateKit of one process: NewSemaphore, ratelimit.NewPacer and
// NewAdaptive.
var LocalGates GateKit = localGates{}

type localGates struct{}

func (localGates) Slots(n int) (Admission, error) {
	if n < 1 {
		return nil, fmt.Errorf("semaphore size %d: must be at least 1", n)
	}
	return NewSemaphore(n), nil
}

func (localGates) Pace(rate float64, burst int) (Pacer, error) {
	return ratelimit.NewPacer(rate, burst)
}

func (localGates) Adapt(floor, ceiling int) (Admission, error) {
	a, err := ratelimit.NewAdaptive(floor, ceiling)
	if err != nil {
		return nil, err
	}
	return adaptive{a}, nil
}

// GatesFor returns the gates of l made by LocalGates (Limits.Gates): an adaptive limit
// between l.Floor and l.Slots when l.Floor is set, else a semaphore of l.Slots slots, and a
// pacer of l.Rate starts per second with bursts of l.Burst, each only when set. l must be
// valid (Config.Validate).
func GatesFor(l Limits) Gates {
	g, err := l.Gates(LocalGates)
	if err != nil {
		panic(err) // unreachable: Limits.Gates asks LocalGates only for what it can make
	}
	return g
}

// NewSemaphore returns an Admission of a fixed n ≥ 1 slots; the outcome of a request does not
// change it.
func NewSemaphore(n int) Admission {
	s, err := ratelimit.NewSemaphore(max(n, 1))
	if err != nil {
		panic(err) // unreachable: n ≥ 1
	}
	return semaphore{s}
}

type semaphore struct{ s *ratelimit.Semaphore }

func (s semaphore) Acquire(ctx context.Context) (time.Duration, error) { return s.s.Acquire(ctx) }
func (s semaphore) Release(Feedback)                                   { s.s.Release() }
func (s semaphore) Max() int                                           { return s.s.Cap() }
func (s semaphore) Limit() int                                         { return s.s.Cap() }

// NewAdaptive returns an Admission whose limit adapts between floor and ceiling
// (1 ≤ floor ≤ ceiling) to the latency and the refusals its outcomes report: see
// ratelimit.Adaptive.
func NewAdaptive(floor, ceiling int) Admission {
	a, err := ratelimit.NewAdaptive(max(floor, 1), max(ceiling, floor, 1))
	if err != nil {
		panic(err) // unreachable: 1 ≤ floor ≤ ceiling
	}
	return adaptive{a}
}

type adaptive struct{ a *ratelimit.Adaptive }

func (a adaptive) Acquire(ctx context.Context) (time.Duration, error) { return a.a.Acquire(ctx) }
func (a adaptive) Max() int                                           { return a.a.Cap() }
func (a adaptive) Limit() int                                         { return a.a.Limit() }
func (a adaptive) Release(o Feedback) {
	a.a.Release(ratelimit.Sample{Admitted: o.Admitted, Latency: o.Latency,
		Succeeded: o.Result != Dropped && o.Answered, Dropped: o.Result == Dropped, Throttled: o.Result == Dropped && o.Throttled, RetryAfter: o.RetryAfter})
}
