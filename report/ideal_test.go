package report

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func secs(xs ...float64) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x * float64(time.Second))
	}
	return out
}

// restaurant is the teaching example: four tables' orders, flattened in order.
var restaurant = secs(7.5, 1, 7.5, 7.5, 1.2, 4, 1.2, 1.2, 1.2, 7.5, 4)

func TestIdealWall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		service []time.Duration
		slots   int
		rate    float64
		burst   int
		want    time.Duration
	}{
		{name: "empty", service: nil, slots: 1, want: 0},
		{name: "empty paced", service: nil, rate: 1, want: 0},
		{name: "restaurant sequential", service: restaurant, slots: 1, want: 43800 * time.Millisecond},
		{name: "restaurant unbounded", service: restaurant, slots: 0, want: 7500 * time.Millisecond},
		{name: "restaurant negative slots", service: restaurant, slots: -3, want: 7500 * time.Millisecond},
		// slots 2: 7.5 | 1, 8.5 | 15 | 9.7, 13.7, 14.9, 16.1 | 16.2 | 23.6 | 20.2
		{name: "restaurant 2 waiters", service: restaurant, slots: 2, want: 23600 * time.Millisecond},
		// slots 3: 7.5 | 1 | 7.5 | 8.5 | 8.7 | 11.5 | 9.7 | 9.9 | 10.9 | 17.4 | 14.9
		{name: "restaurant 3 waiters", service: restaurant, slots: 3, want: 17400 * time.Millisecond},
		{name: "restaurant 11 waiters", service: restaurant, slots: 11, want: 7500 * time.Millisecond},
		{name: "restaurant 100 waiters", service: restaurant, slots: 100, want: 7500 * time.Millisecond},
		// tokens at 0, 0.5, 1, 1.5, 2 s; the last finishes at 2.1 s.
		{name: "rate 2 burst 1", service: secs(.1, .1, .1, .1, .1), rate: 2, burst: 1, want: 2100 * time.Millisecond},
		{name: "rate 2 burst 0 means 1", service: secs(.1, .1, .1, .1, .1), rate: 2, burst: 0, want: 2100 * time.Millisecond},
		// tokens at 0, 0, 0, 0.5, 1 s.
		{name: "rate 2 burst 3", service: secs(.1, .1, .1, .1, .1), rate: 2, burst: 3, want: 1100 * time.Millisecond},
		{name: "burst covers all", service: secs(.1, .3, .2), rate: 2, burst: 5, want: 300 * time.Millisecond},
		// a long first request dominates the pacing.
		{name: "rate slow request", service: secs(3, .1, .1), rate: 2, burst: 1, want: 3 * time.Second},
		// tokens 0, 0.5, 1, 1.5 on one slot: 0–1, 1–1.1, 1.1–1.2, 1.5–2.5.
		{name: "rate and 1 slot", service: secs(1, .1, .1, 1), rate: 2, burst: 1, slots: 1, want: 2500 * time.Millisecond},
		// tokens all 0 (burst 4) on 2 slots: 0–1, 0–1, 1–2, 1–2.
		{name: "burst and 2 slots", service: secs(1, 1, 1, 1), rate: 10, burst: 4, slots: 2, want: 2 * time.Second},
		// tokens 0, .1, .2, .3, .4 on 2 slots: 0–1, .1–.2, .2–1.2, 1–1.1, 1.1–1.2.
		{name: "rate 10 and 2 slots", service: secs(1, .1, 1, .1, .1), rate: 10, burst: 1, slots: 2, want: 1200 * time.Millisecond},
		// 1/3 s tokens round to the nanosecond.
		{name: "rate 3", service: secs(0, 0, 0, 0), rate: 3, burst: 1, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := IdealWall(tt.service, tt.slots, tt.rate, tt.burst)
			if got != tt.want {
				t.Errorf("IdealWall(%v, slots %d, rate %g, burst %d) = %v, want %v",
					tt.service, tt.slots, tt.rate, tt.burst, got, tt.want)
			}
		})
	}
}

func TestIdealWallProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(40)
		service := make([]time.Duration, n)
		var sum, longest time.Duration
		for i := range service {
			service[i] = time.Duration(rng.Int64N(int64(2 * time.Second)))
			sum += service[i]
			longest = max(longest, service[i])
		}
		rate := []float64{0, 0.5, 5, 50}[rng.IntN(4)]
		burst := rng.IntN(4)
		if got := IdealWall(service, 1, 0, 0); got != sum {
			t.Fatalf("trial %d: slots 1 = %v, want sum %v", trial, got, sum)
		}
		for _, slots := range []int{0, n, n + 1} {
			if got := IdealWall(service, slots, 0, 0); got != longest {
				t.Fatalf("trial %d: slots %d = %v, want max %v", trial, slots, got, longest)
			}
		}
		prev := IdealWall(service, 1, rate, burst)
		for slots := 2; slots <= n+1; slots++ {
			got := IdealWall(service, slots, rate, burst)
			if got > prev {
				t.Fatalf("trial %d (rate %g burst %d): slots %d = %v > slots %d = %v",
					trial, rate, burst, slots, got, slots-1, prev)
			}
			prev = got
		}
		if got := IdealWall(service, 0, rate, burst); got != prev {
			t.Fatalf("trial %d: unlimited slots = %v, want %v (slots n+1)", trial, got, prev)
		}
	}
}

func ExampleIdealWall() {
	orders := []time.Duration{
		7500 * time.Millisecond, 1000 * time.Millisecond, // table 1
		7500 * time.Millisecond, 7500 * time.Millisecond, 1200 * time.Millisecond, 4000 * time.Millisecond, // table 2
		1200 * time.Millisecond, 1200 * time.Millisecond, 1200 * time.Millisecond, // table 3
		7500 * time.Millisecond, 4000 * time.Millisecond, // table 4
	}
	fmt.Println("one waiter (sequential):      ", IdealWall(orders, 1, 0, 0))
	fmt.Println("two waiters (semaphore 2):    ", IdealWall(orders, 2, 0, 0))
	fmt.Println("a waiter per order (unbounded):", IdealWall(orders, 0, 0, 0))
	fmt.Println("one order a second (ratelimit):", IdealWall(orders, 0, 1, 1))
	// Output:
	// one waiter (sequential):       43.8s
	// two waiters (semaphore 2):     23.6s
	// a waiter per order (unbounded): 7.5s
	// one order a second (ratelimit): 16.5s
}

func BenchmarkIdealWall(b *testing.B) {
	service := make([]time.Duration, 100_000)
	for i := range service {
		service[i] = time.Duration(i%97) * time.Millisecond
	}
	b.ReportAllocs()
	for b.Loop() {
		IdealWall(service, 10, 100, 1)
	}
}
