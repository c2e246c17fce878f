package crawl

// This file owns the crawl's frontier: the Source the scheduler pulls from, which admits each
// distinct URL once and hands a host's URLs out only as that host allows (robots.txt first,
// its Crawl-delay, a pause after 429 or 503, and with PerHost its own slots and rate).

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/fetchbench/fetchbench/fetcher"
)

// kindCode is an item's fetcher.Kind in one byte.
type kindCode uint8

const (
	kTarget kindCode = iota
	kLink
	kRobots
)

func (k kindCode) kind() fetcher.Kind {
	switch k {
	case kLink:
		return fetcher.KindLink
	case kRobots:
		return fetcher.KindRobots
	}
	return fetcher.KindTarget
}

// item is one admitted URL, as small as it can be: the frontier holds every one not yet done.
type item struct {
	url    string
	seq    int
	parent int
	depth  int32
	kind   kindCode
}

func (it item) fetcherItem(queued time.Time) fetcher.Item {
	return fetcher.Item{Target: fetcher.Target{URL: it.url}, Seq: it.seq, Kind: it.kind.kind(), Depth: int(it.depth),
		Parent: it.parent, Queued: queued}
}

// robots states of a host.
const (
	robotsAsked = iota // its robots.txt is queued or in flight: its other URLs wait
	robotsKnown        // its rules are known (or ignored)
)

// host is what the frontier knows of one host (host and port, http and https alike).
type host struct {
	key       string
	queue     []item // FIFO from head
	head      int
	robots    int
	group     *robotstxt.Group // nil: everything allowed
	delay     time.Duration    // robots.txt Crawl-delay: one request at a time, this far apart
	gates     fetcher.Gates    // PerHost: the strategy's limits for this host alone
	inflight  int              // handed to the scheduler and not done
	lastDone  time.Time
	notBefore time.Time // paused after a 429 or 503 until then
	drops     int       // 429s and 503s in a row
	unread    string    // why its robots.txt could not be read, "" when it was: none of its URLs is fetched
}

func (h *host) allowed(u string) bool {
	if h.group == nil {
		return true
	}
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	path := p.EscapedPath()
	if p.RawQuery != "" {
		path += "?" + p.RawQuery
	}
	return h.group.Test(path)
}

// Counts are what a crawl did with the links it found.
type Counts struct {
	Requests int // records produced: pages and robots.txt files
	Pages    int // pages fetched (records of URLs other than robots.txt)
	Failed   int // pages whose request failed (robots.txt and requests cut short by the stop aside)
	Seen     int // links found in the pages fetched
	// Why links were not followed.
	OutOfScope, Robots, Duplicate, OverDepth, OverMax int
	Left                                              int // URLs admitted but not fetched when the crawl stopped (kept in the state file)
	Resumed                                           int // URLs taken from the state file

	// Unread is how many URLs were not fetched, left instead, because their host's robots.txt
	// could not be read; UnreadHosts how many such hosts, the first named with why in
	// UnreadFirst ("127.0.0.1:8080: http 503").
	Unread, UnreadHosts int
	UnreadFirst         string
}

// frontier is the crawl's fetcher.Source. Each host has a lane, a goroutine that moves the
// host's URLs to the ready queue one at a time as its gates, robots.txt, Crawl-delay and
// backoff allow, so that a slow or throttled host never holds up another.
type frontier struct {
	ctx   context.Context // ends the lanes
	opt   *options
	lanes sync.WaitGroup

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	seen     map[uint64]struct{}
	hosts    map[string]*host
	ready    []item
	readyAt  []time.Time
	head     int
	pending  int // admitted and not done: queued, in a lane, ready or in flight
	flying   map[int]*host
	seq      int
	admitted int // pages admitted (not robots.txt), against MaxPages
	counts   Counts
	resumed  map[int]bool // items in flight when the crawl of the state file stopped
	kept     []keptItem   // items cancelled by the stop: left for the state file
	journal  *journal     // nil without a state file
}

// options are a crawl's settings, resolved.
type options struct {
	scope    fetcher.Scope
	depth    int // < 0: unlimited
	maxPages int
	perHost  fetcher.Limits
	keyed    bool
	robots   bool
	agent    string
	maxWait  time.Duration // longest Retry-After honoured
}

func newFrontier(ctx context.Context, opt *options) *frontier {
	return &frontier{ctx: ctx, opt: opt, changed: make(chan struct{}), seen: map[uint64]struct{}{},
		hosts: map[string]*host{}, flying: map[int]*host{}, resumed: map[int]bool{}}
}

