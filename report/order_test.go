package report

import (
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestOrderBias(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p50s []float64
		want string // a part of the line; "" for none
	}{
		{"swapi.tech's slow-down", []float64{500, 2500, 4500, 6500}, "(500ms → 2.5s → 4.5s → 6.5s, running"},
		{"steady server", []float64{100, 101, 99, 100}, ""},
		{"two runs only", []float64{100, 900}, ""},
		{"grows too little at one step", []float64{100, 300, 330, 600}, ""},
		{"grows, but less than twice", []float64{100, 125, 151, 190}, ""},
		{"falls at the end", []float64{100, 300, 600, 500}, ""},
		{"three runs", []float64{10, 20, 40}, "rerun with 3 repetitions, which rotates the order"},
		{"no latency", []float64{0, 0, 0}, ""},
		{"a loaded machine's jitter", []float64{0.219, 2.34, 2.95, 9.46, 76.8}, ""},
		{"one step under 10 ms", []float64{20, 40, 48, 100}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sums []Summary
			for i, p := range tt.p50s {
				sums = append(sums, Summary{Strategy: fetcher.Strategies[i%len(fetcher.Strategies)], LatencyP50MS: p})
			}
			got := NewComparison(sums).OrderBias()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("OrderBias() = %q, want it to hold %q", got, tt.want)
			}
		})
	}
}
