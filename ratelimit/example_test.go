package ratelimit_test

import (
	"context"
	"fmt"

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

func ExampleNewBucket() {
	bucket, err := ratelimit.NewBucket(10, 2) // 10 starts per second, 2 at once
	if err != nil {
		panic(err)
	}
	for i := range 2 {
		wait, err := bucket.Take(context.Background())
		fmt.Println("request", i, "started after", wait, err)
	}
	// Output:
	// request 0 started after 0s <nil>
	// request 1 started after 0s <nil>
}
