package redispool

// This file owns a job's global gates on a worker: the semaphore whose slots are leases in
// Redis, the GCRA pacer on Redis's clock, and the admission that joins the worker's own
// capacity to the job's global slots.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/waitctx"
	"github.com/fetchbench/fetchbench/ratelimit"
)

// ErrJobGone is returned by a gate whose job no longer exists in Redis (its coordinator
// finished, stopped or vanished).
var ErrJobGone = errors.New("the job is gone")

// Semaphore is a semaphore of a fixed number of slots shared by every process on one Redis:
// each slot held is a lease on Redis's clock, renewed by Renew; a slot whose holder stops
// renewing it (a worker that died) comes back once its lease has passed. Waiters of one
// process take their turn in order. It is safe for concurrent use.
type Semaphore struct {
	rdb   redis.Cmdable
	keys  jobKeys
	slots int
	lease time.Duration
	owner string

	// try asks Redis once for a slot for token: whether it was taken and, when not, how
	// long at least before the next try is worth it. Its error ends Acquire.
	try func(ctx context.Context, token string) (bool, time.Duration, error)

	turn chan struct{} // held by the one waiter that asks Redis
	next atomic.Int64
	mu   sync.Mutex
	held []string
}

// newSemaphore returns the job's semaphore of slots as seen by owner (unique per process).
func newSemaphore(rdb redis.Cmdable, keys jobKeys, slots int, lease time.Duration, owner string) *Semaphore {
	s := &Semaphore{rdb: rdb, keys: keys, slots: slots, lease: lease, owner: owner, turn: make(chan struct{}, 1)}
	s.try = s.tryFixed
	return s
}

// tryFixed takes a slot when fewer than s.slots are held.
func (s *Semaphore) tryFixed(ctx context.Context, token string) (bool, time.Duration, error) {
	n, err := acquireScript.Run(ctx, s.rdb, []string{s.keys.job, s.keys.sem}, s.slots, token, s.lease.Milliseconds()).Int()
	switch {
	case err != nil:
		return false, 0, fmt.Errorf("semaphore: %w", err)
	case n < 0:
		return false, 0, ErrJobGone
	}
	return n == 1, 0, nil
}

// semPoll bounds the pause between two tries for a slot when every slot is held.
const (
	semPollMin = 500 * time.Microsecond
	semPollMax = 8 * time.Millisecond
)

// Acquire takes a slot, waiting until one is free, and returns the time it waited. It fails
// when ctx is done, the job is gone, or Redis fails; then it holds nothing.
func (s *Semaphore) Acquire(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return time.Since(start), ctx.Err()
	}
	defer func() { <-s.turn }()
	pause := semPollMin
	for {
		ok, wait, err := s.attempt(ctx)
		switch {
		case err != nil:
			return time.Since(start), err
		case ok:
			return time.Since(start), nil
		}
		if !waitctx.Sleep(ctx, max(pause, wait)) {
			return time.Since(start), ctx.Err()
		}
		pause = min(2*pause, semPollMax)
	}
}

// attempt asks Redis once for a slot (try), which the process holds when it was taken.
func (s *Semaphore) attempt(ctx context.Context) (bool, time.Duration, error) {
	token := s.owner + ":" + strconv.FormatInt(s.next.Add(1), 10)
	ok, wait, err := s.try(ctx, token)
	if ok {
		s.mu.Lock()
		s.held = append(s.held, token)
		s.mu.Unlock()
	}
	return ok, wait, err
}

// pop forgets one slot held and returns its token; false when none is held.
func (s *Semaphore) pop() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.held) == 0 {
		return "", false
	}
	token := s.held[len(s.held)-1]
	s.held = s.held[:len(s.held)-1]
	return token, true
}

// Release gives back one slot held; the slots of a process are alike.
func (s *Semaphore) Release() {
	token, ok := s.pop()
	if !ok {
		return
	}
	// A failure leaves the slot to its lease.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.rdb.ZRem(ctx, s.keys.sem, token).Err()
}

// Renew extends the leases of the slots held.
func (s *Semaphore) Renew(ctx context.Context) error {
	s.mu.Lock()
	args := make([]any, 0, len(s.held)+1)
	args = append(args, s.lease.Milliseconds())
	for _, t := range s.held {
		args = append(args, t)
	}
	s.mu.Unlock()
	if len(args) == 1 {
		return nil
	}
	return renewScript.Run(ctx, s.rdb, []string{s.keys.sem}, args...).Err()
}

