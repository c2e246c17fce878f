package fakeswapi

// This file owns the fake's worker pool: how many requests it serves at once, a number that
// may change during a run (Options.WorkerSteps).

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WorkerStep is a change of the number of workers during a run: from At after New (or the
// last Reset) on, Workers requests are served at once; 0 means unlimited.
type WorkerStep struct {
	At      time.Duration
	Workers int
}

// ParseWorkers parses a worker count, "8", or a schedule of counts from given moments,
// "8@0s,2@5s,8@10s", into the count in force at the start and the steps after it. The
// moments are Go durations in increasing order, the first 0s.
func ParseWorkers(s string) (workers int, steps []WorkerStep, err error) {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		if n < 0 {
			return 0, nil, fmt.Errorf("%d is negative", n)
		}
		return n, nil, nil
	}
	var prev time.Duration
	for i, f := range strings.Split(s, ",") {
		ns, at, ok := strings.Cut(strings.TrimSpace(f), "@")
		if !ok {
			return 0, nil, fmt.Errorf("%q: want a count, or COUNT@DURATION,... such as 8@0s,2@5s", s)
		}
		n, err := strconv.Atoi(ns)
		if err != nil || n < 0 {
			return 0, nil, fmt.Errorf("%q: %q is not a count ≥ 0", s, ns)
		}
		d, err := time.ParseDuration(at)
		switch {
		case err != nil:
			return 0, nil, fmt.Errorf("%q: %q is not a duration such as 5s", s, at)
		case i == 0 && d != 0:
			return 0, nil, fmt.Errorf("%q: the first step must be @0s", s)
		case i > 0 && d <= prev:
			return 0, nil, fmt.Errorf("%q: the moments must increase", s)
		}
		prev = d
		if i == 0 {
			workers = n
			continue
		}
		steps = append(steps, WorkerStep{At: d, Workers: n})
	}
	return workers, steps, nil
}

// pool serves at most its current number of workers at once, the rest in arrival order.
type pool struct {
	mu      sync.Mutex
	workers int // 0: unlimited
	busy    int
	queue   []*poolWaiter
	timers  []*time.Timer
}

type poolWaiter struct {
	ready   chan struct{}
	granted bool
}

// newPool returns a pool of workers that follows steps from now on.
func newPool(workers int, steps []WorkerStep) *pool {
	p := &pool{workers: workers}
	for _, st := range steps {
		n := st.Workers
		p.timers = append(p.timers, time.AfterFunc(st.At, func() { p.resize(n) }))
	}
	return p
}

// stop stops the pool's schedule.
func (p *pool) stop() {
	for _, t := range p.timers {
		t.Stop()
	}
}

func (p *pool) resize(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.workers = n
	p.wake()
}

// acquire waits for a worker; false when ctx ended first.
func (p *pool) acquire(ctx context.Context) bool {
	p.mu.Lock()
	if len(p.queue) == 0 && p.free() {
		p.busy++
		p.mu.Unlock()
		return true
	}
	w := &poolWaiter{ready: make(chan struct{})}
	p.queue = append(p.queue, w)
	p.mu.Unlock()
	select {
	case <-w.ready:
		return true
	case <-ctx.Done():
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.granted {
		p.busy--
		p.wake()
		return false
	}
	for i, x := range p.queue {
		if x == w {
			p.queue = append(p.queue[:i], p.queue[i+1:]...)
			break
		}
	}
	return false
}

func (p *pool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy--
	p.wake()
}

func (p *pool) free() bool { return p.workers == 0 || p.busy < p.workers }

// wake hands free workers to the queue in order. p.mu is held.
func (p *pool) wake() {
	for len(p.queue) > 0 && p.free() {
		w := p.queue[0]
		p.queue = p.queue[1:]
		p.busy++
		w.granted = true
		close(w.ready)
	}
}
