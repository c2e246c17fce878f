package report

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// within reports whether got is within rel (relative) of want.
func within(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func TestCollectorPercentiles(t *testing.T) {
	t.Parallel()
	c := NewCollector(fetcher.Config{Strategy: fetcher.Unbounded})
	for i := 100; i >= 1; i-- {
		c.Add(fetcher.Record{Seq: 100 - i, Latency: time.Duration(i) * time.Millisecond, Attempts: 1, Status: 200})
	}
	s := c.Summary(fetcher.RunStats{Wall: 110 * time.Millisecond})
	tests := []struct {
		name      string
		got, want float64
		rel       float64
	}{
		{"min", s.LatencyMinMS, 1, 0},
		{"max", s.LatencyMaxMS, 100, 0},
		{"mean", s.LatencyMeanMS, 50.5, 0},
		{"stddev", s.LatencyStddevMS, 28.866, 0.0001},
		{"p50", s.LatencyP50MS, 50, 0.001},
		{"p90", s.LatencyP90MS, 90, 0.001},
		{"p95", s.LatencyP95MS, 95, 0.001},
		{"p99", s.LatencyP99MS, 99, 0.001},
		{"p99.9 clamped to max", s.LatencyP999MS, 100, 0},
		{"ttfb p50 (all zero)", s.TTFBP50MS, 0, 0},
		{"ideal is the max", s.IdealMS, 100, 0},
		{"efficiency (4 decimals)", s.Efficiency, 0.9091, 1e-12},
		{"req/s (3 decimals)", s.ReqPerSec, 909.091, 1e-12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !within(tt.got, tt.want, tt.rel) {
				t.Errorf("%s = %v, want %v (±%g%%)", tt.name, tt.got, tt.want, tt.rel*100)
			}
		})
	}
}

func TestCollectorCounts(t *testing.T) {
	t.Parallel()
	runs := fixture()
	tests := []struct {
		name string
		run  fixtureRun
		want Summary
	}{
		{
			name: "semaphore deadline",
			run:  runs[2],
			want: Summary{
				Strategy: fetcher.Semaphore, Concurrency: 2,
				Requests: 6, OK: 3, Errors: 3,
				StatusCounts:     map[int]int{200: 3},
				ErrorClasses:     map[fetcher.ErrorClass]int{fetcher.ClassTimeout: 1, fetcher.ClassCancelled: 2},
				Bytes:            3000,
				Attempts:         4,
				Cancelled:        2,
				PeakInFlight:     2,
				DeadlineExceeded: true,
			},
		},
		{
			name: "ratelimit retry",
			run:  runs[3],
			want: Summary{
				Strategy: fetcher.RateLimit, Rate: 10, Burst: 1,
				Requests: 6, OK: 5, Errors: 1,
				StatusCounts: map[int]int{200: 5, 404: 1},
				ErrorClasses: map[fetcher.ErrorClass]int{fetcher.ClassHTTP4xx: 1},
				Bytes:        5023,
				Attempts:     7,
				Retried:      1,
				PeakInFlight: 2,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewCollector(tt.run.cfg)
			for _, r := range tt.run.records {
				c.Add(r)
			}
			got := c.Summary(tt.run.stats)
			counts := func(s Summary) Summary {
				return Summary{
					Strategy: s.Strategy, Concurrency: s.Concurrency, Rate: s.Rate, Burst: s.Burst,
					Requests: s.Requests, OK: s.OK, Errors: s.Errors,
					StatusCounts: s.StatusCounts, ErrorClasses: s.ErrorClasses,
					Bytes: s.Bytes, Attempts: s.Attempts, Retried: s.Retried, Cancelled: s.Cancelled,
					PeakInFlight: s.PeakInFlight, DeadlineExceeded: s.DeadlineExceeded, Interrupted: s.Interrupted,
				}
			}
			if diff := cmp.Diff(tt.want, counts(got)); diff != "" {
				t.Errorf("Summary counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCollectorIdeal checks the collector's ideal against IdealWall of its own service times,
// rounded to the microsecond, whatever order the records arrive in; for ratelimit, whose
// fixture retries one request, against the token of the 7th attempt plus the shortest latency.
func TestCollectorIdeal(t *testing.T) {
	t.Parallel()
	for _, run := range fixture() {
		t.Run(string(run.cfg.Strategy), func(t *testing.T) {
			t.Parallel()
			c := NewCollector(run.cfg)
			service := make([]time.Duration, len(run.records))
			for _, r := range run.records {
				c.Add(r)
				if r.Attempts > 0 {
					service[r.Seq] = r.Total.Round(time.Microsecond)
				}
			}
			got := c.Summary(run.stats)
			l := run.cfg.Limits
			want := IdealWall(service, l.Slots, l.Rate, l.Burst)
			if run.cfg.Strategy == fetcher.RateLimit {
				want = 600*time.Millisecond + 25*time.Millisecond // 7 attempts at 10/s; the 25ms 404
			}
			if dur(got.IdealMS) != want {
				t.Errorf("IdealMS = %v, want IdealWall %v", dur(got.IdealMS), want)
			}
			if got.Efficiency != round(float64(want)/float64(run.stats.Wall), 4) {
				t.Errorf("Efficiency = %v, want %v", got.Efficiency, float64(want)/float64(run.stats.Wall))
			}
		})
	}
}

func TestCollectorService(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		recs []fetcher.Record
		cfg  fetcher.Config
		want float64
	}{
		{
			name: "total preferred over latency",
			cfg:  fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})},
			recs: []fetcher.Record{{Seq: 0, Latency: msd(10), Total: msd(30), Attempts: 2}, {Seq: 1, Latency: msd(5), Attempts: 1}},
			want: 35,
		},
		{
			name: "never sent counts 0",
			cfg:  fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})},
			recs: []fetcher.Record{{Seq: 0, Latency: msd(10), Attempts: 1}, {Seq: 1, Latency: msd(50), Total: msd(50), Attempts: 0}},
			want: 10,
		},
		{
			name: "sparse seq grows",
			cfg:  fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})},
			recs: []fetcher.Record{{Seq: 1000, Latency: msd(2), Attempts: 1}, {Seq: 3, Latency: msd(1), Attempts: 1}},
			want: 3,
		},
		{
			name: "negative seq ignored for ideal",
			cfg:  fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})},
			recs: []fetcher.Record{{Seq: -1, Latency: msd(2), Attempts: 1}, {Seq: 0, Latency: msd(1), Attempts: 1}},
			want: 1,
		},
		{
			name: "ratelimit burst and cap",
			cfg:  fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(fetcher.Knobs{Rate: 10, Burst: 2, Concurrency: 1, CapRate: true})},
			recs: []fetcher.Record{{Seq: 0, Latency: msd(50), Attempts: 1}, {Seq: 1, Latency: msd(50), Attempts: 1}, {Seq: 2, Latency: msd(10), Attempts: 1}},
			want: 110,
		},
		{
			name: "empty",
			cfg:  fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 3})},
			want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewCollector(tt.cfg)
			for _, r := range tt.recs {
				c.Add(r)
			}
			if got := c.Summary(fetcher.RunStats{}).IdealMS; got != tt.want {
				t.Errorf("IdealMS = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCollectorEmpty(t *testing.T) {
	t.Parallel()
	got := NewCollector(fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 4})}).Summary(fetcher.RunStats{})
	want := Summary{
		Strategy: fetcher.Semaphore, Concurrency: 4,
		StatusCounts: map[int]int{}, ErrorClasses: map[fetcher.ErrorClass]int{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("empty Summary mismatch (-want +got):\n%s", diff)
	}
}

