package redispool

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// startWorkers runs n workers on rdb until the test ends.
func startWorkers(t *testing.T, rdb redis.UniversalClient, n int, cfg WorkerConfig) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		c := cfg
		c.Name = fmt.Sprintf("w%d", i+1)
		if c.MaxInFlight == 0 {
			c.MaxInFlight = 10
		}
		w, err := NewWorker(rdb, c)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { _ = w.Run(ctx) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// targets are n URLs of the fake's people.
func targets(api string, n int) fetcher.TargetList {
	ts := make(fetcher.TargetList, n)
	for i := range ts {
		ts[i] = fetcher.Target{ID: i%16 + 1, URL: fmt.Sprintf("%speople/%d/", api, i%16+1)}
	}
	return ts
}

// schedule runs ts on the pool of rdb and returns the records by seq (failing on a seq seen twice).
func schedule(t *testing.T, ctx context.Context, rdb redis.UniversalClient, cfg fetcher.Config, src fetcher.Source, lease time.Duration) (map[int]fetcher.Record, fetcher.RunStats, error) {
	t.Helper()
	c, err := NewCoordinator(ctx, rdb, CoordinatorConfig{URL: "redis://test", Lease: lease})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]fetcher.Record{}
	stats, err := c.Schedule(ctx, cfg, src, fetcher.Gates{}, func(r fetcher.Record) {
		if _, dup := got[r.Seq]; dup {
			t.Errorf("seq %d recorded twice", r.Seq)
		}
		got[r.Seq] = r
	})
	return got, stats, err
}

func TestPoolRunsEveryTargetOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    fetcher.Config
		n      int
		ceiled int // the most requests the fake may see at once; 0: unchecked
	}{
		{"sequential", fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}}, 12, 1},
		{"unbounded", fetcher.Config{Strategy: fetcher.Unbounded}, 150, 30},
		{"semaphore", fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}}, 60, 4},
		{"ratelimit", fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.Limits{Rate: 400, Burst: 5}}, 40, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rdb := newMini(t)
			fake, srv := faketest.Start(t, fakeswapi.Options{Latency: 5 * time.Millisecond})
			startWorkers(t, rdb, 3, WorkerConfig{})
			ts := targets(srv.API(), tt.n)
			got, stats, err := schedule(t, t.Context(), rdb, tt.cfg, fetcher.Static(ts), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.n || stats.Requests != tt.n {
				t.Fatalf("%d records (stats %d), want %d", len(got), stats.Requests, tt.n)
			}
			for i := range tt.n {
				r := got[i]
				switch {
				case r.URL != ts[i].URL || r.ID != ts[i].ID:
					t.Errorf("seq %d is %s, want %s", i, r.URL, ts[i].URL)
				case !r.OK():
					t.Errorf("seq %d: %s", i, r.Err)
				case r.Strategy != tt.cfg.Strategy || r.Params != tt.cfg.Strategy.Params(tt.cfg.Limits) || r.Worker == "":
					t.Errorf("seq %d: strategy %q params %q worker %q", i, r.Strategy, r.Params, r.Worker)
				case r.Start < 0 || r.StartAt.IsZero():
					t.Errorf("seq %d: start %s at %s", i, r.Start, r.StartAt)
				}
			}
			st := fake.Stats()
			if st.Requests < int64(tt.n) {
				t.Errorf("the fake saw %d requests, want at least %d", st.Requests, tt.n)
			}
			if tt.ceiled > 0 && st.PeakConcurrent > int64(tt.ceiled) {
				t.Errorf("the fake saw %d at once, want at most %d", st.PeakConcurrent, tt.ceiled)
			}
		})
	}
}

// TestPoolLeavesOnlyExpiringKeys: after a run, every key left has a time to live.
func TestPoolLeavesOnlyExpiringKeys(t *testing.T) {
	t.Parallel()
	m, rdb := newMini(t)
	_, srv := faketest.Start(t, fakeswapi.Options{})
	startWorkers(t, rdb, 1, WorkerConfig{})
	if _, _, err := schedule(t, t.Context(), rdb, fetcher.Config{Strategy: fetcher.Unbounded}, fetcher.Static(targets(srv.API(), 5)), time.Second); err != nil {
		t.Fatal(err)
	}
	for _, k := range m.Keys() {
		if m.TTL(k) <= 0 {
			t.Errorf("key %s has no time to live", k)
		}
	}
}

