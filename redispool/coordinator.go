package redispool

// This file owns the coordinator: a fetcher.Scheduler that publishes a run's items as a job
// for the pool and streams the records the workers send back, the first one per sequence
// number, through the run's Follow to its sink.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/internal/waitctx"
)

// CoordinatorConfig is a coordinator's settings.
type CoordinatorConfig struct {
	// URL is the Redis URL, for messages (shown redacted).
	URL string
	// Lease is how long a worker may hold an item or a slot without renewing it, and how long
	// a job outlives the coordinator's last heartbeat; 0 means DefaultLease.
	Lease time.Duration
	// WaitForWorker is how long NewCoordinator waits for a worker to be in the pool; 0 means
	// DefaultWaitForWorker.
	WaitForWorker time.Duration
	// Window is the most items published and not yet recorded; 0 means DefaultWindow.
	Window int
	// Name names the coordinator in the jobs it starts; "" means host-pid.
	Name string
	// Log, when set, receives one line per wait a run is told of: a worker that left the pool
	// holding the run's slots or items, and until when the run waits for them.
	Log io.Writer
}

// Defaults of CoordinatorConfig.
const (
	DefaultWaitForWorker = 3 * time.Second
	DefaultWindow        = 4096
)

// ErrNoWorker is returned when no worker is in the pool: none joined within
// CoordinatorConfig.WaitForWorker, or every one left during a run.
var ErrNoWorker = errors.New("no worker in the pool")

// Coordinator runs a process's runs on the pool: its Schedule is a fetcher.Scheduler.
type Coordinator struct {
	rdb     redis.UniversalClient
	cfg     CoordinatorConfig
	workers int
}

// NewCoordinator returns a coordinator on rdb once at least one worker is in the pool, or
// fails with an error wrapping ErrNoWorker after cfg.WaitForWorker.
func NewCoordinator(ctx context.Context, rdb redis.UniversalClient, cfg CoordinatorConfig) (*Coordinator, error) {
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.WaitForWorker <= 0 {
		cfg.WaitForWorker = DefaultWaitForWorker
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Name == "" {
		host, _ := os.Hostname()
		cfg.Name = host + "-" + strconv.Itoa(os.Getpid())
	}
	c := &Coordinator{rdb: rdb, cfg: cfg}
	deadline := time.Now().Add(cfg.WaitForWorker)
	for {
		n, err := c.liveWorkers(ctx)
		if err != nil {
			return nil, &UnreachableError{URL: Redact(cfg.URL), Err: err}
		}
		if n > 0 {
			c.workers = n
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, &noWorkerError{url: Redact(cfg.URL), wait: cfg.WaitForWorker}
		}
		if !waitctx.Sleep(ctx, 100*time.Millisecond) {
			return nil, ctx.Err()
		}
	}
}

// Workers is how many workers were in the pool when the coordinator started.
func (c *Coordinator) Workers() int { return c.workers }

func (c *Coordinator) liveWorkers(ctx context.Context) (int, error) {
	now, err := serverMillis(ctx, c.rdb)
	if err != nil {
		return 0, err
	}
	n, err := c.rdb.ZCount(ctx, keyWorkers, strconv.FormatInt(now, 10), "+inf").Result()
	return int(n), err
}

// stopGrace is how long a stopped run waits for the workers' last records (their cancelled
// requests) before it records what is missing as not started.
const stopGrace = 3 * time.Second

// Schedule runs every item of src on the pool as one job and calls sink once per item with its
// record, as fetcher.Schedule does: the first record the workers send for each sequence
// number, its times made relative to this run's start, passed through cfg.Follow first. The
// gates are the workers' (cfg.Limits on Redis); gates is not used. When ctx is cancelled or
// cfg.Deadline passes, the workers cancel the job and the items not recorded after their last
// records are recorded as not started. When Redis fails, or every worker leaves, the items
// not recorded are recorded as not done and Schedule returns an *UnreachableError or an error
// wrapping ErrNoWorker, with the stats of the records it has.
func (c *Coordinator) Schedule(ctx context.Context, cfg fetcher.Config, src fetcher.Source, _ fetcher.Gates, sink func(fetcher.Record)) (fetcher.RunStats, error) {
	if err := cfg.Validate(); err != nil {
		return fetcher.RunStats{}, err
	}
	cfg.Scope = fetcher.RunScope(cfg, src)
	runCtx := ctx
	if cfg.Deadline > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, cfg.Deadline)
		defer cancel()
	}
	runCtx, stop := context.WithCancelCause(runCtx)
	defer stop(nil)
	r := &run{c: c, cfg: &cfg, ctx: runCtx, stop: stop, parent: ctx, src: src, sink: sink, id: randomID(8),
		params: cfg.Strategy.Params(cfg.Limits), outstanding: map[int]fetcher.Item{}, window: make(chan struct{}, c.cfg.Window)}
	r.keys = keysOf(r.id)
	r.t0 = time.Now()
	r.wall = r.t0.Round(0)
	r.last = r.t0
	err := r.run()
	stats := fetcher.RunStats{Strategy: cfg.Strategy, Requests: r.produced, Wall: r.last.Sub(r.t0), Connections: r.connected}
	var refused *fetcher.QuotaWaitError
	if errors.As(context.Cause(runCtx), &refused) && err == nil {
		return stats, refused
	}
	if r.stopped {
		switch {
		case ctx.Err() != nil:
			stats.Interrupted = true
		case cfg.Deadline > 0:
			stats.DeadlineExceeded = true
		}
	}
	return stats, err
}