func BenchmarkCollectorAdd(b *testing.B) {
	c := NewCollector(fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 10})})
	r := fetcher.Record{Strategy: fetcher.Semaphore, Status: 200, Bytes: 1200, Attempts: 1}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Seq = i % 100_000
		r.Latency = time.Duration(50+i%200) * time.Millisecond
		r.TTFB = r.Latency - 5*time.Millisecond
		r.Total = r.Latency
		r.Queue = time.Duration(i%1000) * time.Microsecond
		c.Add(r)
		i++
	}
}

// TestCollectorPaced checks the schedule figures of a paced run: response-time percentiles,
// late starts and the achieved start rate, and that an unpaced run reports none of them.
func TestCollectorPaced(t *testing.T) {
	t.Parallel()
	rl := fetcher.RateLimit
	tests := []struct {
		name string
		cfg  fetcher.Config
		recs []fetcher.Record
		want [5]float64 // response p50, p99, max (ms), late starts, start rate
	}{
		{
			name: "paced, one late", cfg: fetcher.Config{Strategy: rl, Limits: rl.Limits(fetcher.Knobs{Rate: 10})},
			recs: []fetcher.Record{
				{Seq: 0, Start: 0, Latency: msd(20), Response: msd(20), Attempts: 1},
				{Seq: 1, Start: msd(100), Latency: msd(20), Response: msd(20), Attempts: 1},
				{Seq: 2, Start: msd(250), Intended: msd(200), Latency: msd(20), Response: msd(70), Late: true, Attempts: 1},
				{Seq: 3, Start: msd(300), Attempts: 0, Class: fetcher.ClassCancelled},
			},
			want: [5]float64{20.015, 70, 70, 1, 8}, // p50 at HDR precision; 2 starts after the first in 250ms
		},
		{
			name: "unpaced", cfg: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 2})},
			recs: []fetcher.Record{
				{Seq: 0, Latency: msd(20), Response: msd(20), Attempts: 1},
				{Seq: 1, Start: msd(20), Latency: msd(20), Response: msd(20), Late: true, Attempts: 1},
			},
		},
		{
			name: "paced, one start", cfg: fetcher.Config{Strategy: rl, Limits: rl.Limits(fetcher.Knobs{Rate: 10})},
			recs: []fetcher.Record{{Seq: 0, Latency: msd(20), Response: msd(30), Attempts: 1}},
			want: [5]float64{30, 30, 30, 0, 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := NewCollector(tc.cfg)
			for _, r := range tc.recs {
				c.Add(r)
			}
			s := c.Summary(fetcher.RunStats{Wall: msd(400)})
			got := [5]float64{s.ResponseP50MS, s.ResponseP99MS, s.ResponseMaxMS, float64(s.LateStarts), s.StartRate}
			if got != tc.want {
				t.Errorf("response p50/p99/max, late, start rate = %v, want %v", got, tc.want)
			}
		})
	}
}
