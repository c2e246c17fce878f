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

func ExampleNewPacer() {
	pacer, err := ratelimit.NewPacer(10, 2) // 10 starts per second, 2 at once
	if err != nil {
		panic(err)
	}
	var first time.Time
	for range 3 {
		g, err := pacer.Take(context.Background())
		if g.Index == 0 {
			first = g.At
		}
		// How long a start waited depends on the machine; its slot does not.
		fmt.Printf("start %d: slot +%v, waited for it: %v, %v\n", g.Index, g.Intended.Sub(first).Round(time.Millisecond), g.Wait >= 50*time.Millisecond, err)
	}
	// Output:
	// start 0: slot +0s, waited for it: false, <nil>
	// start 1: slot +0s, waited for it: false, <nil>
	// start 2: slot +100ms, waited for it: true, <nil>
}