// run is one job from the coordinator's side.
type run struct {
	c      *Coordinator
	cfg    *fetcher.Config
	ctx    context.Context // the run's (deadline applied)
	stop   context.CancelCauseFunc
	parent context.Context
	src    fetcher.Source
	ledger *ledger // the frontier's, when src is one; nil otherwise
	sink   func(fetcher.Record)
	id     string
	keys   jobKeys
	params string
	t0     time.Time
	wall   time.Time
	window chan struct{} // a token per item published and not yet finished

	follows sync.WaitGroup
	beaten  atomic.Int64 // when the job's keys were last renewed (Unix ns, local clock)

	departed map[string]bool // workers said to have left holding the run's work; the loop's

	mu          sync.Mutex // guards what follows
	outstanding map[int]fetcher.Item
	recorded    bitset
	last        time.Time
	produced    int
	connected   int
	stopped     bool
}

// results is one read of the results stream.
type results struct {
	records []fetcher.Record
	err     error
}

func (r *run) run() error {
	err := r.open()
	if f, ok := r.src.(*fetcher.Frontier); ok && err == nil {
		r.ledger = &ledger{rdb: r.c.rdb, keys: r.keys}
		err = f.Share(r.ctx, r.ledger)
	}
	if err != nil {
		r.drain(r.pull(), "not started: "+err.Error())
		return &UnreachableError{URL: Redact(r.c.cfg.URL), Err: err, MidRun: true}
	}
	items := r.pull()
	readCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	res := r.read(readCtx)
	beats, refusals := r.beat(readCtx)
	check := time.NewTicker(r.c.cfg.Lease / 3)
	defer check.Stop()

	var (
		fail      error // Redis lost or no worker left
		stopping  bool
		grace     <-chan time.Time
		settle    *time.Ticker
		settled   <-chan time.Time
		pulled    bool // items is closed
		noWorkers int  // heartbeats in a row that found no worker
	)
	for {
		r.mu.Lock()
		left := len(r.outstanding)
		r.mu.Unlock()
		if pulled && left == 0 {
			break
		}
		if fail != nil {
			r.giveUpAll("not done: " + fail.Error())
			r.drain(items, "not done: "+fail.Error())
			break
		}
		ctxDone := r.ctx.Done()
		if stopping {
			ctxDone = nil
		}
		select {
		case it, ok := <-items:
			if !ok {
				pulled, items = true, nil
				continue
			}
			batch := []fetcher.Item{it}
		more:
			for len(batch) < maxBatch {
				select {
				case it, ok := <-items:
					if !ok {
						pulled, items = true, nil
						break more
					}
					batch = append(batch, it)
				default:
					break more
				}
			}
			if stopping {
				for _, it := range batch {
					r.giveUp(it, "not started: "+r.stopReason())
				}
				continue
			}
			if err := r.enqueue(batch); err != nil {
				fail = err
			}
		case got := <-res:
			if got.err != nil {
				fail = got.err
				continue
			}
			for _, rec := range got.records {
				r.record(rec)
			}
		case err := <-beats:
			fail = err
		case err := <-refusals:
			r.stop(err)
		case <-check.C:
			if n, err := r.c.liveWorkers(r.parent); err == nil && n == 0 {
				noWorkers++
				if time.Duration(noWorkers)*r.c.cfg.Lease/3 > r.c.cfg.Lease {
					fail = ErrNoWorker
				}
			} else {
				noWorkers = 0
			}
			r.noteDeparted()
		case <-ctxDone:
			stopping = true
			if err := r.c.rdb.HSet(context.Background(), r.keys.job, "state", stateStopped).Err(); err != nil {
				fail = err
				continue
			}
			grace = time.After(stopGrace)
			settle = time.NewTicker(watchEvery)
			defer settle.Stop()
			settled = settle.C
		case <-settled:
			// Once no worker holds an item, what they sent arrives within a read.
			if p, err := r.c.rdb.XPending(context.Background(), r.keys.work, group).Result(); err == nil && p.Count == 0 {
				settle.Stop()
				settled = nil
				grace = time.After(block / 2)
			}
		case <-grace:
			r.giveUpAll("not started: " + r.stopReason())
		}
	}
	stopReading()
	r.follows.Wait()
	r.close()
	switch {
	case errors.Is(fail, ErrNoWorker):
		return fmt.Errorf("every worker left the pool at %s mid-run: %w", Redact(r.c.cfg.URL), ErrNoWorker)
	case errors.Is(fail, ErrJobLost):
		return fmt.Errorf("%w mid-run: its keys at %s vanished before they could expire (Redis restarted or was flushed)", ErrJobLost, Redact(r.c.cfg.URL))
	case errors.Is(fail, errStalled):
		return fail
	case fail != nil:
		return &UnreachableError{URL: Redact(r.c.cfg.URL), Err: fail, MidRun: true}
	}
	return nil
}

