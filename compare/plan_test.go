package compare

import (
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestPlan(t *testing.T) {
	t.Parallel()
	knobs := fetcher.Knobs{Concurrency: 4, Rate: 10, Burst: 1, MinConcurrency: 1}
	base := fetcher.Config{Timeout: 7}
	yes, no := true, false
	tests := []struct {
		name  string
		quota *bool
		want  func(s fetcher.Strategy) bool
	}{
		{"default: the strategies that respect it", nil, fetcher.Strategy.RespectsQuota},
		{"every run respects it", &yes, func(fetcher.Strategy) bool { return true }},
		{"no run respects it", &no, func(fetcher.Strategy) bool { return false }},
	}
	for _, tt := range tests {
		configs, discovery := Plan(base, fetcher.Strategies, knobs, []int{4}, []float64{10}, tt.quota, 8)
		anyQuota := false
		for _, c := range configs {
			if c.RespectQuota != tt.want(c.Strategy) || c.Capacity != 8 || c.Timeout != 7 {
				t.Errorf("%s: %s: RespectQuota %v, Capacity %d, Timeout %v", tt.name, c.Strategy, c.RespectQuota, c.Capacity, c.Timeout)
			}
			anyQuota = anyQuota || c.RespectQuota
		}
		s, l := fetcher.Politest(configs)
		if discovery.Strategy != s || discovery.Limits != l || discovery.RespectQuota != anyQuota || discovery.Timeout != 7 || discovery.Capacity != 0 {
			t.Errorf("%s: discovery %+v, want %s %+v quota %v from base", tt.name, discovery, s, l, anyQuota)
		}
	}
}
