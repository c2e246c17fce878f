package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

// simRun is a record stream of a run under l as the scheduler makes one: requests handed
// over in input order, each ready once a slot is free (plus a random overhead), then granted
// its rate token by a token bucket of the run's rate and burst (GCRA: at most burst + R·w
// grants in any window w), on the wire for a random latency, sometimes after a retry that
// holds its slot; a few at the end are never started. Times are whole microseconds, in
// completion order.
func simRun(rng *rand.Rand, s fetcher.Strategy, l fetcher.Limits, n int) []fetcher.Record {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	us := func(max int) time.Duration { return time.Duration(rng.IntN(max)) * time.Microsecond }
	slots := l.Slots
	if slots == 0 {
		slots = n
	}
	free := make([]time.Duration, slots)
	var ready, tat time.Duration // tat: the bucket's theoretical arrival time
	var interval, tolerance time.Duration
	if l.Rate > 0 {
		interval = time.Duration(float64(time.Second) / l.Rate)
		tolerance = time.Duration(max(l.Burst, 1)-1) * interval
	}
	cancelAt := n - rng.IntN(n/5+1)
	var recs []fetcher.Record
	for i := range n {
		r := fetcher.Record{Strategy: s, Params: s.Params(l), Seq: i, ID: i + 1}
		k := slices.Index(free, slices.Min(free))
		ready = max(ready, free[k]) + us(200)
		start := ready
		if l.Rate > 0 {
			start = max(ready, tat-tolerance).Round(time.Microsecond)
			tat = max(tat, start) + interval
		}
		if i >= cancelAt {
			r.Class, r.Err = fetcher.ClassCancelled, "cancelled"
			r.Start, r.Queue, r.Intended = start, start, start
		} else {
			r.Start, r.Queue, r.Intended, r.Attempts, r.Status = start, start, start, 1, 200
			r.Latency = us(40_000) + time.Microsecond
			r.Total = r.Latency
			if l.Rate == 0 && rng.IntN(5) == 0 {
				r.Attempts++
				r.Total += us(20_000)
			}
			r.TTFB, r.Response = r.Latency/2, r.Total
			free[k] = start + r.Total
		}
		r.StartAt = t0.Add(r.Start)
		recs = append(recs, r)
	}
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	return recs
}

// TestStreamInvariants checks, over generated record streams of every strategy, what every
// report must keep true: the ideal is no longer than the wall (efficiency ≤ 1, never
// flagged); the HTML in-flight series never exceeds the peak, its integral is the sum of the
// latencies and its mean over the wall the mean in flight; the peak stays within the slots
// (one for sequential); a paced run starts at most burst + R·w requests in any window w; and
// Little's law holds.
func TestStreamInvariants(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(23, 42))
	for i := range 400 {
		s := fetcher.Strategies[i%len(fetcher.Strategies)]
		l := s.Limits(fetcher.Knobs{Concurrency: 1 + rng.IntN(12), Rate: float64(1 + rng.IntN(3000)), Burst: 1 + rng.IntN(5), CapRate: rng.IntN(2) == 0})
		n := 1 + rng.IntN(300)
		recs := simRun(rng, s, l, n)
		cfg := fetcher.Config{Strategy: s, Limits: l}
		c, h := NewCollector(cfg), NewHTMLRun(RunLabel(cfg), n)
		var latencyUS int64
		for _, r := range recs {
			c.Add(r)
			h.Add(r)
			if r.Attempts > 0 {
				latencyUS += max(r.Latency.Microseconds(), 1)
			}
		}
		sum := c.Summary(fetcher.RunStats{})
		name := fmt.Sprintf("run %d: %s over %d", i, RunLabel(cfg), n)

		if sum.IdealMS > sum.WallMS || sum.Impossible() || strings.HasSuffix(efficiencyString(sum.Efficiency), "!") {
			t.Errorf("%s: ideal %v > wall %v (efficiency %v)", name, sum.IdealMS, sum.WallMS, sum.Efficiency)
		}
		if (l.Slots > 0 && sum.PeakInFlight > l.Slots) || (s.Serial() && sum.PeakInFlight > 1) {
			t.Errorf("%s: peak %d over the limit", name, sum.PeakInFlight)
		}

		d := h.data(sum)
		if top := slices.Max(append([]float64{0}, d.InFlight...)); top > float64(sum.PeakInFlight) {
			t.Errorf("%s: the in-flight series reaches %v, above the peak %d", name, top, sum.PeakInFlight)
		}
		_, areas, _, _ := h.flight.series()
		var area int64
		for _, a := range areas {
			area += a
		}
		if area != latencyUS {
			t.Errorf("%s: the series integrates to %d µs, the latencies sum to %d µs", name, area, latencyUS)
		}
		var drawn float64 // the area under the drawn steps, in ms
		for _, v := range d.InFlight {
			drawn += v * d.BucketMS
		}
		if sum.WallMS > 0 {
			mean := drawn / sum.WallMS
			if math.Abs(mean-sum.MeanInFlight) > 0.002+0.001*float64(len(d.InFlight))*d.BucketMS/sum.WallMS {
				t.Errorf("%s: the series averages %v in flight over the wall, the summary says %v", name, mean, sum.MeanInFlight)
			}
		}

		if l.Rate > 0 {
			var starts []time.Duration
			for _, r := range recs {
				if r.Attempts > 0 {
					starts = append(starts, r.Start)
				}
			}
			slices.Sort(starts)
			for a := range starts { // within the clock resolution: a microsecond
				for b := a; b < len(starts); b++ {
					if allowed := float64(max(l.Burst, 1)) + l.Rate*(starts[b]-starts[a]+time.Microsecond).Seconds(); float64(b-a+1) > allowed {
						t.Fatalf("%s: %d starts within %v, the bucket allows %.3f", name, b-a+1, starts[b]-starts[a], allowed)
					}
				}
			}
		}

		if sum.LatencyMeanMS > 0 && sum.ReqPerSec > 0 && sum.MeanInFlight >= 0.05 {
			little := sum.MeanInFlight / sum.LatencyMeanMS * 1000
			if math.Abs(little-sum.ReqPerSec) > LittleTolerance*sum.ReqPerSec {
				t.Errorf("%s: Little's law: %v in flight / %vms = %v req/s, measured %v", name, sum.MeanInFlight, sum.LatencyMeanMS, little, sum.ReqPerSec)
			}
		}
	}
}

