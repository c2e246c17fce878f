package compare

import (
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestPacingNote(t *testing.T) {
	t.Parallel()
	rl := func(rate float64, burst int) fetcher.Config {
		return fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.Limits{Rate: rate, Burst: burst}}
	}
	sem := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 5}}
	tests := []struct {
		name    string
		configs []fetcher.Config
		n       int
		repeat  int
		want    string
	}{
		{"fast", []fetcher.Config{rl(10, 1)}, 20, 1, ""},
		{"unpaced", []fetcher.Config{sem}, 1_000_000, 1, ""},
		{"exactly a minute is not long", []fetcher.Config{rl(1, 1)}, 61, 1, ""},
		{"slow", []fetcher.Config{sem, rl(0.001, 1)}, 20, 1, "ratelimit at 0.001 req/s (burst 1) takes at least 5h16m40s for 20 requests"},
		{"burst", []fetcher.Config{rl(0.01, 10)}, 20, 1, "ratelimit at 0.01 req/s (burst 10) takes at least 16m40s for 20 requests"},
		{"sweep", []fetcher.Config{rl(0.1, 1), rl(0.2, 1)}, 11, 1, "ratelimit at 0.1 req/s (burst 1), then ratelimit at 0.2 req/s (burst 1) take at least 2m30s for 11 requests"},
		{"repeated", []fetcher.Config{rl(0.1, 1)}, 6, 3, "ratelimit at 0.1 req/s (burst 1), 3 times, take at least 2m30s for 6 requests"},
		{"centuries", []fetcher.Config{rl(1e-12, 1)}, 3, 2, "ratelimit at 0.000000000001 req/s (burst 1), 2 times, take more than 100 years for 3 requests"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := PacingNote(tc.configs, tc.n, tc.repeat); got != tc.want {
				t.Errorf("PacingNote =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	if got, want := PacingNoteEach(rl(0.001, 1)), "ratelimit at 0.001 req/s: every request after the first request waits 16m40s for its start"; got != want {
		t.Errorf("PacingNoteEach = %q, want %q", got, want)
	}
	if got, want := PacingNoteEach(rl(0.01, 3)), "ratelimit at 0.01 req/s: every request after the first 3 requests waits 1m40s for its start"; got != want {
		t.Errorf("PacingNoteEach = %q, want %q", got, want)
	}
	if got := PacingNoteEach(rl(1, 1)); got != "" {
		t.Errorf("PacingNoteEach at 1/s = %q, want none", got)
	}
}