func TestPoolRefusesHostsOutsideAllowHosts(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	fake, srv := faketest.Start(t, fakeswapi.Options{})
	startWorkers(t, rdb, 2, WorkerConfig{AllowHosts: []string{"allowed.example"}})
	got, _, err := schedule(t, t.Context(), rdb, fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 2}}, fetcher.Static(targets(srv.API(), 6)), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d records, want 6", len(got))
	}
	for seq, r := range got {
		if r.Class != fetcher.ClassNotAllowed || r.Attempts != 0 {
			t.Errorf("seq %d: class %q, %d attempts; want refused, none", seq, r.Class, r.Attempts)
		}
	}
	if n := fake.Stats().Requests; n != 0 {
		t.Errorf("the fake saw %d requests, want none", n)
	}
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	a := newAllowList([]string{"api.example", "127.0.0.1:8080"})
	tests := []struct {
		url  string
		want bool
	}{
		{"http://api.example/x", true},
		{"https://API.example:8443/x", true},
		{"http://127.0.0.1:8080/api/", true},
		{"http://127.0.0.1:9090/api/", false},
		{"http://evil.example/", false},
		{"::", false},
	}
	for _, tt := range tests {
		if got := a.allows(tt.url); got != tt.want {
			t.Errorf("allows(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
	if s := a.scope([]string{"api.example", "evil.example"}); s.String() != "api.example" {
		t.Errorf("scope = %q, want the allowed job host only", s)
	}
	if s := a.scope([]string{"evil.example"}); s.Check("http://evil.example/") == nil {
		t.Error("a scope of no allowed host lets a host through")
	}
	if s := newAllowList(nil).scope([]string{"x.example"}); s.String() != "x.example" {
		t.Errorf("without a list the scope is %q, want the job's", s)
	}
}

func TestCoordinatorWithoutWorker(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	_, err := NewCoordinator(t.Context(), rdb, CoordinatorConfig{URL: "redis://:s3cret@host:1", WaitForWorker: 50 * time.Millisecond})
	if !errors.Is(err, ErrNoWorker) {
		t.Fatalf("err = %v, want ErrNoWorker", err)
	}
	if want := "no worker in the pool at redis://:xxxxx@host:1 after 50ms (start a worker on this Redis)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// TestDuplicateRecordsKeepTheFirst: a record for a seq already recorded (a reclaimed item
// that reached the wire twice) is dropped.
func TestDuplicateRecordsKeepTheFirst(t *testing.T) {
	t.Parallel()
	var got []fetcher.Record
	cfg := fetcher.Config{Strategy: fetcher.Unbounded}
	r := &run{cfg: &cfg, src: fetcher.Static(nil), sink: func(rec fetcher.Record) { got = append(got, rec) },
		outstanding: map[int]fetcher.Item{}, window: make(chan struct{}, 4), t0: time.Now()}
	r.wall = r.t0.Round(0)
	for seq := range 2 {
		r.outstanding[seq] = fetcher.Item{Seq: seq}
		r.window <- struct{}{}
	}
	for _, rec := range []fetcher.Record{{Seq: 1, Worker: "a"}, {Seq: 1, Worker: "b"}, {Seq: 0, Worker: "b"}, {Seq: 0, Worker: "a"}, {Seq: 5, Worker: "x"}} {
		rec.StartAt = r.wall
		r.record(rec)
	}
	if len(got) != 2 || got[0].Worker != "a" || got[1].Worker != "b" {
		t.Errorf("records %+v, want seq 1 from a, seq 0 from b", got)
	}
}

func TestPoolInterrupted(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	_, srv := faketest.Start(t, fakeswapi.Options{Latency: 50 * time.Millisecond})
	startWorkers(t, rdb, 2, WorkerConfig{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c, err := NewCoordinator(ctx, rdb, CoordinatorConfig{URL: "redis://test", Lease: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	cancelled := 0
	stats, err := c.Schedule(ctx, fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 2}},
		fetcher.Static(targets(srv.API(), 60)), fetcher.Gates{}, func(r fetcher.Record) {
			n++
			if r.Class == fetcher.ClassCancelled {
				cancelled++
			}
			cancel()
		})
	if err != nil {
		t.Fatal(err)
	}
	if n != 60 || !stats.Interrupted || cancelled == 0 {
		t.Errorf("%d records, %d cancelled, interrupted %v; want 60, some, true", n, cancelled, stats.Interrupted)
	}
}

// TestPoolRedisLost: Redis gone mid-run, the coordinator records every item and says so.
func TestPoolRedisLost(t *testing.T) {
	t.Parallel()
	m, rdb := newMini(t)
	_, srv := faketest.Start(t, fakeswapi.Options{Latency: 20 * time.Millisecond})
	startWorkers(t, rdb, 1, WorkerConfig{MaxInFlight: 1})
	c, err := NewCoordinator(t.Context(), rdb, CoordinatorConfig{URL: "redis://test", Lease: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err = c.Schedule(t.Context(), fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 1}},
		fetcher.Static(targets(srv.API(), 40)), fetcher.Gates{}, func(r fetcher.Record) {
			if n++; n == 1 {
				m.Close()
			}
		})
	var lost *UnreachableError
	if !errors.As(err, &lost) || !lost.MidRun {
		t.Fatalf("err = %v, want a mid-run *UnreachableError", err)
	}
	if n != 40 {
		t.Errorf("%d records, want 40", n)
	}
}

// TestWorkSourceReclaimsAfterLease: a worker that stops renewing its items loses them to
// another after a lease, on the server's clock; one that renews keeps them.
func TestWorkSourceReclaimsAfterLease(t *testing.T) {
	t.Parallel()
	m, rdb := newMini(t)
	t0 := time.Unix(1744632000, 0)
	m.SetTime(t0)
	keys := keysOf("reclaim")
	ctx := t.Context()
	rdb.HSet(ctx, keys.job, "state", stateRunning)
	if err := rdb.XGroupCreateMkStream(ctx, keys.work, group, "0").Err(); err != nil {
		t.Fatal(err)
	}
	var args []any
	for seq := range 5 {
		args = itemArgs(args, fetcher.Item{Target: fetcher.Target{URL: fmt.Sprintf("http://h/%d", seq)}, Seq: seq}, "")
	}
	for range 2 { // a retried enqueue adds nothing twice
		if err := enqueueScript.Run(ctx, rdb, []string{keys.job, keys.work, keys.queued, keys.seen}, args...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n := rdb.XLen(ctx, keys.work).Val(); n != 5 {
		t.Fatalf("%d entries after two enqueues of 5", n)
	}
	source := func(name string) *workSource {
		return &workSource{rdb: rdb, keys: keys, consumer: name, lease: 10 * time.Second, start: t0, count: 10,
			allowed: func(string) bool { return true }, pending: map[int]string{}, lastClaim: time.Now()}
	}
	a, b := source("a"), source("b")
	for range 5 {
		if _, ok := a.Next(ctx); !ok {
			t.Fatal("a got no item")
		}
	}
	claim := func(at time.Duration) int {
		m.SetTime(t0.Add(at))
		b.lastClaim = time.Time{}
		b.buf = nil
		if err := b.read(ctx); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		return len(b.buf)
	}
	if n := claim(5 * time.Second); n != 0 {
		t.Errorf("b claimed %d items within their lease", n)
	}
	m.SetTime(t0.Add(8 * time.Second))
	if err := a.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	if n := claim(15 * time.Second); n != 0 {
		t.Errorf("b claimed %d items a renewed", n)
	}
	if n := claim(19 * time.Second); n != 5 {
		t.Errorf("b claimed %d items after a's lease, want 5", n)
	}
}

// TestFollowWaitingForPushedWork: Follows that wait for the work they push (get --expand)
// never hold the window that work needs to be published.
func TestFollowWaitingForPushedWork(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	_, srv := faketest.Start(t, fakeswapi.Options{})
	startWorkers(t, rdb, 2, WorkerConfig{})
	c, err := NewCoordinator(t.Context(), rdb, CoordinatorConfig{URL: "redis://test", Window: 2})
	if err != nil {
		t.Fatal(err)
	}
	ts := targets(srv.API(), 6)
	f := fetcher.NewFrontier(ts, fetcher.Scope{})
	cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}}
	cfg.Follow = func(rec *fetcher.Record) {
		if rec.Kind != fetcher.KindTarget {
			return
		}
		u := fmt.Sprintf("%splanets/%d/", srv.API(), rec.Seq+1)
		f.Push(fetcher.Target{URL: u}, fetcher.KindLink, 1, rec.Seq)
		if _, ok := f.Wait(t.Context(), u); !ok {
			t.Errorf("link %s: no outcome", u)
		}
	}
	kinds := map[fetcher.Kind]int{}
	if _, err := c.Schedule(t.Context(), cfg, f, fetcher.Gates{}, func(r fetcher.Record) { kinds[r.Kind]++ }); err != nil {
		t.Fatal(err)
	}
	if kinds[fetcher.KindTarget] != 6 || kinds[fetcher.KindLink] != 6 {
		t.Errorf("records by kind %v, want 6 targets and 6 links", kinds)
	}
}