// TestFlightLimitsExact checks each bucket's lowest and highest limit against the limits
// counted in its span, with intervals and limits that arrive out of order, before the first
// (the buckets shift) and far past it (they widen).
func TestFlightLimitsExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for run := range 200 {
		var f flight
		type mark struct {
			at    int64
			limit int32
		}
		var marks []mark
		spread := int64(1 + rng.IntN(5_000_000))
		for range 1 + rng.IntN(100) {
			s := rng.Int64N(spread) - spread/3
			m := mark{s, int32(1 + rng.IntN(256))}
			marks = append(marks, m)
			f.limit(m.at, int(m.limit))
			f.add(s, s+1+rng.Int64N(1+spread/4))
		}
		starts, _, lo, hi := f.series()
		if len(lo) != len(starts) || len(hi) != len(starts) {
			t.Fatalf("run %d: %d starts, %d lows, %d highs", run, len(starts), len(lo), len(hi))
		}
		for i, at := range starts {
			var wantLo, wantHi int32
			for _, m := range marks {
				if m.at >= at && m.at < at+f.width {
					if wantHi == 0 {
						wantLo, wantHi = m.limit, m.limit
					}
					wantLo, wantHi = min(wantLo, m.limit), max(wantHi, m.limit)
				}
			}
			if lo[i] != wantLo || hi[i] != wantHi {
				t.Fatalf("run %d: bucket %d [%d, %d): limits %d–%d, want %d–%d", run, i, at, at+f.width, lo[i], hi[i], wantLo, wantHi)
			}
		}
	}
}

// TestFlightExact checks the bucketed integral against a direct computation, with intervals
// that arrive out of order, before the first one (the buckets shift) and far past it (they
// widen): each bucket holds the overlap of every interval with it, and its mean never
// exceeds the most intervals open at once.
func TestFlightExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 200 {
		var f flight
		var spans [][2]int64
		n := 1 + rng.IntN(100)
		spread := int64(1 + rng.IntN(5_000_000))
		for range n {
			s := rng.Int64N(spread) - spread/3
			e := s + 1 + rng.Int64N(1+spread/4)
			spans = append(spans, [2]int64{s, e})
			f.add(s, e)
		}
		starts, areas, _, _ := f.series()
		if len(starts) > flightBuckets {
			t.Fatalf("run %d: %d buckets", run, len(starts))
		}
		peak := 0
		for _, a := range spans {
			open := 0
			for _, b := range spans {
				if b[0] <= a[0] && a[0] < b[1] {
					open++
				}
			}
			peak = max(peak, open)
		}
		for i, at := range starts {
			lo, hi := at, at+f.width
			var want int64
			for _, sp := range spans {
				want += max(0, min(hi, sp[1])-max(lo, sp[0]))
			}
			if areas[i] != want {
				t.Fatalf("run %d: bucket %d [%d, %d) holds %d, want %d", run, i, lo, hi, areas[i], want)
			}
			if areas[i] > int64(peak)*f.width {
				t.Fatalf("run %d: bucket %d averages %v, above the peak %d", run, i, float64(areas[i])/float64(f.width), peak)
			}
		}
		for _, sp := range spans {
			if sp[0] < starts[0] || sp[1] > starts[len(starts)-1]+f.width {
				t.Fatalf("run %d: [%d, %d) outside the buckets [%d, %d)", run, sp[0], sp[1], starts[0], starts[len(starts)-1]+f.width)
			}
		}
	}
}

// TestImpossibleEfficiencyFlagged checks that an efficiency the records cannot give is shown
// flagged, in the table and in words, never as a plain number above 1.
func TestImpossibleEfficiencyFlagged(t *testing.T) {
	t.Parallel()
	s := Summary{Strategy: fetcher.Semaphore, Concurrency: 4, Requests: 20, WallMS: 1780, IdealMS: 2030, Efficiency: 1.1404}
	if got := tableRow(s)[9]; got != "1.14!" {
		t.Errorf("efficiency cell %q, want 1.14!", got)
	}
	if line := Describe(s); !strings.Contains(line, "114% of ideal — impossible") {
		t.Errorf("Describe does not flag it: %s", line)
	}
	s.Efficiency = 1.004 // within the clock's resolution: shows as 1.00
	if got := tableRow(s)[9]; got != "1.00" {
		t.Errorf("efficiency cell %q, want 1.00", got)
	}
}
