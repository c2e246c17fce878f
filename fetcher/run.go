package fetcher

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/internal/waitctx"
)

// Run sends exactly one request per target (plus retries) under cfg.Strategy and cfg.Limits
// and calls sink once per target with its Record: Schedule over Static(targets) with
// GatesFor(cfg.Limits).
func Run(ctx context.Context, cfg Config, targets Targets, sink func(Record)) (RunStats, error) {
	return Schedule(ctx, cfg, Static(targets), GatesFor(cfg.Limits), sink)
}

// Scheduler is Schedule's signature: it runs every item of src under cfg and gates and streams
// one Record per item to sink, as Schedule documents. A pool coordinator implements it by
// sending the items to workers elsewhere; it may also fail when it cannot finish the run (its
// Redis lost), after it has streamed a record for every item.
type Scheduler func(ctx context.Context, cfg Config, src Source, gates Gates, sink func(Record)) (RunStats, error)

// ErrUnfinished is what the error of a Scheduler that could not finish a run Is: a record
// was streamed for every item, but not every item ran.
var ErrUnfinished = errors.New("run unfinished")

// Schedule pulls every item of src and sends one request for each (plus retries) under
// cfg.Strategy: a serial strategy runs them one at a time, inline (waiting for
// gates.Admission too when gates.Shared); the others wait for
// gates.Admission's slot (before the request) and gates.Pacer's token (once the request has
// its connection). It calls sink once per item with its Record as each completes — after
// Config.Follow, and before src.Done. Sink calls are serialized (never concurrent) and
// happen before Schedule returns. Every item yields a Record whatever fails: an item that
// could not start because ctx was cancelled or cfg.Deadline passed gets a ClassCancelled
// record.
//
// Schedule returns an error for an invalid cfg, before any request is sent, and a
// *QuotaWaitError when the server's quota asked for a wait longer than cfg.MaxQuotaWait: then
// the run stopped there, after a record for every item.
func Schedule(ctx context.Context, cfg Config, src Source, gates Gates, sink func(Record)) (RunStats, error) {
	if err := cfg.Validate(); err != nil {
		return RunStats{}, err
	}
	runCtx := ctx
	if cfg.Deadline > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, cfg.Deadline)
		defer cancel()
	}
	runCtx, stop := context.WithCancelCause(runCtx)
	defer stop(nil)
	if cfg.Strategy.Serial() {
		gates.Pacer = nil
		if !gates.Shared {
			gates.Admission = nil
		}
	}
	var quota *quotaGate
	if cfg.RespectQuota {
		most := cfg.MaxQuotaWait
		if most == 0 {
			most = DefaultMaxQuotaWait
		}
		quota = newQuotaGate(cfg.OnQuotaWait, cfg.QuotaWindow, most)
	}
	cfg.Scope = RunScope(cfg, src)
	idle := 0 // connections worth keeping per host
	if gates.Admission != nil {
		idle = gates.Admission.Max()
	} else if n, ok := src.(interface{ Len() int }); ok {
		idle = n.Len()
	}
	r := &runner{cfg: &cfg, ctx: runCtx, stop: stop, parent: ctx, sink: sink, src: src, adm: gates.Admission,
		params: cfg.Strategy.Params(cfg.Limits)}
	eng := newEngine(runCtx, &cfg, idle, gates.Pacer)
	eng.quota = quota
	defer eng.close()
	r.eng = eng
	r.t0 = time.Now()
	r.wall = wallClock(r.t0)
	r.last = r.t0
	r.dispatch()

	stats := RunStats{
		Strategy:     cfg.Strategy,
		Requests:     r.produced,
		Wall:         r.offset(r.last),
		PeakInFlight: int(eng.inFlight.Peak()),
		Connections:  int(eng.dials.Load()),
	}
	var refused *QuotaWaitError
	switch {
	case r.stopped && ctx.Err() != nil:
		stats.Interrupted = true
	case errors.As(context.Cause(runCtx), &refused):
		return stats, refused
	case r.stopped:
		stats.DeadlineExceeded = true
	}
	return stats, nil
}

// wallClock is t without its monotonic reading: the wall-clock origin of a run's StartAt.
func wallClock(t time.Time) time.Time { return t.Round(0) }

