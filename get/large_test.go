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
	peak := samplePeak(b)
	b.ResetTimer()
	for range b.N {
		res, err := get.Run(context.Background(), job, get.Output{Document: w.Write, Failure: func(string) {}})
		if err != nil || res.Documents != n {
			b.Fatalf("%d documents, %v", res.Documents, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peak(), "peak-MB")
}

// BenchmarkExpandLargeLinks gets 120 documents, each linking a 5 MB document of its own, with
// --expand at -c 5, and reports the peak live heap sampled during the run (peak-MB): the
// linked documents are kept up to the expansion budget, not all 120.
func BenchmarkExpandLargeLinks(b *testing.B) {
	const n, c, size = 120, 5, 5 << 20
	big := []byte(`{"name":"linked","blob":"` + strings.Repeat("y", size) + `"}`)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/linked/") {
			w.Write(big) //nolint:errcheck // the client may be gone
			return
		}
		fmt.Fprintf(w, `{"name":"doc","homeworld":"%s/linked%s"}`, srv.URL, strings.TrimPrefix(r.URL.Path, "/docs"))
	}))
	b.Cleanup(srv.Close)
	var ts fetcher.TargetList
	for i := range n {
		ts = append(ts, fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/docs/%d", srv.URL, i+1)})
	}
	job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: c}}, Targets: ts,
		InputOrder: true, Shape: get.Shape{Expand: []string{"homeworld"}}}
	peak := samplePeak(b)
	b.ResetTimer()
	for range b.N {
		res, err := get.Run(context.Background(), job, get.Output{Document: func([]byte) error { return nil }, Failure: func(string) {}})
		if err != nil || res.Documents != n || res.Expanded != n {
			b.Fatalf("%d documents, %d expanded, %v", res.Documents, res.Expanded, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peak(), "peak-MB")
}

// samplePeak samples the live heap every 20 ms until the returned function is called, which
// returns the peak in MB.
func samplePeak(tb testing.TB) func() float64 {
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
	return func() float64 {
		close(stop)
		<-sampled
		return float64(peak.Load()) / (1 << 20)
	}
}
