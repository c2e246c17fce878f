package redispool

// This file owns the worker: it joins the pool, waits for jobs, and runs each job's items
// with the local scheduler under the job's global gates, until its context is done.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/internal/waitctx"
	"github.com/fetchbench/fetchbench/ratelimit"
)

// WorkerConfig is a worker's settings.
type WorkerConfig struct {
	// Name names the worker in records and in the pool; a random suffix makes its consumer id
	// unique, so two workers may share a name.
	Name string
	// MaxInFlight is the worker's own capacity: the most requests it has in progress, over
	// all the jobs it runs. It must be ≥ 1.
	MaxInFlight int
	// AllowHosts, when not empty, are the only hosts the worker sends requests to ("host" any
	// port, "host:port" that port); a target elsewhere gets one record of class
	// fetcher.ClassNotAllowed.
	AllowHosts []string
	// Log, when set, receives one line per event: joined, a job started or ended, Redis lost.
	Log io.Writer
	// OptionNamer names AllowHosts's option in the error of a record refused (field
	// "redispool.WorkerConfig.AllowHosts"); nil words it.
	OptionNamer naming.Namer
}

// Worker is one member of the pool.
type Worker struct {
	rdb   redis.UniversalClient
	cfg   WorkerConfig
	id    string // consumer id: name#random
	allow allowList
	slots *ratelimit.Semaphore

	mu   sync.Mutex
	jobs map[string]bool // running

	configured func(fetcher.Config) // tests: called with each job's Config before it runs
}

// NewWorker returns a worker on rdb; Run joins the pool.
func NewWorker(rdb redis.UniversalClient, cfg WorkerConfig) (*Worker, error) {
	if cfg.MaxInFlight < 1 {
		return nil, fmt.Errorf("max in flight %d: must be at least 1", cfg.MaxInFlight)
	}
	if cfg.Name == "" {
		return nil, errors.New("a worker needs a name")
	}
	slots, err := ratelimit.NewSemaphore(cfg.MaxInFlight)
	if err != nil {
		return nil, err
	}
	return &Worker{rdb: rdb, cfg: cfg, id: cfg.Name + "#" + randomID(4), allow: newAllowList(cfg.AllowHosts),
		slots: slots, jobs: map[string]bool{}}, nil
}

// ID is the worker's consumer id in the pool.
func (w *Worker) ID() string { return w.id }

func (w *Worker) logf(format string, a ...any) {
	if w.cfg.Log != nil {
		fmt.Fprintf(w.cfg.Log, format+"\n", a...)
	}
}

// Run registers the worker and runs every job a coordinator starts until ctx is done; then
// it takes no more work, cancels its requests in flight, sends the records it has, hands
// the items it holds without a record back to the pool for other workers, and leaves the
// pool. When Redis fails it says so, cancels its jobs and keeps trying. It returns ctx's
// error.
func (w *Worker) Run(ctx context.Context) error {
	var jobs sync.WaitGroup
	defer jobs.Wait()
	beat := make(chan error, 1)
	go func() { beat <- w.register(ctx) }()
	defer func() { <-beat }()
	lost := false
	last := ""
	for ctx.Err() == nil {
		ids, next, err := w.jobsAfter(ctx, last)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if !lost {
				w.logf("lost Redis: %v; retrying", err)
				lost = true
			}
			waitctx.Sleep(ctx, time.Second)
			continue
		}
		if lost {
			w.logf("Redis is back")
			lost = false
		}
		last = next
		for _, a := range ids {
			if a.job == "" {
				w.drop(ctx, a, "not a job announcement")
				continue
			}
			if w.claim(a.job) {
				jobs.Go(func() {
					defer w.release(a.job)
					w.runJob(ctx, a)
				})
			}
		}
	}
	return ctx.Err()
}

// register keeps the worker listed in the pool until ctx is done, then takes it off.
func (w *Worker) register(ctx context.Context) error {
	t := time.NewTicker(workerBeat)
	defer t.Stop()
	for {
		if now, err := serverMillis(ctx, w.rdb); err == nil {
			pipe := w.rdb.TxPipeline()
			pipe.ZAdd(ctx, keyWorkers, redis.Z{Score: float64(now + registration.Milliseconds()), Member: w.id})
			pipe.ZRemRangeByScore(ctx, keyWorkers, "-inf", fmt.Sprint(now))
			pipe.PExpire(ctx, keyWorkers, time.Hour)
			_, _ = pipe.Exec(ctx)
		}
		select {
		case <-ctx.Done():
			c, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			return w.rdb.ZRem(c, keyWorkers, w.id).Err()
		case <-t.C:
		}
	}
}

// announcement is an entry of the pool's jobs stream.
type announcement struct {
	entry string // its id in the stream
	job   string // "" when the entry names no job
}

