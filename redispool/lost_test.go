package redispool

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

// killedCoordinator publishes a job of cfg on rdb with items ts, as a coordinator does, and
// never renews it: a coordinator SIGKILLed after it published.
func killedCoordinator(t *testing.T, rdb *redis.Client, lease time.Duration, cfg fetcher.Config, ts fetcher.TargetList) jobKeys {
	t.Helper()
	c := &Coordinator{rdb: rdb, cfg: CoordinatorConfig{URL: "redis://test", Lease: lease, Name: "killed"}}
	r := &run{c: c, cfg: &cfg, id: randomID(8), outstanding: map[int]fetcher.Item{}, wall: time.Now()}
	r.keys = keysOf(r.id)
	if err := r.open(); err != nil {
		t.Fatal(err)
	}
	var items []fetcher.Item
	for i, tg := range ts {
		items = append(items, fetcher.Item{Target: tg, Seq: i})
	}
	if err := r.enqueue(items); err != nil {
		t.Fatal(err)
	}
	return r.keys
}

// TestWorkersLeaveAJobWhoseCoordinatorDied: a coordinator killed after it published its job
// stops beating; its workers leave the job once its last heartbeat is more than a lease old
// (on Redis's clock, moved here by hand), not when its keys expire two leases later, and
// cancel the requests they had in flight for it.
func TestWorkersLeaveAJobWhoseCoordinatorDied(t *testing.T) {
	t.Parallel()
	const lease = 10 * time.Second
	m, rdb := newMini(t)
	arrived := make(chan struct{}, 100)
	cancelled := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
		cancelled <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	var log syncBuffer
	w, err := NewWorker(rdb, WorkerConfig{Name: "w", MaxInFlight: 2, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	runWorker(t, w)
	keys := killedCoordinator(t, rdb, lease, fetcher.Config{Strategy: fetcher.Unbounded, Timeout: time.Hour},
		targets(srv.URL+"/api/", 4))
	<-arrived
	<-arrived
	m.FastForward(lease / 2)
	time.Sleep(3 * watchEvery) // the worker looks and stays: not yet a lease
	if s := log.String(); strings.Contains(s, "abandoned") {
		t.Fatalf("the worker left the job half a lease after its last heartbeat:\n%s", s)
	}
	m.FastForward(lease/2 + time.Millisecond)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), "abandoned"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not leave the job:\n%s", log.String())
		}
	}
	<-cancelled // the job ends after its requests did
	<-cancelled
	if s := log.String(); !strings.Contains(s, "abandoned: its coordinator is gone: no heartbeat for more than a lease") {
		t.Errorf("the worker said:\n%s", s)
	}
	if ttl := rdb.PTTL(t.Context(), keys.job).Val(); ttl <= 0 {
		t.Errorf("the job's hash lives %s more, want its keys alive: the workers left it before they expired", ttl)
	}
}

// TestHeartbeatAfterMoreThanALease: a coordinator that renews its job more than a lease after
// the last time (on Redis's clock) is told that it stalled, as its workers have left; one that
// renews within a lease keeps it, and a job gone is gone.
func TestHeartbeatAfterMoreThanALease(t *testing.T) {
	t.Parallel()
	const lease = 10 * time.Second
	m, rdb := newMini(t)
	keys := killedCoordinator(t, rdb, lease, fetcher.Config{Strategy: fetcher.Unbounded}, nil)
	r := &run{c: &Coordinator{rdb: rdb, cfg: CoordinatorConfig{Lease: lease}}, keys: keys}
	for _, step := range []struct {
		name    string
		forward time.Duration
		del     bool
		want    error
	}{
		{"within a lease", lease - time.Millisecond, false, nil},
		{"within a lease again", lease - time.Millisecond, false, nil},
		{"past a lease", lease + time.Millisecond, false, errStalled},
		{"gone", 0, true, ErrJobGone},
	} {
		m.FastForward(step.forward)
		if step.del {
			m.Del(keys.job)
		}
		if _, err := r.heartbeat(t.Context()); !errors.Is(err, step.want) || (step.want == nil && err != nil) {
			t.Errorf("%s: heartbeat = %v, want %v", step.name, err, step.want)
		}
	}
}
