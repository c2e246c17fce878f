package fetcher

// This file owns where the scheduler's work comes from: the Source it pulls from, a static
// source over fixed targets, and the Frontier, a source a run pushes new work into.

import (
	"container/heap"
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
// request leads to is done before more targets are started. A Frontier remembers the outcome of every pushed URL;
// Wait returns it, so that concurrent askers share one request. Shared with a Ledger (Share),
// it keeps only the URLs whose requests are not Done and leaves the rest to the ledger. With
// SetMaxOpen, it holds back the items that are not links while that many of them are handed
// out and not Done: the backpressure that bounds what a run keeps of its documents. It is
// safe for concurrent use.
type Frontier struct {
	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever an item is queued or Done
	base     Targets
	nextBase int
	links    queue        // pushed links, in push order
	queue    queue        // the other pushed items, in push order
	open     int          // items handed out and not Done
	openDocs int          // of them, those that are not links
	maxOpen  int          // bound on openDocs; 0 for none
	inOrder  bool         // SetMaxOpen's inOrder
	docSeqs  seqHeap      // Seqs of the documents handed out, Done ones removed lazily
	doneDocs map[int]bool // Done documents still in docSeqs
	seq      int
	urls     map[string]*entry // by Key; with a ledger, only those not Done
	ledger   Ledger
	pushed   int
	skipped  int
	closed   bool
	sc       Scope
}

// seqHeap is a min-heap of Seqs (container/heap).
type seqHeap []int

func (h seqHeap) Len() int           { return len(h) }
func (h seqHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h seqHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *seqHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *seqHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// queue is a FIFO of items.
type queue struct {
	items []Item
	head  int
}

func (q *queue) len() int { return len(q.items) - q.head }

func (q *queue) push(it Item) { q.items = append(q.items, it) }

func (q *queue) peek() Item { return q.items[q.head] }

func (q *queue) pop() Item {
	it := q.items[q.head]
	q.items[q.head] = Item{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
		if cap(q.items) > 1024 {
			q.items = nil // a burst of pushes keeps no array once handed out
		}
	}
	return it
}

// entry is a pushed URL: admitted is closed once its Seq is known (at once without a
// ledger), done once its outcome is; held is false when the ledger had admitted the URL
// before (its outcome is the ledger's).
type entry struct {
	admitted chan struct{}
	done     chan struct{}
	held     bool
	seq      int     // the Seq admitted, set before admitted is closed and never after
	outcome  Outcome // set by Done before done is closed
}

// admittedNow is a closed channel: an entry admitted at once.
var admittedNow = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// A Ledger keeps a source's pushed URLs outside the process: which were admitted, under
// which Seq, and what their requests came to. A Frontier then holds in memory only the URLs
// whose requests are not Done, and frontiers of several processes sharing one ledger admit
// each URL once between them. Keys are Keys under the Slash rule given to Begin. Each method
// is bounded by ctx (a source without one at hand passes context.Background(), and the
// ledger bounds its own round trips). Implementations are safe for concurrent use.
type Ledger interface {
	// Begin takes the source's state when it starts using the ledger: the trailing-slash
	// rule of its keys, the Seq its next pushed URL would take, and the URLs admitted so far
	// with their Seqs.
	Begin(ctx context.Context, slash Slash, next int, admitted map[string]int) error
	// Admit admits key unless it was admitted before; it returns the Seq that holds key and
	// whether this call admitted it. Seqs it gives are unique among the ledger's users.
	Admit(ctx context.Context, key string) (seq int, isNew bool, err error)
	// Settle records the outcome of the request admitted for key.
	Settle(ctx context.Context, key string, o Outcome) error
	// Outcome returns the outcome of key's request; ok is false until it is settled.
	Outcome(ctx context.Context, key string) (o Outcome, ok bool, err error)
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

// Share makes l the frontier's ledger: the URLs pushed so far are handed to l, and from then
// on Push admits through l (a URL l admitted before, here or in another process, is not
// pushed again), Done settles outcomes in l and forgets them, and Wait asks l for the
// outcomes the frontier forgot. Pushes that l fails to admit are not pushed. Share is meant
// for the start of a run, before its first Next; ctx bounds handing l the URLs pushed so far.
func (f *Frontier) Share(ctx context.Context, l Ledger) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	admitted := make(map[string]int, len(f.urls))
	for key, e := range f.urls {
		admitted[key] = e.seq
	}
	if err := l.Begin(ctx, frontierSlash, f.seq, admitted); err != nil {
		return err
	}
	f.ledger = l
	return nil
}

// Scope is the scope the frontier admits pushes within, and the run's scope when its
// Config.Scope is zero.
func (f *Frontier) Scope() Scope { return f.sc }

func (f *Frontier) scope() Scope { return f.sc }

// frontierSlash is a Frontier's trailing-slash rule: it serves APIs, whose "people/1/" is
// "people/1" (see SlashIgnored).
const frontierSlash = SlashIgnored

// Key is url's identity in the frontier: Key(url, SlashIgnored), which URLKey is.
func (f *Frontier) Key(url string) string { return Key(url, frontierSlash) }

// Push admits url as new work of the given kind, depth and parent unless a URL with its
// Key was admitted before or it is outside the frontier's Scope (counted by Skipped); it
// returns the item and whether it is new. The item fetches t.URL as pushed first. After Close
// it admits nothing.
func (f *Frontier) Push(t Target, kind Kind, depth, parent int) (Item, bool) {
	if f.sc.Check(t.URL) != nil {
		f.mu.Lock()
		f.skipped++
		f.mu.Unlock()
		return Item{}, false
	}
	key := f.Key(t.URL)
	f.mu.Lock()
	if e, ok := f.urls[key]; ok || f.closed {
		f.mu.Unlock()
		if !ok {
			return Item{}, false
		}
		<-e.admitted
		if !e.held && e.seq < 0 {
			return Item{}, false
		}
		return Item{Target: t, Seq: e.seq, Kind: kind, Depth: depth, Parent: parent}, false
	}
	if f.ledger == nil {
		defer f.mu.Unlock()
		it := Item{Target: t, Seq: f.seq, Kind: kind, Depth: depth, Parent: parent, Queued: time.Now()}
		f.seq++
		f.urls[key] = &entry{admitted: admittedNow, done: make(chan struct{}), held: true, seq: it.Seq}
		f.queueItem(it)
		return it, true
	}
	// Admitted through the ledger, outside f.mu: pushes of other URLs go on meanwhile, and
	// pushes of this one wait on e.admitted.
	e := &entry{admitted: make(chan struct{}), done: make(chan struct{})}
	f.urls[key] = e
	l := f.ledger
	f.mu.Unlock()
	seq, isNew, err := l.Admit(context.Background(), key)
	f.mu.Lock()
	defer f.mu.Unlock()
	defer close(e.admitted)
	if err != nil || !isNew {
		if err != nil {
			seq = -1
		}
		e.seq = seq
		delete(f.urls, key)
		close(e.done) // its waiters ask the ledger
		if err != nil {
			return Item{}, false
		}
		return Item{Target: t, Seq: seq, Kind: kind, Depth: depth, Parent: parent}, false
	}
	it := Item{Target: t, Seq: seq, Kind: kind, Depth: depth, Parent: parent, Queued: time.Now()}
	f.seq = max(f.seq, seq+1)
	e.held, e.seq = true, seq
	f.queueItem(it)
	return it, true
}

// queueItem queues a newly pushed item; f.mu is held.
func (f *Frontier) queueItem(it Item) {
	f.pushed++
	if it.Kind == KindLink {
		f.links.push(it)
	} else {
		f.queue.push(it)
	}
	f.notify()
}

// SetMaxOpen bounds how many items that are not links (documents) may be handed out and not
// Done at once (n ≤ 0: no bound). With inOrder it also hands out no document whose Seq is n
// or more past the lowest Seq of a document handed out and not Done, so that what is held
// back to be output in input order stays within n documents too. Links are never held back:
// the documents they were pushed for may be waiting on them. Once the ctx given to Next is
// done, nothing is held back.
func (f *Frontier) SetMaxOpen(n int, inOrder bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.maxOpen, f.inOrder = max(n, 0), inOrder
	f.notify()
}

// fits reports whether a document of Seq seq may be handed out under SetMaxOpen's bound;
// f.mu is held.
func (f *Frontier) fits(seq int) bool {
	if f.maxOpen == 0 {
		return true
	}
	if f.openDocs >= f.maxOpen {
		return false
	}
	if !f.inOrder {
		return true
	}
	for len(f.docSeqs) > 0 && f.doneDocs[f.docSeqs[0]] {
		delete(f.doneDocs, f.docSeqs[0])
		heap.Pop(&f.docSeqs)
	}
	return len(f.docSeqs) == 0 || seq < f.docSeqs[0]+f.maxOpen
}

// handDoc counts a document handed out; f.mu is held.
func (f *Frontier) handDoc(seq int) {
	f.open++
	f.openDocs++
	if f.maxOpen > 0 && f.inOrder {
		heap.Push(&f.docSeqs, seq)
	}
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

// Held is how many pushed URLs the frontier holds in memory: every one without a ledger;
// with one, those whose requests are not Done.
func (f *Frontier) Held() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.urls)
}

// Skipped is how many pushes were refused because their URL was outside the Scope.
func (f *Frontier) Skipped() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.skipped
}