// jobsAfter returns the jobs announced after last ("" at first: the recent ones), waiting a
// while for one, and the new last entry id.
func (w *Worker) jobsAfter(ctx context.Context, last string) ([]announcement, string, error) {
	var msgs []redis.XMessage
	if last == "" {
		recent, err := w.rdb.XRevRangeN(ctx, keyJobs, "+", "-", 50).Result()
		if err != nil {
			return nil, "", err
		}
		last = "0-0"
		if len(recent) > 0 {
			last = recent[0].ID
		}
		for i := len(recent) - 1; i >= 0; i-- {
			msgs = append(msgs, recent[i])
		}
	} else {
		streams, err := w.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{keyJobs, last}, Count: 50, Block: block}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, last, err
		}
		for _, st := range streams {
			msgs = append(msgs, st.Messages...)
		}
	}
	var ids []announcement
	for _, m := range msgs {
		last = m.ID
		id, _ := m.Values["job"].(string)
		ids = append(ids, announcement{entry: m.ID, job: id})
	}
	return ids, last, nil
}

// drop removes the announcement a of a job no worker can run from the pool's jobs stream, so
// that no worker reads it again, and says so when it is the one that removed it.
func (w *Worker) drop(ctx context.Context, a announcement, why string) {
	if n, err := w.rdb.XDel(ctx, keyJobs, a.entry).Result(); err == nil && n == 1 {
		w.logf("job %.100q (entry %s): %s; removed from the pool's jobs", a.job, a.entry, why)
	}
}

func (w *Worker) claim(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.jobs[id] {
		return false
	}
	w.jobs[id] = true
	return true
}

func (w *Worker) release(id string) {
	w.mu.Lock()
	delete(w.jobs, id)
	w.mu.Unlock()
}

// watchEvery is how often a worker looks at a job's state.
const watchEvery = 100 * time.Millisecond

// runJob runs the items of the job a announces until the job is done, stopped or gone, or ctx
// is done. A job that cannot run (its spec malformed or invalid) is dropped.
func (w *Worker) runJob(ctx context.Context, a announcement) {
	id := a.job
	keys := keysOf(id)
	pipe := w.rdb.Pipeline()
	valsCmd := pipe.HMGet(ctx, keys.job, "spec", "state")
	ttlCmd := pipe.PTTL(ctx, keys.job)
	_, err := pipe.Exec(ctx)
	vals := valsCmd.Val()
	if err != nil || len(vals) != 2 || vals[1] != stateRunning {
		return
	}
	var sp spec
	s, _ := vals[0].(string)
	if err := json.Unmarshal([]byte(s), &sp); err != nil {
		w.drop(ctx, a, fmt.Sprintf("its spec is not JSON: %v", err))
		return
	}
	if sp.Lease <= 0 {
		w.drop(ctx, a, fmt.Sprintf("its spec's lease %s is not positive", sp.Lease))
		return
	}
	cfg, err := sp.config(time.Now())
	if err == nil {
		cfg.Scope = w.allow.scope(sp.Scope)
		err = cfg.Validate()
	}
	kit := &jobGates{rdb: w.rdb, keys: keys, lease: sp.Lease, owner: w.id}
	var g fetcher.Gates
	if err == nil {
		g, err = cfg.Strategy.Gates(cfg.Limits, kit)
	}
	if err != nil {
		w.drop(ctx, a, err.Error())
		return
	}
	gates := fetcher.Gates{Admission: capacity(w.slots, w.cfg.MaxInFlight, g.Admission), Pacer: g.Pacer, Shared: true}
	if w.cfg.Log != nil {
		cfg.OnQuotaWait = fetcher.QuotaWaitLines(w.cfg.Log, cfg.Strategy)
	}
	if w.configured != nil {
		w.configured(cfg)
	}
	// The job ends on its own cause; the worker's end is errWorkerStopped, whose cancelled
	// items go back to the pool instead of being recorded.
	jobCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	stopJob := context.AfterFunc(ctx, func() { cancel(errWorkerStopped) })
	defer stopJob()
	stopping := func() bool { return errors.Is(context.Cause(jobCtx), errWorkerStopped) }

	src := &workSource{rdb: w.rdb, keys: keys, consumer: w.id, lease: sp.Lease, start: sp.Start,
		count: int64(min(max(w.cfg.MaxInFlight/2, 1), 32)), allowed: w.allow.allows, pending: map[int]string{}}
	pub := newPublisher(w.rdb, keys, w.cfg.Name, src, func() bool { return abandoned(context.Cause(jobCtx)) })
	src.refuse = func(it fetcher.Item) { pub.Add(w.refused(&sp, it)) }

	w.logf("job %s from %s: %s %s", id, sp.Coordinator, cfg.Strategy, cfg.Strategy.Params(cfg.Limits))
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		w.watch(jobCtx, cancel, keys, sp.Lease, ttlCmd.Val(), src, kit.sem)
	}()
	n := 0
	stats, serr := fetcher.Schedule(jobCtx, cfg, src, gates, func(r fetcher.Record) {
		if r.Class == fetcher.ClassCancelled && stopping() {
			return // its entry stays pending, handed back below
		}
		n++
		pub.Add(r)
	})
	perr := pub.Close()
	refused := asRefusal(serr)
	var rerr error
	if refused != nil {
		rerr = w.refuse(keys, refused)
	}
	cancel(nil)
	<-watched
	var handed int
	var herr error
	if stopping() {
		hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
		handed, herr = src.HandBack(hctx)
		hcancel()
	}
	switch cause := context.Cause(jobCtx); {
	case perr != nil && !errors.Is(perr, ErrJobGone):
		w.logf("job %s: %d requests; records lost: %v", id, n, perr)
	case refused != nil && rerr != nil:
		w.logf("job %s: %d requests; stopped: %v; the coordinator could not be told: %v", id, n, refused, rerr)
	case refused != nil:
		w.logf("job %s: %d requests; stopped: %v", id, n, refused)
	case herr != nil:
		w.logf("job %s: %d requests; stopped; the items it held go back to the pool after a lease: %v", id, n, herr)
	case errors.Is(cause, errWorkerStopped):
		w.logf("job %s: %d requests; stopped, %d handed back to the pool", id, n, handed)
	case abandoned(cause):
		w.logf("job %s: %d requests; abandoned: %v", id, n, cause)
	default:
		w.logf("job %s: %d requests, %d connections", id, n, stats.Connections)
	}
}

