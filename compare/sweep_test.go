package compare_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/report"
)

// TestSweepFindsTheKnee sweeps the semaphore at c=4, 8, 16, 32 against a fake that serves 8
// requests at once: the knee is c=8, beyond it requests only queue. On the in-memory network
// in a synctest bubble only the fake's 200 ms answers take time, so the knee is exact however
// loaded the machine is.
func TestSweepFindsTheKnee(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, srv := faketest.StartInMemory(t, fakeswapi.Options{Latency: 200 * time.Millisecond, Workers: 8})
		ts, err := fetcher.RangeTargets(srv.API()+"people/{id}/", 32)
		if err != nil {
			t.Fatal(err)
		}
		var cfgs []fetcher.Config
		for _, c := range []int{4, 8, 16, 32} {
			cfg := config(fetcher.Semaphore, fetcher.Knobs{Concurrency: c})
			cfg.Transport = srv.Transport
			cfgs = append(cfgs, cfg)
		}
		c, err := compare.Run(context.Background(), compare.Spec{Configs: cfgs, Targets: ts})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.Summaries {
			if s.Requests != 32 { // one of them person 17, whom SWAPI lacks (404)
				t.Errorf("c=%d: %d requests, want 32", s.Concurrency, s.Requests)
			}
		}
		sweeps := report.Sweeps(c)
		if len(sweeps) != 1 {
			t.Fatalf("%d sweeps, want 1: %+v", len(sweeps), sweeps)
		}
		if sw := sweeps[0]; sw.Knee != 8 || !sw.LittleHolds || len(sw.Levels) != 4 {
			t.Errorf("knee %v, Little's law holds %v, %d levels; want c=8, true, 4 (%+v)", sw.Knee, sw.LittleHolds, len(sw.Levels), sw)
		}
	})
}
