package ratelimit

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConstructorsRejectBadParameters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		make func() error
	}{
		{"semaphore 0", func() error { _, err := NewSemaphore(0); return err }},
		{"rate 0", func() error { _, err := NewPacer(0, 1); return err }},
		{"rate negative", func() error { _, err := NewPacer(-1, 1); return err }},
		{"rate NaN", func() error { _, err := NewPacer(math.NaN(), 1); return err }},
		{"burst 0", func() error { _, err := NewPacer(1, 0); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.make(); err == nil {
				t.Fatal("want an error, got nil")
			}
		})
	}
}

// holders runs n goroutines that each call acquire, hold for d, then call release, and
// returns the peak number of simultaneous holders, each acquisition's time offset and wait.
func holders(t *testing.T, acquire func(context.Context) (time.Duration, error), release func(), n int, d time.Duration) (peak int64, starts, waits []time.Duration) {
	t.Helper()
	var cur atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	t0 := time.Now()
	for range n {
		wg.Go(func() {
			w, err := acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			c := cur.Add(1)
			mu.Lock()
			peak = max(peak, c)
			starts = append(starts, time.Since(t0))
			waits = append(waits, w)
			mu.Unlock()
			time.Sleep(d)
			cur.Add(-1)
			release()
		})
	}
	wg.Wait()
	return peak, starts, waits
}

func TestPrimitives(t *testing.T) {
	t.Parallel()
	sem := func(n int) (func(context.Context) (time.Duration, error), func()) {
		s, _ := NewSemaphore(n)
		return s.Acquire, s.Release
	}
	bucket := func(r float64, b int) (func(context.Context) (time.Duration, error), func()) {
		p, _ := NewPacer(r, b)
		return take(p), func() {}
	}
	tests := []struct {
		name      string
		lim       func() (func(context.Context) (time.Duration, error), func())
		n         int
		hold      time.Duration
		wantPeak  int64
		wantLast  time.Duration // latest acquisition offset
		wantWaits time.Duration // sum of the reported waits
	}{
		{"semaphore 5", func() (func(context.Context) (time.Duration, error), func()) { return sem(5) }, 20, time.Second, 5, 3 * time.Second, 30 * time.Second},
		{"semaphore 1", func() (func(context.Context) (time.Duration, error), func()) { return sem(1) }, 3, time.Second, 1, 2 * time.Second, 3 * time.Second},
		{"bucket 10/s burst 1", func() (func(context.Context) (time.Duration, error), func()) { return bucket(10, 1) }, 21, 0, 1, 2 * time.Second, 21 * time.Second},
		{"bucket 10/s burst 5", func() (func(context.Context) (time.Duration, error), func()) { return bucket(10, 5) }, 25, 0, 5, 2 * time.Second, 21 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				acquire, release := tc.lim()
				peak, starts, waits := holders(t, acquire, release, tc.n, tc.hold)
				if tc.hold > 0 && peak != tc.wantPeak {
					t.Errorf("peak holders = %d, want %d", peak, tc.wantPeak)
				}
				var last, total time.Duration
				for i, s := range starts {
					last = max(last, s)
					total += waits[i]
				}
				if last != tc.wantLast {
					t.Errorf("last acquisition at %v, want %v", last, tc.wantLast)
				}
				if total != tc.wantWaits {
					t.Errorf("waits sum to %v, want %v", total, tc.wantWaits)
				}
			})
		})
	}
}

func TestCancelledWaitHoldsNothing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sem, _ := NewSemaphore(1)
		pacer, _ := NewPacer(1, 1)
		for name, l := range map[string]struct {
			acquire func(context.Context) (time.Duration, error)
			release func()
		}{"semaphore": {sem.Acquire, sem.Release}, "pacer": {take(pacer), func() {}}} {
			if _, err := l.acquire(context.Background()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			if _, err := l.acquire(ctx); err == nil {
				t.Errorf("%s: second acquire succeeded, want ctx error", name)
			}
			cancel()
			l.release()
			// The cancelled wait must not have kept a slot or a token: a new one comes within a second.
			ctx, cancel = context.WithTimeout(context.Background(), 1100*time.Millisecond)
			if w, err := l.acquire(ctx); err != nil || w > time.Second {
				t.Errorf("%s: acquire after a cancelled wait: waited %v, %v", name, w, err)
			} else {
				l.release()
			}
			cancel()
		}
	})
}

func TestAcquireOnDoneContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sem, _ := NewSemaphore(1)
	if _, err := sem.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := sem.Acquire(ctx); err == nil {
		t.Error("semaphore: acquire on a full semaphore with a done ctx succeeded")
	}
	pacer, _ := NewPacer(1, 1)
	if _, err := pacer.Take(ctx); err == nil {
		t.Error("pacer: take with a done ctx succeeded")
	}
	if sem.Cap() != 1 {
		t.Errorf("Cap = %d, want 1", sem.Cap())
	}
}

// take adapts Pacer.Take to the acquire shape of the semaphore.
func take(p *Pacer) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) {
		g, err := p.Take(ctx)
		return g.Wait, err
	}
}
