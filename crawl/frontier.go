package crawl

// This file owns the crawl's frontier: the Source the scheduler pulls from, which admits each
// distinct URL once and hands a host's URLs out only as that host allows (robots.txt first,
// its Crawl-delay, a pause after 429 or 503, and with PerHost its own slots and rate).

import (
	"context"
	"fmt"
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

// host is what the frontier knows of one host (host and port, http and https alike). Without
// a lane and with no URL queued it costs about 200 bytes plus its key and robots.txt rules.
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
	notBefore time.Time     // paused after a 429 or 503 until then
	drops     int           // 429s and 503s in a row
	wake      chan struct{} // while a lane serves the host (else nil): a change it may wait for
	unread    string        // why its robots.txt could not be read, "" when it was: none of its URLs is fetched
	rest      *rest         // why it rests until notBefore, nil before its first 429 or 503
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

	// Unusable counts the links not followed for not being URLs to fetch: another scheme than
	// http(s) (mailto:, javascript:), over 2,048 bytes, not parsing, or with credentials.
	Unusable int

	// Unread is how many URLs were not fetched, left instead, because their host's robots.txt
	// could not be read; UnreadHosts how many such hosts, the first named with why in
	// UnreadFirst ("127.0.0.1:8080: http 503").
	Unread, UnreadHosts int
	UnreadFirst         string
}

// frontier is the crawl's fetcher.Source, admitting URLs through a fetcher.Ledger (the seen
// set). A host's URLs move to the ready queue as soon as it allows: at once while nothing
// makes it wait, else through its lane, a goroutine that waits for its gates, Crawl-delay or
// backoff and ends when it has nothing to wait for, so that a slow or throttled host never
// holds up another, and a change wakes only the host it concerns. The work per URL does not
// grow with the number of hosts.
type frontier struct {
	ctx    context.Context // ends the lanes
	opt    *options
	lanes  sync.WaitGroup
	live   int            // lanes running, under mu: hosts that wait for a time or their gates
	ledger fetcher.Ledger // admits each URL once and gives its Seq: seen, in memory
	seen   *seen

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced when an item is ready or nothing is pending
	hosts    map[string]*host
	ready    []item
	readyAt  []time.Time
	head     int
	pending  int // admitted and not done: queued, in a lane, ready or in flight
	flying   map[int]*host
	admitted int // pages admitted (not robots.txt), against MaxPages
	counts   Counts
	resumed  map[int]bool // items in flight when the crawl of the state file stopped
	kept     []keptItem   // items cancelled by the stop: left for the state file
	cut      bool         // Next stopped handing out items because its context ended, with some pending
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
	maxWait  time.Duration // longest Retry-After and Crawl-delay honoured
	onWait   func(Wait)    // Output.OnWait
}

func newFrontier(ctx context.Context, opt *options) *frontier {
	s := newSeen()
	return &frontier{ctx: ctx, opt: opt, ledger: s, seen: s, changed: make(chan struct{}),
		hosts: map[string]*host{}, flying: map[int]*host{}, resumed: map[int]bool{}}
}

// notify wakes the waiting Nexts; f.mu is held.
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

// robotsKey is the ledger's key of a host's robots.txt request: not a URL, so that a page
// linking /robots.txt is fetched as a page as well.
func robotsKey(scheme, host string) string { return "robots.txt " + scheme + "://" + host }

// hostOf returns u's host, creating it (and queueing its robots.txt) when new; f.mu is held.
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
		// A ledger that admitted it before holds it for another run of the job: its rules
		// are not known here, and the host is crawled as robots.txt allowed everything.
		if seq, isNew, err := f.ledger.Admit(f.ctx, robotsKey(scheme, key)); err == nil && isNew {
			h.robots = robotsAsked
			h.queue = append(h.queue, item{url: scheme + "://" + key + "/robots.txt", seq: seq, kind: kRobots})
			f.pending++
		}
	}
	return h
}

// add queues it on its host; f.mu is held.
func (f *frontier) add(it item) {
	h := f.hostOf(it.url)
	h.queue = append(h.queue, it)
	f.pending++
	f.admitted++
	f.pump(h)
}

// admit admits u through the ledger; it returns u's Seq and whether it is new. A URL the
// ledger fails to admit is not new.
func (f *frontier) admit(u string) (int, bool) {
	seq, isNew, err := f.ledger.Admit(f.ctx, fetcher.Key(u, slash))
	return seq, isNew && err == nil
}

