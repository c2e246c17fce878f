package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// level is a summary of one run of a sweep.
func level(s fetcher.Strategy, x, rps, meanMS, p50MS, inFlight float64) Summary {
	sum := Summary{Strategy: s, ReqPerSec: rps, LatencyMeanMS: meanMS, LatencyP50MS: p50MS, MeanInFlight: inFlight}
	if s == fetcher.Semaphore {
		sum.Concurrency = int(x)
	} else {
		sum.Rate = x
	}
	return sum
}

func TestSweeps(t *testing.T) {
	t.Parallel()
	sem, rl := fetcher.Semaphore, fetcher.RateLimit
	tests := []struct {
		name string
		sums []Summary
		want []Sweep
		text []string
	}{
		{
			name: "a server of 8 workers",
			sums: []Summary{
				{Strategy: fetcher.Sequential, ReqPerSec: 50},
				level(sem, 1, 50, 20, 20, 1), level(sem, 2, 100, 20, 20, 2), level(sem, 4, 200, 20, 20, 4),
				level(sem, 8, 380, 21, 21, 7.98), level(sem, 16, 390, 41, 41, 16),
			},
			want: []Sweep{{Strategy: sem, Param: "c", Knee: 8, BestLevel: 16, BestReqPerSec: 390, LittleHolds: true, Levels: []SweepLevel{
				{1, 50, 20, 20, 1, 50}, {2, 100, 20, 20, 2, 100}, {4, 200, 20, 20, 4, 200},
				{8, 380, 21, 21, 7.98, 380}, {16, 390, 41, 41, 16, 390.244},
			}}},
			text: []string{"semaphore sweep: the knee is c=8, the smallest level with 90% of the best throughput (380 of 390 req/s); " +
				"beyond it p50 latency grows from 21.0ms to 41.0ms at c=16 while throughput stays: the extra requests only queue\n" +
				"semaphore sweep: Little's law (throughput = mean in flight / mean latency) holds at every level, e.g. c=8: 380 req/s, 8.0 in flight / 21.0ms = 380 req/s"},
		},
		{
			name: "a rate sweep, Little's law broken by retries, one semaphore level",
			sums: []Summary{
				level(sem, 10, 100, 100, 100, 10),
				level(rl, 5, 5, 10, 10, 0.05), level(rl, 10, 10, 10, 10, 0.1), level(rl, 20, 19, 10, 10, 0.4),
			},
			want: []Sweep{{Strategy: rl, Param: "r", Knee: 0, BestLevel: 20, BestReqPerSec: 19, Levels: []SweepLevel{
				{5, 5, 10, 10, 0.05, 5}, {10, 10, 10, 10, 0.1, 10}, {20, 19, 10, 10, 0.4, 40},
			}}},
			text: []string{"ratelimit sweep: no knee up to r=20: throughput still grows (19.0 req/s at r=20, 5.00 at r=5) — try higher levels\n" +
				"ratelimit sweep: Little's law (throughput = mean in flight / mean latency) does not hold within 10% at every level, e.g. r=20: 19.0 req/s, 0.4 in flight / 10.0ms = 40.0 req/s"},
		},
		{
			name: "best at the lowest level",
			sums: []Summary{level(sem, 1, 100, 10, 10, 1), level(sem, 2, 95, 21, 21, 2), level(sem, 4, 90, 44, 44, 4)},
			want: []Sweep{{Strategy: sem, Param: "c", Knee: 0, BestLevel: 1, BestReqPerSec: 100, LittleHolds: true, Levels: []SweepLevel{
				{1, 100, 10, 10, 1, 100}, {2, 95, 21, 21, 2, 95.238}, {4, 90, 44, 44, 4, 90.909},
			}}},
			text: []string{"semaphore sweep: no knee: the best throughput is at the lowest level, c=1 (100 req/s); higher levels do not raise it (90.0 req/s at c=4)\n" +
				"semaphore sweep: Little's law (throughput = mean in flight / mean latency) holds at every level, e.g. c=1: 100 req/s, 1.0 in flight / 10.0ms = 100 req/s"},
		},
		{
			name: "the knee at the highest level is none",
			sums: []Summary{level(sem, 1, 10, 10, 10, 0.1), level(sem, 2, 20, 10, 10, 0.2), level(sem, 4, 40, 10, 10, 0.4)},
			want: []Sweep{{Strategy: sem, Param: "c", Knee: 0, BestLevel: 4, BestReqPerSec: 40, LittleHolds: true, Levels: []SweepLevel{
				{1, 10, 10, 10, 0.1, 10}, {2, 20, 10, 10, 0.2, 20}, {4, 40, 10, 10, 0.4, 40},
			}}},
			text: []string{"semaphore sweep: no knee up to c=4: throughput still grows (40.0 req/s at c=4, 10.0 at c=1) — try higher levels\n" +
				"semaphore sweep: Little's law (throughput = mean in flight / mean latency) holds at every level, e.g. c=4: 40.0 req/s, 0.4 in flight / 10.0ms = 40.0 req/s"},
		},
		{name: "no sweep", sums: []Summary{level(sem, 10, 100, 100, 100, 10), level(rl, 5, 5, 10, 10, 0.05)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Sweeps(NewComparison(tc.sums))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Sweeps (-want +got):\n%s", d)
			}
			var text []string
			for _, sw := range got {
				text = append(text, sw.Describe())
			}
			if d := cmp.Diff(tc.text, text); d != "" {
				t.Errorf("Describe (-want +got):\n%s", d)
			}
		})
	}
}

func TestWriteSweepCharts(t *testing.T) {
	t.Parallel()
	sem := fetcher.Semaphore
	sums := []Summary{
		level(sem, 1, 50, 20, 20, 1), level(sem, 2, 100, 20, 20, 2), level(sem, 4, 200, 20, 20, 4),
		level(sem, 8, 380, 21, 21, 7.98), level(sem, 16, 390, 41, 41, 16),
	}
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := WriteSweepCharts(&buf, Sweeps(NewComparison(sums)), color); err != nil {
			t.Fatal(err)
		}
		if color != strings.Contains(buf.String(), "\x1b[") {
			t.Errorf("colour %v, escapes in the output %v", color, !color)
		}
		if !color {
			golden(t, "sweep.chart.golden", buf.Bytes())
		}
	}
}
