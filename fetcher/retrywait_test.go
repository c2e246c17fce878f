package fetcher_test

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestRetryAfterToldOnce: a server answering every request 429 with Retry-After: 10 holds
// the run for 10 s per answer (the adaptive limit's admissions, or a retry); the run says so
// once, with the status and the wait, and not again. A short Retry-After is not told.
func TestRetryAfterToldOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		strategy   fetcher.Strategy
		retries    int
		c          int // the concurrency; 0 means 4
		retryAfter string
		told       int
	}{
		{name: "adaptive", strategy: fetcher.Adaptive, retryAfter: "10", told: 1},
		{name: "adaptive with retries", strategy: fetcher.Adaptive, retries: 2, retryAfter: "10", told: 1},
		{name: "semaphore retrying", strategy: fetcher.Semaphore, retries: 2, retryAfter: "10", told: 1},
		{name: "semaphore without retries", strategy: fetcher.Semaphore, retryAfter: "10", told: 0},
		{name: "adaptive, short", strategy: fetcher.Adaptive, retryAfter: "1", told: 0},
		{name: "adaptive one at a time", strategy: fetcher.Adaptive, c: 1, retryAfter: "10", told: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := faketest.HandlerInMemory(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", tc.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
				}))
				var told []fetcher.QuotaWait
				var lines strings.Builder
				say := fetcher.QuotaWaitLines(&lines, tc.strategy)
				cfg := fetcher.Config{Strategy: tc.strategy, Limits: tc.strategy.Limits(fetcher.Knobs{Concurrency: cmp.Or(tc.c, 4)}),
					Transport: srv.Transport, Retries: tc.retries,
					OnQuotaWait: func(q fetcher.QuotaWait) { told = append(told, q); say(q) }}
				var ts fetcher.TargetList
				for range 6 {
					ts = append(ts, fetcher.Target{URL: srv.URL + "/"})
				}
				start := time.Now()
				if _, err := fetcher.Run(context.Background(), cfg, ts, func(fetcher.Record) {}); err != nil {
					t.Fatal(err)
				}
				if time.Since(start) < 10*time.Second && tc.told > 0 {
					t.Fatalf("the run took %v: it did not wait for the Retry-After", time.Since(start))
				}
				if len(told) != tc.told {
					t.Fatalf("told %+v, want %d", told, tc.told)
				}
				if tc.told == 0 {
					return
				}
				if q := told[0]; q.Status != http.StatusTooManyRequests || q.Wait != 10*time.Second || !q.Until.Equal(start.Add(q.Wait)) {
					t.Errorf("told %+v, want a 429's wait of 10s from the start", q)
				}
				want := "fetchbench: " + string(tc.strategy) + ": the server answered 429 with Retry-After; waiting 10s, until "
				if got := lines.String(); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, " (later such waits are not told)\n") {
					t.Errorf("line %q, want %q…", got, want)
				}
			})
		})
	}
}