// noteDeparted says, once per worker, that one which stopped answering (it missed three
// beats of its registration: it died) holds slots of the job's semaphore or items of its
// work, which come back when their leases end: what the run waits for, and until when.
func (r *run) noteDeparted() {
	if r.c.cfg.Log == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.c.cfg.Lease/3)
	defer cancel()
	now, err := serverMillis(ctx, r.c.rdb)
	if err != nil {
		return
	}
	type held struct {
		slots, items int
		until        int64 // ms, Redis's clock
	}
	holders := map[string]*held{}
	holder := func(id string) *held {
		if holders[id] == nil {
			holders[id] = &held{}
		}
		return holders[id]
	}
	if slots, err := r.c.rdb.ZRangeWithScores(ctx, r.keys.sem, 0, -1).Result(); err == nil {
		for _, z := range slots {
			token, _ := z.Member.(string)
			if i := strings.LastIndexByte(token, ':'); i > 0 && int64(z.Score) > now {
				h := holder(token[:i])
				h.slots++
				h.until = max(h.until, int64(z.Score))
			}
		}
	}
	if p, err := r.c.rdb.XPending(ctx, r.keys.work, group).Result(); err == nil {
		for id, n := range p.Consumers {
			if n == 0 || r.departed[id] {
				continue
			}
			h := holder(id)
			h.items = int(n)
			if idle, err := r.c.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: r.keys.work, Group: group,
				Consumer: id, Start: "-", End: "+", Count: 100}).Result(); err == nil {
				for _, e := range idle {
					h.until = max(h.until, now+(r.c.cfg.Lease-e.Idle).Milliseconds())
				}
			}
		}
	}
	for id, h := range holders {
		if r.departed[id] {
			continue
		}
		if score, err := r.c.rdb.ZScore(ctx, keyWorkers, id).Result(); err == nil && int64(score) > now+(registration-3*workerBeat).Milliseconds() {
			continue // it beats
		} else if err != nil && !errors.Is(err, redis.Nil) {
			continue
		}
		if r.departed == nil {
			r.departed = map[string]bool{}
		}
		r.departed[id] = true
		in := max(time.Duration(h.until-now)*time.Millisecond, 0)
		var what []string
		if h.slots > 0 {
			what = append(what, plural.N(h.slots, "slot", "slots"))
		}
		if h.items > 0 {
			what = append(what, plural.N(h.items, "item", "items"))
		}
		fmt.Fprintf(r.c.cfg.Log, "the run waits for %s held by worker %s, which stopped answering: until their lease ends, at %s (in %s)\n",
			strings.Join(what, " and "), id, time.Now().Add(in).Format(time.TimeOnly), in.Round(100*time.Millisecond))
	}
}

