package redispool

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestStoppedWorkerHandsItsItemsBack: a worker stopped (its Ctrl-C) while its requests hang
// records none of them as cancelled: it hands every item it holds back to the pool at once,
// and another worker fetches them all. The lease is long, so no item comes back by expiring.
func TestStoppedWorkerHandsItsItemsBack(t *testing.T) {
	t.Parallel()
	const n, inFlight = 20, 4
	_, rdb := newMini(t)
	arrived := make(chan struct{}, n)
	release := make(chan struct{})
	fake := faketest.New(t, fakeswapi.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	var log syncBuffer
	first, err := NewWorker(rdb, WorkerConfig{Name: "first", MaxInFlight: inFlight, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	stopFirst := runWorker(t, first)

	type result struct {
		got   map[int]fetcher.Record
		stats fetcher.RunStats
		err   error
	}
	done := make(chan result, 1)
	go func() {
		got, stats, err := schedule(t, t.Context(), rdb, fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 10}},
			fetcher.Static(targets(srv.URL+"/api/", n)), time.Minute)
		done <- result{got, stats, err}
	}()
	for range inFlight {
		<-arrived
	}
	stopFirst()

	id, err := firstJob(t.Context(), rdb)
	if err != nil {
		t.Fatal(err)
	}
	work := keysOf(id).work
	if p, err := rdb.XPending(t.Context(), work, group).Result(); err != nil || p.Count != 0 {
		t.Errorf("after the worker stopped, %+v of its entries are pending (%v), want none", p, err)
	}
	if l, err := rdb.XLen(t.Context(), work).Result(); err != nil || l != n {
		t.Errorf("the work stream holds %d entries (%v), want all %d", l, err, n)
	}
	if !strings.Contains(log.String(), "handed back to the pool") {
		t.Errorf("the worker said:\n%s", log.String())
	}
	close(release)
	second, err := NewWorker(rdb, WorkerConfig{Name: "second", MaxInFlight: inFlight})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runWorker(t, second))

	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.got) != n {
		t.Fatalf("%d records, want %d", len(res.got), n)
	}
	for seq, r := range res.got {
		if !r.OK() || r.Worker != "second" {
			t.Errorf("seq %d: worker %q class %q err %q; want fetched by the second worker", seq, r.Worker, r.Class, r.Err)
		}
	}
	if res.stats.Interrupted || res.stats.DeadlineExceeded {
		t.Errorf("stats say interrupted %v, deadline exceeded %v; want neither", res.stats.Interrupted, res.stats.DeadlineExceeded)
	}
}

// TestCoordinatorNamesNoDeadlineItHadNot: records of cancelled requests from a worker make
// a run without a deadline neither interrupted nor past its deadline.
func TestCoordinatorNamesNoDeadlineItHadNot(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	ctx := t.Context()
	now, err := serverMillis(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	const consumer = "cancelling#1"
	if err := rdb.ZAdd(ctx, keyWorkers, redis.Z{Score: float64(now + time.Hour.Milliseconds()), Member: consumer}).Err(); err != nil {
		t.Fatal(err)
	}
	// A worker that cancels every item it reads.
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	wg.Go(func() {
		id, err := firstJob(ctx, rdb)
		if err != nil {
			return
		}
		keys := keysOf(id)
		for ctx.Err() == nil {
			streams, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: consumer, Streams: []string{keys.work, ">"}, Block: block}).Result()
			if err != nil || len(streams) == 0 {
				continue
			}
			for _, m := range streams[0].Messages {
				it, err := itemOf(m.Values, time.Now())
				if err != nil {
					continue
				}
				rec := fetcher.Record{Seq: it.Seq, URL: it.URL, StartAt: time.Now(), Class: fetcher.ClassCancelled, Err: "not started: interrupted"}
				b, _ := appendRecord(nil, &rec)
				_ = publishScript.Run(ctx, rdb, []string{keys.job, keys.results, keys.work}, consumer, b, m.ID).Err()
			}
		}
	})
	got, stats, err := schedule(t, ctx, rdb, fetcher.Config{Strategy: fetcher.Unbounded}, fetcher.Static(targets("http://127.0.0.1:1/api/", 3)), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d records, want 3", len(got))
	}
	if stats.DeadlineExceeded || stats.Interrupted {
		t.Errorf("stats say deadline exceeded %v, interrupted %v; want neither without a deadline or an interrupt", stats.DeadlineExceeded, stats.Interrupted)
	}
}

// runWorker runs w until the function it returns is called, which waits for Run to return.
func runWorker(t *testing.T, w *Worker) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(ctx) })
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

// firstJob waits for the first job on rdb and returns its id.
func firstJob(ctx context.Context, rdb redis.UniversalClient) (string, error) {
	streams, err := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{keyJobs, "0-0"}, Count: 1, Block: 0}).Result()
	if err != nil {
		return "", err
	}
	id, _ := streams[0].Messages[0].Values["job"].(string)
	return id, nil
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
