package fetcher

// This file owns the seams a run waits on before each request: admission (a slot) and
// pacing (a token).

import (
	"context"
	"time"

	"github.com/fetchbench/fetchbench/ratelimit"
)

// Admission decides how many requests may be in progress. Implementations are safe for
// concurrent use; a limit may change during a run.
type Admission interface {
	// Acquire takes a slot, waiting until one is free or ctx is done, and returns the time
	// it waited. After a nil error the caller holds the slot and must Release it once; on
	// error it holds nothing.
	Acquire(ctx context.Context) (time.Duration, error)
	// Release frees a slot with the outcome of the request that held it.
	Release(o Result)
	// Max is the most slots it will ever grant at once; it sizes the worker pool. 0 means no
	// bound.
	Max() int
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
	case rec.Status == 429 || rec.Status == 503 || rec.Class == ClassTimeout:
		return Dropped
	}
	return Ignored
}

// Pacer paces request starts: Take returns when the caller may start. *ratelimit.Pacer
// implements it. Implementations are safe for concurrent use.
type Pacer interface {
	Take(ctx context.Context) (ratelimit.Grant, error)
	// Granted is how many starts were granted so far.
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

// GatesFor returns the gates of l: a semaphore of l.Slots slots and a pacer of l.Rate starts
// per second with bursts of l.Burst, each only when set. l must be valid (Config.Validate).
func GatesFor(l Limits) Gates {
	var g Gates
	if l.Slots > 0 {
		g.Admission = NewSemaphore(l.Slots)
	}
	if l.Rate > 0 {
		p, err := ratelimit.NewPacer(l.Rate, max(l.Burst, 1))
		if err == nil {
			g.Pacer = p
		}
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
func (s semaphore) Release(Result)                                     { s.s.Release() }
func (s semaphore) Max() int                                           { return s.s.Cap() }
