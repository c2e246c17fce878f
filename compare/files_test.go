package compare_test

import (
	"slices"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
)

func TestFilesError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		f         compare.Files
		limit     uint64
		systemMax uint64
		offline   bool
		want      string
	}{
		{"semaphore", compare.Files{Need: 664, InFlight: 600, Strategy: fetcher.Semaphore}, 512, 1 << 20, false,
			"semaphore with up to 600 requests in flight needs about 664 open files but the limit is 512; lower Concurrency to 448, or raise the hard limit as root (ulimit -Hn 664)"},
		{"unbounded offline", compare.Files{Need: 2064, InFlight: 1000, Strategy: fetcher.Unbounded}, 1024, 1 << 20, true,
			"unbounded with up to 1000 requests in flight needs about 2064 open files but the limit is 1024; use semaphore with Concurrency 480, or raise the hard limit as root (ulimit -Hn 2064), or run the fake in its own process (fetchbench serve) to halve the need"},
		{"ratelimit past the system maximum", compare.Files{Need: 2_000_064, InFlight: 2_000_000, Strategy: fetcher.RateLimit}, 1 << 20, 1 << 20, false,
			"ratelimit with up to 2000000 requests in flight needs about 2000064 open files but the limit is 1048576; lower Rate, or cap it with Concurrency 1048512"},
		{"limit below the baseline", compare.Files{Need: 74, InFlight: 10, Strategy: fetcher.Semaphore}, 60, 0, false,
			"semaphore with up to 10 requests in flight needs about 74 open files but the limit is 60; lower Concurrency to 1, or raise the hard limit as root (ulimit -Hn 74)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := compare.FilesError(tc.f, tc.limit, tc.systemMax, tc.offline).Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestFilesNeededUnknownTargets: with the targets not known up front (--all), a bounded
// strategy needs its bound and unbounded counts as nothing (its need cannot be known).
func TestFilesNeededUnknownTargets(t *testing.T) {
	for _, tc := range []struct {
		cfg  fetcher.Config
		want uint64
	}{
		{fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 100}}, 100 + compare.ReservedFiles},
		{fetcher.Config{Strategy: fetcher.Unbounded}, compare.ReservedFiles},
		{fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.Limits{Rate: 10, Burst: 1}, Timeout: 10 * time.Second}, 101 + compare.ReservedFiles},
	} {
		if got := compare.FilesNeeded(compare.Spec{Configs: []fetcher.Config{tc.cfg}}, false).Need; got != tc.want {
			t.Errorf("%s: need %d, want %d", tc.cfg.Strategy, got, tc.want)
		}
	}
}

func TestRotate(t *testing.T) {
	t.Parallel()
	cfgs := []fetcher.Config{{Strategy: fetcher.Sequential}, {Strategy: fetcher.Unbounded}, {Strategy: fetcher.Semaphore}}
	for k, want := range [][]fetcher.Strategy{
		{fetcher.Sequential, fetcher.Unbounded, fetcher.Semaphore},
		{fetcher.Unbounded, fetcher.Semaphore, fetcher.Sequential},
		{fetcher.Semaphore, fetcher.Sequential, fetcher.Unbounded},
		{fetcher.Sequential, fetcher.Unbounded, fetcher.Semaphore},
	} {
		var got []fetcher.Strategy
		for _, c := range compare.Rotate(cfgs, k) {
			got = append(got, c.Strategy)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Rotate(k=%d) = %v, want %v", k, got, want)
		}
	}
	if cfgs[0].Strategy != fetcher.Sequential {
		t.Error("Rotate changed its argument")
	}
	if compare.Rotate(nil, 3) != nil {
		t.Error("Rotate(nil) is not nil")
	}
}
