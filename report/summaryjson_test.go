package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestSummaryJSONUnknown checks that -o json says null for a figure that is unknown, and the
// number when it is known, zero included.
func TestSummaryJSONUnknown(t *testing.T) {
	t.Parallel()
	measured := Summary{Strategy: fetcher.Semaphore, Requests: 2, OK: 2, WallMS: 10, ReqPerSec: 200, Speedup: 1.5,
		IdealMS: 9, Efficiency: 0.9, LatencyMinMS: 4, TTFBP50MS: 3, Attempts: 2, StatusCounts: map[int]int{200: 2}, MeanInFlight: 0.8}
	adaptive := measured
	adaptive.Strategy, adaptive.IdealMS, adaptive.Efficiency, adaptive.Speedup = fetcher.Adaptive, 0, 0, 0
	paced := measured
	paced.Strategy, paced.Rate, paced.Burst, paced.ResponseP50MS, paced.StartRate = fetcher.RateLimit, 10, 1, 0, 9.5
	unsent := Summary{Strategy: fetcher.Semaphore, Requests: 2, Errors: 2, WallMS: 1, Cancelled: 2}
	tests := []struct {
		name string
		s    Summary
		want map[string]any // nil: null
	}{
		{"measured", measured, map[string]any{"efficiency": 0.9, "ideal_ms": 9.0, "speedup": 1.5, "latency_min_ms": 4.0,
			"ttfb_p50_ms": 3.0, "response_p50_ms": nil, "start_rate": nil, "capacity": nil, "limit_settled": nil, "queue_p50_ms": 0.0}},
		{"adaptive without capacity", adaptive, map[string]any{"efficiency": nil, "ideal_ms": nil, "speedup": nil, "latency_min_ms": 4.0}},
		{"paced", paced, map[string]any{"response_p50_ms": 0.0, "start_rate": 9.5, "late_starts": 0.0}},
		{"nothing sent", unsent, map[string]any{"latency_min_ms": nil, "latency_p99_ms": nil, "ttfb_p99_ms": nil, "req_per_sec": 0.0,
			"efficiency": nil, "cancelled": 2.0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteJSON(&buf, Comparison{Summaries: []Summary{tc.s}}); err != nil {
				t.Fatal(err)
			}
			var doc struct{ Strategies []map[string]any }
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for k := range tc.want {
				v, ok := doc.Strategies[0][k]
				if !ok {
					t.Fatalf("no %q in %s", k, buf.Bytes())
				}
				got[k] = v
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("-o json (-want +got):\n%s", diff)
			}
		})
	}
}
