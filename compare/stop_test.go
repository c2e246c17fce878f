package compare_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
)

// failAfter is a Failing consumer whose output breaks at its nth record.
type failAfter struct {
	n, seen int
	err     error
}

func (f *failAfter) Add(fetcher.Record) {
	if f.seen++; f.seen >= f.n && f.err == nil {
		f.err = errors.New("write records: no space left on device")
	}
}
func (f *failAfter) Close() error { return f.err }
func (f *failAfter) Err() error   { return f.err }

// TestOnceStopsAtFailingConsumer is defect 18 at its root: a Failing consumer's first error
// cancels the run (the requests not started are not sent) and is Once's error; a consumer
// that only fails on Close does not stop the run.
func TestOnceStopsAtFailingConsumer(t *testing.T) {
	t.Parallel()
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		w.Write([]byte(`{}`)) //nolint:errcheck
	}))
	defer srv.Close()
	var ts fetcher.TargetList
	for i := range 200 {
		ts = append(ts, fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/%d", srv.URL, i+1)})
	}
	cfg := fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}}
	fail := &failAfter{n: 3}
	_, err := compare.Once(context.Background(), nil, cfg, fetcher.Static(ts), fetcher.Gates{}, []report.Consumer{fail})
	if err == nil || err.Error() != "write records: no space left on device" {
		t.Errorf("Once = %v, want the consumer's error", err)
	}
	if got := seen.Load(); got > 4 {
		t.Errorf("the server saw %d of 200 requests, want at most 4 (stopped at the 3rd record)", got)
	}
}
