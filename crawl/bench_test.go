package crawl

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
)

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkFrontierBytesPerURL measures what one admitted URL costs the frontier while it
// waits in its host's queue (visited hash and queued item), and what it costs once fetched
// (its visited hash alone).
func BenchmarkFrontierBytesPerURL(b *testing.B) {
	const n = 200_000
	urls := make([]string, n)
	for i := range urls {
		urls[i] = "http://127.0.0.1:8080/gen/" + strconv.Itoa(1_000_000+i)
	}
	b.ReportAllocs()
	var queued, visited float64
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		before := heap()
		f := newFrontier(ctx, &options{scope: fetcher.Scope{}, depth: -1, maxPages: n + 1, maxWait: time.Second})
		f.links(urls, 1, 0)
		queued = float64(heap()-before) / n
		f.mu.Lock()
		for _, h := range f.hosts {
			h.queue, h.head = nil, 0
		}
		f.ready, f.readyAt, f.head = nil, nil, 0
		f.mu.Unlock()
		visited = float64(heap()-before) / n
		runtime.KeepAlive(f)
		cancel()
		f.stop()
	}
	b.ReportMetric(queued, "B/queued-URL")
	b.ReportMetric(visited, "B/visited-URL")
}

// BenchmarkCrawlGenerated crawls the fake site's generated pages (/gen/, ten links each)
// up to FETCHBENCH_CRAWL_PAGES pages (default 20,000) and reports the peak live heap,
// sampled every 10 ms, and its cost per page. FETCHBENCH_CRAWL_PAGES=1000000 is the
// million-page crawl of the README (run it alone: it takes about a minute).
func BenchmarkCrawlGenerated(b *testing.B) {
	pages := 20_000
	if s := os.Getenv("FETCHBENCH_CRAWL_PAGES"); s != "" {
		pages, _ = strconv.Atoi(s)
	}
	srv := httptest.NewServer(fakeswapi.NewSite(fakeswapi.SiteOptions{}))
	defer srv.Close()
	for b.Loop() {
		before := heap()
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			t := time.NewTicker(10 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					metrics.Read(s)
					if v := s[0].Value.Uint64(); v > peak.Load() {
						peak.Store(v)
					}
				}
			}
		})
		job := crawlJob(fetcher.Semaphore, srv.URL+"/gen/0")
		job.Config.Limits = fetcher.Limits{Slots: 32}
		job.MaxPages = pages
		start := time.Now()
		res, err := Run(context.Background(), job, Output{})
		close(stop)
		wg.Wait()
		if err != nil || res.Pages != pages {
			b.Fatalf("%v: %d pages, want %d", err, res.Pages, pages)
		}
		b.ReportMetric(float64(peak.Load()-min(before, peak.Load()))/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(peak.Load()-min(before, peak.Load()))/float64(pages), "B/page")
		b.ReportMetric(float64(pages)/time.Since(start).Seconds(), "pages/s")
		fmt.Fprintf(os.Stderr, "crawled %d pages, %d links seen, %d over --max-pages\n", res.Pages, res.Seen, res.OverMax)
	}
}

// BenchmarkFrontierBytesPerHost measures what a host the crawl met costs the frontier once its
// URLs are done and its lane is gone: its record (rules, pause, gates), its key and its
// robots.txt's place in the seen set, with the one URL admitted there.
func BenchmarkFrontierBytesPerHost(b *testing.B) {
	const n = 100_000
	urls := make([]string, n)
	for i := range urls {
		urls[i] = "http://h" + strconv.Itoa(1_000_000+i) + ".example.test/p"
	}
	b.ReportAllocs()
	var perHost float64
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		before := heap()
		f := newFrontier(ctx, &options{scope: fetcher.Scope{}, depth: -1, maxPages: n + 1, maxWait: time.Second, robots: true})
		f.links(urls, 1, 0)
		f.mu.Lock()
		for _, h := range f.hosts {
			h.queue, h.head = nil, 0
		}
		f.ready, f.readyAt, f.head = nil, nil, 0
		f.mu.Unlock()
		perHost = float64(heap()-before) / n
		runtime.KeepAlive(f)
		cancel()
		f.stop()
	}
	b.ReportMetric(perHost, "B/host")
}
