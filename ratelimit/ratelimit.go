// Package ratelimit provides the two primitives a scheduler waits on before a request: a counting semaphore and a global token bucket.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
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

// Bucket paces starts with one token bucket shared by every caller. It is safe for concurrent
// use.
type Bucket struct {
	lim *rate.Limiter
}

// NewBucket returns a bucket refilling r tokens per second and holding at most burst tokens.
// It starts full. r must be > 0 and burst ≥ 1.
func NewBucket(r float64, burst int) (*Bucket, error) {
	if !(r > 0) {
		return nil, fmt.Errorf("rate %g: must be greater than 0", r)
	}
	if burst < 1 {
		return nil, fmt.Errorf("burst %d: must be at least 1", burst)
	}
	return &Bucket{lim: rate.NewLimiter(rate.Limit(r), burst)}, nil
}

// Take takes one token, waiting for it or until ctx is done, and returns the time it waited.
// A cancelled wait gives its reservation back to the bucket.
//
// The wait is written out instead of calling rate.Limiter.Wait for two reasons: Wait does not
// say how long it waited, and it fails at once when the token is due after ctx's deadline,
// whereas a request here waits until the deadline actually passes, so that the record of a
// request given up carries the time it was given up.
func (b *Bucket) Take(ctx context.Context) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r := b.lim.Reserve()
	d := r.Delay()
	if d == 0 {
		return 0, nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return d, nil
	case <-ctx.Done():
		r.Cancel()
		return 0, ctx.Err()
	}
}
