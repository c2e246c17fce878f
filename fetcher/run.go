package fetcher

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/fetchbench/fetchbench/internal/waitctx"
	"github.com/fetchbench/fetchbench/ratelimit"
	"github.com/fetchbench/fetchbench/swapi"
)

// Run sends exactly one request per target (plus retries) under cfg.Strategy and cfg.Limits
// and calls sink once per target with its Record as each one completes. Sink calls are
// serialized (never concurrent) and happen before Run returns. Every target yields a Record
// whatever fails: a target that could not start because ctx was cancelled or cfg.Deadline
// passed gets a ClassCancelled record.
//
// Run returns an error only for an invalid cfg, before any request is sent.
func Run(ctx context.Context, cfg Config, targets Targets, sink func(Record)) (RunStats, error) {
	if err := cfg.Validate(); err != nil {
		return RunStats{}, err
	}
	runCtx := ctx
	if cfg.Deadline > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, cfg.Deadline)
		defer cancel()
	}

	idle := cfg.Limits.Slots // connections worth keeping per host
	if idle == 0 {
		idle = targets.Len()
	}
	r := &runner{cfg: &cfg, ctx: runCtx, parent: ctx, sink: sink}
	var pacer *ratelimit.Pacer
	if l := cfg.Limits; cfg.Strategy != Sequential {
		// The constructors cannot fail: Validate checked the limits.
		if l.Slots > 0 {
			r.sem, _ = ratelimit.NewSemaphore(l.Slots)
		}
		if l.Rate > 0 {
			pacer, _ = ratelimit.NewPacer(l.Rate, l.Burst)
		}
	}
	eng := newEngine(runCtx, &cfg, idle, pacer)
	defer eng.close()
	r.eng = eng
	r.t0 = time.Now()
	r.last = r.t0
	r.dispatch(targets)

	stats := RunStats{
		Strategy:     cfg.Strategy,
		Requests:     r.produced,
		Wall:         r.last.Sub(r.t0),
		PeakInFlight: int(eng.inFlight.Peak()),
		Connections:  int(eng.dials.Load()),
	}
	if r.stopped {
		if ctx.Err() != nil {
			stats.Interrupted = true
		} else {
			stats.DeadlineExceeded = true
		}
	}
	return stats, nil
}

type runner struct {
	cfg    *Config
	ctx    context.Context // the strategy's context (deadline applied)
	parent context.Context
	sem    *ratelimit.Semaphore // nil: no cap on requests in progress
	eng    *engine
	t0     time.Time

	mu       sync.Mutex
	sink     func(Record)
	last     time.Time
	produced int
	stopped  bool // some target finished or was given up because ctx ended
}

// acquire waits for a slot when requests in progress are capped, and returns the time waited.
// On error it holds nothing.
func (r *runner) acquire() (time.Duration, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.sem == nil {
		return 0, nil
	}
	return r.sem.Acquire(r.ctx)
}

func (r *runner) release() {
	if r.sem != nil {
		r.sem.Release()
	}
}

// dispatch runs targets in input order: inline for Sequential; otherwise it hands them to
// worker goroutines, started as needed: at most Limits.Slots of them when requests in
// progress are capped, else one more whenever none is idle (for unbounded, one per target,
// all at once). Each worker reuses its request state and its grown stack from one target to
// the next. An uncapped paced run hands a target over only when the pacer has nearly reached
// it, so that few workers wait for tokens.
func (r *runner) dispatch(targets Targets) {
	n := targets.Len()
	if r.cfg.Strategy == Sequential {
		w := r.eng.newWorker()
		defer w.close()
		for i := range n {
			t := targets.At(i)
			if r.ctx.Err() != nil {
				r.giveUp(i, t, 0)
				continue
			}
			r.finish(r.fetch(w, i, t, 0))
		}
		return
	}
	var workers, follows sync.WaitGroup
	work := make(chan int)
	started := 0
	for i := range n {
		if r.sem == nil && r.eng.pacer != nil {
			r.ahead(i)
		}
		select {
		case work <- i:
			continue
		default:
		}
		switch {
		case r.sem == nil && r.eng.pacer == nil:
			// Unbounded: a new worker gets its target with it, so the dispatcher never
			// waits for one to start and every target goes on the wire at once.
			workers.Go(func() { r.work(i, work, targets, &follows) })
			continue
		case r.sem == nil || started < r.sem.Cap():
			// Handing over through work keeps the starts of a queued run in input order.
			started++
			workers.Go(func() { r.work(-1, work, targets, &follows) })
		}
		work <- i
	}
	close(work)
	workers.Wait()
	follows.Wait()
}

// ahead waits until the targets handed over but not yet granted a token are fewer than the
// burst plus the tokens due in aheadLead, or ctx is done. At low rates that is one at a time,
// which keeps the starts in input order although each takes its token only once it has its
// connection.
func (r *runner) ahead(handed int) {
	l := r.cfg.Limits
	due := int(math.Ceil(l.Rate * aheadLead.Seconds()))
	most := l.Burst - 1 + max(1, due)
	for handed-r.eng.pacer.Granted() >= most {
		if !waitctx.Sleep(r.ctx, aheadPoll) {
			return
		}
	}
}

// aheadPoll is how often ahead looks at the pacer's progress; aheadLead is the time a handed-over
// target may need before it asks for its token (polling, colly, a connection).
const (
	aheadPoll = time.Millisecond
	aheadLead = 3 * time.Millisecond
)

