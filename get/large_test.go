package get_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
)

// largeServer serves n JSON documents of size bytes each at /docs/1..n.
func largeServer(tb testing.TB, size int) *httptest.Server {
	tb.Helper()
	doc := []byte(`{"name":"big","blob":"` + strings.Repeat("x", size) + `"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc) //nolint:errcheck // the client may be gone
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// BenchmarkLargeDocuments gets 60 documents of 9 MB at -c 5 and reports the peak live heap
// sampled during the run (peak-MB): it follows c and --max-body, not the 60 documents.
func BenchmarkLargeDocuments(b *testing.B) {
	const n, c, size = 60, 5, 9 << 20
	srv := largeServer(b, size)
	var ts fetcher.TargetList
	for i := range n {
		ts = append(ts, fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/docs/%d", srv.URL, i+1)})
	}
	job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: c}}, Targets: ts, InputOrder: true}
	w, err := get.NewWriter(io.Discard, "ndjson", nil, false)
	if err != nil {
		b.Fatal(err)
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.GC()
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
		}
	}()
	b.ResetTimer()
	for range b.N {
		res, err := get.Run(context.Background(), job, get.Output{Document: w.Write, Failure: func(string) {}})
		if err != nil || res.Documents != n {
			b.Fatalf("%d documents, %v", res.Documents, err)
		}
	}
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-MB")
}