type runner struct {
	cfg    *Config
	ctx    context.Context         // the strategy's context (deadline applied)
	stop   context.CancelCauseFunc // cancels ctx: the run stops, for its cause
	parent context.Context
	src    Source
	adm    Admission // nil: no cap on requests in progress
	eng    *engine
	params string
	t0     time.Time // the run's start, on the monotonic clock
	// toldRetryAfter is set once a wait a server's Retry-After imposed was told.
	toldRetryAfter atomic.Bool
	wall           time.Time // t0 on the wall clock

	follows sync.WaitGroup

	mu       sync.Mutex
	sink     func(Record)
	last     time.Time
	produced int
	stopped  bool // some item finished or was given up because ctx ended
}

// acquire waits for a slot when requests in progress are capped, and returns the time waited.
// On error it holds nothing.
func (r *runner) acquire() (time.Duration, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.adm == nil {
		return 0, nil
	}
	return r.adm.Acquire(r.ctx)
}

// release frees the slot of rec, admitted at admitted, telling the admission how it went:
// dropped when any attempt was shed (fb), whatever the last one did.
func (r *runner) release(rec *Record, admitted time.Time, fb shedding) {
	if r.adm == nil {
		return
	}
	o := Feedback{Result: ResultOf(rec), Admitted: admitted, Latency: rec.Latency, Answered: rec.Status != 0,
		RetryAfter: fb.retryAfter, Throttled: fb.throttled}
	if fb.shed {
		o.Result = Dropped
	}
	r.adm.Release(o)
	if h, ok := r.adm.(retryHolder); ok && fb.retryAfter > 0 {
		r.tellRetryAfter(fb.throttled, h.retryHeldUntil())
	}
}

// shedding is what a request's attempts showed of the server's capacity besides its record.
type shedding struct {
	shed       bool          // some attempt was shed: 429, 503 or a timeout
	retryAfter time.Duration // the last shed attempt's Retry-After, cut to MaxRetryAfter
	throttled  bool          // the last shed attempt was a 429
}

// dispatch pulls every item of the source: a serial strategy runs each inline; the others
// hand them in order to worker goroutines, started as needed: at most Admission.Max of them
// when requests in progress are capped, else one more whenever none is idle (for unbounded,
// one per item, all at once). Each worker reuses its request state and its grown stack from
// one item to the next. An uncapped paced run hands an item over only when the pacer has
// nearly reached it, so that few workers wait for tokens.
func (r *runner) dispatch() {
	defer r.follows.Wait()
	if r.cfg.Strategy.Serial() {
		w := r.eng.newWorker()
		defer w.close()
		for {
			it, ok := r.src.Next(r.ctx)
			if !ok {
				return
			}
			if r.ctx.Err() != nil {
				r.giveUp(it, 0)
				continue
			}
			if r.adm != nil { // shared gates: one at a time across processes
				r.item(w, it)
				continue
			}
			rec, _ := r.fetch(w, it, 0)
			r.finish(it, rec)
		}
	}
	var workers sync.WaitGroup
	defer workers.Wait()
	work := make(chan Item)
	defer close(work)
	pool := 0
	if r.adm != nil {
		pool = r.adm.Max()
	}
	started, handed := 0, 0
	for {
		it, ok := r.src.Next(r.ctx)
		if !ok {
			return
		}
		if r.adm == nil && r.cfg.Limits.Rate > 0 {
			r.ahead(handed)
		}
		handed++
		select {
		case work <- it:
			continue
		default:
		}
		switch {
		case r.adm == nil && r.eng.pacer == nil:
			// Unbounded: a new worker gets its item with it, so the dispatcher never waits
			// for one to start and every item goes on the wire at once.
			workers.Go(func() { r.work(&it, work) })
			continue
		case pool == 0 || started < pool:
			// Handing over through work keeps the starts of a queued run in pull order.
			started++
			workers.Go(func() { r.work(nil, work) })
		}
		work <- it
	}
}

// ahead waits until the items handed over but not yet granted a token are fewer than the
// burst plus the tokens due in aheadLead, or ctx is done. At low rates that is one at a time,
// which keeps the starts in input order although each takes its token only once it has its
// connection.
func (r *runner) ahead(handed int) {
	l := r.cfg.Limits
	due := int(math.Ceil(l.Rate * aheadLead.Seconds()))
	most := max(l.Burst, 1) - 1 + max(1, due)
	for handed-r.eng.pacer.Granted() >= most {
		if !waitctx.Sleep(r.ctx, aheadPoll) {
			return
		}
	}
}

// aheadPoll is how often ahead looks at the pacer's progress; aheadLead is the time a handed-over
// item may need before it asks for its token (polling, colly, a connection).
const (
	aheadPoll = time.Millisecond
	aheadLead = 3 * time.Millisecond
)