// work is one worker: it fetches first (unless < 0), then the targets it receives until work
// is closed.
func (r *runner) work(first int, work <-chan int, targets Targets, follows *sync.WaitGroup) {
	growStack(0)
	w := r.eng.newWorker()
	defer w.close()
	if first >= 0 {
		r.target(w, first, targets.At(first), follows)
	}
	for i := range work {
		r.target(w, i, targets.At(i), follows)
	}
}

// target runs target t (input position i) on w once a slot is free. A record to follow
// (Config.Follow) is finished in a goroutine of its own, so that the worker and its slot move
// on.
func (r *runner) target(w *worker, i int, t Target, follows *sync.WaitGroup) {
	if _, err := r.acquire(); err != nil {
		r.giveUp(i, t, time.Since(r.t0))
		return
	}
	var queue time.Duration // every target of a queued strategy is queued at t0
	if r.sem != nil || r.eng.pacer != nil {
		queue = time.Since(r.t0)
	}
	rec := r.fetch(w, i, t, queue)
	r.release()
	if r.cfg.Follow != nil {
		follows.Go(func() { r.finish(rec) })
		return
	}
	r.emit(rec)
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

// finish passes rec through Config.Follow, then to the sink.
func (r *runner) finish(rec Record) {
	if r.cfg.Follow != nil {
		r.cfg.Follow(&rec, r.extra)
	}
	r.emit(rec)
}

// extra admits and fetches one request that is not a target: Config.Follow's fetch.
func (r *runner) extra(u string) Record {
	t := Target{ID: swapi.TrailingID(u), URL: u}
	w := r.eng.newWorker()
	defer w.close()
	if r.cfg.Strategy == Sequential {
		if r.ctx.Err() != nil {
			return r.notStarted(-1, t, 0)
		}
		return r.fetch(w, -1, t, 0)
	}
	wait, err := r.acquire()
	if err != nil {
		return r.notStarted(-1, t, wait)
	}
	defer r.release()
	return r.fetch(w, -1, t, wait)
}

// giveUp records a target that never started.
func (r *runner) giveUp(seq int, t Target, queue time.Duration) {
	r.emit(r.notStarted(seq, t, queue))
}

// notStarted is the record of a request given up before it started.
func (r *runner) notStarted(seq int, t Target, queue time.Duration) Record {
	start := time.Since(r.t0)
	return Record{
		Strategy: r.cfg.Strategy, Seq: seq, ID: t.ID, URL: t.URL,
		Start: start, Intended: start, Queue: queue,
		Err: "not started: " + r.stopReason(), Class: ClassCancelled,
	}
}

func (r *runner) stopReason() string {
	if r.parent.Err() != nil {
		return "interrupted"
	}
	return "deadline exceeded"
}

func (r *runner) emit(rec Record) {
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
func (r *runner) fetch(w *worker, seq int, t Target, queue time.Duration) Record {
	rec := Record{Strategy: r.cfg.Strategy, Seq: seq, ID: t.ID, URL: t.URL, Queue: queue}
	var first, intended time.Time
	for {
		a := w.do(t.URL)
		rec.Queue += a.waited
		if a.sent.IsZero() && r.ctx.Err() != nil { // given up waiting for a token
			if rec.Attempts == 0 {
				return r.notStarted(seq, t, rec.Queue)
			}
			return rec // the last attempt's outcome stands
		}
		if !a.sent.IsZero() {
			rec.Attempts++
			if first.IsZero() {
				first, intended = a.sent, a.intended
				if intended.IsZero() {
					intended = first
				}
				rec.Start = first.Sub(r.t0)
				rec.Intended = intended.Sub(r.t0)
				rec.Late = first.Sub(intended) > LateStart
			}
			rec.Latency = a.done.Sub(a.sent)
			rec.Total = a.done.Sub(first)
			rec.Response = a.done.Sub(intended)
		}
		if a.err != nil && r.ctx.Err() != nil {
			a.class = ClassCancelled
			a.err = fmt.Errorf("%s: %w", r.stopReason(), a.err)
		}
		rec.Status, rec.Bytes, rec.TTFB, rec.Name, rec.Class = a.status, a.bytes, a.ttfb, a.name, a.class
		rec.Body, rec.ContentType, rec.HTML = a.body, a.ctype, a.html
		if a.cached {
			rec.Note = "from cache"
		}
		rec.Err = ""
		if a.err != nil {
			rec.Err = a.err.Error()
		}
		if first.IsZero() {
			rec.Start = time.Since(r.t0)
			rec.Intended = rec.Start
		}
		if rec.Attempts > r.cfg.Retries || !retryable(a) {
			return rec
		}
		wait, asked := r.backoff(rec.Attempts, a.retryAfter)
		if asked > 0 {
			rec.Note = fmt.Sprintf("server asked to wait %s before retrying; waited %s", asked, wait)
		}
		if dl, ok := r.ctx.Deadline(); ok && time.Until(dl) < wait {
			return rec // waiting would pass the deadline: keep this outcome
		}
		if !waitctx.Sleep(r.ctx, wait) {
			return rec
		}
	}
}

// backoff is the pause before retry number n (1-based): full jitter over
// min(cap, base·2^(n-1)), raised to the server's Retry-After when that is longer, but never
// beyond MaxRetryAfter. asked is the server's Retry-After when it was cut to that cap, else 0.
func (r *runner) backoff(n int, retryAfter string) (wait, asked time.Duration) {
	base, ceil, most := r.cfg.BackoffBase, r.cfg.BackoffCap, r.cfg.MaxRetryAfter
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if ceil <= 0 {
		ceil = DefaultBackoffCap
	}
	if most <= 0 {
		most = DefaultMaxRetryAfter
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
