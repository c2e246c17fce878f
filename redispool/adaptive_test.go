package redispool

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/ratelimit"
)

// sharedLimit is the pool's limit in slots as Redis holds it; 0 before it opens.
func sharedLimit(t *testing.T, rdb redis.Cmdable, keys jobKeys) int {
	t.Helper()
	s, err := rdb.HGet(t.Context(), keys.adapt, "slots").Result()
	if err == redis.Nil {
		return 0
	}
	n, err2 := strconv.Atoi(s)
	if err != nil || err2 != nil {
		t.Fatalf("the limit in Redis: %q, %v", s, err)
	}
	return n
}

// workersOf are n processes' views of one job's adaptive limit, which starts as first.
func workersOf(rdb redis.Cmdable, keys jobKeys, n int, first ratelimit.Rule) []*Adaptive {
	ws := make([]*Adaptive, n)
	for i := range ws {
		ws[i] = newAdaptive(rdb, keys, first, 10*time.Second, fmt.Sprintf("w%d", i+1))
	}
	return ws
}

// held is a slot a worker took, and when.
type held struct {
	w  *Adaptive
	at time.Time
}

// admitAll takes slots for ws in turn, one each per turn, until the pool admits no more or
// each holds want; it returns the slots taken.
func admitAll(t *testing.T, ws []*Adaptive, want int) []held {
	t.Helper()
	var hs []held
	count := make([]int, len(ws))
	for more := true; more; {
		more = false
		for i, w := range ws {
			if count[i] >= want {
				continue
			}
			ok, _, err := w.sem.attempt(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				hs = append(hs, held{w, time.Now()})
				count[i]++
				more = true
			}
		}
	}
	return hs
}

// checkSettles runs n workers sharing one job's adaptive limit on rdb against a server that
// serves 8 requests at once in 50 ms and queues the rest (its latency grows with what it
// queues), each worker wanting more than the server takes: the pool's limit settles near 8
// in total, and the slots held never pass it. The latencies are the model's, not the
// clock's: only the plateau's patience reads Redis's clock, and it moves the limit by one
// either way.
func checkSettles(t *testing.T, rdb redis.Cmdable, id string, n int) {
	t.Helper()
	const capacity, base, rounds = 8, 50 * time.Millisecond, 120
	keys := keysOf(id)
	rdb.HSet(t.Context(), keys.job, "state", stateRunning)
	rdb.PExpire(t.Context(), keys.job, time.Minute)
	first, _ := ratelimit.NewRule(1, 256)
	ws := workersOf(rdb, keys, n, first)
	var limits []int
	for range rounds {
		limit := max(sharedLimit(t, rdb, keys), first.Slots())
		hs := admitAll(t, ws, 64)
		if len(hs) > limit {
			t.Fatalf("%d slots held under a limit of %d", len(hs), limit)
		}
		lat := base * time.Duration(max(len(hs), capacity)) / capacity
		for _, h := range hs {
			h.w.Release(fetcher.Feedback{Result: fetcher.Succeeded, Answered: true, Admitted: h.at, Latency: lat})
		}
		limits = append(limits, sharedLimit(t, rdb, keys))
	}
	settled := slices.Clone(limits[rounds/2:])
	slices.Sort(settled)
	if got := settled[len(settled)/2]; got < 6 || got > 12 {
		t.Errorf("settled at %d, want 6..12; limits by round: %v", got, limits)
	}
	for _, w := range ws {
		if w.Limit() < 1 || w.Limit() > 256 {
			t.Errorf("a worker sees a limit of %d", w.Limit())
		}
	}
	for _, k := range []string{keys.adapt, keys.lat} {
		if ttl := rdb.PTTL(t.Context(), k).Val(); ttl == -1 {
			t.Errorf("%s has no time to live", k)
		}
	}
}

// TestAdaptiveSettlesAcrossWorkers: one limit shared by 1 or 3 workers settles near the
// server's capacity, whatever the number of workers (checkSettles).
func TestAdaptiveSettlesAcrossWorkers(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d workers", n), func(t *testing.T) {
			t.Parallel()
			_, rdb := newMini(t)
			checkSettles(t, rdb, "settle", n)
		})
	}
}

// drops are the outcomes by which a server sheds load, and whether they ask for a wait.
var drops = []struct {
	name     string
	fb       fetcher.Feedback
	wantHold bool
}{
	{"429 with Retry-After", fetcher.Feedback{Result: fetcher.Dropped, Answered: true, Throttled: true, RetryAfter: time.Minute}, true},
	{"503", fetcher.Feedback{Result: fetcher.Dropped, Answered: true}, false},
	{"timeout", fetcher.Feedback{Result: fetcher.Dropped}, false},
}

