package gauge

import (
	"fmt"
	"sync"
	"testing"
)

func TestGauge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		ops       string // + Inc, - Dec, r ResetPeak
		wantValue int64
		wantPeak  int64
	}{
		{"zero", "", 0, 0},
		{"up and down", "+++--", 1, 3},
		{"new peak after a dip", "++-+++", 4, 4},
		{"reset peak to the current value", "+++--r", 1, 1},
		{"reset then rise", "+++--r++", 3, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var g Gauge
			for _, op := range tc.ops {
				switch op {
				case '+':
					g.Inc()
				case '-':
					g.Dec()
				case 'r':
					g.ResetPeak()
				}
			}
			if g.Value() != tc.wantValue || g.Peak() != tc.wantPeak {
				t.Errorf("value %d peak %d, want %d and %d", g.Value(), g.Peak(), tc.wantValue, tc.wantPeak)
			}
		})
	}
}

func TestGaugeConcurrent(t *testing.T) {
	t.Parallel()
	var g Gauge
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			g.Inc()
		})
	}
	close(start)
	wg.Wait()
	if g.Value() != 50 || g.Peak() != 50 {
		t.Errorf("value %d peak %d, want 50 and 50", g.Value(), g.Peak())
	}
	for range 50 {
		wg.Go(g.Dec)
	}
	wg.Wait()
	if g.Value() != 0 || g.Peak() != 50 {
		t.Errorf("after Dec: value %d peak %d, want 0 and 50", g.Value(), g.Peak())
	}
}

func ExampleGauge() {
	var inFlight Gauge
	inFlight.Inc()
	inFlight.Inc()
	inFlight.Dec()
	fmt.Println("in flight", inFlight.Value(), "most at once", inFlight.Peak())
	// Output: in flight 1 most at once 2
}
