package get_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
)

// largeServer serves n JSON documents of size bytes each at /docs/1..n, with their
// Content-Length when length is set, else chunked (no size known before the body ends), and
// counts the requests it answers in started.
func largeServer(tb testing.TB, size int, length bool, started *atomic.Int64) *httptest.Server {
	tb.Helper()
	doc := []byte(`{"name":"big","blob":"` + strings.Repeat("x", size) + `"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if length {
			w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		}
		w.Write(doc) //nolint:errcheck // the client may be gone
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// framings are the two ways the large benchmarks' servers send a body: with its
// Content-Length, as the public SWAPIs do, and chunked.
var framings = []struct {
	name   string
	length bool
}{{"length", true}, {"chunked", false}}

// BenchmarkLargeDocuments gets 60 documents of 9 MB at -c 5 and reports the peak heap
// sampled during the run (see samplePeak): it follows c and --max-body, not the 60
// documents. max-docs is the most documents the run had at once, requested and not yet
// written (the bound is Strategy.OpenDocuments: 6).
func BenchmarkLargeDocuments(b *testing.B) {
	for _, fr := range framings {
		b.Run(fr.name, func(b *testing.B) {
			const n, c, size = 60, 5, 9 << 20
			var started atomic.Int64
			srv := largeServer(b, size, fr.length, &started)
			var ts fetcher.TargetList
			for i := range n {
				ts = append(ts, fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/docs/%d", srv.URL, i+1)})
			}
			job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: c}}, Targets: ts, InputOrder: true}
			w, err := get.NewWriter(io.Discard, "ndjson", nil, false)
			if err != nil {
				b.Fatal(err)
			}
			var written, most int64
			write := func(doc []byte) error {
				most = max(most, started.Load()-written)
				written++
				return w.Write(doc)
			}
			peak := samplePeak(b)
			b.ResetTimer()
			for range b.N {
				started.Store(0)
				written = 0
				res, err := get.Run(context.Background(), job, get.Output{Document: write, Failure: func(string) {}})
				if err != nil || res.Documents != n {
					b.Fatalf("%d documents, %v", res.Documents, err)
				}
			}
			b.StopTimer()
			peak()
			b.ReportMetric(float64(most), "max-docs")
		})
	}
}

// BenchmarkExpandLargeLinks gets 120 documents, each linking a 5 MB document of its own, with
// --expand at -c 5, and reports the peak heap sampled during the run (see samplePeak): the
// linked documents are kept up to the expansion budget, not all 120.
func BenchmarkExpandLargeLinks(b *testing.B) {
	for _, fr := range framings {
		b.Run(fr.name, func(b *testing.B) {
			const n, c, size = 120, 5, 5 << 20
			big := []byte(`{"name":"linked","blob":"` + strings.Repeat("y", size) + `"}`)
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if strings.HasPrefix(r.URL.Path, "/linked/") {
					if fr.length {
						w.Header().Set("Content-Length", strconv.Itoa(len(big)))
					}
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
			peak()
		})
	}
}

// samplePeak forces a GC every 20 ms until the returned function is called, which reports
// the peaks in MB: peak-MB, the heap that GC found live (what the run holds, the documents
// being read included), and alloc-MB, the heap objects when the GC returned (live plus what
// was allocated while it ran: on a loaded machine a forced GC takes 50–400 ms, during which
// the bodies being read keep growing). With FETCHBENCH_PEAK_PROFILE=FILE it also writes the
// heap profile of the sample with the most live heap to FILE (every 4 KiB allocated
// sampled), to show where those bytes are.
func samplePeak(b *testing.B) func() {
	b.Helper()
	profile := os.Getenv("FETCHBENCH_PEAK_PROFILE")
	if profile != "" {
		runtime.MemProfileRate = 4 << 10
	}
	var live, alloc uint64
	var snapshot bytes.Buffer
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.GC()
			metrics.Read(s)
			alloc = max(alloc, s[1].Value.Uint64())
			if l := s[0].Value.Uint64(); l > live {
				live = l
				if profile != "" {
					snapshot.Reset()
					pprof.Lookup("heap").WriteTo(&snapshot, 0) //nolint:errcheck // a bytes.Buffer
				}
			}
		}
	}()
	return func() {
		close(stop)
		<-sampled
		b.ReportMetric(float64(live)/(1<<20), "peak-MB")
		b.ReportMetric(float64(alloc)/(1<<20), "alloc-MB")
		if profile != "" {
			if err := os.WriteFile(profile, snapshot.Bytes(), 0o644); err != nil {
				b.Error(err)
			}
		}
	}
}
