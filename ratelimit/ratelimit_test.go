package ratelimit

import (
	"context"
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
		{"rate 0", func() error { _, err := NewTokenBucket(0, 1); return err }},
		{"rate negative", func() error { _, err := NewTokenBucket(-1, 1); return err }},
		{"burst 0", func() error { _, err := NewTokenBucket(1, 0); return err }},
		{"combined slots 0", func() error { _, err := NewCombined(1, 1, 0); return err }},
		{"combined rate 0", func() error { _, err := NewCombined(0, 1, 1); return err }},
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

// holders runs n goroutines that each acquire, hold for d, release, and returns the peak number
// of simultaneous holders and each acquisition's time offset.
func holders(t *testing.T, l Limiter, n int, d time.Duration) (peak int64, starts []time.Duration, waits []time.Duration) {
	t.Helper()
	var cur atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	t0 := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := l.Acquire(context.Background())
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
			l.Release()
		}()
	}
	wg.Wait()
	return peak, starts, waits
}

func TestLimiters(t *testing.T) {
	t.Parallel()
	mustSem := func(n int) Limiter { s, _ := NewSemaphore(n); return s }
	mustBucket := func(r float64, b int) Limiter { s, _ := NewTokenBucket(r, b); return s }
	mustBoth := func(r float64, b, n int) Limiter { s, _ := NewCombined(r, b, n); return s }
	tests := []struct {
		name     string
		lim      func() Limiter
		n        int
		hold     time.Duration
		wantPeak int64
		wantLast time.Duration // latest acquisition offset
	}{
		{"none", None, 20, time.Second, 20, 0},
		{"semaphore 5", func() Limiter { return mustSem(5) }, 20, time.Second, 5, 3 * time.Second},
		{"semaphore 1", func() Limiter { return mustSem(1) }, 4, time.Second, 1, 3 * time.Second},
		{"bucket 10/s burst 1", func() Limiter { return mustBucket(10, 1) }, 21, 0, 1, 2 * time.Second},
		{"bucket 10/s burst 5", func() Limiter { return mustBucket(10, 5) }, 25, 0, 5, 2 * time.Second},
		{"combined 100/s cap 2", func() Limiter { return mustBoth(100, 1, 2) }, 6, time.Second, 2, 2*time.Second + 10*time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				peak, starts, _ := holders(t, tc.lim(), tc.n, tc.hold)
				if tc.hold > 0 && peak != tc.wantPeak {
					t.Errorf("peak holders = %d, want %d", peak, tc.wantPeak)
				}
				last := time.Duration(0)
				for _, s := range starts {
					last = max(last, s)
				}
				if last != tc.wantLast {
					t.Errorf("last acquisition at %v, want %v", last, tc.wantLast)
				}
			})
		})
	}
}

func TestSemaphoreWaitIsReported(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, _ := NewSemaphore(1)
		_, _, waits := holders(t, s, 3, time.Second)
		var total time.Duration
		for _, w := range waits {
			total += w
		}
		if want := 3 * time.Second; total != want { // 0 + 1s + 2s
			t.Errorf("total wait = %v, want %v", total, want)
		}
	})
}

func TestCancelledAcquireHoldsNothing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sem, _ := NewSemaphore(1)
		bucket, _ := NewTokenBucket(1, 1)
		both, _ := NewCombined(1, 1, 1)
		for name, l := range map[string]Limiter{"semaphore": sem, "bucket": bucket, "combined": both} {
			if _, err := l.Acquire(context.Background()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			if _, err := l.Acquire(ctx); err == nil {
				t.Errorf("%s: second acquire succeeded, want ctx error", name)
			}
			cancel()
			l.Release()
			// The cancelled wait must not have kept a slot: a new acquire succeeds within a second.
			ctx, cancel = context.WithTimeout(context.Background(), 1100*time.Millisecond)
			if _, err := l.Acquire(ctx); err != nil {
				t.Errorf("%s: acquire after a cancelled wait: %v", name, err)
			} else {
				l.Release()
			}
			cancel()
		}
	})
}

func TestRetryKeepsSlotTakesToken(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		both, _ := NewCombined(1, 1, 1)
		if _, err := both.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		w, err := both.Retry(context.Background())
		if err != nil || w != time.Second {
			t.Errorf("combined Retry = %v, %v; want a 1s token wait", w, err)
		}
		both.Release()

		sem, _ := NewSemaphore(1)
		if _, err := sem.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		if w, err := sem.Retry(context.Background()); err != nil || w != 0 {
			t.Errorf("semaphore Retry = %v, %v; want 0, nil", w, err)
		}
		sem.Release()
	})
}