// Pacer is a GCRA on Redis's clock shared by every process on one Redis: each Take reserves
// the next start of the schedule, at most burst + rate·t in any t seconds, and waits for it
// here. A reservation is one round trip; the round trip counts in a start's lateness (the
// slot is reckoned from the moment it was asked for). Its grants mean what ratelimit.Pacer's
// do (fetcher.Pacer): Grant.Intended is the start's place in the schedule of the job's starts,
// so that a start that came late for its slot is late; a Take cancelled before its grant gives
// back its reservation unless a later one was made behind it. It implements fetcher.Pacer and
// is safe for concurrent use.
type Pacer struct {
	rdb      redis.Cmdable
	keys     jobKeys
	interval time.Duration
	burst    int
	granted  atomic.Int64
	clock    redisClock
}

// redisClock maps Redis's clock (TIME, µs since the epoch) to this process's. Redis's time is
// taken to be read halfway through a reservation's round trip (Cristian's algorithm), from the
// reservation with the shortest round trip so far: a slot's local time is then off by at most
// half of it, however long other round trips take on a loaded machine.
type redisClock struct {
	mu     sync.Mutex
	offset time.Duration // Redis's time − local time
	rtt    time.Duration // of the reservation offset comes from; 0: none yet
}

// local is the local time of Redis's time slot (µs), learning from a reservation asked at
// asked, answered at got, during which Redis's time was now (µs).
func (c *redisClock) local(slot, now int64, asked, got time.Time) time.Time {
	mid := asked.Add(max(got.Sub(asked), 1) / 2)
	offset := c.learn(now, asked, got)
	return mid.Add(time.UnixMicro(slot).Add(-offset).Sub(mid))
}

// learn learns from a call asked at asked, answered at got, during which Redis's time was
// now (µs), and returns the offset.
func (c *redisClock) learn(now int64, asked, got time.Time) time.Duration {
	rtt := max(got.Sub(asked), 1)
	mid := asked.Add(rtt / 2)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rtt == 0 || rtt < c.rtt {
		c.offset, c.rtt = time.UnixMicro(now).Sub(mid), rtt
	}
	return c.offset
}

// remote is Redis's time (µs) when the local clock read t, as learned so far.
func (c *redisClock) remote(t time.Time) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return t.Add(c.offset).UnixMicro()
}

func newPacer(rdb redis.Cmdable, keys jobKeys, rate float64, burst int) *Pacer {
	return &Pacer{rdb: rdb, keys: keys, interval: time.Duration(float64(time.Second) / rate), burst: max(burst, 1)}
}

// spin is how long before its slot a start stops sleeping and spins: a timer wakes late.
const spin = time.Millisecond

// roundTrip bounds a reservation's round trip and a give-back's, which a cancelled Take
// still completes so that it knows what to give back.
const roundTrip = 2 * time.Second

// Take reserves the next start and waits for it. On error (ctx done, the job gone, Redis
// failed) the caller may not start; a reservation it made is given back when it is still the
// latest (giveBackScript).
func (p *Pacer) Take(ctx context.Context) (ratelimit.Grant, error) {
	if err := ctx.Err(); err != nil {
		return ratelimit.Grant{}, err
	}
	asked := time.Now()
	// The reservation outlives ctx: cut short, it might be made with its answer lost.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), roundTrip)
	defer cancel()
	v, err := reserveScript.Run(rctx, p.rdb, []string{p.keys.job, p.keys.rate, p.keys.starts},
		max(p.interval.Microseconds(), 1), p.burst, ratelimit.Tolerance.Microseconds()).Slice()
	if err != nil {
		return ratelimit.Grant{}, fmt.Errorf("rate limiter: %w", err)
	}
	if len(v) != 6 || fmt.Sprint(v[0]) == "-1" {
		return ratelimit.Grant{}, ErrJobGone
	}
	n := make([]int64, len(v))
	for i, x := range v {
		n[i], _ = strconv.ParseInt(fmt.Sprint(x), 10, 64)
	}
	slot, now, index, sched := n[0], n[1], n[2], n[3]
	at := p.clock.local(slot, now, asked, time.Now())
	intended := at.Add(-time.Duration(slot-sched) * time.Microsecond)
	if err := p.wait(ctx, at); err != nil {
		gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), roundTrip)
		defer cancel()
		// A failure leaves the slot unused.
		_ = giveBackScript.Run(gctx, p.rdb, []string{p.keys.rate, p.keys.starts},
			fmt.Sprint(v[4]), max(p.interval.Microseconds(), 1), fmt.Sprint(v[5])).Err()
		return ratelimit.Grant{}, err
	}
	start := time.Now()
	p.granted.Add(1)
	return ratelimit.Grant{Index: int(index), At: start, Intended: intended, Wait: start.Sub(asked)}, nil
}

