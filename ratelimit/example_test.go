package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/fetchbench/fetchbench/ratelimit"
)

func ExampleNewSemaphore() {
	sem, err := ratelimit.NewSemaphore(2)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for i := range 2 {
		wait, err := sem.Acquire(ctx)
		fmt.Println("request", i, "admitted after", wait, err)
	}
	sem.Release()
	sem.Release()
	// Output:
	// request 0 admitted after 0s <nil>
	// request 1 admitted after 0s <nil>
}

// ExampleNewPacer takes three starts from a pacer of 10 per second, 2 at once: the first two
// at once, the third a tenth of a second after them. How long a start waits, and how much
// lateness its slot absorbs, depend on the machine, so the example has no checked output;
// TestPacerExampleSchedule checks the same schedule on a fake clock.
func ExampleNewPacer() {
	pacer, err := ratelimit.NewPacer(10, 2) // 10 starts per second, 2 at once
	if err != nil {
		panic(err)
	}
	var first time.Time
	for range 3 {
		g, err := pacer.Take(context.Background())
		if g.Index == 0 {
			first = g.Intended
		}
		fmt.Printf("start %d: slot +%v, waited %v, %v\n", g.Index, g.Intended.Sub(first).Round(time.Millisecond), g.Wait.Round(10*time.Millisecond), err)
	}
	// Prints, on an idle machine:
	// start 0: slot +0s, waited 0s, <nil>
	// start 1: slot +0s, waited 0s, <nil>
	// start 2: slot +100ms, waited 100ms, <nil>
}
