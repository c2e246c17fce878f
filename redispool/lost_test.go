package redispool

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestRedisLostTheJob: Redis loses the job's keys mid-run (a restart without them, a flush).
// The coordinator says Redis lost the job, not that it stalled, names no flag, writes a
// record for every item and Is fetcher.ErrUnfinished; the worker says Redis lost the job,
// not that its coordinator is gone.
func TestRedisLostTheJob(t *testing.T) {
	t.Parallel()
	m, rdb := newMini(t)
	_, srv := faketest.Start(t, fakeswapi.Options{Latency: 20 * time.Millisecond})
	var log syncBuffer
	w, err := NewWorker(rdb, WorkerConfig{Name: "w", MaxInFlight: 1, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	runWorker(t, w)
	c, err := NewCoordinator(t.Context(), rdb, CoordinatorConfig{URL: "redis://test", Lease: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sched, _, err := started(c, rdb, "redis://test", nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	got := 0
	_, err = sched(t.Context(), fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 1}},
		fetcher.Static(targets(srv.API(), n)), fetcher.Gates{}, func(r fetcher.Record) {
			if got++; got == 1 {
				m.FlushAll()
			}
		})
	if !errors.Is(err, ErrJobLost) || !errors.Is(err, fetcher.ErrUnfinished) {
		t.Fatalf("err = %v, want one that Is ErrJobLost and fetcher.ErrUnfinished", err)
	}
	for _, bad := range []string{"stalled", "--"} {
		if strings.Contains(err.Error(), bad) {
			t.Errorf("err = %q, want no %q", err, bad)
		}
	}
	if !strings.Contains(err.Error(), "Redis lost the job") {
		t.Errorf("err = %q, want it to say Redis lost the job", err)
	}
	if got != n {
		t.Errorf("%d records, want %d", got, n)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), "requests"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not end the job:\n%s", log.String())
		}
	}
	if s := log.String(); !strings.Contains(s, "abandoned: Redis lost the job") || strings.Contains(s, "coordinator is gone") {
		t.Errorf("the worker said:\n%s\nwant that Redis lost the job", s)
	}
}
