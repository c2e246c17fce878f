package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// paced runs callers goroutines that take n grants in all from p, and returns them in grant
// order.
func paced(t *testing.T, p *Pacer, n, callers int) []Grant {
	t.Helper()
	var mu sync.Mutex
	var grants []Grant
	var wg sync.WaitGroup
	left := n
	for range callers {
		wg.Go(func() {
			for {
				mu.Lock()
				if left == 0 {
					mu.Unlock()
					return
				}
				left--
				mu.Unlock()
				g, err := p.Take(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				grants = append(grants, g)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return grants
}

// TestPacerNeverBunches checks the pacer's promise on a fake clock whose timer wake-ups come
// late, by up to 10 ms, far beyond the spin margin: in any window of length w at most
// burst + rate·w grants, with burst 1 no two grants closer than 1/rate, and a grant is late
// exactly when a wake-up was.
func TestPacerNeverBunches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rate    float64
		burst   int
		late    func(r *rand.Rand) time.Duration // timer lateness per sleep
		callers int
	}{
		{"burst 1 on time", 45, 1, nil, 8},
		{"burst 1, every 3rd wake-up 6ms late", 45, 1, func(r *rand.Rand) time.Duration {
			if r.IntN(3) == 0 {
				return 6 * time.Millisecond
			}
			return 0
		}, 8},
		{"burst 1, random lateness up to 10ms", 200, 1, func(r *rand.Rand) time.Duration {
			return time.Duration(r.Int64N(int64(10 * time.Millisecond)))
		}, 50},
		{"burst 5, random lateness up to 10ms", 100, 5, func(r *rand.Rand) time.Duration {
			return time.Duration(r.Int64N(int64(10 * time.Millisecond)))
		}, 50},
		{"burst 1, one caller", 10, 1, func(*rand.Rand) time.Duration { return 3 * time.Millisecond }, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				p, _ := NewPacer(tc.rate, tc.burst)
				r := rand.New(rand.NewPCG(1, 2))
				wakeLate := false
				if tc.late != nil {
					p.oversleep = func() time.Duration {
						d := tc.late(r)
						wakeLate = wakeLate || d > 0
						return d
					}
				}
				const n = 300
				grants := paced(t, p, n, tc.callers)
				if len(grants) != n {
					t.Fatalf("%d grants, want %d", len(grants), n)
				}
				interval := time.Duration(float64(time.Second) / tc.rate)
				late := 0
				for i, g := range grants {
					if g.Index != i {
						t.Fatalf("grant %d has index %d", i, g.Index)
					}
					if g.Late() > time.Microsecond {
						late++
					}
					if tc.burst == 1 && i > 0 {
						if gap := g.At.Sub(grants[i-1].At); gap < interval {
							t.Fatalf("grants %d and %d are %v apart, want ≥ %v", i-1, i, gap, interval)
						}
					}
					// Every window ending at grant i: the grants in [At(j), At(i)] are
					// i−j+1 ≤ burst + rate·(At(i)−At(j)).
					for j := i; j >= 0; j-- {
						w := g.At.Sub(grants[j].At).Seconds()
						if float64(i-j+1) > float64(tc.burst)+tc.rate*(w+1e-6) { // 1µs for float rounding
							t.Fatalf("%d grants within %v (grants %d..%d), want at most %d + %g·t", i-j+1, g.At.Sub(grants[j].At), j, i, tc.burst, tc.rate)
						}
						if w > float64(tc.burst+1)/tc.rate+1 {
							break
						}
					}
				}
				if !wakeLate && late > 0 {
					t.Errorf("%d late grants on a punctual clock, want 0", late)
				}
				if wakeLate && late == 0 {
					t.Error("no late grant although wake-ups came late")
				}
			})
		})
	}
}

// TestPacerRate checks the achieved rate and the schedule on a punctual fake clock: R starts
// per second over 10 s, each exactly in its slot.
func TestPacerRate(t *testing.T) {
	t.Parallel()
	for _, burst := range []int{1, 10} {
		synctest.Test(t, func(t *testing.T) {
			const rate, n = 45.0, 451
			p, _ := NewPacer(rate, burst)
			t0 := time.Now()
			grants := paced(t, p, n, 4)
			if got, want := grants[n-1].At.Sub(t0), time.Duration(float64(n-burst)/rate*1e9); (got - want).Abs() > time.Microsecond {
				t.Errorf("burst %d: %d grants took %v, want %v (rate %g)", burst, n, got, want, rate)
			}
			for _, g := range grants {
				if g.At.Sub(g.Intended).Abs() > time.Microsecond {
					t.Fatalf("burst %d: grant %d at %v, its slot is %v", burst, g.Index, g.At.Sub(t0), g.Intended.Sub(t0))
				}
			}
		})
	}
}

