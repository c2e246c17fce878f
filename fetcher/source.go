package fetcher

// This file owns where the scheduler's work comes from: the Source it pulls from, a static
// source over fixed targets, and the Frontier, a source a run pushes new work into.

import (
	"context"
	"sync"
	"time"
)

// Item is one unit of work for the scheduler: a request to make and why.
type Item struct {
	Target
	Seq   int  // the request's sequence number in the run, unique; its record's Seq
	Kind  Kind // "" reads as KindTarget
	Depth int  // hops from a target; 0 for targets
	// Parent is the Seq of the request whose answer led to this one, when Depth > 0.
	Parent int
	// Queued is when the item became work; zero means at the run's start.
	Queued time.Time
}

// Source hands the scheduler its work. Implementations are safe for concurrent use.
type Source interface {
	// Next returns the next item. It waits while no item is ready but more may come (an item
	// handed out is not Done yet), and returns false once the source is exhausted: every item
	// handed out is Done and none is left. Items left when ctx is done are still returned, so
	// that each can be recorded as not started; a source that cannot reach its items any more
	// returns false.
	Next(ctx context.Context) (Item, bool)
	// Done reports that it's request finished with rec and that everything done on its
	// behalf (Config.Follow, and the work it pushed) has been pushed.
	Done(it Item, rec *Record)
}

// RunScope is the scope a run of cfg over src is held to: cfg.Scope, or when it is zero the
// scope of src's base targets (Static's, a Frontier's Scope), or zero (any http(s) host).
func RunScope(cfg Config, src Source) Scope {
	if sc, ok := src.(interface{ scope() Scope }); ok && cfg.Scope.IsZero() {
		return sc.scope()
	}
	return cfg.Scope
}

// Static is a Source over fixed targets, handed out in order with Seq = index. A million
// generated targets cost only what Targets stores.
func Static(t Targets) Source { return &static{t: t} }

type static struct {
	mu   sync.Mutex
	t    Targets
	next int
}

func (s *static) Next(context.Context) (Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= s.t.Len() {
		return Item{}, false
	}
	i := s.next
	s.next++
	return Item{Target: s.t.At(i), Seq: i}, true
}

func (s *static) Done(Item, *Record) {}

func (s *static) scope() Scope { return ScopeOf(s.t) }

// Len is the number of targets: a hint that sizes the connection pool.
func (s *static) Len() int { return s.t.Len() }

// Outcome is what a Frontier remembers of a request it handed out.
type Outcome struct {
	Seq    int
	Status int
	Class  ErrorClass
	Err    string
}

// Frontier is a Source that a run pushes new work into while it runs: the base targets
// first-come as Seq 0..n-1, then each pushed URL admitted once, numbered in push order after
// them. Pushed items are handed out before the remaining base targets, so that the work a
// request leads to is done before more targets are started. A Frontier remembers the outcome
// of every pushed URL; Wait returns it, so that concurrent askers share one request. It is
// safe for concurrent use.
type Frontier struct {
	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever an item is queued or Done
	base     Targets
	nextBase int
	queue    []Item
	head     int
	open     int // items handed out and not Done
	seq      int
	urls     map[string]*entry
	pushed   int
	skipped  int
	closed   bool
	sc       Scope
}

type entry struct {
	done    chan struct{}
	outcome Outcome
}

// NewFrontier returns a Frontier over the base targets (nil: none) that admits pushed URLs
// within scope only; a zero scope means the hosts of the base targets, or any http(s) host
// when there are none.
func NewFrontier(base Targets, scope Scope) *Frontier {
	f := &Frontier{base: base, changed: make(chan struct{}), urls: map[string]*entry{}, sc: scope}
	if base != nil {
		f.seq = base.Len()
		if scope.IsZero() {
			f.sc = ScopeOf(base)
		}
	}
	return f
}

// Scope is the scope the frontier admits pushes within, and the run's scope when its
// Config.Scope is zero.
func (f *Frontier) Scope() Scope { return f.sc }

func (f *Frontier) scope() Scope { return f.sc }

// Push admits url as new work of the given kind, depth and parent unless it was admitted
// before or is outside the frontier's Scope (counted by Skipped); it returns the item and
// whether it is new. After Close it admits nothing.
func (f *Frontier) Push(t Target, kind Kind, depth, parent int) (Item, bool) {
	if f.sc.Check(t.URL) != nil {
		f.mu.Lock()
		f.skipped++
		f.mu.Unlock()
		return Item{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.urls[t.URL]; ok || f.closed {
		if ok {
			return Item{Target: t, Seq: e.outcome.Seq, Kind: kind, Depth: depth, Parent: parent}, false
		}
		return Item{}, false
	}
	it := Item{Target: t, Seq: f.seq, Kind: kind, Depth: depth, Parent: parent, Queued: time.Now()}
	f.seq++
	f.pushed++
	f.urls[t.URL] = &entry{done: make(chan struct{}), outcome: Outcome{Seq: it.Seq}}
	f.queue = append(f.queue, it)
	f.notify()
	return it, true
}

// Close stops admitting new work; what was pushed before is still handed out.
func (f *Frontier) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

// Pushed is how many distinct URLs were admitted by Push.
func (f *Frontier) Pushed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pushed
}

// Skipped is how many pushes were refused because their URL was outside the Scope.
func (f *Frontier) Skipped() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.skipped
}

// Wait returns the outcome of a pushed url once its request is Done; ok is false when url
// was never pushed or ctx ended first.
func (f *Frontier) Wait(ctx context.Context, url string) (Outcome, bool) {
	f.mu.Lock()
	e, ok := f.urls[url]
	f.mu.Unlock()
	if !ok {
		return Outcome{}, false
	}
	select {
	case <-e.done:
		return e.outcome, true
	case <-ctx.Done():
		return Outcome{}, false
	}
}

// notify wakes every waiting Next; f.mu is held.
func (f *Frontier) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// Next hands out pushed items first, then the base targets in order; see Source.
func (f *Frontier) Next(ctx context.Context) (Item, bool) {
	for {
		f.mu.Lock()
		switch {
		case f.head < len(f.queue):
			it := f.queue[f.head]
			f.queue[f.head] = Item{}
			f.head++
			if f.head == len(f.queue) {
				f.queue, f.head = f.queue[:0], 0
			}
			f.open++
			f.mu.Unlock()
			return it, true
		case f.base != nil && f.nextBase < f.base.Len():
			i := f.nextBase
			f.nextBase++
			f.open++
			f.mu.Unlock()
			return Item{Target: f.base.At(i), Seq: i}, true
		case f.open == 0:
			f.mu.Unlock()
			return Item{}, false
		}
		wait := f.changed
		f.mu.Unlock()
		<-wait // handed-out items end even when ctx is done: their requests are cancelled
	}
}

// Done records it's outcome; see Source.
func (f *Frontier) Done(it Item, rec *Record) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.open--
	if e, ok := f.urls[it.URL]; ok && e.outcome.Seq == it.Seq {
		e.outcome = Outcome{Seq: it.Seq, Status: rec.Status, Class: rec.Class, Err: rec.Err}
		close(e.done)
	}
	f.notify()
}
