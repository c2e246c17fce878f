package redispool

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestScriptsOnRealServer runs the protocol's scripts on redis-server itself: its Lua, its
// clock and its XAUTOCLAIM.
func TestScriptsOnRealServer(t *testing.T) {
	rdb, _ := realRedis(t, 10)
	ctx := t.Context()
	keys := keysOf("real")
	rdb.HSet(ctx, keys.job, "state", stateRunning)
	rdb.PExpire(ctx, keys.job, time.Minute)

	p := newPacer(rdb, keys, 100, 2)
	var slots []time.Duration
	var first int64
	for i := range 12 {
		slot, _ := reserve(t, p)
		if i == 0 {
			first = slot
		}
		slots = append(slots, time.Duration(slot-first)*time.Microsecond)
	}
	checkWindows(t, slots, 100, 2)
	if last := slots[len(slots)-1]; last < 100*time.Millisecond {
		t.Errorf("12 starts at 100/s burst 2 span %s, want at least 100ms", last)
	}

	a := newSemaphore(rdb, keys, 2, time.Minute, "a")
	for range 2 {
		if _, err := a.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := acquireScript.Run(ctx, rdb, []string{keys.job, keys.sem}, 2, "probe", 60000).Int(); err != nil || n != 0 {
		t.Errorf("a third slot of two: %d, %v", n, err)
	}
	if ttl := rdb.PTTL(ctx, keys.sem).Val(); ttl <= 0 {
		t.Errorf("the semaphore's key has no time to live (%s)", ttl)
	}

	if err := rdb.XGroupCreateMkStream(ctx, keys.work, group, "0").Err(); err != nil {
		t.Fatal(err)
	}
	var args []any
	for seq := range 3 {
		args = itemArgs(args, fetcher.Item{Target: fetcher.Target{URL: "http://h/" + strconv.Itoa(seq)}, Seq: seq}, "")
	}
	if err := enqueueScript.Run(ctx, rdb, []string{keys.job, keys.work, keys.queued, keys.seen}, args...).Err(); err != nil {
		t.Fatal(err)
	}
	lease := 300 * time.Millisecond
	src := func(name string) *workSource {
		return &workSource{rdb: rdb, keys: keys, consumer: name, lease: lease, count: 10, allowed: func(string) bool { return true },
			pending: map[int]string{}, lastClaim: time.Now()}
	}
	dead, alive := src("dead"), src("alive")
	for range 3 {
		dead.Next(ctx)
	}
	time.Sleep(lease + 50*time.Millisecond)
	alive.lastClaim = time.Time{}
	if err := alive.read(ctx); err != nil {
		t.Fatal(err)
	}
	if len(alive.buf) != 3 {
		t.Errorf("claimed %d of the dead worker's 3 items after its lease", len(alive.buf))
	}
}

// BenchmarkRecordsThroughRedis measures records from workers through Redis into a
// coordinator: three workers with no HTTP (each answers its items with a record at once)
// against redis-server; it reports records/s and the peak RSS of the test process, which
// holds the synthetic workers too (so an upper bound of the coordinator's).
//
//	FETCHBENCH_REDIS_URL=redis://127.0.0.1:6379 go test -run '^$' -bench RecordsThroughRedis -benchtime 1000000x ./redispool/
func BenchmarkRecordsThroughRedis(b *testing.B) {
	rdb, _ := realRedis(b, 11)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rdb.ZAdd(ctx, keyWorkers, redis.Z{Score: float64(time.Now().Add(time.Hour).UnixMilli()), Member: "synthetic"})
	go func() { // the synthetic workers join every job announced
		last := "0-0"
		for ctx.Err() == nil {
			st, err := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{keyJobs, last}, Block: block}).Result()
			if err != nil {
				continue
			}
			for _, m := range st[0].Messages {
				last = m.ID
				for i := range 3 {
					go synthetic(ctx, rdb, keysOf(m.Values["job"].(string)), fmt.Sprint("s", i))
				}
			}
		}
	}()
	c, err := NewCoordinator(ctx, rdb, CoordinatorConfig{URL: "redis://bench", Lease: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ts, err := fetcher.RangeTargets("http://127.0.0.1:1/api/people/{id}/", b.N) // generated, as -n's are
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	b.ResetTimer()
	if _, err := c.Schedule(ctx, fetcher.Config{Strategy: fetcher.Unbounded}, fetcher.Static(ts), fetcher.Gates{}, func(fetcher.Record) { n++ }); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n != b.N {
		b.Fatalf("%d records of %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// synthetic is a worker without HTTP: it answers each item with a record at once.
func synthetic(ctx context.Context, rdb redis.Cmdable, keys jobKeys, name string) {
	src := &workSource{rdb: rdb, keys: keys, consumer: name, lease: 10 * time.Second, count: 256,
		allowed: func(string) bool { return true }, pending: map[int]string{}, lastClaim: time.Now()}
	pub := newPublisher(rdb, keys, name, src, func() bool { return false })
	defer pub.Close()
	for {
		it, ok := src.Next(ctx)
		if !ok {
			return
		}
		pub.Add(fetcher.Record{Seq: it.Seq, ID: it.ID, URL: it.URL, StartAt: time.Now(), Status: 200, Bytes: 640,
			Attempts: 1, Latency: time.Millisecond, Total: time.Millisecond, Name: "Luke Skywalker"})
		if it.Seq%4096 == 0 {
			if st, err := rdb.HGet(ctx, keys.job, "state").Result(); err != nil || st != stateRunning {
				return
			}
		}
	}
}

// peakRSSMB is the process's peak resident set (VmHWM), in MB; 0 where /proc has none.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