// TestPacerLateCaller checks that a caller who comes after its slot is reported late and
// starts at once, and that the schedule does not move: later slots stay where they were.
func TestPacerLateCaller(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p, _ := NewPacer(10, 1)
		t0 := time.Now()
		g0, _ := p.Take(context.Background())
		time.Sleep(350 * time.Millisecond) // slots 1..3 pass unused
		g1, _ := p.Take(context.Background())
		g2, _ := p.Take(context.Background())
		want := []struct{ at, intended time.Duration }{{0, 0}, {350 * time.Millisecond, 100 * time.Millisecond}, {450 * time.Millisecond, 200 * time.Millisecond}}
		for i, g := range []Grant{g0, g1, g2} {
			if (g.At.Sub(t0)-want[i].at).Abs() > time.Microsecond || g.Intended.Sub(t0) != want[i].intended {
				t.Errorf("grant %d at %v for slot %v, want at %v for slot %v", i, g.At.Sub(t0), g.Intended.Sub(t0), want[i].at, want[i].intended)
			}
		}
		if (g2.Late() - 250*time.Millisecond).Abs() > time.Microsecond {
			t.Errorf("grant 2 late by %v, want 250ms", g2.Late())
		}
	})
}

// BenchmarkPacerPrecision runs the pacer on the real clock with burst 1 for about 2 s per
// rate and reports the achieved rate over the target and the mean lateness of a start
// against 1/R after the previous one (what a timer that fires late costs and the spin saves).
func BenchmarkPacerPrecision(b *testing.B) {
	for _, rate := range []float64{45, 500, 2000} {
		b.Run(fmt.Sprintf("r=%g", rate), func(b *testing.B) {
			n := int(2 * rate)
			interval := time.Duration(float64(time.Second) / rate)
			for b.Loop() {
				p, _ := NewPacer(rate, 1)
				var first, prev time.Time
				var over time.Duration
				for i := range n {
					g, err := p.Take(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if i == 0 {
						first = g.At
					} else {
						over += g.At.Sub(prev) - interval
					}
					prev = g.At
				}
				b.ReportMetric(float64(n-1)/prev.Sub(first).Seconds()/rate, "achieved/R")
				b.ReportMetric(float64(over.Nanoseconds())/1e3/float64(n-1), "µs-late/start")
			}
		})
	}
}

// TestPacerTolerance checks that a start up to Tolerance late is on time and moves the
// schedule with it, while a later one is late and leaves the schedule where it was.
func TestPacerTolerance(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p, _ := NewPacer(10, 1)
		t0 := time.Now()
		take := func(after time.Duration) Grant {
			time.Sleep(after)
			g, err := p.Take(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		type got struct{ At, Intended time.Duration }
		var gots []got
		for _, after := range []time.Duration{0, 100*time.Millisecond + 500*time.Microsecond, 0, 102 * time.Millisecond, 0} {
			g := take(after)
			gots = append(gots, got{g.At.Sub(t0), g.Intended.Sub(t0)})
		}
		ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
		want := []got{
			{0, 0},
			{ms(100.5), ms(100.5)}, // 0.5ms late: on time, the schedule moves
			{ms(200.5), ms(200.5)},
			{ms(302.5), ms(300.5)}, // 2ms late: late, the schedule stays
			{ms(402.5), ms(400.5)}, // and cannot catch up with burst 1
		}
		if diff := cmp.Diff(want, gots); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestPacerCancelledTakeConsumesNothing: a Take cancelled before its grant takes no token
// and no slot: the next caller gets both, as if it had never asked.
func TestPacerCancelledTakeConsumesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		burst int
		// cancelAt is when the second Take's ctx is done; the third asks then.
		cancelAt time.Duration
	}{
		{"waiting for its token", 1, 400 * time.Millisecond},
		{"at once", 1, 0},
		{"burst 2, waiting", 2, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				p, _ := NewPacer(1, tt.burst)
				t0 := time.Now()
				for range tt.burst {
					if _, err := p.Take(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() {
					_, err := p.Take(ctx)
					done <- err
				}()
				synctest.Wait()
				time.Sleep(tt.cancelAt)
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Fatalf("cancelled take: %v, want context.Canceled", err)
				}
				if p.Granted() != tt.burst {
					t.Errorf("granted %d after the cancelled take, want %d", p.Granted(), tt.burst)
				}
				g, err := p.Take(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				want := Grant{Index: tt.burst, At: t0.Add(time.Second), Intended: t0.Add(time.Second), Wait: time.Second - tt.cancelAt}
				if diff := cmp.Diff(want, g); diff != "" {
					t.Errorf("the next grant (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestPacerExampleSchedule is ExampleNewPacer on a fake clock: at 10 per second, 2 at once,
// the first two starts have their slots at once and the third a tenth of a second later, and
// only the third waits, for exactly that tenth.
func TestPacerExampleSchedule(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p, err := NewPacer(10, 2)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		var first time.Time
		for range 3 {
			g, err := p.Take(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if g.Index == 0 {
				first = g.Intended
			}
			got = append(got, fmt.Sprintf("start %d: slot +%v, at +%v, waited %v", g.Index, g.Intended.Sub(first), g.At.Sub(first), g.Wait))
		}
		want := []string{
			"start 0: slot +0s, at +0s, waited 0s",
			"start 1: slot +0s, at +0s, waited 0s",
			"start 2: slot +100ms, at +100ms, waited 100ms",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("schedule (-want +got):\n%s", d)
		}
	})
}
