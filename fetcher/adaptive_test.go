package fetcher_test

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// adaptiveRun runs n requests under adaptive (ceiling 256) against an in-memory fake with
// opts, in the caller's synctest bubble, and returns the records in start order.
func adaptiveRun(t *testing.T, opts fakeswapi.Options, n int, quota bool) []fetcher.Record {
	t.Helper()
	_, srv := faketest.StartInMemory(t, opts)
	cfg := fetcher.Config{Strategy: fetcher.Adaptive, Limits: fetcher.Adaptive.Limits(fetcher.Knobs{}),
		Transport: srv.Transport, RespectQuota: quota}
	recs, _ := runAll(t, cfg, people(t, srv.API(), n))
	sort.Slice(recs, func(i, j int) bool { return recs[i].Start < recs[j].Start })
	return recs
}

// medianLimit is the median Record.Limit of the records started in [from, to).
func medianLimit(recs []fetcher.Record, from, to time.Duration) int {
	var ls []int
	for _, r := range recs {
		if r.Start >= from && r.Start < to {
			ls = append(ls, r.Limit)
		}
	}
	if len(ls) == 0 {
		return 0
	}
	slices.Sort(ls)
	return ls[len(ls)/2]
}

func wall(recs []fetcher.Record) time.Duration {
	var end time.Duration
	for _, r := range recs {
		end = max(end, r.Start+r.Total)
	}
	return end
}

// TestAdaptiveFindsTheFakesCapacity: against 8 workers at 50ms the limit settles near 8,
// the throughput is within 10% of semaphore -c 8's and the p99 latency within 1.5× the
// fake's.
func TestAdaptiveFindsTheFakesCapacity(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		opts := fakeswapi.Options{Workers: 8, Latency: 50 * time.Millisecond}
		const n = 2000
		recs := adaptiveRun(t, opts, n, false)
		end := recs[len(recs)-1].Start
		if got := medianLimit(recs, end/2, end+1); got < 6 || got > 12 {
			t.Errorf("settled limit %d, want 6..12", got)
		}
		var lat []time.Duration
		for _, r := range recs {
			if r.Limit < 1 || r.Limit > 256 {
				t.Fatalf("record %d: limit %d outside 1..256", r.Seq, r.Limit)
			}
			lat = append(lat, r.Latency)
		}
		slices.Sort(lat)
		if p99 := lat[len(lat)*99/100]; p99 > 75*time.Millisecond {
			t.Errorf("p99 latency %s, want ≤ 75ms (1.5× the fake's)", p99)
		}

		_, srv := faketest.StartInMemory(t, opts)
		cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 8}), Transport: srv.Transport}
		sem, _ := runAll(t, cfg, people(t, srv.API(), n))
		if a, s := wall(recs), wall(sem); float64(a) > float64(s)/0.9 {
			t.Errorf("adaptive took %s, semaphore -c 8 %s: want at least 0.9× its throughput", a, s)
		}
	})
}

// TestAdaptiveGrowsOnAWideServer: with 1000 workers the limit reaches 64 within 2s.
func TestAdaptiveGrowsOnAWideServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		recs := adaptiveRun(t, fakeswapi.Options{Workers: 1000, Latency: 50 * time.Millisecond}, 3000, false)
		most := 0
		for _, r := range recs {
			if r.Start < 2*time.Second {
				most = max(most, r.Limit)
			}
		}
		if most < 64 {
			t.Errorf("limit %d within 2s, want at least 64", most)
		}
	})
}

