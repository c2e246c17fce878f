package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
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
		// Queued at 0, started at 10ms: the last ends at 110ms.
		d := time.Duration(i) * time.Millisecond
		c.Add(fetcher.Record{Seq: 100 - i, Start: msd(10), Queue: msd(10), Latency: d, Total: d, Attempts: 1, Status: 200})
	}
	s := c.Summary(fetcher.RunStats{})
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
			if wall := dur(got.WallMS); got.Efficiency != round(float64(want)/float64(wall), 4) {
				t.Errorf("Efficiency = %v, want %v", got.Efficiency, float64(want)/float64(wall))
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
		StatusCounts: map[int]int{}, ErrorClasses: map[fetcher.ErrorClass]int{}, Protocols: map[string]int{},
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
			s := c.Summary(fetcher.RunStats{})
			got := [5]float64{s.ResponseP50MS, s.ResponseP99MS, s.ResponseMaxMS, float64(s.LateStarts), s.StartRate}
			if got != tc.want {
				t.Errorf("response p50/p99/max, late, start rate = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCollectorWallAndPeak checks the wall (earliest queued → latest end) and the peak in
// flight the records give, on StartAt and, for records without it, on the Start offsets.
func TestCollectorWallAndPeak(t *testing.T) {
	t.Parallel()
	want := map[fetcher.Strategy]struct {
		wall float64
		peak int
		mean float64
	}{
		fetcher.Sequential: {565, 1, 0.991},    // the 404 ends at 545+20
		fetcher.Unbounded:  {160.15, 6, 4.308}, // the slowest starts at 0.15 and takes 160
		fetcher.Semaphore:  {250, 2, 1.759},    // the cancelled two are given up at 250
		fetcher.RateLimit:  {625, 2, 0.84},     // 100 and 200 touch, 400–505 and 500–595 overlap
	}
	for _, run := range fixture() {
		for _, timed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/start_at=%v", run.cfg.Strategy, timed), func(t *testing.T) {
				t.Parallel()
				c := NewCollector(run.cfg)
				for _, r := range run.records {
					if !timed {
						r.StartAt = time.Time{}
					}
					c.Add(r)
				}
				s := c.Summary(fetcher.RunStats{})
				w := want[run.cfg.Strategy]
				if s.WallMS != w.wall || s.PeakInFlight != w.peak || s.MeanInFlight != w.mean {
					t.Errorf("wall, peak, mean = %v, %v, %v; want %v, %v, %v", s.WallMS, s.PeakInFlight, s.MeanInFlight, w.wall, w.peak, w.mean)
				}
			})
		}
	}
}

func TestRequestLogPeak(t *testing.T) {
	t.Parallel()
	const us = int64(1)
	hour := int64(time.Hour / time.Microsecond)
	tests := []struct {
		name  string
		spans [][2]int64 // µs
		want  int
		wide  bool
	}{
		{"none", nil, 0, false},
		{"one", [][2]int64{{0, 5 * us}}, 1, false},
		{"touching do not overlap", [][2]int64{{0, 5 * us}, {5 * us, 9 * us}, {9 * us, 10 * us}}, 1, false},
		{"nested", [][2]int64{{0, 100 * us}, {10 * us, 20 * us}, {15 * us, 18 * us}, {30 * us, 40 * us}}, 3, false},
		{"a microsecond each", [][2]int64{{0, 1}, {0, 1}}, 2, false},
		{"before the first", [][2]int64{{10 * us, 20 * us}, {-100 * us, 15 * us}}, 2, false},
		{"past 35 minutes: int64", [][2]int64{{0, 2 * hour}, {hour, hour + us}, {-hour, hour + 2*us}}, 3, true},
		{"far apart", [][2]int64{{-3 * hour, -3*hour + us}, {3 * hour, 3*hour + us}}, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var l requestLog
			for i, s := range tc.spans {
				l.add(i, uint32(s[1]-s[0]), s[0], s[1], true)
			}
			wide := l.wired > 0 && l.hi-l.lo > math.MaxInt32
			if got := l.peak(); got != tc.want || wide != tc.wide {
				t.Errorf("peak %d (wide %v), want %d (wide %v)", got, wide, tc.want, tc.wide)
			}
		})
	}
}

