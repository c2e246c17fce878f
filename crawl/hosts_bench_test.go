package crawl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/memnet"
)

// manyLinks is a crawl's world on an in-memory network: seed.example.test answers its root
// with a page of n links, each to its own subdomain of example.test (hosts) or all to one
// other host, and every other host refuses the connection at once (no DNS, no socket).
func manyLinks(tb testing.TB, n int, hosts bool) (Job, func()) {
	tb.Helper()
	const seedAddr = "seed.example.test:80"
	l := memnet.Listen(seedAddr)
	var page strings.Builder
	page.WriteString("<html><body>\n")
	for i := range n {
		if hosts {
			fmt.Fprintf(&page, "<a href=\"http://h%d.example.test/p\">x</a>\n", i)
		} else {
			fmt.Fprintf(&page, "<a href=\"http://other.example.test/p%d\">x</a>\n", i)
		}
	}
	body := []byte(page.String())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(body)
	})}
	go srv.Serve(l)
	refuse := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == seedAddr {
			return l.DialContext(ctx, network, addr)
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	job := crawlJob(fetcher.Semaphore, "http://seed.example.test/")
	job.Config.Limits = fetcher.Limits{Slots: 32}
	job.Config.Transport = &http.Transport{DialContext: refuse}
	job.Config.NoProxy = true
	job.Scope = fetcher.ScopeDomain
	job.MaxPages = n + 1
	return job, func() { srv.Close() }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCrawlManyHosts crawls a page of FETCHBENCH_CRAWL_LINKS links (default 10,000),
// each on its own host or all on one host, every request but the seed's failing at once, and
// reports the CPU time per crawl: the hosts' cost over the one host's is the per-host work
// (a robots.txt request, a host record), which must not grow with the number of hosts.
func BenchmarkCrawlManyHosts(b *testing.B) {
	n := 10_000
	if s := os.Getenv("FETCHBENCH_CRAWL_LINKS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for _, tc := range []struct {
		name  string
		hosts bool
	}{{"one-host", false}, {"hosts", true}} {
		b.Run(fmt.Sprintf("%s/links=%d", tc.name, n), func(b *testing.B) {
			job, stop := manyLinks(b, n, tc.hosts)
			defer stop()
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				start := cpuTime()
				res, err := Run(context.Background(), job, Output{})
				cpu += cpuTime() - start
				if err != nil || res.Pages != n+1 {
					b.Fatalf("%v: %d pages, want %d", err, res.Pages, n+1)
				}
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
