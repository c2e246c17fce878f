package fetcher

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/ratelimit"
)

// kitCalls is a GateKit that records what it was asked to make.
type kitCalls struct {
	calls []string
	fail  error // returned by Adapt when set
}

func (k *kitCalls) Slots(n int) (Admission, error) {
	k.calls = append(k.calls, fmt.Sprintf("slots %d", n))
	return NewSemaphore(n), nil
}

func (k *kitCalls) Pace(rate float64, burst int) (Pacer, error) {
	k.calls = append(k.calls, fmt.Sprintf("pace %g/s burst %d", rate, burst))
	return ratelimit.NewPacer(rate, burst)
}

func (k *kitCalls) Adapt(floor, ceiling int) (Admission, error) {
	k.calls = append(k.calls, fmt.Sprintf("adapt %d..%d", floor, ceiling))
	if k.fail != nil {
		return nil, k.fail
	}
	return NewAdaptive(floor, ceiling), nil
}

// gate is what a gate built by LocalGates is: its kind and its numbers.
type gate struct {
	Kind              string // "semaphore", "adaptive", "pacer"
	Max, Floor, Limit int
	Rate              float64
	Burst             int
}

// describe reads g's gates back into numbers.
func describe(t *testing.T, g Gates) []gate {
	t.Helper()
	var out []gate
	switch a := g.Admission.(type) {
	case nil:
	case semaphore:
		out = append(out, gate{Kind: "semaphore", Max: a.Max(), Limit: a.Limit()})
	case adaptive:
		out = append(out, gate{Kind: "adaptive", Max: a.Max(), Floor: a.a.Floor(), Limit: a.Limit()})
	default:
		t.Fatalf("admission %T", a)
	}
	switch p := g.Pacer.(type) {
	case nil:
	case *ratelimit.Pacer:
		out = append(out, gate{Kind: "pacer", Rate: p.Rate(), Burst: p.Burst()})
	default:
		t.Fatalf("pacer %T", p)
	}
	return out
}

// TestStrategyGates: every strategy's gates are what its facts say, as calls to a kit and
// as the gates LocalGates makes (GatesFor too).
func TestStrategyGates(t *testing.T) {
	t.Parallel()
	capped := Knobs{Concurrency: 7, Rate: 20, Burst: 3, CapRate: true, MinConcurrency: 2}
	free := Knobs{Concurrency: 7, Rate: 20, Burst: 0}
	tests := []struct {
		s         Strategy
		k         Knobs
		wantCalls []string
		want      []gate
	}{
		{Sequential, capped, []string{"slots 1"}, []gate{{Kind: "semaphore", Max: 1, Limit: 1}}},
		{Unbounded, capped, nil, nil},
		{Semaphore, capped, []string{"slots 7"}, []gate{{Kind: "semaphore", Max: 7, Limit: 7}}},
		{RateLimit, free, []string{"pace 20/s burst 1"}, []gate{{Kind: "pacer", Rate: 20, Burst: 1}}},
		{RateLimit, capped, []string{"slots 7", "pace 20/s burst 3"},
			[]gate{{Kind: "semaphore", Max: 7, Limit: 7}, {Kind: "pacer", Rate: 20, Burst: 3}}},
		{Adaptive, free, []string{"adapt 1..256"}, []gate{{Kind: "adaptive", Max: 256, Floor: 1, Limit: ratelimit.InitialLimit}}},
		{Adaptive, capped, []string{"adapt 2..7"}, []gate{{Kind: "adaptive", Max: 7, Floor: 2, Limit: ratelimit.InitialLimit}}},
	}
	for _, tt := range tests {
		l := tt.s.Limits(tt.k)
		t.Run(string(tt.s)+"/"+strings.ReplaceAll(tt.s.Params(l), " ", "_"), func(t *testing.T) {
			t.Parallel()
			var kit kitCalls
			if _, err := tt.s.Gates(l, &kit); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantCalls, kit.calls); diff != "" {
				t.Errorf("kit calls (-want +got):\n%s", diff)
			}
			g, err := tt.s.Gates(l, LocalGates)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, describe(t, g)); diff != "" {
				t.Errorf("LocalGates (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, describe(t, GatesFor(l))); diff != "" {
				t.Errorf("GatesFor (-want +got):\n%s", diff)
			}
			if g.Shared {
				t.Error("local gates are not shared")
			}
		})
	}
}

func TestStrategyGatesErrors(t *testing.T) {
	t.Parallel()
	refused := errors.New("refused")
	tests := []struct {
		name string
		s    Strategy
		l    Limits
		fail error
		want string
	}{
		{"unknown strategy", "fastest", Limits{}, nil, `unknown strategy "fastest"`},
		{"sequential with slots", Sequential, Limits{Slots: 2}, nil, "one request at a time"},
		{"semaphore without slots", Semaphore, Limits{}, nil, "needs slots"},
		{"unbounded with a rate", Unbounded, Limits{Rate: 1, Burst: 1}, nil, "has no limits"},
		{"the kit refuses", Adaptive, Limits{Slots: 8, Floor: 1}, refused, "adaptive gates: refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kit := &kitCalls{fail: tt.fail}
			g, err := tt.s.Gates(tt.l, kit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if tt.fail != nil && !errors.Is(err, tt.fail) {
				t.Errorf("error %v does not wrap the kit's", err)
			}
			if g.Admission != nil || g.Pacer != nil {
				t.Errorf("gates %+v with an error", g)
			}
		})
	}
}

// TestLocalGatesRefuse: LocalGates reports what ratelimit refuses rather than clamping it.
func TestLocalGatesRefuse(t *testing.T) {
	t.Parallel()
	if _, err := LocalGates.Slots(0); err == nil {
		t.Error("Slots(0): no error")
	}
	if _, err := LocalGates.Pace(0, 1); err == nil {
		t.Error("Pace(0, 1): no error")
	}
	if _, err := LocalGates.Adapt(3, 2); err == nil {
		t.Error("Adapt(3, 2): no error")
	}
}
