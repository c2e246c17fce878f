package redispool

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestWorkerQuotaRefusalStopsTheRun: a worker whose server states a quota wait longer than
// the run's MaxQuotaWait stops, and the coordinator stops the run with that refusal: a
// *fetcher.QuotaWaitError (fetcher.ErrUnfinished), a record for every item, those not fetched
// saying why.
func TestWorkerQuotaRefusalStopsTheRun(t *testing.T) {
	t.Parallel()
	const n = 30
	_, rdb := newMini(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "1")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "100000")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	var log syncBuffer
	startWorkers(t, rdb, 1, WorkerConfig{MaxInFlight: 1, Log: &log})
	cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 1}, RespectQuota: true, MaxQuotaWait: time.Second}
	got, stats, err := schedule(t, t.Context(), rdb, cfg, fetcher.Static(targets(srv.URL+"/api/", n)), 400*time.Millisecond)
	var refused *fetcher.QuotaWaitError
	if !errors.As(err, &refused) || !errors.Is(err, fetcher.ErrUnfinished) || refused.Max != time.Second || refused.Wait < time.Hour {
		t.Fatalf("err = %v, want the worker's *fetcher.QuotaWaitError (a wait of over an hour, at most 1s)", err)
	}
	if len(got) != n {
		t.Errorf("%d records, want %d", len(got), n)
	}
	stopped := 0
	for _, r := range got {
		if r.Class == fetcher.ClassCancelled {
			if !strings.Contains(r.Err, "stopped: ") {
				t.Errorf("seq %d: %q, want it stopped by the quota", r.Seq, r.Err)
			}
			stopped++
		}
	}
	if stopped == 0 {
		t.Error("no record says the run stopped")
	}
	if stats.Interrupted || stats.DeadlineExceeded {
		t.Errorf("stats say interrupted %v, deadline exceeded %v; want neither", stats.Interrupted, stats.DeadlineExceeded)
	}
	if !strings.Contains(log.String(), "stopped: ") {
		t.Errorf("the worker said:\n%s", log.String())
	}
}
