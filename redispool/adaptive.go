package redispool

// This file owns a job's adaptive limit shared by the pool: one limit in Redis that every
// worker's outcomes move and every worker admits under.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/ratelimit"
)

// Adaptive is one adaptive limit shared by every process of a job: a semaphore of leased
// slots (as Semaphore) whose size is a ratelimit.Rule kept in Redis, moved by the outcomes of
// every worker's requests on Redis's clock. Its window (the latencies of the requests served
// since it opened, and the most slots held at once) lives in Redis too, filled by a script
// on each release; the process whose release fills it applies the rule and stores the result
// with a compare-and-set on the rule's version, as does a process whose request the server
// shed (429, 503, a timeout), so that each window closes once and a limit is cut at most
// once per window whichever worker saw it. A Retry-After holds every worker's admissions
// until it has passed on Redis's clock. Unlike ratelimit.Adaptive it has no pace: a 429
// halves the limit as a 503 does. It implements fetcher.Admission and is safe for concurrent
// use.
type Adaptive struct {
	sem   *Semaphore
	first ratelimit.Rule // the rule the job's limit starts with
	limit atomic.Int64   // the limit as this process last saw it
	clock redisClock
}

// newAdaptive returns the job's adaptive limit, which starts as first, as seen by owner
// (unique per process).
func newAdaptive(rdb redis.Cmdable, keys jobKeys, first ratelimit.Rule, lease time.Duration, owner string) *Adaptive {
	a := &Adaptive{sem: newSemaphore(rdb, keys, int(first.Ceiling), lease, owner), first: first}
	a.sem.try = a.try
	a.limit.Store(int64(first.Slots()))
	return a
}

// Acquire takes a slot, waiting until fewer slots than the limit are held across the pool
// and no Retry-After holds admissions, and returns the time it waited. It fails when ctx is
// done, the job is gone, or Redis fails; then it holds nothing.
func (a *Adaptive) Acquire(ctx context.Context) (time.Duration, error) { return a.sem.Acquire(ctx) }

// Max is the ceiling: the most slots the pool will ever hold at once.
func (a *Adaptive) Max() int { return int(a.first.Ceiling) }

// Limit is the pool's limit as this process last saw it (at its latest admission or
// change of the limit).
func (a *Adaptive) Limit() int { return int(a.limit.Load()) }

// try asks Redis once for a slot for token, opening the job's limit when no process has.
func (a *Adaptive) try(ctx context.Context, token string) (bool, time.Duration, error) {
	k := a.sem.keys
	asked := time.Now()
	v, err := adaptAcquireScript.Run(ctx, a.sem.rdb, []string{k.job, k.sem, k.adapt}, token, a.sem.lease.Milliseconds()).Int64Slice()
	if err != nil || len(v) != 4 {
		return false, 0, fmt.Errorf("adaptive limit: %w", errOr(err, v))
	}
	if v[3] > 0 {
		a.clock.learn(v[3], asked, time.Now())
	}
	switch v[0] {
	case -1:
		return false, 0, ErrJobGone
	case -2:
		return false, 0, a.open(ctx)
	}
	a.limit.Store(v[1])
	return v[0] == 1, time.Duration(v[2]) * time.Microsecond, nil
}

// errOr is err, or the error of an answer v of the wrong shape.
func errOr(err error, v any) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected answer %v", v)
}

// open opens the job's limit at a.first unless a process did.
func (a *Adaptive) open(ctx context.Context) error {
	rule, err := json.Marshal(a.first)
	if err != nil {
		return fmt.Errorf("adaptive limit: %w", err)
	}
	k := a.sem.keys
	n, err := adaptInitScript.Run(ctx, a.sem.rdb, []string{k.job, k.adapt}, rule, a.first.Slots(), ratelimit.WindowSamples(a.first.Limit)).Int()
	switch {
	case err != nil:
		return fmt.Errorf("adaptive limit: %w", err)
	case n < 0:
		return ErrJobGone
	}
	return nil
}