// work is one worker: it runs first (unless nil), then the items it receives until work is
// closed.
func (r *runner) work(first *Item, work <-chan Item) {
	growStack(0)
	w := r.eng.newWorker()
	defer w.close()
	if first != nil {
		r.item(w, *first)
	}
	for it := range work {
		r.item(w, it)
	}
}

// item runs it on w once a slot is free, and releases the slot before finishing the record.
func (r *runner) item(w *worker, it Item) {
	queued := it.Queued
	if queued.IsZero() {
		queued = r.t0
	}
	if _, err := r.acquire(); err != nil {
		r.giveUp(it, r.offset(time.Now())-r.offset(queued))
		return
	}
	admitted := time.Now()
	limit := 0
	if r.adm != nil && r.cfg.Strategy.Adapts() {
		limit = r.adm.Limit()
	}
	var queue time.Duration // an item of a queued strategy waits from the moment it was queued
	if r.adm != nil || r.eng.pacer != nil {
		queue = r.offset(time.Now()) - r.offset(queued)
	}
	rec, fb := r.fetch(w, it, queue)
	rec.Limit = limit
	r.release(&rec, admitted, fb)
	r.finish(it, rec)
}

// growStack grows the calling goroutine's stack once, in one step, to the size a request
// through colly needs (its URL parser runs deep), instead of doubling it several times during
// the first request.
//
//go:noinline
func growStack(i int) byte {
	var pad [16 << 10]byte
	pad[i] = 1
	return pad[i/2]
}

// finish is Finish for r.
func (r *runner) finish(it Item, rec Record) {
	Finish(r.cfg.Follow, &r.follows, it, rec, r.emit, r.src)
}

// Finish ends item it of a run with its record rec: through follow (Config.Follow; nil for
// none), in a goroutine of follows so that the caller moves on, then to emit, then src.Done,
// which gets the record without its body and HTML: once emitted, the document is the sink's
// alone. A Scheduler calls it once per item.
func Finish(follow func(*Record), follows *sync.WaitGroup, it Item, rec Record, emit func(Record), src Source) {
	end := func() {
		emit(rec)
		rec.Body, rec.HTML = nil, nil
		src.Done(it, &rec)
	}
	if follow == nil {
		end()
		return
	}
	follows.Go(func() {
		follow(&rec)
		end()
	})
}

// giveUp records an item that never started.
func (r *runner) giveUp(it Item, queue time.Duration) {
	rec := r.notStarted(it, queue)
	r.emit(rec)
	r.src.Done(it, &rec)
}

// newRecord is the record of it before any attempt.
func (r *runner) newRecord(it Item) Record {
	return Record{Strategy: r.cfg.Strategy, Params: r.params, Seq: it.Seq, ID: it.ID, URL: it.URL,
		Kind: it.Kind, Depth: it.Depth, Parent: it.Parent, Phase: r.cfg.Phase}
}

// notStarted is the record of a request given up before it started.
func (r *runner) notStarted(it Item, queue time.Duration) Record {
	start := time.Since(r.t0)
	rec := r.newRecord(it)
	rec.Start, rec.Intended, rec.Queue = start, start, queue
	rec.Err, rec.Class = "not started: "+r.stopReason(), ClassCancelled
	return rec
}

func (r *runner) stopReason() string {
	var refused *QuotaWaitError
	switch {
	case r.parent.Err() != nil:
		return "interrupted"
	case errors.As(context.Cause(r.ctx), &refused):
		return "stopped: " + refused.Error()
	}
	return "deadline exceeded"
}

// offset is t's offset from the run's start in whole microseconds, the records' resolution.
// A record's durations are differences of such offsets, so that one request's end and the
// next one's start, rounded apart, can never cross.
func (r *runner) offset(t time.Time) time.Duration { return t.Sub(r.t0).Round(time.Microsecond) }

func (r *runner) emit(rec Record) {
	if rec.Kind == "" {
		rec.Kind = KindTarget
	}
	rec.StartAt = r.wall.Add(rec.Start)
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Class == ClassCancelled {
		r.stopped = true
	}
	r.last = time.Now()
	r.produced++
	r.sink(rec)
}

