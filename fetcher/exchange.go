package fetcher

import (
	"context"
	"sync"
	"time"
)

// exchange is a worker's request context, reused from one attempt to the next. It ends when
// the attempt's deadline passes (arm) or the run's context ends, whichever comes first; an
// attempt that finishes in time leaves it open for the next one. It implements
// context.Context, and AfterFunc so that the transport's own child contexts hook into it
// without a goroutine.
//
// Reusing it spares every request the context.WithDeadline chain, its timer and its
// done channel. An exchange is used by one attempt at a time.
type exchange struct {
	run     context.Context
	timer   *time.Timer // ends the exchange at the deadline
	stopRun func() bool // undoes the hook on run

	mu       sync.Mutex
	limit    time.Duration // the current attempt's timeout
	deadline time.Time
	done     chan struct{} // closed when the exchange ends
	err      error         // why it ended; nil while open
	funcs    map[*afterFunc]struct{}
}

type afterFunc struct{ f func() }

func newExchange(run context.Context) *exchange {
	x := &exchange{run: run, done: make(chan struct{}), funcs: map[*afterFunc]struct{}{}}
	x.timer = time.AfterFunc(time.Hour, x.expire)
	x.timer.Stop()
	x.stopRun = context.AfterFunc(run, func() { x.end(context.Cause(run)) })
	return x
}

// arm opens the exchange for an attempt started at start that must end within limit.
func (x *exchange) arm(start time.Time, limit time.Duration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err != nil && x.run.Err() == nil {
		x.done, x.err = make(chan struct{}), nil
	}
	x.limit, x.deadline = limit, start.Add(limit)
	x.timer.Reset(time.Until(x.deadline))
}

// expire ends the exchange at its deadline; a timer that fired for an earlier attempt's
// deadline, racing with disarm, finds the deadline moved and does nothing.
func (x *exchange) expire() {
	x.mu.Lock()
	early := x.deadline.IsZero() || time.Now().Before(x.deadline) // paused, or re-armed
	x.mu.Unlock()
	if !early {
		x.end(context.DeadlineExceeded)
	}
}

// timedOut reports whether the exchange ended at its deadline, and the timeout it had.
func (x *exchange) timedOut() (time.Duration, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.limit, x.err == context.DeadlineExceeded
}

// pause suspends the deadline until the next arm.
func (x *exchange) pause() {
	x.timer.Stop()
	x.mu.Lock()
	x.deadline = time.Time{}
	x.mu.Unlock()
}

// disarm ends the attempt: its deadline no longer applies.
func (x *exchange) disarm() {
	x.timer.Stop()
	x.mu.Lock()
	clear(x.funcs)
	x.mu.Unlock()
}

// close releases the timer and the hook on the run's context.
func (x *exchange) close() {
	x.timer.Stop()
	x.stopRun()
}

func (x *exchange) end(err error) {
	x.mu.Lock()
	if x.err != nil {
		x.mu.Unlock()
		return
	}
	x.err = err
	close(x.done)
	var fs []func()
	for af := range x.funcs {
		fs = append(fs, af.f)
	}
	clear(x.funcs)
	x.mu.Unlock()
	for _, f := range fs {
		go f()
	}
}

// Deadline is the current attempt's deadline.
func (x *exchange) Deadline() (time.Time, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.deadline, !x.deadline.IsZero()
}

// Done is closed when the exchange ends.
func (x *exchange) Done() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.done
}

// Err is context.DeadlineExceeded after the deadline, the run's error after the run's context
// ended, nil while the exchange is open.
func (x *exchange) Err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

// Value is the run context's value for key.
func (x *exchange) Value(key any) any { return x.run.Value(key) }

// AfterFunc arranges for f to run in its own goroutine once the exchange ends, unless stop is
// called first or the attempt is disarmed; the context package uses it to tie child contexts
// to the exchange.
func (x *exchange) AfterFunc(f func()) (stop func() bool) {
	af := &afterFunc{f: f}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err != nil {
		go f()
		return func() bool { return false }
	}
	x.funcs[af] = struct{}{}
	return func() bool {
		x.mu.Lock()
		defer x.mu.Unlock()
		_, ok := x.funcs[af]
		delete(x.funcs, af)
		return ok
	}
}
