package ratelimit

import (
	"testing"
	"time"
)

// TestRule: a Rule moves its limit as Adaptive's rules say, from windows and drops told their
// moment, without a clock of its own.
func TestRule(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1744632000, 0)
	lat := func(n int, d time.Duration) []time.Duration {
		l := make([]time.Duration, n)
		for i := range l {
			l[i] = d
		}
		return l
	}
	tests := []struct {
		name  string
		steps func(r *Rule)
		want  int
	}{
		{"slow start grows by half", func(r *Rule) {
			r.Close(Window{Latencies: lat(8, 50*time.Millisecond), Peak: 4}, t0)
		}, 6},
		{"an unused limit holds", func(r *Rule) {
			r.Close(Window{Latencies: lat(8, 50*time.Millisecond), Peak: 1}, t0)
		}, 4},
		{"the gradient cuts to what the server serves", func(r *Rule) {
			r.Limit = 16
			r.Close(Window{Latencies: lat(32, 50*time.Millisecond), Peak: 16}, t0)
			r.Close(Window{Latencies: lat(32, 100*time.Millisecond), Peak: 16}, t0.Add(time.Second))
		}, 12},
		{"a drop halves once", func(r *Rule) {
			r.Limit = 16
			r.Decrease(r.Limit/2, t0)
			if !r.Stale(t0) || r.Stale(t0.Add(time.Millisecond)) {
				t.Errorf("Stale: a drop admitted at the cut is stale, one after it is not")
			}
		}, 8},
		{"the plateau holds below the failed limit", func(r *Rule) {
			r.Limit = 9
			r.Decrease(8, t0)
			r.Close(Window{Latencies: lat(16, 50*time.Millisecond), Peak: 8}, t0.Add(10*time.Millisecond))
			r.Close(Window{Latencies: lat(16, 50*time.Millisecond), Peak: 8}, t0.Add(20*time.Millisecond))
		}, 8},
		{"past its patience it probes", func(r *Rule) {
			r.Limit = 9
			r.Decrease(8, t0)
			r.Close(Window{Latencies: lat(16, 50*time.Millisecond), Peak: 8}, t0.Add(Patience))
		}, 9},
		{"never below the floor", func(r *Rule) {
			r.Decrease(0, t0)
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewRule(2, 64)
			if err != nil {
				t.Fatal(err)
			}
			tt.steps(&r)
			if got := r.Slots(); got != tt.want {
				t.Errorf("limit %d, want %d", got, tt.want)
			}
		})
	}
	if _, err := NewRule(3, 2); err == nil {
		t.Error("NewRule(3, 2): no error")
	}
}