// TestAdaptiveFollowsTheFake: the fake goes from 8 workers to 2 at 5s and back at 10s; the
// limit follows down within 3s and up within 5s.
func TestAdaptiveFollowsTheFake(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		steps := []fakeswapi.WorkerStep{{At: 5 * time.Second, Workers: 2}, {At: 10 * time.Second, Workers: 8}}
		recs := adaptiveRun(t, fakeswapi.Options{Workers: 8, WorkerSteps: steps, Latency: 50 * time.Millisecond}, 2400, false)
		for _, c := range []struct {
			from, to time.Duration
			lo, hi   int
		}{
			{3 * time.Second, 5 * time.Second, 6, 12},
			{8 * time.Second, 10 * time.Second, 1, 4},
			{15 * time.Second, 16 * time.Second, 6, 12},
		} {
			if got := medianLimit(recs, c.from, c.to); got < c.lo || got > c.hi {
				t.Errorf("limit from %s to %s: median %d, want %d..%d", c.from, c.to, got, c.lo, c.hi)
			}
		}
	})
}

// TestAdaptiveAgainstARateLimit: a fake that answers 429 beyond 50/s (burst 5). Without the
// quota headers the first 429 pauses the run for its Retry-After, then a pace derived from
// the successes keeps it just below the fake's rate; with them, the run paces itself to the
// quota. Either way fewer than 2 % (0.5 % with the headers) of the requests after the first
// second meet a 429 and the throughput is at least 0.9 × 50/s.
func TestAdaptiveAgainstARateLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		quota    bool
		most429  float64 // share of requests after the first second
		minRate  float64
		maxLimit int
	}{
		{quota: false, most429: 0.02, minRate: 45, maxLimit: 8},
		{quota: true, most429: 0.005, minRate: 45, maxLimit: 256},
	} {
		t.Run("quota="+strconv.FormatBool(tc.quota), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				recs := adaptiveRun(t, fakeswapi.Options{Rate: 50, Burst: 5, Latency: 100 * time.Millisecond}, 2000, tc.quota)
				late, throttled := 0, 0
				for _, r := range recs {
					if r.Start >= time.Second {
						late++
						if r.Status == http.StatusTooManyRequests {
							throttled++
						}
					}
				}
				if share := float64(throttled) / float64(late); share >= tc.most429 {
					t.Errorf("%d of %d requests after the first second got 429, want fewer than %g", throttled, late, tc.most429)
				}
				t.Logf("%d of %d requests after the first second got 429, %.1f requests/s", throttled, late, float64(len(recs))/wall(recs).Seconds())
				if rate := float64(len(recs)) / wall(recs).Seconds(); rate < tc.minRate {
					t.Errorf("%.1f requests/s, want at least %g", rate, tc.minRate)
				}
				end := recs[len(recs)-1].Start
				if got := medianLimit(recs, end/2, end+1); got > tc.maxLimit {
					t.Errorf("settled limit %d, want at most %d", got, tc.maxLimit)
				}
			})
		})
	}
}

// TestQuotaGateWaitsForTheReset: a server with a fixed window of 5 requests per 10 s,
// stated in X-RateLimit headers, is never sent a sixth before its reset; the run says once
// per reset that it waits. A server that states no reset (swapi.tech) is kept within its
// quota when the run knows its window (Config.QuotaWindow), and is not without it.
func TestQuotaGateWaitsForTheReset(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		reset     bool
		window    time.Duration
		want429   bool
		wantWaits int
	}{
		{name: "reset stated", reset: true, wantWaits: 2},
		{name: "no reset, window known", window: 10 * time.Second, wantWaits: 2},
		{name: "no reset, window unknown", want429: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				start := time.Now()
				count, window := 0, 0
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					now := time.Since(start)
					if wnd := int(now / (10 * time.Second)); wnd != window {
						window, count = wnd, 0
					}
					count++
					left := max(0, 5-count)
					reset := (time.Duration(window+1)*10*time.Second - now + time.Second - 1) / time.Second
					status := http.StatusOK
					if count > 5 {
						status = http.StatusTooManyRequests
					}
					mu.Unlock()
					w.Header().Set("X-RateLimit-Limit", "5")
					w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(left))
					if tc.reset {
						w.Header().Set("X-RateLimit-Reset", strconv.Itoa(int(reset)))
					}
					w.WriteHeader(status)
				})
				srv := faketest.HandlerInMemory(t, h)
				var waits []fetcher.QuotaWait
				cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 1}),
					Transport: srv.Transport, RespectQuota: true, QuotaWindow: tc.window,
					OnQuotaWait: func(q fetcher.QuotaWait) { waits = append(waits, q) }}
				var ts fetcher.TargetList
				for i := range 12 {
					ts = append(ts, fetcher.Target{ID: i + 1, URL: srv.URL + "/x/" + strconv.Itoa(i+1)})
				}
				recs, _ := runAll(t, cfg, ts)
				throttled := 0
				for _, r := range recs {
					if r.Status == http.StatusTooManyRequests {
						throttled++
					}
				}
				if got := throttled > 0; got != tc.want429 {
					t.Errorf("%d requests got 429, want some: %v", throttled, tc.want429)
				}
				if len(waits) != tc.wantWaits {
					t.Errorf("%d quota waits reported, want %d (one per reset): %+v", len(waits), tc.wantWaits, waits)
				}
				if len(waits) > 0 && (waits[0].Quota.Limit != 5 || waits[0].Quota.Remaining != 0 || waits[0].Wait <= 0) {
					t.Errorf("first wait %+v, want 0 of 5 left and a wait", waits[0])
				}
			})
		})
	}
}