// fetch performs a target's attempts on w, retrying per cfg.Retries. queue is the time the
// target waited before its first attempt, apart from the rate token.
func (r *runner) fetch(w *worker, it Item, queue time.Duration) (Record, shedding) {
	rec := r.newRecord(it)
	rec.Queue = queue
	t := it.Target
	var first, intended time.Time
	var fb shedding
	for {
		if q := r.eng.quota; q != nil {
			waited, err := q.take(r.ctx)
			rec.Queue += waited
			if refused := (*QuotaWaitError)(nil); errors.As(err, &refused) {
				r.stop(refused)
			}
			if err != nil {
				if rec.Attempts == 0 {
					return r.notStarted(it, rec.Queue), fb
				}
				return rec, fb
			}
		}
		a := w.do(t.URL)
		rec.Queue += a.waited
		if a.sent.IsZero() && r.ctx.Err() != nil { // given up waiting for a token
			if rec.Attempts == 0 {
				return r.notStarted(it, rec.Queue), fb
			}
			return rec, fb // the last attempt's outcome stands
		}
		if !a.sent.IsZero() && shed(a.status, a.class) && r.ctx.Err() == nil {
			fb.shed, fb.throttled = true, a.status == http.StatusTooManyRequests
			fb.retryAfter = 0
			if ra, ok := ParseRetryAfter(a.retryAfter, time.Now()); ok {
				fb.retryAfter = min(ra, r.maxRetryAfter())
			}
		}
		if !a.sent.IsZero() {
			rec.Attempts++
			if first.IsZero() {
				first, intended = a.sent, a.intended
				if intended.IsZero() {
					intended = first
				}
				rec.Start = r.offset(first)
				rec.Intended = r.offset(intended)
				rec.Late = first.Sub(intended) > LateStart
			}
			rec.Latency = r.offset(a.done) - r.offset(a.sent)
			rec.Total = r.offset(a.done) - rec.Start
			rec.Response = r.offset(a.done) - rec.Intended
		}
		if a.err != nil && r.ctx.Err() != nil {
			a.class = ClassCancelled
			a.err = fmt.Errorf("%s: %w", r.stopReason(), a.err)
		}
		rec.Status, rec.Bytes, rec.TTFB, rec.Name, rec.Class = a.status, a.bytes, a.ttfb, a.name, a.class
		rec.Body, rec.ContentType, rec.HTML = a.body, a.ctype, a.html
		a.body, a.html = nil, nil // the record has them: an idle worker holds no document
		rec.Proto, rec.ConnReused, rec.Proxy = a.proto, a.reused, a.proxy
		rec.FinalURL = a.final
		rec.RetryAfter = a.retryAfter
		if a.cached {
			rec.Note = "from cache"
		}
		rec.Err = ""
		if a.err != nil {
			rec.Err = textsafe.Redact(a.err.Error()) // a redirect's URL may carry a password
		}
		if first.IsZero() {
			rec.Start = r.offset(time.Now())
			rec.Intended = rec.Start
		}
		if rec.Attempts > r.cfg.Retries || !retryable(a) {
			return rec, fb
		}
		wait, asked := r.backoff(rec.Attempts, a.retryAfter)
		if asked > 0 {
			rec.Note = fmt.Sprintf("server asked to wait %s before retrying; waited %s", asked, wait)
		}
		if dl, ok := r.ctx.Deadline(); ok && time.Until(dl) < wait {
			return rec, fb // waiting would pass the deadline: keep this outcome
		}
		if ra, ok := ParseRetryAfter(a.retryAfter, time.Now()); ok && ra >= wait {
			r.tellRetryAfter(a.status == http.StatusTooManyRequests, time.Now().Add(wait))
		}
		if !waitctx.Sleep(r.ctx, wait) {
			return rec, fb
		}
	}
}

// backoff is the pause before retry number n (1-based): full jitter over
// min(cap, base·2^(n-1)), raised to the server's Retry-After when that is longer, but never
// beyond MaxRetryAfter. asked is the server's Retry-After when it was cut to that cap, else 0.
func (r *runner) backoff(n int, retryAfter string) (wait, asked time.Duration) {
	base, ceil, most := r.cfg.BackoffBase, r.cfg.BackoffCap, r.maxRetryAfter()
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if ceil <= 0 {
		ceil = DefaultBackoffCap
	}
	d := ceil
	if n-1 < 30 {
		d = min(ceil, base<<(n-1))
	}
	wait = time.Duration(rand.Int64N(int64(d) + 1))
	if ra, ok := ParseRetryAfter(retryAfter, time.Now()); ok && ra > wait {
		wait = ra
		if ra > most {
			wait, asked = most, ra
		}
	}
	return wait, asked
}

// maxRetryAfter is the longest Retry-After honoured.
func (r *runner) maxRetryAfter() time.Duration {
	if r.cfg.MaxRetryAfter > 0 {
		return r.cfg.MaxRetryAfter
	}
	return DefaultMaxRetryAfter
}

// ParseRetryAfter parses a Retry-After header value, delay-seconds or an HTTP date, relative to now.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 1<<31)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(0, t.Sub(now)), true
}
