// Package ratelimit provides the two primitives a scheduler waits on before a request: a counting semaphore and a pacer, a global token bucket that never bunches.
package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// Semaphore is a counting semaphore: at most its capacity holders at once. Waiters are served
// in no particular order. It is safe for concurrent use.
type Semaphore struct {
	slots chan struct{}
}

// NewSemaphore returns a semaphore with n slots; n must be ≥ 1.
func NewSemaphore(n int) (*Semaphore, error) {
	if n < 1 {
		return nil, fmt.Errorf("semaphore size %d: must be at least 1", n)
	}
	return &Semaphore{slots: make(chan struct{}, n)}, nil
}

// Acquire takes a slot, waiting until one is free or ctx is done, and returns the time it
// waited. After a nil error the caller holds the slot and must Release it once; on error it
// holds nothing.
func (s *Semaphore) Acquire(ctx context.Context) (time.Duration, error) {
	select {
	case s.slots <- struct{}{}:
		return 0, nil
	default:
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	start := time.Now()
	select {
	case s.slots <- struct{}{}:
		return time.Since(start), nil
	case <-ctx.Done():
		return time.Since(start), ctx.Err()
	}
}

// Release frees a slot taken by Acquire.
func (s *Semaphore) Release() { <-s.slots }

// Cap is the number of slots.
func (s *Semaphore) Cap() int { return cap(s.slots) }