// refuse publishes in the job's hash why this worker stopped running it, for its coordinator
// to stop the run with: the first worker's refusal wins.
func (w *Worker) refuse(keys jobKeys, refused *fetcher.QuotaWaitError) error {
	b, err := refusal(refused)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return refuseScript.Run(ctx, w.rdb, []string{keys.job}, b).Err()
}

// errWorkerStopped is the cause of a job the worker left because it was stopped.
var errWorkerStopped = errors.New("the worker stopped")

// errJobGone is the cause of a job abandoned because its coordinator vanished or Redis did.
var errJobGone = errors.New("its coordinator is gone")

// errJobLost is the cause of a job abandoned because Redis lost its keys.
var errJobLost = fmt.Errorf("%w: its keys vanished before they could expire (Redis restarted or was flushed)", ErrJobLost)

// errCoordinatorGone is the cause of a job abandoned because its coordinator's last heartbeat
// was more than a lease ago.
var errCoordinatorGone = fmt.Errorf("%w: no heartbeat for more than a lease", errJobGone)

// abandoned reports whether cause is that of a job the worker left because it is gone.
func abandoned(cause error) bool { return errors.Is(cause, errJobGone) || errors.Is(cause, ErrJobLost) }

// watch ends the job when its state is no longer running, when its coordinator's last
// heartbeat was more than a lease ago (its time to live is under jobTTL − lease), when its key
// is gone (Redis lost it before it could expire, or it expired), or when Redis stays
// unreachable for a lease; meanwhile it renews the leases of the items and slots the worker
// holds. ttl is the job's time to live when the worker read it.
func (w *Worker) watch(ctx context.Context, cancel context.CancelCauseFunc, keys jobKeys, lease, ttl time.Duration, src *workSource, sem *Semaphore) {
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	lastOK, lastRenew := time.Now(), time.Now() // ttl: the job's time to live when last seen; ≤ 0: none
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pipe := w.rdb.Pipeline()
		stateCmd := pipe.HGet(ctx, keys.job, "state")
		ttlCmd := pipe.PTTL(ctx, keys.job)
		_, err := pipe.Exec(ctx)
		state := stateCmd.Val()
		switch {
		case errors.Is(err, redis.Nil) && ttl > 0 && time.Since(lastOK) < ttl:
			cancel(errJobLost)
			return
		case errors.Is(err, redis.Nil):
			cancel(errJobGone)
			return
		case err != nil:
			if time.Since(lastOK) > lease {
				cancel(fmt.Errorf("%w: Redis: %v", errJobGone, err))
				return
			}
			continue
		case state != stateRunning:
			cancel(nil)
			return
		case ttlCmd.Val() >= 0 && ttlCmd.Val() < jobTTL(lease)-lease:
			cancel(errCoordinatorGone)
			return
		}
		lastOK, ttl = time.Now(), ttlCmd.Val()
		if time.Since(lastRenew) >= lease/4 {
			lastRenew = time.Now()
			_ = src.Renew(ctx)
			if sem != nil {
				_ = sem.Renew(ctx)
			}
		}
	}
}

// refused is the record of an item outside the worker's allowed hosts.
func (w *Worker) refused(sp *spec, it fetcher.Item) fetcher.Record {
	now := time.Now()
	host := it.URL
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	return fetcher.Record{Strategy: sp.Strategy, Seq: it.Seq, ID: it.ID, URL: it.URL, StartAt: now, Kind: it.Kind,
		Depth: it.Depth, Parent: it.Parent, Queue: now.Sub(it.Queued), Class: fetcher.ClassNotAllowed,
		Err: fmt.Sprintf("refused by worker %s: host %s is not in its %s", w.cfg.Name, host, w.cfg.OptionNamer.Option("redispool.WorkerConfig.AllowHosts", "", "allowed hosts"))}
}

// randomID is n random bytes in hex.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