func hash(u string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(u))
	return h.Sum64()
}

// notify wakes every waiter; f.mu is held.
func (f *frontier) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// hostKey is u's host and port, lowercased.
func hostKey(u string) (key, scheme string) {
	p, err := url.Parse(u)
	if err != nil {
		return "", ""
	}
	return strings.ToLower(p.Host), p.Scheme
}

// hostOf returns u's host, creating it (and its lane, and queueing its robots.txt) when new;
// f.mu is held.
func (f *frontier) hostOf(u string) *host {
	key, scheme := hostKey(u)
	if h, ok := f.hosts[key]; ok {
		return h
	}
	h := &host{key: key, robots: robotsKnown}
	if f.opt.keyed {
		h.gates = fetcher.GatesFor(f.opt.perHost)
	}
	f.hosts[key] = h
	if f.opt.robots {
		h.robots = robotsAsked
		h.queue = append(h.queue, item{url: scheme + "://" + key + "/robots.txt", seq: f.seq, kind: kRobots})
		f.seq++
		f.pending++
	}
	f.lanes.Add(1)
	go f.lane(h)
	return h
}

// add queues it on its host; f.mu is held.
func (f *frontier) add(it item) {
	h := f.hostOf(it.url)
	h.queue = append(h.queue, it)
	f.pending++
	f.admitted++
	f.notify()
}

// seed admits a seed URL (normalised) at depth 0; a seed given twice is admitted once.
func (f *frontier) seed(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := hash(u)
	if _, dup := f.seen[k]; dup {
		return
	}
	f.seen[k] = struct{}{}
	it := item{url: u, seq: f.seq, kind: kTarget}
	f.seq++
	f.journal.push(it)
	f.add(it)
}

// resume queues an item of the state file, under its own seq.
func (f *frontier) resume(it item, started bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if started {
		f.resumed[it.seq] = true
	}
	f.counts.Resumed++
	f.add(it)
}

// links admits the links found on the page of seq parent at depth: each normalised, in
// scope, not seen before, within the depth and page limits and, when the host's robots.txt
// is known, allowed by it. The others are counted by why.
func (f *frontier) links(found []string, depth, parent int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, raw := range found {
		f.counts.Seen++
		u, err := fetcher.NormalizeURL(raw)
		if err != nil {
			f.counts.OutOfScope++
			continue
		}
		if f.opt.scope.Check(u) != nil {
			f.counts.OutOfScope++
			continue
		}
		k := hash(u)
		if _, dup := f.seen[k]; dup {
			f.counts.Duplicate++
			continue
		}
		if f.opt.depth >= 0 && depth > f.opt.depth {
			f.counts.OverDepth++
			continue
		}
		if f.admitted >= f.opt.maxPages {
			f.counts.OverMax++
			continue
		}
		f.seen[k] = struct{}{}
		if hk, _ := hostKey(u); f.hosts[hk] != nil && f.hosts[hk].robots == robotsKnown && !f.hosts[hk].allowed(u) {
			f.counts.Robots++
			f.journal.seen(k)
			continue
		}
		it := item{url: u, seq: f.seq, parent: parent, depth: int32(depth), kind: kLink}
		f.seq++
		f.journal.push(it)
		f.add(it)
	}
}

// setRobots takes the rules of a host's robots.txt from its record (see robotsOf), lets the
// host's other URLs go (or, when it could not be read, leaves them all), and follows the
// sitemaps it names as links at depth 1.
func (f *frontier) setRobots(rec *fetcher.Record) {
	if rec.Class == fetcher.ClassCancelled {
		return // the crawl stops: the host's URLs are left as they are
	}
	data, unread := robotsOf(rec)
	var group *robotstxt.Group
	var sitemaps []string
	if data != nil {
		group = data.FindGroup(f.opt.agent)
		if base, err := url.Parse(rec.URL); err == nil {
			for _, s := range data.Sitemaps {
				if u, err := base.Parse(strings.TrimSpace(s)); err == nil {
					sitemaps = append(sitemaps, u.String())
				}
			}
		}
	}
	key, _ := hostKey(rec.URL)
	f.mu.Lock()
	h := f.hosts[key]
	h.group, h.robots, h.unread = group, robotsKnown, unread
	if unread != "" {
		if f.counts.UnreadHosts++; f.counts.UnreadFirst == "" {
			f.counts.UnreadFirst = key + ": " + unread
		}
	}
	if group != nil {
		h.delay = min(group.CrawlDelay, f.opt.maxWait)
	}
	f.notify()
	f.mu.Unlock()
	if len(sitemaps) > 0 {
		f.links(sitemaps, 1, rec.Seq)
	}
}

