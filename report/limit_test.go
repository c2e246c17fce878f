package report

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestAdaptiveSummary: the settled limit is the median of the second half's admissions, the
// trajectory keeps the changes, the params cell shows the settled limit, and without a
// known capacity there is no ideal.
func TestAdaptiveSummary(t *testing.T) {
	t.Parallel()
	limits := []int{4, 6, 9, 16, 8, 8, 9, 8, 8, 8}
	cfg := fetcher.Config{Strategy: fetcher.Adaptive, Limits: fetcher.Adaptive.Limits(fetcher.Knobs{})}
	for _, capacity := range []int{0, 8} {
		cfg.Capacity = capacity
		c := NewCollector(cfg)
		for i, l := range limits {
			c.Add(fetcher.Record{Strategy: fetcher.Adaptive, Seq: i, Start: time.Duration(i) * 100 * time.Millisecond,
				Latency: 50 * time.Millisecond, Total: 50 * time.Millisecond, Attempts: 1, Status: 200, Limit: l})
		}
		s := c.Summary(fetcher.RunStats{})
		want := []LimitPoint{{0, 4}, {100, 6}, {200, 9}, {300, 16}, {400, 8}, {600, 9}, {700, 8}}
		if diff := cmp.Diff(want, s.LimitTrajectory); diff != "" {
			t.Errorf("trajectory (-want +got):\n%s", diff)
		}
		if s.LimitSettled != 8 || s.MinConcurrency != 1 || s.Concurrency != 256 || Params(s) != "c≈8" {
			t.Errorf("settled %d floor %d ceiling %d params %q; want 8, 1, 256, c≈8", s.LimitSettled, s.MinConcurrency, s.Concurrency, Params(s))
		}
		switch {
		case capacity == 0 && (s.IdealMS != 0 || s.Efficiency != 0):
			t.Errorf("ideal %v efficiency %v without a known capacity, want none", s.IdealMS, s.Efficiency)
		case capacity == 8 && s.IdealMS != 100: // 10 requests of 50ms over 8 slots
			t.Errorf("ideal %v at capacity 8, want 100", s.IdealMS)
		}
		if capacity == 8 {
			if got, want := Describe(s), "settled at 8 where the server serves 8 at once"; !strings.Contains(got, want) {
				t.Errorf("Describe = %q, want it to say %q", got, want)
			}
		}
	}
}

func TestLimitTrajectoryIsBounded(t *testing.T) {
	t.Parallel()
	var tr limitTrace
	for i := range 100_000 {
		tr.add(int64(i)*int64(time.Millisecond), 1+i%7)
	}
	settled, traj := tr.settle(0)
	if len(traj) > MaxLimitPoints || len(traj) < MaxLimitPoints/2 {
		t.Errorf("%d points, want at most %d (and not far fewer)", len(traj), MaxLimitPoints)
	}
	if settled != 4 {
		t.Errorf("settled %d, want 4 (the median of 1..7)", settled)
	}
}

// TestTimelineDrawsTheLimit: an adaptive run's timeline has a limit row under its bars,
// low where the limit was low; a fixed run's has none.
func TestTimelineDrawsTheLimit(t *testing.T) {
	t.Parallel()
	draw := func(limits []int) string {
		tl := NewTimeline("run", len(limits))
		for i, l := range limits {
			tl.Add(fetcher.Record{Seq: i, Start: time.Duration(i) * time.Second, Latency: time.Second, Total: time.Second, Attempts: 1, Limit: l})
		}
		var b strings.Builder
		if err := WriteTimelines(&b, []*Timeline{tl}, TimelineOptions{Width: 10}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	got := draw([]int{2, 2, 2, 2, 2, 9, 9, 9, 9, 9})
	if want := "limit│▁▁▁▁▁█████│ limit 2..9\n"; !strings.Contains(got, want) {
		t.Errorf("timeline:\n%s\nwant the row %q", got, want)
	}
	if got := draw(make([]int, 10)); strings.Contains(got, "limit") {
		t.Errorf("a fixed run's timeline has a limit row:\n%s", got)
	}
}
