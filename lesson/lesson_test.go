package lesson

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/internal/memnet"

	goldenfile "github.com/fetchbench/fetchbench/internal/golden"
)

// inMemory is a Config at scale whose fakes listen on a fresh in-memory network: called in a
// synctest bubble, a lesson runs on the bubble's clock, every duration exact.
func inMemory(scale float64) Config {
	nw := new(memnet.Network)
	return Config{Scale: scale, Listen: nw.Listen, Transport: &http.Transport{DialContext: nw.DialContext}}
}

// TestRestaurantIdeal checks the restaurant's own numbers: one waiter needs the sum of the
// dishes, 43.8 s; two waiters 23.6 s; the async waiter the longest dish, 7.5 s.
func TestRestaurantIdeal(t *testing.T) {
	t.Parallel()
	want := []time.Duration{43800 * time.Millisecond, 23600 * time.Millisecond, 7500 * time.Millisecond}
	if d := cmp.Diff(want, restaurantIdeal()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestWorkersMatrix runs the workers lesson on fake time, at its own durations and at 1/20 of
// them (a 250 ms resource, a 350 ms limit): the pass/fail matrix comes out as the lesson says.
func TestWorkersMatrix(t *testing.T) {
	t.Parallel()
	for _, scale := range []float64{1, 0.05} {
		t.Run(time.Duration(scale*float64(workersResource)).String(), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				got, _, err := workersMatrix(context.Background(), inMemory(scale))
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(workersPass, got); d != "" {
					t.Errorf("matrix (-lesson +measured):\n%s", d)
				}
			})
		})
	}
}

// TestLessons runs each lesson on fake time and compares what it prints with
// testdata/NAME.golden (rewritten under -update). On fake time every exchange takes exactly
// its scheduled time: the restaurant's walls are the lesson's own. Requests sent at once reach
// the fake in any order, and so draw its jitter (gather) or its workers (workers) in any
// order: there the timelines' rows are compared sorted.
func TestLessons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		sortRows bool
	}{
		{"restaurant", false},
		{"gather", true},
		{"workers", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var out bytes.Buffer
				if err := Run(context.Background(), tc.name, inMemory(0.1), &out); err != nil {
					t.Fatal(err)
				}
				got := out.String()
				if tc.sortRows {
					got = sortTimelineRows(got)
				}
				golden(t, tc.name, got)
			})
		})
	}
}

// timelineRowRE matches a timeline's row: its number, then its bar.
var timelineRowRE = regexp.MustCompile(`^(\s+\d+ )(│.*)$`)

// sortTimelineRows sorts the bars of each timeline in s, keeping the row numbers in place.
func sortTimelineRows(s string) string {
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); {
		j := i
		var bars []string
		for ; j < len(lines) && timelineRowRE.MatchString(lines[j]); j++ {
			bars = append(bars, timelineRowRE.FindStringSubmatch(lines[j])[2])
		}
		slices.Sort(bars)
		for k, bar := range bars {
			lines[i+k] = timelineRowRE.FindStringSubmatch(lines[i+k])[1] + bar
		}
		i = max(j, i+1)
	}
	return strings.Join(lines, "\n")
}

// golden compares got with testdata/name.golden, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name+".golden"), []byte(got))
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lesson string
		cfg          Config
		want         string
		is           error
	}{
		{name: "unknown", lesson: "cafe", cfg: Config{Scale: 1}, want: `unknown lesson "cafe"`, is: ErrUnknown},
		{name: "no scale", lesson: "gather", want: "lesson gather: time scale 0 is not positive"},
		{name: "listen", lesson: "gather", cfg: Config{Scale: 1, Listen: func(string, string) (net.Listener, error) {
			return nil, errors.New("no network")
		}}, want: "start the fake SWAPI: no network"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := Run(context.Background(), tc.lesson, tc.cfg, &out)
			if err == nil || err.Error() != tc.want || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("Run = %v, want %q", err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q, want nothing", out.String())
			}
		})
	}
}

// TestInterrupted cancels a lesson halfway on fake time: Run returns ErrInterrupted with the
// partial table written, and stops its fake.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // within the one waiter's 43.8 s
		defer cancel()
		var out bytes.Buffer
		if err := Run(ctx, "restaurant", inMemory(1), &out); !errors.Is(err, ErrInterrupted) {
			t.Fatalf("Run = %v, want ErrInterrupted", err)
		}
		if !strings.Contains(out.String(), "(interrupted)") {
			t.Errorf("output lacks the interrupted mark:\n%s", out.String())
		}
	})
}
