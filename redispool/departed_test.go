package redispool

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestCoordinatorSaysWhatADeadWorkerHolds: a worker that died holding a sequential run's one
// slot and an item makes the run wait for their lease; once the worker has stopped answering the
// coordinator says so in one line, with what the run waits for and until when, and the run
// then completes on the other worker.
func TestCoordinatorSaysWhatADeadWorkerHolds(t *testing.T) {
	t.Parallel()
	const lease, n = 2 * time.Second, 3
	_, rdb := newMini(t)
	ctx := t.Context()
	_, srv := faketest.Start(t, fakeswapi.Options{})
	const dead = "dead#1"
	now, err := serverMillis(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.ZAdd(ctx, keyWorkers, redis.Z{Score: float64(now + 300), Member: dead}).Err(); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	c, err := NewCoordinator(ctx, rdb, CoordinatorConfig{URL: "redis://test", Lease: lease, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		got map[int]fetcher.Record
		err error
	}
	done := make(chan result, 1)
	go func() {
		got := map[int]fetcher.Record{}
		_, err := c.Schedule(ctx, fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}},
			fetcher.Static(targets(srv.API(), n)), fetcher.Gates{}, func(r fetcher.Record) { got[r.Seq] = r })
		done <- result{got, err}
	}()
	// The dead worker took the slot and an item, then died.
	id, err := firstJob(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	keys := keysOf(id)
	if err := acquireScript.Run(ctx, rdb, []string{keys.job, keys.sem}, 1, dead+":1", lease.Milliseconds()).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: dead, Streams: []string{keys.work, ">"}, Count: 1, Block: 0}).Err(); err != nil {
		t.Fatal(err)
	}
	startWorkers(t, rdb, 1, WorkerConfig{})
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	got := res.got
	for seq := range n {
		if r := got[seq]; !r.OK() {
			t.Errorf("seq %d: %+v", seq, r)
		}
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "the run waits for 1 slot and 1 item held by worker dead#1, which stopped answering: until their lease ends, at ") {
		t.Errorf("the coordinator said:\n%s\nwant one line on what dead#1 holds and until when", log.String())
	}
}
