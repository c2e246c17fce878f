// Package ratelimit provides the limiters a scheduler acquires before each request: none, a counting semaphore, a global token bucket, and both combined.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// Limiter gates the start of requests. Every implementation is safe for concurrent use.
//
// Acquire blocks until the request may start or ctx is done. It returns the time it waited.
// On error (ctx done) nothing is held and Release must not be called. After a nil error the
// caller must call Release exactly once when the request is finished.
//
// Retry is called by a holder before it retries its request: it waits for what a new attempt
// needs while the caller keeps what it holds (a semaphore slot is kept, so Retry returns at
// once; a token bucket hands out a fresh token). On error the caller still holds its slot.
type Limiter interface {
	Acquire(ctx context.Context) (wait time.Duration, err error)
	Retry(ctx context.Context) (wait time.Duration, err error)
	Release()
}

// None returns a Limiter that never waits.
func None() Limiter { return none{} }

type none struct{}

func (none) Acquire(ctx context.Context) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return 0, nil
}

func (n none) Retry(ctx context.Context) (time.Duration, error) { return n.Acquire(ctx) }

func (none) Release() {}

// Semaphore is a counting semaphore: at most its capacity holders at once. Waiters are served
// in no particular order.
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

// Acquire takes a slot, waiting until one is free or ctx is done.
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

// Retry keeps the held slot and returns at once (or ctx's error).
func (s *Semaphore) Retry(ctx context.Context) (time.Duration, error) { return 0, ctx.Err() }

// Release frees a slot taken by Acquire.
func (s *Semaphore) Release() { <-s.slots }

// Cap is the number of slots.
func (s *Semaphore) Cap() int { return cap(s.slots) }

// TokenBucket paces starts with one global token bucket shared by every caller.
type TokenBucket struct {
	lim *rate.Limiter
}

// NewTokenBucket returns a bucket refilling r tokens per second holding at most burst tokens.
// It starts full. r must be > 0 and burst ≥ 1.
func NewTokenBucket(r float64, burst int) (*TokenBucket, error) {
	if !(r > 0) {
		return nil, fmt.Errorf("rate %g: must be greater than 0", r)
	}
	if burst < 1 {
		return nil, fmt.Errorf("burst %d: must be at least 1", burst)
	}
	return &TokenBucket{lim: rate.NewLimiter(rate.Limit(r), burst)}, nil
}

// Acquire takes one token, waiting for it or until ctx is done. A cancelled wait gives its
// reservation back to the bucket.
func (b *TokenBucket) Acquire(ctx context.Context) (time.Duration, error) {
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

// Retry takes a fresh token, like Acquire.
func (b *TokenBucket) Retry(ctx context.Context) (time.Duration, error) { return b.Acquire(ctx) }

// Release does nothing: tokens are consumed, not returned.
func (b *TokenBucket) Release() {}

// Combined holds a concurrency slot and then takes a rate token, so that at most Cap requests
// are in progress and starts are paced by the bucket.
type Combined struct {
	sem    *Semaphore
	bucket *TokenBucket
}

// NewCombined returns a limiter with n slots (n ≥ 1) and a global bucket of rate r and burst.
func NewCombined(r float64, burst, n int) (*Combined, error) {
	sem, err := NewSemaphore(n)
	if err != nil {
		return nil, err
	}
	b, err := NewTokenBucket(r, burst)
	if err != nil {
		return nil, err
	}
	return &Combined{sem: sem, bucket: b}, nil
}

// Acquire takes a slot, then a token; the wait is the sum of both.
func (c *Combined) Acquire(ctx context.Context) (time.Duration, error) {
	w1, err := c.sem.Acquire(ctx)
	if err != nil {
		return w1, err
	}
	w2, err := c.bucket.Acquire(ctx)
	if err != nil {
		c.sem.Release()
		return w1 + w2, err
	}
	return w1 + w2, nil
}

// Retry keeps the held slot and takes a fresh token.
func (c *Combined) Retry(ctx context.Context) (time.Duration, error) { return c.bucket.Acquire(ctx) }

// Release frees the slot.
func (c *Combined) Release() { c.sem.Release() }