// seed admits a seed URL (normalised) at depth 0; a seed given twice is admitted once.
func (f *frontier) seed(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq, ok := f.admit(u)
	if !ok {
		return
	}
	it := item{url: u, seq: seq, kind: kTarget}
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
			f.counts.Unusable++
			continue
		}
		if f.opt.scope.Check(u) != nil {
			f.counts.OutOfScope++
			continue
		}
		over := &f.counts.OverDepth
		if f.opt.depth < 0 || depth <= f.opt.depth {
			over = &f.counts.OverMax
			if f.admitted < f.opt.maxPages {
				over = nil
			}
		}
		if over != nil {
			if f.seen.has(fetcher.Key(u, slash)) {
				f.counts.Duplicate++
			} else {
				(*over)++
			}
			continue
		}
		seq, ok := f.admit(u)
		if !ok {
			f.counts.Duplicate++
			continue
		}
		it := item{url: u, seq: seq, parent: parent, depth: int32(depth), kind: kLink}
		if hk, _ := hostKey(u); f.hosts[hk] != nil && f.hosts[hk].robots == robotsKnown && !f.hosts[hk].allowed(u) {
			f.counts.Robots++
			f.journal.seen(hash(u))
			continue
		}
		f.journal.push(it)
		f.add(it)
	}
}

// landed marks u, the URL a redirect led a request to, as seen: its answer was u's, so a
// link to u found later is a duplicate. A URL admitted before keeps its item, fetched or not.
func (f *frontier) landed(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen.mark(fetcher.Key(u, slash)) {
		f.journal.seen(hash(u))
	}
}