// Wait returns the outcome of a pushed url (or one with its Key) once its request is Done;
// ok is false when no such url was pushed or ctx ended first. With a ledger, an outcome the
// frontier forgot is the ledger's, and ok is false while the ledger has none (the URL's
// request runs in another process) or cannot be read.
func (f *Frontier) Wait(ctx context.Context, url string) (Outcome, bool) {
	key := f.Key(url)
	f.mu.Lock()
	e, ok := f.urls[key]
	l := f.ledger
	f.mu.Unlock()
	if ok {
		select {
		case <-e.done:
		case <-ctx.Done():
			return Outcome{}, false
		}
		if e.held {
			return e.outcome, true
		}
	}
	if l == nil {
		return Outcome{}, false
	}
	o, ok, err := l.Outcome(ctx, key)
	if err != nil || !ok {
		return Outcome{}, false
	}
	return o, true
}

// notify wakes every waiting Next; f.mu is held.
func (f *Frontier) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// Next hands out pushed items in push order, then the base targets in order, holding back
// all but links while SetMaxOpen's bound is reached; see Source.
func (f *Frontier) Next(ctx context.Context) (Item, bool) {
	for {
		f.mu.Lock()
		stopped := ctx.Err() != nil
		queued := f.queue.len() > 0 && (stopped || f.fits(f.queue.peek().Seq))
		base := !queued && f.base != nil && f.nextBase < f.base.Len() && (stopped || f.fits(f.nextBase))
		room := queued || base || stopped
		switch {
		case f.links.len() > 0 && (!queued || f.links.peek().Seq < f.queue.peek().Seq):
			it := f.links.pop()
			f.open++
			f.mu.Unlock()
			return it, true
		case queued:
			it := f.queue.pop()
			f.handDoc(it.Seq)
			f.mu.Unlock()
			return it, true
		case base:
			i := f.nextBase
			f.nextBase++
			f.handDoc(i)
			f.mu.Unlock()
			return Item{Target: f.base.At(i), Seq: i}, true
		case f.open == 0:
			f.mu.Unlock()
			return Item{}, false
		}
		wait := f.changed
		f.mu.Unlock()
		// Handed-out items end even when ctx is done (their requests are cancelled); ctx's
		// end lifts the bound.
		select {
		case <-wait:
		case <-ctx.Done():
			if !room {
				continue
			}
			<-wait
		}
	}
}

// Done records it's outcome; see Source. With a ledger, the outcome of a pushed URL is
// settled in the ledger before the frontier forgets the URL.
func (f *Frontier) Done(it Item, rec *Record) {
	key := f.Key(it.URL)
	o := Outcome{Seq: it.Seq, Status: rec.Status, Class: rec.Class, Err: rec.Err}
	f.mu.Lock()
	e, ok := f.urls[key]
	ok = ok && e.held && e.seq == it.Seq
	l := f.ledger
	f.mu.Unlock()
	forget := false
	if ok && l != nil {
		forget = l.Settle(context.Background(), key, o) == nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.open--
	if it.Kind != KindLink {
		f.openDocs--
		if f.maxOpen > 0 && f.inOrder {
			if f.doneDocs == nil {
				f.doneDocs = map[int]bool{}
			}
			f.doneDocs[it.Seq] = true
		}
	}
	if ok {
		e.outcome = o
		close(e.done)
		if forget {
			delete(f.urls, key)
		}
	}
	f.notify()
}