// wait sleeps until spin before until, then spins to it; it fails when ctx is done first.
func (p *Pacer) wait(ctx context.Context, until time.Time) error {
	if d := time.Until(until) - spin; d > 0 && !waitctx.Sleep(ctx, d) {
		return ctx.Err()
	}
	for time.Now().Before(until) {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Granted is how many starts this process was granted.
func (p *Pacer) Granted() int { return int(p.granted.Load()) }

// jobGates is the fetcher.GateKit of a job on a worker: its slots are a Semaphore, its
// pace a Pacer and its adapting limit an Adaptive in Redis, shared by every worker of the
// job. It keeps the Semaphore it made (an Adaptive's slots are one), whose leases the worker
// renews.
type jobGates struct {
	rdb   redis.Cmdable
	keys  jobKeys
	lease time.Duration
	owner string
	sem   *Semaphore // made by Slots or Adapt; nil until then
}

func (k *jobGates) Slots(n int) (fetcher.Admission, error) {
	if n < 1 {
		return nil, fmt.Errorf("semaphore size %d: must be at least 1", n)
	}
	k.sem = newSemaphore(k.rdb, k.keys, n, k.lease, k.owner)
	return slots{k.sem}, nil
}

func (k *jobGates) Pace(rate float64, burst int) (fetcher.Pacer, error) {
	if !(rate > 0) || burst < 1 {
		return nil, fmt.Errorf("rate %g, burst %d: want rate > 0 and burst ≥ 1", rate, burst)
	}
	return newPacer(k.rdb, k.keys, rate, burst), nil
}

func (k *jobGates) Adapt(floor, ceiling int) (fetcher.Admission, error) {
	r, err := ratelimit.NewRule(floor, ceiling)
	if err != nil {
		return nil, err
	}
	a := newAdaptive(k.rdb, k.keys, r, k.lease, k.owner)
	k.sem = a.sem
	return a, nil
}

// slots is a Semaphore as a fetcher.Admission of a fixed limit.
type slots struct{ *Semaphore }

func (s slots) Release(fetcher.Feedback) { s.Semaphore.Release() }
func (s slots) Max() int                 { return s.slots }
func (s slots) Limit() int               { return s.slots }

// admission is a job's fetcher.Admission on a worker: a slot of the worker's own capacity
// (shared by the jobs it runs), then, when the job caps requests in progress, a slot of the
// job's global gate.
type admission struct {
	local  *ratelimit.Semaphore
	global fetcher.Admission // nil: no global cap
	max    int
	adapts bool // global is an Adaptive
}

// capacity joins the worker's own capacity local, of which a job may hold at most max, to
// the job's global admission (nil: none).
func capacity(local *ratelimit.Semaphore, max int, global fetcher.Admission) *admission {
	if global != nil {
		max = min(max, global.Max())
	}
	_, adapts := global.(*Adaptive)
	return &admission{local: local, global: global, max: max, adapts: adapts}
}

func (a *admission) Acquire(ctx context.Context) (time.Duration, error) {
	waited, err := a.local.Acquire(ctx)
	if err != nil || a.global == nil {
		return waited, err
	}
	w, err := a.global.Acquire(ctx)
	if err != nil {
		a.local.Release()
	}
	return waited + w, err
}

func (a *admission) Release(fb fetcher.Feedback) {
	if a.global != nil {
		a.global.Release(fb)
	}
	a.local.Release()
}

func (a *admission) Max() int { return a.max }

// Limit is the job's limit, the whole pool's, when it adapts; else Max.
func (a *admission) Limit() int {
	if a.adapts {
		return a.global.Limit()
	}
	return a.max
}
