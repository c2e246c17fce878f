package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRestaurantIdeal checks the restaurant's own numbers: one waiter needs the sum of the
// dishes, 43.8 s; two waiters 23.6 s; the async waiter the longest dish, 7.5 s.
func TestRestaurantIdeal(t *testing.T) {
	t.Parallel()
	want := []time.Duration{43800 * time.Millisecond, 23600 * time.Millisecond, 7500 * time.Millisecond}
	if d := cmp.Diff(want, restaurantIdeal()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestWorkersMatrix runs the workers lesson at 1/20 of its durations (a 250 ms resource, a
// 350 ms limit): the pass/fail matrix comes out as the lesson says.
func TestWorkersMatrix(t *testing.T) {
	t.Parallel()
	got, _, err := workersMatrix(context.Background(), lessonOptions{scale: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(workersPass, got); d != "" {
		t.Errorf("matrix (-lesson +measured):\n%s", d)
	}
}

// TestLessons runs each lesson fast and checks what it prints.
func TestLessons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want []string
	}{
		{"restaurant", []string{"43.8 s", "\nsequential ", "\nsemaphore   c=2", "\nunbounded ", "one waiter, one order at a time", "43.8s", "23.6s", "7.5s", "█ on the wire"}},
		{"gather", []string{"asyncio.gather", "\nsequential ", "\nunbounded ", "all 9 at once", "█ on the wire"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, "", "lesson", tc.name, "--time-scale", "0.01")
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, res.stdout)
				}
			}
		})
	}
}