// open creates the job's keys and announces it.
func (r *run) open() error {
	ctx := context.Background()
	sp, err := json.Marshal(specOf(r.id, r.c.cfg.Name, r.c.cfg.Lease, r.wall, *r.cfg))
	if err != nil {
		return err
	}
	pipe := r.c.rdb.TxPipeline()
	pipe.HSet(ctx, r.keys.job, "spec", sp, "state", stateRunning)
	pipe.XGroupCreateMkStream(ctx, r.keys.work, group, "0")
	for _, k := range []string{r.keys.job, r.keys.work} {
		pipe.PExpire(ctx, k, r.jobTTL())
	}
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: keyJobs, MaxLen: 1000, Approx: true, Values: []any{"job", r.id}})
	pipe.PExpire(ctx, keyJobs, time.Hour)
	_, err = pipe.Exec(ctx)
	return err
}

// beat renews the job's keys every lease/4 until ctx is done. It sends, once, the refusal a
// worker published (a *fetcher.QuotaWaitError: the run stops with it), and goes on. It sends
// the run's failure, once, and stops: the job gone from Redis (ErrJobLost), this coordinator renewing it more than a
// lease after the last time, when its workers left it (errStalled), or Redis failing for a
// lease.
func (r *run) beat(ctx context.Context) (<-chan error, <-chan error) {
	out, refusals := make(chan error, 1), make(chan error, 1)
	refused := false
	r.beaten.Store(time.Now().UnixNano())
	go func() {
		t := time.NewTicker(r.c.cfg.Lease / 4)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			ref, err := r.heartbeat(ctx)
			last := time.Unix(0, r.beaten.Load())
			switch {
			case err == nil:
				r.beaten.Store(time.Now().UnixNano())
				if ref != nil && !refused {
					refused = true
					refusals <- ref
				}
				continue
			case ctx.Err() != nil:
				return
			case errors.Is(err, ErrJobGone):
				err = r.gone()
			case errors.Is(err, errStalled):
			case time.Since(last) <= r.c.cfg.Lease:
				continue // a moment without Redis (a restart): its next answer says more
			}
			out <- err
			return
		}
	}()
	return out, refusals
}

// noWorkerError is NewCoordinator's error when no worker joined the pool at url within wait;
// it wraps ErrNoWorker. It is a naming.Worded error naming the option that joins a worker to
// a pool's Redis (field "redispool.CoordinatorConfig.URL", a coordinator's and a worker's).
type noWorkerError struct {
	url  string // redacted
	wait time.Duration
}

func (e *noWorkerError) Error() string { return e.Word(nil) }

func (e *noWorkerError) Unwrap() error { return ErrNoWorker }

// Word is the error's message with the option joining a worker named by n.
func (e *noWorkerError) Word(n naming.Namer) string {
	start := "start a worker on this Redis"
	if join := n.Option(fieldURL, "URL", ""); join != "" {
		start = "start one: fetchbench worker " + join
	}
	return fmt.Sprintf("%v at %s after %s (%s)", ErrNoWorker, e.url, e.wait, start)
}

// heartbeat keeps the job's keys alive for another jobTTL and returns the refusal a worker
// published (nil: none); it fails with ErrJobGone when the job's hash is gone, and with
// errStalled when the last heartbeat was more than a lease ago (on Redis's clock): the job's
// workers left it.
func (r *run) heartbeat(ctx context.Context) (*fetcher.QuotaWaitError, error) {
	ctx, cancel := context.WithTimeout(ctx, r.c.cfg.Lease/4)
	defer cancel()
	v, err := heartbeatScript.Run(ctx, r.c.rdb, r.keys.all(), r.jobTTL().Milliseconds(), r.c.cfg.Lease.Milliseconds()).Slice()
	if err != nil {
		return nil, err
	}
	n, _ := v[0].(int64)
	switch {
	case n == -1:
		return nil, ErrJobGone
	case n < 0:
		return nil, fmt.Errorf("%w for more than a lease (%s) between two heartbeats: its workers left the job", errStalled, r.c.cfg.Lease)
	}
	if len(v) < 2 {
		return nil, nil
	}
	s, _ := v[1].(string)
	return refusalOf(s), nil
}