// TestRequestLogExact checks that a requestLog gives back exactly what it was given, over
// random entries in random order: negative, repeated and far-apart seqs, intervals hours
// apart, service times that are not the interval's length (retries, a latency of 0, the
// uint32 bounds), requests never on the wire; and that its peak is the brute-force one.
func TestRequestLogExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(19, 1))
	type entry struct {
		seq        int
		service    uint32
		start, end int64
		wired      bool
	}
	for run := range 200 {
		n := rng.IntN(3000)
		spread := []int64{1000, 1 << 20, 1 << 40}[rng.IntN(3)] // µs
		var l requestLog
		var want []entry
		for i := range n {
			e := entry{seq: i + rng.IntN(130) - 64}
			switch rng.IntN(40) {
			case 0:
				e.seq = -1 - rng.IntN(1<<20)
			case 1:
				e.seq = rng.IntN(n + 1)
			case 2:
				e.seq = math.MinInt + rng.IntN(2)
			}
			if rng.IntN(10) > 0 {
				e.wired = true
				e.start = rng.Int64N(2*spread) - spread + int64(i)*150
				e.end = e.start + 1 + rng.Int64N(20_000)
				e.service = uint32(e.end - e.start)
				switch rng.IntN(8) {
				case 0:
					e.service += uint32(rng.IntN(30_000)) // retries
				case 1:
					e.service = []uint32{0, math.MaxUint32}[rng.IntN(2)]
				}
			}
			want = append(want, e)
			l.add(e.seq, e.service, e.start, e.end, e.wired)
		}
		var got []entry
		l.each(func(seq int, service uint32, start, end int64, wired bool) {
			got = append(got, entry{seq, service, start, end, wired})
		})
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(entry{})); diff != "" {
			t.Fatalf("run %d: entries mismatch (-want +got):\n%s", run, diff)
		}
		var services []uint32
		peak := 0
		for _, e := range want {
			if e.seq >= 0 {
				if e.seq >= len(services) {
					services = append(services, make([]uint32, e.seq+1-len(services))...)
				}
				services[e.seq] = e.service
			}
			if !e.wired {
				continue
			}
			open := 0
			for _, o := range want {
				if o.wired && o.start <= e.start && e.start < o.end {
					open++
				}
			}
			peak = max(peak, open)
		}
		if diff := cmp.Diff(services, l.services()); diff != "" {
			t.Fatalf("run %d: services mismatch (-want +got):\n%s", run, diff)
		}
		if got := l.peak(); got != peak {
			t.Fatalf("run %d: peak %d, want %d", run, got, peak)
		}
	}
}

// genRun is a random record stream of a run under l, as a scheduler would produce it: every
// request queued at t0, started in input order at the earliest moment its token and a slot
// allow, plus a random delay; the wire time is the last part of its total (retries before it);
// some requests, at the end, are never started (cancelled). Times are whole microseconds.
func genRun(rng *rand.Rand, s fetcher.Strategy, l fetcher.Limits, n int) []fetcher.Record {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	us := func(max int) time.Duration { return time.Duration(rng.IntN(max)) * time.Microsecond }
	slots := l.Slots
	if slots == 0 {
		slots = n
	}
	free := make([]time.Duration, slots) // when each slot is free
	cancelAt := n - rng.IntN(n/4+1)
	var recs []fetcher.Record
	for i := range n {
		r := fetcher.Record{Strategy: s, Params: s.Params(l), Seq: i, ID: i + 1}
		k := slices.Index(free, slices.Min(free))
		start := max(free[k], tokenTime(i, l.Rate, l.Burst)) + us(300)
		if i >= cancelAt {
			r.Class, r.Err = fetcher.ClassCancelled, "cancelled"
			r.Start, r.Queue = start, start
		} else {
			r.Start, r.Queue, r.Attempts, r.Status = start, start, 1, 200
			r.Latency = us(50_000) + time.Microsecond
			r.Total = r.Latency
			if l.Rate == 0 && rng.IntN(4) == 0 { // a retry (untimed: it would take a token) holds its slot through its backoff
				r.Attempts++
				r.Total += us(20_000)
			}
			r.TTFB = r.Latency / 2
			free[k] = start + r.Total
		}
		r.StartAt = t0.Add(r.Start)
		recs = append(recs, r)
	}
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] }) // completion order, say
	return recs
}

