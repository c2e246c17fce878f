package ratelimit

import (
	"context"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// simServer is a server on the fake clock: workers(elapsed) requests served at once for
// latency each, the rest queued in arrival order; with rate > 0 a token bucket answers a
// request beyond it at once as dropped, asking for retryAfter.
type simServer struct {
	start      time.Time
	latency    time.Duration
	workers    func(elapsed time.Duration) int
	rate       float64
	burst      float64
	retryAfter time.Duration

	mu     sync.Mutex
	busy   int
	queue  []chan struct{}
	tokens float64
	last   time.Time
}

// serve handles one request and reports its latency and whether it was dropped.
func (s *simServer) serve() (time.Duration, bool) {
	begin := time.Now()
	s.mu.Lock()
	if s.rate > 0 {
		s.tokens = min(s.burst, s.tokens+begin.Sub(s.last).Seconds()*s.rate)
		s.last = begin
		if s.tokens < 1 {
			s.mu.Unlock()
			return 0, true
		}
		s.tokens--
	}
	if s.busy < s.workers(begin.Sub(s.start)) {
		s.busy++
		s.mu.Unlock()
	} else {
		ready := make(chan struct{})
		s.queue = append(s.queue, ready)
		s.mu.Unlock()
		<-ready
	}
	time.Sleep(s.latency)
	s.mu.Lock()
	s.busy--
	for len(s.queue) > 0 && s.busy < s.workers(time.Since(s.start)) {
		s.busy++
		close(s.queue[0])
		s.queue = s.queue[1:]
	}
	s.mu.Unlock()
	return time.Since(begin), false
}

// point is the limit at a moment of a simulated run.
type point struct {
	at    time.Duration
	limit int
}

// drive sends n requests through a to srv from callers goroutines (every request waits for
// its slot), and returns the limit at each admission and how many requests were dropped.
func drive(t *testing.T, a *Adaptive, srv *simServer, n, callers int) (trace []point, dropped int) {
	t.Helper()
	trace, drops := driveDrops(t, a, srv, n, callers)
	return trace, len(drops)
}

// driveDrops is drive returning when each dropped request was admitted.
func driveDrops(t *testing.T, a *Adaptive, srv *simServer, n, callers int) (trace []point, drops []time.Duration) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	left := n
	for range callers {
		wg.Go(func() {
			for {
				mu.Lock()
				if left == 0 {
					mu.Unlock()
					return
				}
				left--
				mu.Unlock()
				if _, err := a.Acquire(context.Background()); err != nil {
					t.Error(err)
					return
				}
				admitted := time.Now()
				mu.Lock()
				trace = append(trace, point{admitted.Sub(srv.start), a.Limit()})
				mu.Unlock()
				lat, drop := srv.serve()
				s := Sample{Admitted: admitted, Latency: lat, Succeeded: !drop, Dropped: drop, Throttled: drop}
				if drop {
					s.RetryAfter = srv.retryAfter
					mu.Lock()
					drops = append(drops, admitted.Sub(srv.start))
					mu.Unlock()
				}
				a.Release(s)
			}
		})
	}
	wg.Wait()
	sort.Slice(trace, func(i, j int) bool { return trace[i].at < trace[j].at })
	return trace, drops
}

// settled is the median limit of the admissions in [from, to).
func settled(trace []point, from, to time.Duration) int {
	var ls []int
	for _, p := range trace {
		if p.at >= from && p.at < to {
			ls = append(ls, p.limit)
		}
	}
	if len(ls) == 0 {
		return 0
	}
	sort.Ints(ls)
	return ls[len(ls)/2]
}

// limitAt is the limit of the last admission before at.
func limitAt(trace []point, at time.Duration) int {
	l := 0
	for _, p := range trace {
		if p.at >= at {
			break
		}
		l = p.limit
	}
	return l
}

func fixed(n int) func(time.Duration) int { return func(time.Duration) int { return n } }

func TestAdaptiveConverges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		workers          int
		ceiling          int
		n                int
		wantLo, wantHi   int
		wantByTwoSeconds int // the limit reached within 2 s
	}{
		{name: "8 workers", workers: 8, ceiling: 256, n: 2000, wantLo: 6, wantHi: 12},
		{name: "2 workers", workers: 2, ceiling: 256, n: 500, wantLo: 1, wantHi: 4},
		{name: "1000 workers", workers: 1000, ceiling: 256, n: 20000, wantLo: 256, wantHi: 256, wantByTwoSeconds: 64},
		{name: "ceiling", workers: 1000, ceiling: 16, n: 2000, wantLo: 16, wantHi: 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				a, err := NewAdaptive(1, tt.ceiling)
				if err != nil {
					t.Fatal(err)
				}
				srv := &simServer{start: time.Now(), latency: 50 * time.Millisecond, workers: fixed(tt.workers)}
				trace, _ := drive(t, a, srv, tt.n, tt.ceiling)
				end := trace[len(trace)-1].at
				if got := settled(trace, end/2, end+1); got < tt.wantLo || got > tt.wantHi {
					t.Errorf("settled limit %d, want %d..%d", got, tt.wantLo, tt.wantHi)
				}
				if tt.wantByTwoSeconds > 0 {
					if got := limitAt(trace, 2*time.Second); got < tt.wantByTwoSeconds {
						t.Errorf("limit %d after 2s, want at least %d", got, tt.wantByTwoSeconds)
					}
				}
			})
		})
	}
}