// robotsOf reads a host's robots.txt from its record as RFC 9309 asks: a 2xx read whole is
// parsed (nil data when it does not parse: nothing disallowed), a 4xx but 429 means there is
// none (nil data: nothing disallowed). Anything else — a 5xx, a 429, no answer, an answer cut
// short, a redirect not followed — leaves it unread: unread says why, and the whole host is
// disallowed.
func robotsOf(rec *fetcher.Record) (data *robotstxt.RobotsData, unread string) {
	switch s := rec.Status; {
	case s >= 200 && s < 300 && (rec.OK() || rec.Class == fetcher.ClassInvalidJSON): // read whole, whatever its type says
		data, _ = robotstxt.FromStatusAndBytes(s, rec.Body)
		return data, ""
	case s >= 400 && s < 500 && s != http.StatusTooManyRequests:
		return nil, ""
	case s >= 200 && s < 300:
		return nil, string(rec.Class)
	case s != 0:
		return nil, fmt.Sprintf("http %d", s)
	case rec.Class != fetcher.ClassNone:
		return nil, string(rec.Class)
	}
	return nil, "no answer"
}

// lane hands h's items to the ready queue, one at a time, as h allows, until the frontier is
// exhausted or its context ends.
func (f *frontier) lane(h *host) {
	defer f.lanes.Done()
	for {
		it, ok := f.take(h)
		if !ok {
			return
		}
		if !f.admit(h, it) {
			f.mu.Lock()
			if h.head > 0 { // back at the front: it is left for the state file
				h.head--
				h.queue[h.head] = it
			} else {
				h.queue = append([]item{it}, h.queue...)
			}
			f.mu.Unlock()
			return
		}
	}
}

// take waits for h's next item: its robots.txt first, the others once its rules are known
// (an item they disallow is dropped and counted).
func (f *frontier) take(h *host) (item, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if f.ctx.Err() != nil || f.pending == 0 {
			return item{}, false
		}
		if h.head < len(h.queue) {
			it := h.queue[h.head]
			if it.kind == kRobots || h.robots == robotsKnown {
				h.queue[h.head] = item{}
				h.head++
				if h.head > 64 && h.head*2 >= len(h.queue) {
					h.queue = append(h.queue[:0], h.queue[h.head:]...)
					h.head = 0
				}
				if it.kind != kRobots && h.unread != "" {
					f.counts.Unread++
					f.pending--
					f.kept = append(f.kept, keptItem{item: it, started: f.resumed[it.seq]})
					f.notify()
					continue
				}
				if it.kind != kRobots && !h.allowed(it.url) {
					f.counts.Robots++
					f.pending--
					f.admitted--
					f.journal.refused(it.seq)
					f.notify()
					continue
				}
				return it, true
			}
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-f.ctx.Done():
		}
		f.mu.Lock()
	}
}

// admit waits until h lets it go (its slot and token with PerHost, the end of a pause after
// 429 or 503, its Crawl-delay after the request before) and puts it in the ready queue. It
// returns false, holding nothing, when the frontier's context ends first.
func (f *frontier) admit(h *host, it item) bool {
	robots := it.kind == kRobots
	for !robots {
		f.mu.Lock()
		now := time.Now()
		until := h.notBefore
		if h.delay > 0 {
			if h.inflight > 0 {
				until = now.Add(time.Hour) // woken by its Done
			} else if t := h.lastDone.Add(h.delay); t.After(until) {
				until = t
			}
		}
		ch := f.changed
		f.mu.Unlock()
		if !until.After(now) {
			break
		}
		t := time.NewTimer(until.Sub(now))
		select {
		case <-ch:
		case <-t.C:
		case <-f.ctx.Done():
		}
		t.Stop()
		if f.ctx.Err() != nil {
			return false
		}
	}
	if !robots && h.gates.Admission != nil {
		if _, err := h.gates.Admission.Acquire(f.ctx); err != nil {
			return false
		}
	}
	if !robots && h.gates.Pacer != nil {
		if _, err := h.gates.Pacer.Take(f.ctx); err != nil {
			if h.gates.Admission != nil {
				h.gates.Admission.Release(fetcher.Feedback{Result: fetcher.Ignored})
			}
			return false
		}
	}
	f.mu.Lock()
	h.inflight++
	f.ready = append(f.ready, it)
	f.readyAt = append(f.readyAt, time.Now())
	f.notify()
	f.mu.Unlock()
	return true
}