// gone is the failure of a run whose job is gone from Redis: ErrJobLost when its keys had not
// yet had the time to expire since this coordinator last renewed them, else errStalled.
func (r *run) gone() error {
	since := time.Since(time.Unix(0, r.beaten.Load()))
	if since < r.jobTTL() {
		return ErrJobLost
	}
	return fmt.Errorf("%w for %s, longer than its job's keys live in Redis (%s): they expired", errStalled, since.Round(time.Millisecond), r.jobTTL())
}

// ErrJobLost is wrapped by the error of a run whose job vanished from Redis while its keys were
// alive: Redis restarted without them, or was flushed.
var ErrJobLost = errors.New("Redis lost the job") //lint:ignore ST1005 Redis is a name

// errStalled is wrapped by the error of a run whose coordinator renewed its job too late.
var errStalled = errors.New("this coordinator stalled")

// jobTTL is how long the job's keys live without a heartbeat.
func (r *run) jobTTL() time.Duration { return jobTTL(r.c.cfg.Lease) }

// close marks the job done and deletes its keys but the job's own, which expires: workers
// see it done. A job gone from Redis stays gone.
func (r *run) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = closeScript.Run(ctx, r.c.rdb, r.keys.all(), stateDone, r.c.cfg.Lease.Milliseconds()).Err()
}

// pull hands src's items over, one window token each, until src is exhausted.
func (r *run) pull() <-chan fetcher.Item {
	items := make(chan fetcher.Item, maxBatch)
	go func() {
		defer close(items)
		for {
			r.window <- struct{}{}
			it, ok := r.src.Next(r.ctx)
			if !ok {
				<-r.window
				return
			}
			items <- it
		}
	}()
	return items
}

// drain records every item left in items (nil: none) as given up with msg.
func (r *run) drain(items <-chan fetcher.Item, msg string) {
	if items == nil {
		return
	}
	for it := range items {
		r.giveUp(it, msg)
	}
}

// enqueue publishes a batch of items, each once; a pushed item whose URL the job holds for
// another item is recorded as not started.
func (r *run) enqueue(batch []fetcher.Item) error {
	args := make([]any, 0, 8*len(batch))
	r.mu.Lock()
	for _, it := range batch {
		r.outstanding[it.Seq] = it
		args = itemArgs(args, it, r.ledger.key(it))
	}
	r.mu.Unlock()
	var err error
	for try := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var v []int64
		v, err = enqueueScript.Run(ctx, r.c.rdb, []string{r.keys.job, r.keys.work, r.keys.queued, r.keys.seen}, args...).Int64Slice()
		cancel()
		if err == nil && (len(v) == 0 || v[0] < 0) {
			return r.gone()
		}
		if err == nil {
			r.refuseHeld(v[1:])
			return nil
		}
		time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
	}
	return err
}

// refuseHeld records the pushed items the enqueue script refused, given as pairs of their
// seq and the seq that holds their URL, as not started.
func (r *run) refuseHeld(pairs []int64) {
	for i := 0; i+1 < len(pairs); i += 2 {
		r.mu.Lock()
		it, ok := r.outstanding[int(pairs[i])]
		r.mu.Unlock()
		if ok {
			r.giveUp(it, fmt.Sprintf("not started: %s is already work of this job (request %d)", it.URL, pairs[i+1]))
		}
	}
}

