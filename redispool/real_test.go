package redispool

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/internal/redistest"
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
		slot, _, _ := reserve(t, p)
		if i == 0 {
			first = slot
		}
		slots = append(slots, time.Duration(slot-first)*time.Microsecond)
	}
	checkWindows(t, slots, 100, 2)
	if last := slots[len(slots)-1]; last < 100*time.Millisecond {
		t.Errorf("12 starts at 100/s burst 2 span %s, want at least 100ms", last)
	}
	if ttl := rdb.PTTL(ctx, keys.rate).Val(); ttl <= 0 {
		t.Errorf("the GCRA's key has no time to live (%s)", ttl)
	}
	v, err := reserveScript.Run(ctx, rdb, []string{keys.job, keys.rate, keys.starts}, p.interval.Microseconds(), p.burst, 1000).Slice()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := giveBackScript.Run(ctx, rdb, []string{keys.rate, keys.starts}, v[4], p.interval.Microseconds(), v[5]).Int(); err != nil || n != 1 {
		t.Errorf("giving back the latest reservation: %d, %v", n, err)
	}
	if n := rdb.Get(ctx, keys.starts).Val(); n != "12" {
		t.Errorf("%s starts after one given back of 13, want 12", n)
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

	if n, err := alive.HandBack(ctx); err != nil || n != 3 {
		t.Errorf("handed back %d of 3 items: %v", n, err)
	}
	if p, err := rdb.XPending(ctx, keys.work, group).Result(); err != nil || p.Count != 0 {
		t.Errorf("%d entries pending after the hand-back (%v), want none", p.Count, err)
	}
	next := src("next")
	for seq := range 3 {
		if it, ok := next.Next(ctx); !ok || it.URL != "http://h/"+strconv.Itoa(seq) {
			t.Errorf("read %+v, %v after the hand-back; want seq %d again", it, ok, seq)
		}
	}
}

// syntheticPool is a coordinator on database db of the real redis-server whose jobs three
// synthetic workers join (see synthetic), until the benchmark ends.
func syntheticPool(b *testing.B, db int) (context.Context, *Coordinator) {
	b.Helper()
	rdb, _ := realRedis(b, db)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
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
	return ctx, c
}

