package fetcher

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestQuotaGateGivesBackAnUnusedStart: a take that counted one of the starts the server said
// remain, then was cancelled or refused while it waited for the policy's pace, gives that
// start back; once a response has set the count since, the server's count holds.
func TestQuotaGateGivesBackAnUnusedStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		most     time.Duration
		cancel   bool // cancel the take during its wait
		observe  bool // a response sets the count during the wait
		want     int
		wantRefd bool
	}{
		{name: "cancelled", most: time.Hour, cancel: true, want: 3},
		{name: "refused", most: time.Second, want: 3, wantRefd: true},
		{name: "cancelled after a response set the count", most: time.Hour, cancel: true, observe: true, want: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				g := newQuotaGate(nil, 0, tc.most)
				// 3 of 10 left before a reset in an hour; a pace of 10 per 100 s.
				g.observe(Quota{Limit: 10, Window: 100 * time.Second, Remaining: 3, Reset: time.Hour}, 0, time.Now())
				g.mu.Lock()
				g.avail = 100
				g.mu.Unlock()
				for range 4 { // the bucket's burst (the most ever said to remain, plus one) spent at once
					if _, err := g.take(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				g.mu.Lock()
				g.avail = 3
				g.mu.Unlock()
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() {
					_, err := g.take(ctx)
					done <- err
				}()
				synctest.Wait()
				if tc.observe {
					g.observe(Quota{Limit: 10, Window: 100 * time.Second, Remaining: 1, Reset: time.Hour}, 0, time.Now())
				}
				if tc.cancel {
					cancel()
				}
				err := <-done
				cancel()
				var refused *QuotaWaitError
				switch {
				case tc.wantRefd && !errors.As(err, &refused):
					t.Fatalf("take = %v, want a *QuotaWaitError", err)
				case !tc.wantRefd && !errors.Is(err, context.Canceled):
					t.Fatalf("take = %v, want it cancelled", err)
				}
				g.mu.Lock()
				defer g.mu.Unlock()
				if g.avail != tc.want {
					t.Errorf("%d starts left, want %d", g.avail, tc.want)
				}
			})
		})
	}
}