// read reads the results stream until ctx is done, deleting what it read.
func (r *run) read(ctx context.Context) <-chan results {
	out := make(chan results)
	go func() {
		last := "0-0"
		failing := time.Time{}
		for ctx.Err() == nil {
			streams, err := r.c.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{r.keys.results, last}, Count: 16, Block: 200 * time.Millisecond}).Result()
			if err != nil && !errors.Is(err, redis.Nil) {
				if ctx.Err() != nil {
					return
				}
				if failing.IsZero() {
					failing = time.Now()
				}
				if time.Since(failing) > r.c.cfg.Lease/2 {
					select {
					case out <- results{err: err}:
					case <-ctx.Done():
					}
					return
				}
				waitctx.Sleep(ctx, 100*time.Millisecond)
				continue
			}
			failing = time.Time{}
			var got results
			var ids []string
			for _, st := range streams {
				for _, m := range st.Messages {
					last = m.ID
					ids = append(ids, m.ID)
					if b, ok := m.Values["r"].(string); ok {
						_ = decodeRecords([]byte(b), func(rec fetcher.Record) { got.records = append(got.records, rec) })
					}
				}
			}
			if len(ids) > 0 {
				_ = r.c.rdb.XDel(ctx, r.keys.results, ids...).Err()
			}
			if len(got.records) > 0 {
				select {
				case out <- got:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// record takes rec if it is the first for its sequence number: rebased on the run's start,
// through Follow, to the sink.
func (r *run) record(rec fetcher.Record) {
	r.mu.Lock()
	it, ok := r.outstanding[rec.Seq]
	if !ok || r.recorded.has(rec.Seq) {
		r.mu.Unlock()
		return // a duplicate: a reclaimed item that reached the wire twice
	}
	r.recorded.set(rec.Seq)
	delete(r.outstanding, rec.Seq)
	r.mu.Unlock()
	start := rec.StartAt.Sub(r.wall)
	rec.Intended += start - rec.Start
	rec.Start = start
	r.finish(it, rec)
}

// finish frees rec's window token (so that the work a Follow waits for can be published),
// passes rec through Follow, in a goroutine of its own, then to the sink, and tells the
// source that it is done.
func (r *run) finish(it fetcher.Item, rec fetcher.Record) {
	<-r.window
	rec.Strategy, rec.Params, rec.Phase = r.cfg.Strategy, r.params, r.cfg.Phase
	if rec.Kind == "" {
		rec.Kind = fetcher.KindTarget
	}
	fetcher.Finish(r.cfg.Follow, &r.follows, it, rec, r.emit, r.src)
}

func (r *run) emit(rec fetcher.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Class == fetcher.ClassCancelled {
		r.stopped = true
	}
	if rec.Attempts > 0 && !rec.NeverConnected() {
		r.connected++
	}
	r.last = time.Now()
	r.produced++
	r.sink(rec)
}

// giveUp records an item that the pool did not run, with msg as its error.
func (r *run) giveUp(it fetcher.Item, msg string) {
	r.mu.Lock()
	if r.recorded.has(it.Seq) {
		r.mu.Unlock()
		return
	}
	r.recorded.set(it.Seq)
	delete(r.outstanding, it.Seq)
	r.mu.Unlock()
	start := time.Since(r.t0)
	queued := it.Queued
	if queued.IsZero() {
		queued = r.t0
	}
	rec := fetcher.Record{Seq: it.Seq, ID: it.ID, URL: it.URL, Kind: it.Kind, Depth: it.Depth, Parent: it.Parent,
		StartAt: r.wall.Add(start), Start: start, Intended: start, Queue: time.Since(queued), Err: msg, Class: fetcher.ClassCancelled}
	r.finish(it, rec)
}

// giveUpAll gives up every outstanding item with msg.
func (r *run) giveUpAll(msg string) {
	r.mu.Lock()
	left := make([]fetcher.Item, 0, len(r.outstanding))
	for _, it := range r.outstanding {
		left = append(left, it)
	}
	r.mu.Unlock()
	for _, it := range left {
		r.giveUp(it, msg)
	}
}

func (r *run) stopReason() string {
	var refused *fetcher.QuotaWaitError
	switch {
	case r.parent.Err() != nil:
		return "interrupted"
	case errors.As(context.Cause(r.ctx), &refused):
		return "stopped: " + refused.Error()
	}
	return "deadline exceeded"
}

// bitset is a set of sequence numbers.
type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

func (b *bitset) set(i int) {
	for i/64 >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}