// checkDrop: a request the server shed with fb on one worker halves the pool's limit for
// every worker, once for the requests admitted before the cut; a Retry-After (wantHold)
// holds every worker's admissions until it has passed on Redis's clock.
func checkDrop(t *testing.T, rdb redis.Cmdable, id string, fb fetcher.Feedback, wantHold bool) {
	t.Helper()
	keys := keysOf(id)
	rdb.HSet(t.Context(), keys.job, "state", stateRunning)
	rdb.PExpire(t.Context(), keys.job, time.Minute)
	first, _ := ratelimit.NewRule(1, 64)
	first.Limit, first.SlowStart = 16, false
	ws := workersOf(rdb, keys, 2, first)
	a, b := ws[0], ws[1]
	hs := admitAll(t, ws, 3)
	if len(hs) != 6 || b.Limit() != 16 {
		t.Fatalf("%d slots held, worker b sees a limit of %d; want 6 and 16", len(hs), b.Limit())
	}
	var mine []held
	for _, h := range hs {
		if h.w == a {
			mine = append(mine, h)
		}
	}
	for _, h := range mine[:2] { // the second was admitted before the first cut: no second cut
		fb.Admitted = h.at
		a.Release(fb)
	}
	if got := sharedLimit(t, rdb, keys); got != 8 {
		t.Fatalf("the pool's limit is %d after the drops, want 8", got)
	}
	ok, wait, err := b.sem.attempt(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case b.Limit() != 8:
		t.Errorf("worker b sees a limit of %d, want 8", b.Limit())
	case wantHold && (ok || wait < 50*time.Second):
		t.Errorf("worker b admitted %v, told to wait %s: want no admission for the Retry-After", ok, wait)
	case !wantHold && (!ok || wait != 0):
		t.Errorf("worker b admitted %v, told to wait %s: want an admission", ok, wait)
	}
}

// TestAdaptiveDropCutsEveryWorker: a 429, a 503 or a timeout on one worker cuts the limit of
// every worker (checkDrop).
func TestAdaptiveDropCutsEveryWorker(t *testing.T) {
	t.Parallel()
	for _, tt := range drops {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rdb := newMini(t)
			checkDrop(t, rdb, "drop", tt.fb, tt.wantHold)
		})
	}
}

// TestAdaptiveOnRealServer runs the shared adaptive limit's scripts on redis-server itself
// (its Lua and its clock): checkSettles with 3 workers, checkDrop for each drop. It shares
// database 10 with TestScriptsOnRealServer: neither is parallel.
func TestAdaptiveOnRealServer(t *testing.T) {
	rdb, _ := realRedis(t, 10)
	t.Run("settles", func(t *testing.T) {
		t.Parallel()
		checkSettles(t, rdb, "real-settle", 3)
	})
	for i, tt := range drops {
		t.Run("drop/"+tt.name, func(t *testing.T) {
			t.Parallel()
			checkDrop(t, rdb, fmt.Sprintf("real-drop-%d", i), tt.fb, tt.wantHold)
		})
	}
}

// TestPoolAdaptive runs -s adaptive through 1 and 3 workers against a fake that serves 8
// requests at once: every target has one record carrying the pool's limit, within the floor
// and the ceiling, and the server never sees more than the ceiling at once, queued requests
// included. (Where the limit settles is TestAdaptiveSettlesAcrossWorkers' to say: here the
// latencies are the machine's.)
func TestPoolAdaptive(t *testing.T) {
	t.Parallel()
	const n, ceiling = 300, 16
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			t.Parallel()
			_, rdb := newMini(t)
			fake, srv := faketest.Start(t, fakeswapi.Options{Workers: 8, Latency: 20 * time.Millisecond})
			startWorkers(t, rdb, workers, WorkerConfig{MaxInFlight: 32})
			cfg := fetcher.Config{Strategy: fetcher.Adaptive, Limits: fetcher.Adaptive.Limits(fetcher.Knobs{Concurrency: ceiling, CapRate: true})}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			got, _, err := schedule(t, ctx, rdb, cfg, fetcher.Static(targets(srv.API(), n)), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("%d records, want %d", len(got), n)
			}
			var limits []int
			for seq, r := range got {
				if !r.OK() || r.Limit < 1 || r.Limit > ceiling {
					t.Errorf("seq %d: %s, limit %d; want a success under a limit within 1..%d", seq, r.Err, r.Limit, ceiling)
				}
				limits = append(limits, r.Limit)
			}
			if peak := fake.Stats().PeakInFlight; peak > ceiling {
				t.Errorf("the fake saw %d at once, want at most %d", peak, ceiling)
			}
			slices.Sort(limits)
			t.Logf("median limit %d (the fake serves 8 at once)", limits[len(limits)/2])
		})
	}
}