// TestAdaptiveFollowsServer changes the server from 8 workers to 2 at 5 s and back to 8 at
// 10 s: the limit follows down within 3 s and back up within 5 s.
func TestAdaptiveFollowsServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, err := NewAdaptive(1, 256)
		if err != nil {
			t.Fatal(err)
		}
		workers := func(at time.Duration) int {
			if at >= 5*time.Second && at < 10*time.Second {
				return 2
			}
			return 8
		}
		srv := &simServer{start: time.Now(), latency: 50 * time.Millisecond, workers: workers}
		trace, _ := drive(t, a, srv, 2600, 256)
		for _, c := range []struct {
			from, to time.Duration
			lo, hi   int
		}{
			{3 * time.Second, 5 * time.Second, 6, 12},
			{8 * time.Second, 10 * time.Second, 1, 4},
			{15 * time.Second, 17 * time.Second, 6, 12},
		} {
			if got := settled(trace, c.from, c.to); got < c.lo || got > c.hi {
				t.Errorf("limit from %s to %s: median %d, want %d..%d", c.from, c.to, got, c.lo, c.hi)
			}
		}
	})
}

// TestAdaptiveBacksOff sends to a server that drops what exceeds its token bucket (50/s,
// burst 5) and asks for a second's pause: the first drop pauses every admission for the
// Retry-After, then a pace derived from the successes keeps the run below the server's rate
// (fewer than 2 % dropped after the first second) and near it (at least 45/s), with a limit
// no larger than the pace needs.
func TestAdaptiveBacksOff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, err := NewAdaptive(1, 256)
		if err != nil {
			t.Fatal(err)
		}
		srv := &simServer{start: time.Now(), latency: 100 * time.Millisecond, workers: fixed(1000),
			rate: 50, burst: 5, tokens: 5, last: time.Now(), retryAfter: time.Second}
		const n = 2000
		trace, drops := driveDrops(t, a, srv, n, 256)
		end := trace[len(trace)-1].at
		if got := settled(trace, end/2, end+1); got > 8 {
			t.Errorf("settled limit %d against 50/s at 100ms, want at most 8", got)
		}
		late, lateDrops := 0, 0
		for _, p := range trace {
			if p.at >= time.Second {
				late++
			}
		}
		for _, at := range drops {
			if at >= time.Second {
				lateDrops++
			}
		}
		if share := float64(lateDrops) / float64(late); share >= 0.02 {
			t.Errorf("%d of %d admissions after the first second dropped, want fewer than 2%%", lateDrops, late)
		}
		if rate := float64(n) / (end + srv.latency).Seconds(); rate < 45 {
			t.Errorf("%.1f requests/s, want at least 45 (0.9 × the server's 50/s)", rate)
		}
		gap := time.Duration(0)
		for i := 1; i < len(trace); i++ {
			gap = max(gap, trace[i].at-trace[i-1].at)
		}
		if len(drops) > 0 && gap < time.Second {
			t.Errorf("longest pause between admissions %s after %d drops, want ≥ 1s (the first Retry-After)", gap, len(drops))
		}
		t.Logf("%d drops (%d after 1s of %d), %.1f/s, settled limit %d", len(drops), lateDrops, late,
			float64(n)/(end+srv.latency).Seconds(), settled(trace, end/2, end+1))
	})
}

func TestAdaptiveHalvesOncePerWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, err := NewAdaptive(1, 64)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var admitted []time.Time
		for range 4 {
			if _, err := a.Acquire(ctx); err != nil {
				t.Fatal(err)
			}
			admitted = append(admitted, time.Now())
		}
		time.Sleep(time.Millisecond)
		for _, at := range admitted {
			a.Release(Sample{Admitted: at, Dropped: true})
		}
		if got := a.Limit(); got != 2 {
			t.Errorf("limit after 4 drops of one window %d, want 2 (4 halved once)", got)
		}
		time.Sleep(time.Millisecond)
		if _, err := a.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		at := time.Now()
		time.Sleep(time.Millisecond)
		a.Release(Sample{Admitted: at, Dropped: true})
		if got := a.Limit(); got != 1 {
			t.Errorf("limit after a later drop %d, want 1", got)
		}
	})
}

func TestAdaptiveCancelledWaiter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, err := NewAdaptive(1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		waited, err := a.Acquire(ctx)
		if err == nil || waited != time.Second {
			t.Errorf("Acquire on a full limit: waited %s, err %v; want 1s and the deadline", waited, err)
		}
		a.Release(Sample{Admitted: time.Now(), Succeeded: true, Latency: time.Millisecond})
		if _, err := a.Acquire(context.Background()); err != nil {
			t.Errorf("Acquire after the cancelled waiter left: %v", err)
		}
	})
}

func TestNewAdaptiveRejects(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]int{{0, 4}, {5, 4}, {-1, -1}} {
		if _, err := NewAdaptive(c[0], c[1]); err == nil {
			t.Errorf("NewAdaptive(%d, %d): no error", c[0], c[1])
		}
	}
}