// Next hands out the next ready item; see fetcher.Source. It returns false once every
// admitted URL is done, or as soon as ctx ends: what is left stays for the state file.
func (f *frontier) Next(ctx context.Context) (fetcher.Item, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if ctx.Err() != nil || f.ctx.Err() != nil {
			return fetcher.Item{}, false
		}
		if f.head < len(f.ready) {
			it, at := f.ready[f.head], f.readyAt[f.head]
			f.ready[f.head] = item{}
			f.head++
			if f.head == len(f.ready) {
				f.ready, f.readyAt, f.head = f.ready[:0], f.readyAt[:0], 0
			}
			key, _ := hostKey(it.url)
			f.flying[it.seq] = f.hosts[key]
			if it.kind != kRobots {
				f.journal.start(it.seq)
			}
			return it.fetcherItem(at), true
		}
		if f.pending == 0 {
			return fetcher.Item{}, false
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		case <-f.ctx.Done():
		}
		f.mu.Lock()
	}
}

// Done frees the item's place at its host and, after a 429 or 503, pauses the host: for the
// server's Retry-After (at most MaxRetryAfter), else for a backoff doubling with each drop
// in a row. A request cancelled by the stop stays admitted, for the state file.
func (f *frontier) Done(it fetcher.Item, rec *fetcher.Record) {
	res := fetcher.ResultOf(rec)
	f.mu.Lock()
	h := f.flying[it.Seq]
	delete(f.flying, it.Seq)
	f.pending--
	f.counts.Requests++
	if it.Kind != fetcher.KindRobots {
		f.counts.Pages++
		if !rec.OK() && rec.Class != fetcher.ClassCancelled {
			f.counts.Failed++
		}
	}
	if rec.Class == fetcher.ClassCancelled && it.Kind != fetcher.KindRobots {
		f.kept = append(f.kept, keptItem{item: item{url: it.URL, seq: it.Seq, parent: it.Parent, depth: int32(it.Depth),
			kind: kindCodeOf(it.Kind)}, started: rec.Attempts > 0 || f.resumed[it.Seq]})
	}
	now := time.Now()
	if h != nil {
		h.inflight--
		h.lastDone = now
		switch res {
		case fetcher.Dropped:
			h.drops++
			h.notBefore = now.Add(f.pause(h.drops, rec.RetryAfter, now))
		case fetcher.Succeeded:
			h.drops = 0
		}
	}
	f.notify()
	f.mu.Unlock()
	if h != nil && it.Kind != fetcher.KindRobots && h.gates.Admission != nil {
		h.gates.Admission.Release(fetcher.Feedback{Result: res, Latency: rec.Latency, Answered: rec.Status != 0})
	}
}

func kindCodeOf(k fetcher.Kind) kindCode {
	switch k {
	case fetcher.KindLink:
		return kLink
	case fetcher.KindRobots:
		return kRobots
	}
	return kTarget
}

// pause is how long a host rests after its drops-th 429 or 503 in a row.
func (f *frontier) pause(drops int, retryAfter string, now time.Time) time.Duration {
	if d, ok := fetcher.ParseRetryAfter(retryAfter, now); ok {
		return min(d, f.opt.maxWait)
	}
	d := fetcher.DefaultBackoffCap
	if drops-1 < 20 {
		d = min(d, fetcher.DefaultBackoffBase<<(drops-1))
	}
	return d
}

// wasInFlight reports whether seq was in flight when the crawl of the state file stopped.
func (f *frontier) wasInFlight(seq int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resumed[seq]
}

// stop waits for the lanes, once the frontier's context has ended.
func (f *frontier) stop() { f.lanes.Wait() }

// left is every admitted item not done, for the state file, and how many; the lanes have
// stopped.
func (f *frontier) left() []keptItem {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]keptItem(nil), f.kept...)
	for _, h := range f.hosts {
		for _, it := range h.queue[h.head:] {
			if it.kind != kRobots {
				out = append(out, keptItem{item: it, started: f.resumed[it.seq]})
			}
		}
	}
	for _, it := range f.ready[f.head:] {
		if it.kind != kRobots {
			out = append(out, keptItem{item: it, started: f.resumed[it.seq]})
		}
	}
	f.counts.Left = len(out)
	return out
}

// snapshotCounts is a copy of the counts.
func (f *frontier) snapshotCounts() Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts
}
