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

	turn chan struct{} // held by the one waiter that asks Redis
	next atomic.Int64
	mu   sync.Mutex
	held []string
}

// newSemaphore returns the job's semaphore of slots as seen by owner (unique per process).
func newSemaphore(rdb redis.Cmdable, keys jobKeys, slots int, lease time.Duration, owner string) *Semaphore {
	return &Semaphore{rdb: rdb, keys: keys, slots: slots, lease: lease, owner: owner, turn: make(chan struct{}, 1)}
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
	token := s.owner + ":" + strconv.FormatInt(s.next.Add(1), 10)
	pause := semPollMin
	for {
		n, err := acquireScript.Run(ctx, s.rdb, []string{s.keys.job, s.keys.sem}, s.slots, token, s.lease.Milliseconds()).Int()
		switch {
		case err != nil:
			return time.Since(start), fmt.Errorf("semaphore: %w", err)
		case n < 0:
			return time.Since(start), ErrJobGone
		case n == 1:
			s.mu.Lock()
			s.held = append(s.held, token)
			s.mu.Unlock()
			return time.Since(start), nil
		}
		if !waitctx.Sleep(ctx, pause) {
			return time.Since(start), ctx.Err()
		}
		pause = min(2*pause, semPollMax)
	}
}

// Release gives back one slot held; the slots of a process are alike.
func (s *Semaphore) Release() {
	s.mu.Lock()
	if len(s.held) == 0 {
		s.mu.Unlock()
		return
	}
	token := s.held[len(s.held)-1]
	s.held = s.held[:len(s.held)-1]
	s.mu.Unlock()
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
// slot is reckoned from the moment it was asked for). It implements fetcher.Pacer and is safe
// for concurrent use.
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
	rtt := max(got.Sub(asked), 1)
	mid := asked.Add(rtt / 2)
	c.mu.Lock()
	if c.rtt == 0 || rtt < c.rtt {
		c.offset, c.rtt = time.UnixMicro(now).Sub(mid), rtt
	}
	offset := c.offset
	c.mu.Unlock()
	return mid.Add(time.UnixMicro(slot).Add(-offset).Sub(mid))
}

func newPacer(rdb redis.Cmdable, keys jobKeys, rate float64, burst int) *Pacer {
	return &Pacer{rdb: rdb, keys: keys, interval: time.Duration(float64(time.Second) / rate), burst: max(burst, 1)}
}

// spin is how long before its slot a start stops sleeping and spins: a timer wakes late.
const spin = time.Millisecond

// Take reserves the next start and waits for it. On error (ctx done, the job gone, Redis
// failed) the reservation, if any, is left unused.
func (p *Pacer) Take(ctx context.Context) (ratelimit.Grant, error) {
	asked := time.Now()
	v, err := reserveScript.Run(ctx, p.rdb, []string{p.keys.job, p.keys.rate, p.keys.starts},
		max(p.interval.Microseconds(), 1), p.burst).Slice()
	if err != nil {
		return ratelimit.Grant{}, fmt.Errorf("rate limiter: %w", err)
	}
	if len(v) != 3 || fmt.Sprint(v[0]) == "-1" {
		return ratelimit.Grant{}, ErrJobGone
	}
	slot, _ := strconv.ParseInt(fmt.Sprint(v[0]), 10, 64)
	now, _ := strconv.ParseInt(fmt.Sprint(v[1]), 10, 64)
	index, _ := v[2].(int64)
	intended := p.clock.local(slot, now, asked, time.Now())
	if d := time.Until(intended) - spin; d > 0 && !waitctx.Sleep(ctx, d) {
		return ratelimit.Grant{}, ctx.Err()
	}
	for time.Now().Before(intended) {
		if ctx.Err() != nil {
			return ratelimit.Grant{}, ctx.Err()
		}
	}
	at := time.Now()
	p.granted.Add(1)
	return ratelimit.Grant{Index: int(index), At: at, Intended: intended, Wait: at.Sub(asked)}, nil
}

// Granted is how many starts this process was granted.
func (p *Pacer) Granted() int { return int(p.granted.Load()) }

// admission is a job's fetcher.Admission on a worker: a slot of the worker's own capacity
// (shared by the jobs it runs), then, when the job caps requests in progress, a slot of the
// job's global Semaphore.
type admission struct {
	local  *ratelimit.Semaphore
	global *Semaphore // nil: no global cap
	max    int
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

func (a *admission) Release(fetcher.Feedback) {
	if a.global != nil {
		a.global.Release()
	}
	a.local.Release()
}

func (a *admission) Max() int { return a.max }

// Limit is Max: a pool's limit is fixed.
func (a *admission) Limit() int { return a.max }
