package get_test

import (
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
)

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	cfg := func(s fetcher.Strategy, k fetcher.Knobs, maxBody int64) fetcher.Config {
		return fetcher.Config{Strategy: s, Limits: s.Limits(k), MaxBody: maxBody}
	}
	tests := []struct {
		name string
		job  get.Job
		want int64
	}{
		{"semaphore c=5, 10 MiB bodies: 6 open documents", get.Job{Config: cfg(fetcher.Semaphore, fetcher.Knobs{Concurrency: 5}, 10*mib)}, 64*mib + 6*10*mib},
		{"the default --max-body", get.Job{Config: cfg(fetcher.Semaphore, fetcher.Knobs{Concurrency: 5}, 0)}, 64*mib + 6*fetcher.DefaultMaxBody},
		{"expanding adds its budget", get.Job{Config: cfg(fetcher.Semaphore, fetcher.Knobs{Concurrency: 5}, mib), Shape: get.Shape{Expand: []string{"films"}}}, 64*mib + 6*mib + get.DefaultExpandBudget},
		{"a budget of its own", get.Job{Config: cfg(fetcher.Semaphore, fetcher.Knobs{Concurrency: 1}, mib), Shape: get.Shape{Expand: []string{"films"}, ExpandBudget: mib}}, 64*mib + 2*mib + mib},
		{"ratelimit: a second of starts plus the burst", get.Job{Config: cfg(fetcher.RateLimit, fetcher.Knobs{Rate: 10, Burst: 2}, mib)}, 64*mib + 12*mib},
		{"unbounded: none", get.Job{Config: cfg(fetcher.Unbounded, fetcher.Knobs{}, mib)}, 0},
	}
	for _, tt := range tests {
		if got := tt.job.MemoryLimit(); got != tt.want {
			t.Errorf("%s: MemoryLimit = %d MiB, want %d MiB", tt.name, got/mib, tt.want/mib)
		}
	}
}