func TestParseQuota(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name   string
		header http.Header
		want   fetcher.Quota
		ok     bool
	}{
		{"draft 9", http.Header{"Ratelimit": {`"default";r=7;t=30`}, "Ratelimit-Policy": {`"burst";q=10;w=1, "default";q=100;w=60`}},
			fetcher.Quota{Limit: 100, Window: time.Minute, Remaining: 7, Reset: 30 * time.Second}, true},
		{"draft 9, fewest remaining", http.Header{"Ratelimit": {`"a";r=7;t=30, "b";r=2;t=5`}, "Ratelimit-Policy": {`"a";q=100;w=60, "b";q=10;w=1`}},
			fetcher.Quota{Limit: 10, Window: time.Second, Remaining: 2, Reset: 5 * time.Second}, true},
		{"draft 8 dictionary", http.Header{"Ratelimit": {"limit=100, remaining=50, reset=5"}},
			fetcher.Quota{Limit: 100, Remaining: 50, Reset: 5 * time.Second}, true},
		{"draft 7 fields", http.Header{"Ratelimit-Limit": {"100"}, "Ratelimit-Remaining": {"3"}, "Ratelimit-Reset": {"9"}, "Ratelimit-Policy": {"100;w=900"}},
			fetcher.Quota{Limit: 100, Window: 15 * time.Minute, Remaining: 3, Reset: 9 * time.Second}, true},
		{"x-ratelimit seconds", http.Header{"X-Ratelimit-Limit": {"100"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"900"}},
			fetcher.Quota{Limit: 100, Remaining: 0, Reset: 15 * time.Minute}, true},
		{"x-ratelimit unix time", http.Header{"X-Ratelimit-Remaining": {"4"}, "X-Ratelimit-Reset": {"1800000060"}},
			fetcher.Quota{Remaining: 4, Reset: time.Minute}, true},
		{"x-ratelimit unix time in milliseconds", http.Header{"X-Ratelimit-Remaining": {"4"}, "X-Ratelimit-Reset": {"1800000060000"}},
			fetcher.Quota{Remaining: 4, Reset: time.Minute}, true},
		{"x-ratelimit in the year 2100", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"4102444800"}},
			fetcher.Quota{Remaining: 0, Reset: (4102444800 - 1_800_000_000) * time.Second}, true},
		{"reset at the int64 limit", http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"9223372036854775807"}},
			fetcher.Quota{Remaining: 0, Reset: math.MaxInt64}, true},
		{"none", http.Header{"Retry-After": {"5"}}, fetcher.Quota{}, false},
		{"garbage", http.Header{"X-Ratelimit-Remaining": {"lots"}, "Ratelimit": {"what"}}, fetcher.Quota{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := fetcher.ParseQuota(tc.header, now)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
