package redispool

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestMalformedJobSkippedOnce: entries of the pool's jobs stream that no worker can run (no
// job named, a spec that is not JSON, one that does not validate) are removed by the first
// worker that reads them, which says so once; no other worker, and no worker started later,
// says it again.
func TestMalformedJobSkippedOnce(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	ctx := t.Context()
	var log syncBuffer
	startWorkers(t, rdb, 3, WorkerConfig{Log: &log})
	for deadline := time.Now().Add(10 * time.Second); rdb.ZCard(ctx, keyWorkers).Val() < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the workers did not join")
		}
	}
	time.Sleep(2 * block) // each worker now reads the stream after its (empty) start
	for id, sp := range map[string]string{
		"notjson": "{not json",
		"invalid": `{"lease":1000000000,"strategy":"nope"}`,
	} {
		rdb.HSet(ctx, keysOf(id).job, "spec", sp, "state", stateRunning)
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: keyJobs, Values: []any{"job", id}})
	}
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: keyJobs, Values: []any{"other", "x"}})
	for deadline := time.Now().Add(10 * time.Second); strings.Count(log.String(), "removed from the pool's jobs") < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the workers said:\n%s", log.String())
		}
	}
	if n := rdb.XLen(ctx, keyJobs).Val(); n != 0 {
		t.Errorf("%d entries left in the pool's jobs, want none", n)
	}
	startWorkers(t, rdb, 1, WorkerConfig{Log: &log})
	time.Sleep(2 * block)
	got := log.String()
	for _, want := range []string{`job "notjson"`, `job "invalid"`, `job ""`} {
		if n := strings.Count(got, want); n != 1 {
			t.Errorf("%d lines about %s, want one:\n%s", n, want, got)
		}
	}
}

// TestMalformedWorkEntryRemoved: a work entry that is no item is acknowledged and deleted by
// the worker that reads it, not left pending to be claimed by every worker after each lease.
func TestMalformedWorkEntryRemoved(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	ctx := t.Context()
	keys := openJob(t, rdb, "malformed")
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: keys.work, Values: []any{"s", "x", "u", "http://h/"}})
	src := &workSource{rdb: rdb, keys: keys, consumer: "a", lease: time.Second, count: 10,
		allowed: func(string) bool { return true }, pending: map[int]string{}, lastClaim: time.Now()}
	if err := src.read(ctx); err != nil {
		t.Fatal(err)
	}
	if len(src.buf) != 0 {
		t.Errorf("items %+v from an entry that is none", src.buf)
	}
	if n := rdb.XLen(ctx, keys.work).Val(); n != 0 {
		t.Errorf("%d work entries left, want none", n)
	}
	if p := rdb.XPending(ctx, keys.work, group).Val(); p.Count != 0 {
		t.Errorf("%d work entries pending, want none", p.Count)
	}
}