// BenchmarkRecordsThroughRedis measures records from workers through Redis into a
// coordinator: three workers with no HTTP (each answers its items with a record at once)
// against redis-server; it reports records/s and the peak RSS of the test process, which
// holds the synthetic workers too (so an upper bound of the coordinator's).
//
//	FETCHBENCH_REDIS_URL=redis://127.0.0.1:6379 go test -run '^$' -bench RecordsThroughRedis -benchtime 1000000x ./redispool/
func BenchmarkRecordsThroughRedis(b *testing.B) {
	ctx, c := syntheticPool(b, 11)
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
		pub.Add(fetcher.Record{Seq: it.Seq, ID: it.ID, URL: it.URL, Kind: it.Kind, Depth: it.Depth, Parent: it.Parent, StartAt: time.Now(), Status: 200, Bytes: 640,
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

// BenchmarkCoordinatorPushedLinks measures what a coordinator keeps of the work its Follows
// push, as get --expand runs it (-s semaphore -c 50, documents bounded by SetMaxOpen): 1,000
// targets, each pushing 100 links of its own and waiting for their outcomes (100,000 links),
// answered by synthetic workers against redis-server. It reports the heap still live once the
// run is over with its frontier alive (retained-MB), and links/s.
//
//	FETCHBENCH_REDIS_URL=redis://127.0.0.1:6379 go test -run '^$' -bench CoordinatorPushedLinks -benchtime 1x ./redispool/
func BenchmarkCoordinatorPushedLinks(b *testing.B) {
	const targets, links = 1000, 100
	ctx, c := syntheticPool(b, 15)
	var retained float64
	for b.Loop() {
		ts, err := fetcher.RangeTargets("http://127.0.0.1:1/api/people/{id}/", targets)
		if err != nil {
			b.Fatal(err)
		}
		f := fetcher.NewFrontier(ts, fetcher.Scope{})
		cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 50}}
		f.SetMaxOpen(cfg.Strategy.OpenDocuments(cfg.Limits), false)
		cfg.Follow = func(rec *fetcher.Record) {
			if rec.Kind == fetcher.KindLink {
				return
			}
			var wg sync.WaitGroup // as get's expand: each link pushed and waited for at once
			for i := range links {
				u := fmt.Sprintf("http://127.0.0.1:1/api/planets/%d/%d/", rec.Seq, i)
				wg.Go(func() {
					f.Push(fetcher.Target{URL: u}, fetcher.KindLink, 1, rec.Seq)
					f.Wait(ctx, u)
				})
			}
			wg.Wait()
		}
		n := 0
		if _, err := c.Schedule(ctx, cfg, f, fetcher.Gates{}, func(fetcher.Record) { n++ }); err != nil {
			b.Fatal(err)
		}
		if n != targets*(links+1) {
			b.Fatalf("%d records of %d", n, targets*(links+1))
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		retained = float64(ms.HeapAlloc) / (1 << 20)
		runtime.KeepAlive(f)
	}
	b.ReportMetric(float64(b.N*targets*links)/b.Elapsed().Seconds(), "links/s")
	b.ReportMetric(retained, "retained-MB")
}

// BenchmarkEnqueue measures the enqueue script on redis-server: batches of 256 items, as
// targets (never deduplicated) and as pushed URLs (each checked and claimed in the job's
// seen hash), in items/s.
//
//	FETCHBENCH_REDIS_URL=redis://127.0.0.1:6379 go test -run '^$' -bench Enqueue ./redispool/
func BenchmarkEnqueue(b *testing.B) {
	rdb, _ := realRedis(b, 15)
	for _, pushed := range []bool{false, true} {
		name := "targets"
		if pushed {
			name = "pushed"
		}
		b.Run(name, func(b *testing.B) {
			ctx := b.Context()
			keys := keysOf("bench-" + name)
			rdb.HSet(ctx, keys.job, "state", stateRunning)
			rdb.PExpire(ctx, keys.job, time.Minute)
			rdb.XGroupCreateMkStream(ctx, keys.work, group, "0")
			ks := []string{keys.job, keys.work, keys.queued, keys.seen}
			seq := 0
			for b.Loop() {
				args := make([]any, 0, 8*256)
				for range 256 {
					it := fetcher.Item{Target: fetcher.Target{URL: "http://127.0.0.1:1/api/planets/" + strconv.Itoa(seq) + "/"}, Seq: seq, Kind: fetcher.KindLink, Depth: 1, Queued: time.Now()}
					key := ""
					if pushed {
						key = fetcher.URLKey(it.URL)
					}
					args = itemArgs(args, it, key)
					seq++
				}
				if err := enqueueScript.Run(ctx, rdb, ks, args...).Err(); err != nil {
					b.Fatal(err)
				}
				if seq%(256*64) == 0 {
					rdb.XTrimMaxLen(ctx, keys.work, 0)
				}
			}
			b.ReportMetric(float64(seq)/b.Elapsed().Seconds(), "items/s")
			rdb.Del(ctx, keys.all()...)
		})
	}
}

// realRediss is redistest.TLS's URL and CA.
func realRediss(t *testing.T, db int) (string, *x509.CertPool) {
	t.Helper()
	url, _, roots := redistest.TLS(t, db)
	return url, roots
}

// TestRediss: a pool over TLS with a password: the coordinator and its workers dial
// rediss:// trusting the test CA and run a job; without the CA, or with a wrong password,
// Dial fails with an error that never shows the password.
func TestRediss(t *testing.T) {
	raw, roots := realRediss(t, 1)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	if password == "" {
		t.Fatalf("FETCHBENCH_REDISS_URL has no password: %s", Redact(raw))
	}

	t.Run("runs a job", func(t *testing.T) {
		rdb, err := Dial(t.Context(), raw, roots)
		if err != nil {
			t.Fatal(err)
		}
		defer rdb.Close()
		if rdb.Options().TLSConfig == nil {
			t.Fatal("a rediss:// client without TLS")
		}
		_, srv := faketest.Start(t, fakeswapi.Options{})
		startWorkers(t, rdb, 2, WorkerConfig{})
		f := fetcher.NewFrontier(targets(srv.API(), 12), fetcher.Scope{})
		cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}}
		cfg.Follow = func(rec *fetcher.Record) {
			if rec.Kind == fetcher.KindTarget {
				f.Push(fetcher.Target{URL: srv.API() + "planets/1/"}, fetcher.KindLink, 1, rec.Seq)
			}
		}
		got, _, err := schedule(t, t.Context(), rdb, cfg, f, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 13 {
			t.Errorf("%d records over TLS, want 12 targets and 1 link", len(got))
		}
		for _, r := range got {
			if !r.OK() {
				t.Errorf("seq %d: %s", r.Seq, r.Err)
			}
		}
	})

	wrong := *u
	wrong.User = url.UserPassword("", "not-"+password)
	tests := []struct {
		name  string
		url   string
		roots *x509.CertPool
		want  string
	}{
		{"system roots", raw, nil, "(its CA is not among the roots trusted)"},
		{"wrong password", wrong.String(), roots, "rediss://:xxxxx@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb, err := Dial(t.Context(), tt.url, tt.roots)
			if err == nil {
				rdb.Close()
				t.Fatal("Dial succeeded")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, password) {
				t.Errorf("error %q: want %q in it and no password", msg, tt.want)
			}
		})
	}
}
