package fetcher_test

import (
	"math"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestPacedWall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		l    fetcher.Limits
		n    int
		want time.Duration
	}{
		{"unpaced", fetcher.Limits{Slots: 5}, 1000, 0},
		{"within the burst", fetcher.Limits{Rate: 1, Burst: 5}, 5, 0},
		{"one past the burst", fetcher.Limits{Rate: 2, Burst: 5}, 6, 500 * time.Millisecond},
		{"slow", fetcher.Limits{Rate: 0.001, Burst: 1}, 1001, 1_000_000 * time.Second},
		{"burst 0 reads as 1", fetcher.Limits{Rate: 1}, 3, 2 * time.Second},
		{"overflow", fetcher.Limits{Rate: 1e-300, Burst: 1}, 3, time.Duration(math.MaxInt64)},
		{"huge n", fetcher.Limits{Rate: 0.5, Burst: 1}, math.MaxInt, time.Duration(math.MaxInt64)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.l.PacedWall(tc.n); got != tc.want {
				t.Errorf("PacedWall(%d) = %v, want %v", tc.n, got, tc.want)
			}
		})
	}
}
