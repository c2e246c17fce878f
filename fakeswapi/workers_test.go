package fakeswapi_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

func TestParseWorkers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		workers int
		steps   []fakeswapi.WorkerStep
		err     bool
	}{
		{in: "8", workers: 8},
		{in: "0", workers: 0},
		{in: "8@0s,2@5s,8@10s", workers: 8, steps: []fakeswapi.WorkerStep{{At: 5 * time.Second, Workers: 2}, {At: 10 * time.Second, Workers: 8}}},
		{in: "4@0s", workers: 4},
		{in: "-1", err: true},
		{in: "8@1s", err: true},
		{in: "8@0s,2@5s,3@5s", err: true},
		{in: "8@0s,x@5s", err: true},
		{in: "8@0s,2@soon", err: true},
		{in: "eight", err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			workers, steps, err := fakeswapi.ParseWorkers(tc.in)
			if (err != nil) != tc.err {
				t.Fatalf("err %v, want error %v", err, tc.err)
			}
			if diff := cmp.Diff(tc.steps, steps); diff != "" || workers != tc.workers {
				t.Errorf("workers %d, want %d; steps (-want +got):\n%s", workers, tc.workers, diff)
			}
		})
	}
}

// TestWorkerSteps: 4 workers, then 1 from 1s, then 4 from 2s; requests sent in waves of 4
// see the capacity of their moment.
func TestWorkerSteps(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const latency = 100 * time.Millisecond
		fake := faketest.New(t, fakeswapi.Options{Workers: 4, Latency: latency,
			WorkerSteps: []fakeswapi.WorkerStep{{At: time.Second, Workers: 1}, {At: 2 * time.Second, Workers: 4}}})
		client := faketest.InMemory(t, fake).Client()
		wave := func() time.Duration {
			start := time.Now()
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { memGet(t, client, "people/1/") })
			}
			wg.Wait()
			return time.Since(start)
		}
		var got []time.Duration
		for _, at := range []time.Duration{0, 1100 * time.Millisecond, 2200 * time.Millisecond} {
			time.Sleep(at)
			got = append(got, wave())
		}
		// Waves at 0s, 1.2s (one worker) and 3.8s (each sleep follows the previous wave).
		want := []time.Duration{latency, 4 * latency, latency}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("wave durations (-want +got):\n%s", diff)
		}
	})
}

// TestQuotaHeaders: with a rate every answer states the bucket, in the draft's fields and
// the older X-RateLimit ones; without, none.
func TestQuotaHeaders(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := faketest.New(t, fakeswapi.Options{Rate: 2, Burst: 3})
		client := faketest.InMemory(t, fake).Client()
		type quota struct{ Policy, Limit, XLimit, XRemaining, XReset string }
		var got []quota
		for range 4 {
			r := memGet(t, client, "people/1/")
			got = append(got, quota{r.header.Get("RateLimit-Policy"), r.header.Get("RateLimit"),
				r.header.Get("X-RateLimit-Limit"), r.header.Get("X-RateLimit-Remaining"), r.header.Get("X-RateLimit-Reset")})
		}
		want := []quota{
			{`"fake";q=2;w=1`, `"fake";r=2;t=0`, "3", "2", "0"},
			{`"fake";q=2;w=1`, `"fake";r=1;t=1`, "3", "1", "1"},
			{`"fake";q=2;w=1`, `"fake";r=0;t=1`, "3", "0", "1"},
			{`"fake";q=2;w=1`, `"fake";r=0;t=1`, "3", "0", "1"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("quota headers of 4 requests at once, 2/s burst 3 (-want +got):\n%s", diff)
		}

		plain := faketest.InMemory(t, faketest.New(t, fakeswapi.Options{})).Client()
		if r := memGet(t, plain, "people/1/"); r.header.Get("RateLimit") != "" || r.header.Get("X-RateLimit-Remaining") != "" {
			t.Errorf("quota headers without a rate: %v", r.header)
		}
	})
}
