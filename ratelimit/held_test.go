package ratelimit_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/ratelimit"
)

// TestAdaptiveHeldUntil: a drop with a Retry-After holds every admission until it has passed,
// and HeldUntil says when that is. An Acquire during the hold with no request in progress is
// granted when it ends (it used to wait for a Release that would never come).
func TestAdaptiveHeldUntil(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, err := ratelimit.NewAdaptive(1, 4)
		if err != nil {
			t.Fatal(err)
		}
		if !a.HeldUntil().IsZero() {
			t.Fatalf("HeldUntil() = %v before any drop, want the zero time", a.HeldUntil())
		}
		admitted := time.Now()
		if _, err := a.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		a.Release(ratelimit.Sample{Admitted: admitted, Dropped: true, Throttled: true, RetryAfter: 10 * time.Second})
		want := time.Now().Add(10 * time.Second)
		if got := a.HeldUntil(); !got.Equal(want) {
			t.Errorf("HeldUntil() = %v, want %v", got, want)
		}
		if _, err := a.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !time.Now().Equal(want) {
			t.Errorf("admitted at %v, want at the hold's end %v", time.Now(), want)
		}
	})
}