// TestCollectorProperties checks, over random record streams of every strategy: the ideal is
// no longer than the wall (efficiency ≤ 1), the peak in flight stays within the slots, and the
// mean in flight within the peak.
func TestCollectorProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 300 {
		s := fetcher.Strategies[i%len(fetcher.Strategies)]
		l := s.Limits(fetcher.Knobs{Concurrency: 1 + rng.IntN(8), Rate: float64(1 + rng.IntN(2000)), Burst: 1 + rng.IntN(4), CapRate: rng.IntN(2) == 0})
		n := 1 + rng.IntN(200)
		recs := genRun(rng, s, l, n)
		c := NewCollector(fetcher.Config{Strategy: s, Limits: l})
		for _, r := range recs {
			c.Add(r)
		}
		sum := c.Summary(fetcher.RunStats{})
		name := fmt.Sprintf("run %d: %s %s over %d", i, s, s.Params(l), n)
		if sum.IdealMS > sum.WallMS || sum.Efficiency > 1 {
			t.Errorf("%s: ideal %v > wall %v (efficiency %v)", name, sum.IdealMS, sum.WallMS, sum.Efficiency)
		}
		if l.Slots > 0 && sum.PeakInFlight > l.Slots {
			t.Errorf("%s: peak %d > %d slots", name, sum.PeakInFlight, l.Slots)
		}
		if sum.MeanInFlight > float64(sum.PeakInFlight) {
			t.Errorf("%s: mean in flight %v > peak %d", name, sum.MeanInFlight, sum.PeakInFlight)
		}
	}
}

// BenchmarkCollector reports, per request, the memory the collector keeps beyond its
// histograms (kept-B/request), the part of it on the Go heap, which raises the GC's heap goal
// (heap-B/request), and what it allocates on the Go heap, Close included (alloc-B/request),
// over a run like the offline one: 64 slots, latencies of 0.1 to 20 ms, records in completion
// order.
func BenchmarkCollector(b *testing.B) {
	const n, slots = 1_000_000, 64
	cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: slots}}
	recs := make([]fetcher.Record, 0, n)
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	free := make([]time.Duration, slots) // when each slot is free
	for i := range n {
		k := i % slots
		start := free[k] + time.Duration(rng.IntN(50))*time.Microsecond
		latency := time.Duration(100+rng.IntN(20_000)) * time.Microsecond
		free[k] = start + latency
		recs = append(recs, fetcher.Record{Strategy: cfg.Strategy, Seq: i, StartAt: t0.Add(start), Start: start, Latency: latency, Total: latency, Attempts: 1, Status: 200})
	}
	slices.SortFunc(recs, func(a, b fetcher.Record) int { return int(a.Start + a.Total - b.Start - b.Total) })
	b.ReportAllocs()
	for b.Loop() {
		runtime.GC()
		c := NewCollector(cfg)
		var before, added, closed runtime.MemStats
		runtime.ReadMemStats(&before)
		for _, r := range recs {
			c.Add(r)
		}
		runtime.GC()
		runtime.ReadMemStats(&added)
		_ = c.Close()
		runtime.ReadMemStats(&closed)
		b.ReportMetric(float64(c.log.size())/n, "kept-B/request")
		b.ReportMetric(float64(int64(added.HeapAlloc)-int64(before.HeapAlloc))/n, "heap-B/request")
		b.ReportMetric(float64(closed.TotalAlloc-before.TotalAlloc)/n, "alloc-B/request")
		runtime.KeepAlive(c)
	}
}
