package fetcher_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestQuotaWaitBounds: hostile quota headers cannot stall a run in silence. A wait for the
// quota longer than Config.MaxQuotaWait (a policy of one request per 68 years, a reset in the
// year 2100, in epoch milliseconds an hour away, or at the int64 limit) stops the run at
// once with a *QuotaWaitError that Is ErrUnfinished, every item recorded; a shorter one is
// taken and told first, saying what it waits for and until when.
func TestQuotaWaitBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		headers func(now time.Time) http.Header
		max     time.Duration       // Config.MaxQuotaWait
		sent    int                 // requests the server gets
		refused *fetcher.QuotaWait  // Wait 0: until the year 2100
		told    []fetcher.QuotaWait // the waits told, Quota aside, Until as an offset from the start
	}{
		{name: "policy of one per 68 years", sent: 2,
			headers: func(time.Time) http.Header {
				return http.Header{"Ratelimit": {`"p";r=50;t=1`}, "Ratelimit-Policy": {`"p";q=1;w=2147483647`}}
			},
			refused: &fetcher.QuotaWait{Wait: 2147483647 * time.Second, Pace: true}},
		{name: "reset in the year 2100", sent: 1,
			headers: func(time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"4102444800"}}
			},
			refused: &fetcher.QuotaWait{}},
		{name: "reset in epoch milliseconds", sent: 1,
			headers: func(now time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(now.Add(time.Hour).UnixMilli(), 10)}}
			},
			refused: &fetcher.QuotaWait{Wait: time.Hour}},
		{name: "reset at the int64 limit", sent: 1,
			headers: func(time.Time) http.Header {
				return http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"9223372036854775807"}}
			},
			refused: &fetcher.QuotaWait{Wait: 1<<63 - 1}},
		{name: "reset beyond a bound of its own", max: 30 * time.Second, sent: 1,
			headers: func(time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"60"}}
			},
			refused: &fetcher.QuotaWait{Wait: time.Minute}},
		{name: "reset within the bound", sent: 3,
			headers: func(now time.Time) http.Header {
				return http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"60"}}
			},
			told: []fetcher.QuotaWait{{Wait: time.Minute, Until: time.Time{}.Add(time.Minute)}, {Wait: time.Minute, Until: time.Time{}.Add(2 * time.Minute)}}},
		{name: "pace within the bound", sent: 3,
			headers: func(time.Time) http.Header {
				return http.Header{"Ratelimit": {`"p";r=50;t=1`}, "Ratelimit-Policy": {`"p";q=1;w=10`}}
			},
			told: []fetcher.QuotaWait{{Wait: 10 * time.Second, Until: time.Time{}.Add(10 * time.Second), Pace: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var sent atomic.Int32
				srv := faketest.HandlerInMemory(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					sent.Add(1)
					for k, v := range tc.headers(time.Now()) {
						w.Header()[k] = v
					}
				}))
				var told []fetcher.QuotaWait
				start := time.Now()
				cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 1}),
					Transport: srv.Transport, RespectQuota: true, MaxQuotaWait: tc.max,
					OnQuotaWait: func(q fetcher.QuotaWait) { told = append(told, q) }}
				ts := fetcher.TargetList{{URL: srv.URL + "/1"}, {URL: srv.URL + "/2"}, {URL: srv.URL + "/3"}}
				recs := make([]fetcher.Record, len(ts))
				_, err := fetcher.Run(context.Background(), cfg, ts, func(r fetcher.Record) { recs[r.Seq] = r })
				if got := int(sent.Load()); got != tc.sent {
					t.Errorf("the server got %d requests, want %d", got, tc.sent)
				}
				for i, r := range recs {
					if want := i < tc.sent; r.OK() != want {
						t.Errorf("record %d: ok %v (%s), want %v", i, r.OK(), r.Err, want)
					}
				}
				if len(told) != len(tc.told) {
					t.Fatalf("told %+v, want %d waits", told, len(tc.told))
				}
				for i, w := range tc.told {
					got := told[i]
					if got.Wait.Round(time.Second) != w.Wait || got.Pace != w.Pace || got.Until.Sub(start).Round(time.Second) != w.Until.Sub(time.Time{}) {
						t.Errorf("wait %d: %+v, want %v until %v after the start (pace %v)", i, got, w.Wait, w.Until.Sub(time.Time{}), w.Pace)
					}
				}
				var refused *fetcher.QuotaWaitError
				if tc.refused == nil {
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
					return
				}
				if !errors.As(err, &refused) || !errors.Is(err, fetcher.ErrUnfinished) {
					t.Fatalf("Run: %v, want a *QuotaWaitError that Is ErrUnfinished", err)
				}
				if d := time.Since(start); d >= time.Minute {
					t.Errorf("the run took %v: it waited before refusing", d)
				}
				max := tc.max
				if max == 0 {
					max = fetcher.DefaultMaxQuotaWait
				}
				want := tc.refused.Wait
				if want == 0 {
					want = time.Until(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
				}
				if got := refused.Wait.Round(time.Second); got != want.Round(time.Second) || refused.Pace != tc.refused.Pace || refused.Max != max ||
					!refused.Until.Equal(time.Now().Add(refused.Wait)) {
					t.Errorf("refused %+v, want a wait of %v (pace %v) beyond %v", refused.QuotaWait, want, tc.refused.Pace, max)
				}
				if !strings.Contains(err.Error(), "longer than the "+max.String()+" a quota wait may last") {
					t.Errorf("error %q does not say the bound", err)
				}
				for _, r := range recs[tc.sent:] {
					if r.Class != fetcher.ClassCancelled || !strings.HasPrefix(r.Err, "not started: stopped: the server's quota") {
						t.Errorf("record %d: %s %q, want cancelled by the quota", r.Seq, r.Class, r.Err)
					}
				}
			})
		})
	}
}

// TestQuotaWaitLines: each wait's line says what it waits for and until when: the time of
// day within a day, else the date as well; the refusal says the bound.
func TestQuotaWaitLines(t *testing.T) {
	t.Parallel()
	until := time.Date(2026, 12, 8, 10, 15, 0, 0, time.UTC)
	tests := []struct {
		wait fetcher.QuotaWait
		want string
	}{
		{fetcher.QuotaWait{Wait: 14*time.Minute + 58*time.Second, Until: until, Quota: fetcher.Quota{Limit: 100}},
			"fetchbench: adaptive: the server's quota is spent (0 of 100 left); waiting 14m58s for it to reset, until 10:15:00\n"},
		{fetcher.QuotaWait{Wait: 6 * time.Second, Until: until, Quota: fetcher.Quota{Limit: 10, Window: time.Minute, Remaining: 3}, Pace: true},
			"fetchbench: adaptive: the server's quota policy allows 10 per 1m0s; waiting 6s before the next request, until 10:15:00\n"},
		{fetcher.QuotaWait{Wait: 48 * time.Hour, Until: until, Quota: fetcher.Quota{Remaining: 2}},
			"fetchbench: adaptive: the server's quota is spent (2 left); waiting 48h0m0s for it to reset, until 2026-12-08 10:15:00\n"},
	}
	for _, tc := range tests {
		var b strings.Builder
		fetcher.QuotaWaitLines(&b, fetcher.Adaptive)(tc.wait)
		if b.String() != tc.want {
			t.Errorf("line %q, want %q", b.String(), tc.want)
		}
	}
	err := &fetcher.QuotaWaitError{QuotaWait: tests[1].wait, Max: 5 * time.Second}
	const want = "the server's quota policy allows 10 per 1m0s: it asks for a wait of 6s before the next request, until 10:15:00, longer than the 5s a quota wait may last"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