// unusable counts n links found on a page but not URLs to fetch (see Counts.Unusable).
func (f *frontier) unusable(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts.Seen += n
	f.counts.Unusable += n
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
		if base, err := url.Parse(rec.Final()); err == nil {
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
	f.pump(h)
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

// next is h's next item that may go now, taken from its queue (an item robots.txt
// disallows is dropped and counted); wait is when it may go instead, or zero when h has no
// item that can go before something else happens (its robots.txt is known, an item is queued,
// its request in flight is done). f.mu is held.
func (f *frontier) next(h *host, now time.Time) (it item, ok bool, wait time.Time) {
	for h.head < len(h.queue) {
		it := h.queue[h.head]
		if it.kind != kRobots {
			if h.robots != robotsKnown {
				return item{}, false, time.Time{}
			}
			if h.delay > 0 && h.inflight > 0 {
				return item{}, false, time.Time{}
			}
			until := h.notBefore
			if h.delay > 0 {
				if t := h.lastDone.Add(h.delay); t.After(until) {
					until = t
				}
			}
			if until.After(now) {
				return item{}, false, until
			}
		}
		h.queue[h.head] = item{}
		h.head++
		switch {
		case h.head == len(h.queue):
			h.queue, h.head = nil, 0
		case h.head > 64 && h.head*2 >= len(h.queue):
			h.queue = append(h.queue[:0], h.queue[h.head:]...)
			h.head = 0
		}
		if it.kind != kRobots && h.unread != "" {
			f.counts.Unread++
			f.pending--
			f.kept = append(f.kept, keptItem{item: it, started: f.resumed[it.seq]})
			if f.pending == 0 {
				f.notify()
			}
			continue
		}
		if it.kind != kRobots && !h.allowed(it.url) {
			f.counts.Robots++
			f.pending--
			f.admitted--
			f.journal.refused(it.seq)
			if f.pending == 0 {
				f.notify()
			}
			continue
		}
		return it, true, time.Time{}
	}
	return item{}, false, time.Time{}
}

// toReady puts it in the ready queue; f.mu is held.
func (f *frontier) toReady(h *host, it item) {
	h.inflight++
	f.ready = append(f.ready, it)
	f.readyAt = append(f.readyAt, time.Now())
	f.notify()
}

// pump moves h's items that may go now to the ready queue, and starts h's lane when an item
// must wait (for a time, or for h's gates); a running lane is woken instead. f.mu is held.
func (f *frontier) pump(h *host) {
	if h.wake != nil {
		select {
		case h.wake <- struct{}{}:
		default:
		}
		return
	}
	if f.ctx.Err() != nil {
		return
	}
	gated := h.gates.Admission != nil || h.gates.Pacer != nil
	now := time.Now()
	for h.head < len(h.queue) {
		if gated && h.queue[h.head].kind != kRobots {
			if f.mayGo(h) {
				f.startLane(h)
			}
			return
		}
		it, ok, until := f.next(h, now)
		if !ok {
			if !until.IsZero() {
				f.startLane(h)
			}
			return
		}
		f.toReady(h, it)
	}
}

// startLane starts h's lane; f.mu is held.
func (f *frontier) startLane(h *host) {
	h.wake = make(chan struct{}, 1)
	f.live++
	f.lanes.Add(1)
	go f.lane(h)
}

// mayGo reports whether h has an item that may go without another change: a lane has work.
// f.mu is held.
func (f *frontier) mayGo(h *host) bool {
	if h.head >= len(h.queue) {
		return false
	}
	if h.queue[h.head].kind == kRobots {
		return true
	}
	return h.robots == robotsKnown && (h.delay == 0 || h.inflight == 0)
}

// lane hands h's items to the ready queue as h allows (its Crawl-delay after the request
// before, the end of a pause after 429 or 503, its slot and token with PerHost), until h has
// nothing that may go without another change, or the frontier's context ends. It tells
// options.onWait of each wait for a time longer than WaitNoticeAfter, once.
func (f *frontier) lane(h *host) {
	defer f.lanes.Done()
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { h.wake, f.live = nil, f.live-1 }()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var told time.Time // the end of the wait last told
	for f.ctx.Err() == nil {
		now := time.Now()
		it, ok, until := f.next(h, now)
		if !ok {
			if until.IsZero() {
				return
			}
			if timer == nil {
				timer = time.NewTimer(until.Sub(now))
			} else {
				timer.Reset(until.Sub(now))
			}
			w, tell := f.waitOf(h, until, now)
			tell = tell && f.opt.onWait != nil && !until.Equal(told)
			if tell {
				told = until
			}
			f.mu.Unlock()
			if tell {
				f.opt.onWait(w)
			}
			select {
			case <-h.wake:
			case <-timer.C:
			case <-f.ctx.Done():
			}
			f.mu.Lock()
			continue
		}
		if it.kind != kRobots && (h.gates.Admission != nil || h.gates.Pacer != nil) {
			f.mu.Unlock()
			ok = f.pass(h)
			f.mu.Lock()
			if !ok { // back at the front: it is left for the state file
				h.queue = append([]item{it}, h.queue[h.head:]...)
				h.head = 0
				return
			}
		}
		f.toReady(h, it)
	}
}

// pass waits for h's slot and token (PerHost); it returns false, holding nothing, when the
// frontier's context ends first.
func (f *frontier) pass(h *host) bool {
	if h.gates.Admission != nil {
		if _, err := h.gates.Admission.Acquire(f.ctx); err != nil {
			return false
		}
	}
	if h.gates.Pacer != nil {
		if _, err := h.gates.Pacer.Take(f.ctx); err != nil {
			if h.gates.Admission != nil {
				h.gates.Admission.Release(fetcher.Feedback{Result: fetcher.Ignored})
			}
			return false
		}
	}
	return true
}

// Next hands out the next ready item; see fetcher.Source. It returns false once every
// admitted URL is done, or as soon as ctx ends: what is left stays for the state file.
func (f *frontier) Next(ctx context.Context) (fetcher.Item, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if ctx.Err() != nil || f.ctx.Err() != nil {
			f.cut = f.cut || f.pending > 0
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
			d, asked := f.pause(h.drops, rec.RetryAfter, now)
			h.notBefore = now.Add(d)
			if h.rest == nil {
				h.rest = &rest{}
			}
			*h.rest = rest{status: rec.Status, asked: asked}
		case fetcher.Succeeded:
			h.drops = 0
		}
		f.pump(h)
	}
	if f.pending == 0 {
		f.notify()
	}
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

// pause is how long a host rests after its drops-th 429 or 503 in a row, and the
// Retry-After it asked for (0 without one).
func (f *frontier) pause(drops int, retryAfter string, now time.Time) (d, asked time.Duration) {
	if d, ok := fetcher.ParseRetryAfter(retryAfter, now); ok {
		return min(d, f.opt.maxWait), d
	}
	d = fetcher.DefaultBackoffCap
	if drops-1 < 20 {
		d = min(d, fetcher.DefaultBackoffBase<<(drops-1))
	}
	return d, 0
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

// cutShort reports whether Next stopped handing out items, some left, because its context
// ended: no record says so, as they stay for the state file.
func (f *frontier) cutShort() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cut
}

// snapshotCounts is a copy of the counts.
func (f *frontier) snapshotCounts() Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts
}