// Release gives back a slot held with the outcome of its request: a request the server
// served joins the window's latencies, and the release that fills the window closes it; one
// it shed cuts the limit unless it was admitted before the last cut. A failure of Redis
// leaves the slot to its lease and the outcome unsaid.
func (a *Adaptive) Release(fb fetcher.Feedback) {
	token, ok := a.sem.pop()
	if !ok {
		return
	}
	outcome := "i"
	switch {
	case fb.Result == fetcher.Dropped:
		outcome = "d"
	case fb.Answered:
		outcome = "s"
	}
	admitted := a.clock.remote(fb.Admitted)
	ctx, cancel := context.WithTimeout(context.Background(), roundTrip)
	defer cancel()
	k := a.sem.keys
	v, err := adaptReleaseScript.Run(ctx, a.sem.rdb, []string{k.job, k.sem, k.adapt, k.lat},
		token, outcome, fb.Latency.Microseconds(), admitted).Slice()
	if err != nil || len(v) == 0 {
		return
	}
	switch n := num(v[0]); {
	case n == 1 && len(v) >= 5:
		a.close(ctx, v)
	case n == 2 && len(v) == 4:
		a.drop(ctx, v[1:], time.UnixMicro(admitted), fb.RetryAfter)
	}
}

// num is a script's answer x as an integer; 0 when it is not one.
func num(x any) int64 {
	switch x := x.(type) {
	case int64:
		return x
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// state is the rule in a script's answer {version, now µs, rule JSON, ...}.
func state(v []any) (ver string, now time.Time, r ratelimit.Rule, ok bool) {
	s, _ := v[2].(string)
	if json.Unmarshal([]byte(s), &r) != nil {
		return "", time.Time{}, r, false
	}
	return fmt.Sprint(v[0]), time.UnixMicro(num(v[1])), r, true
}

// close applies the rule to the full window of v (adaptReleaseScript's answer) and stores
// the result unless another process changed the rule first (then the window it closed is
// gone with the one this process saw).
func (a *Adaptive) close(ctx context.Context, v []any) {
	ver, now, r, ok := state(v[1:4])
	if !ok {
		return
	}
	w := ratelimit.Window{Peak: int(num(v[4]))}
	for _, x := range v[5:] {
		w.Latencies = append(w.Latencies, time.Duration(num(x))*time.Microsecond)
	}
	r.Close(w, now)
	_, _ = a.store(ctx, ver, now, r, time.Time{})
}

// drop cuts the limit of the state v (version, now, rule) for a request admitted at admitted
// (Redis's clock) that the server shed, asking to wait retryAfter; when another process
// changed the rule first, it reads it again and applies the drop to it.
func (a *Adaptive) drop(ctx context.Context, v []any, admitted time.Time, retryAfter time.Duration) {
	for range 8 {
		ver, now, r, ok := state(v)
		if !ok || r.Stale(admitted) {
			return
		}
		r.Decrease(r.Limit/2, now)
		var hold time.Time
		if retryAfter > 0 {
			hold = now.Add(retryAfter)
		}
		if stored, err := a.store(ctx, ver, now, r, hold); stored || err != nil {
			return
		}
		k := a.sem.keys
		var err error
		if v, err = adaptReadScript.Run(ctx, a.sem.rdb, []string{k.job, k.adapt}).Slice(); err != nil || len(v) != 3 {
			return
		}
	}
}

// store writes r, applied at now, as the rule after version ver, with a hold until hold (zero:
// none); false when another process wrote one first.
func (a *Adaptive) store(ctx context.Context, ver string, now time.Time, r ratelimit.Rule, hold time.Time) (bool, error) {
	rule, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	var until int64
	if !hold.IsZero() {
		until = hold.UnixMicro()
	}
	k := a.sem.keys
	n, err := adaptSetScript.Run(ctx, a.sem.rdb, []string{k.job, k.sem, k.adapt, k.lat},
		ver, rule, r.Slots(), ratelimit.WindowSamples(r.Limit), now.UnixMicro(), until).Int()
	if err != nil || n != 1 {
		return false, err
	}
	a.limit.Store(int64(r.Slots()))
	return true, nil
}
