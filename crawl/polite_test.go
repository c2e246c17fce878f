package crawl

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/memnet"
	"github.com/fetchbench/fetchbench/internal/recordtest"
	"github.com/fetchbench/fetchbench/report"
)

// fanout serves a generated tree: /n links to /10n+1 … /10n+10 (JSON), and /other links
// across to a second server when set; delay is each answer's latency.
type fanout struct {
	delay time.Duration
	other string
}

func (f fanout) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(f.delay)
	var n int
	fmt.Sscanf(r.URL.Path, "/%d", &n)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"links":[`)
	for i := 1; i <= 10; i++ {
		if i > 1 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `"/%d"`, 10*n+i)
	}
	if f.other != "" {
		fmt.Fprintf(w, `,%q`, f.other)
	}
	fmt.Fprint(w, "]}")
}

// TestPerHost: with --per-host, each of two servers sees at most -c requests at once, while
// the crawl as a whole has both hosts' slots; without it, the two share -c.
func TestPerHost(t *testing.T) {
	t.Parallel()
	for _, perHost := range []bool{true, false} {
		t.Run(fmt.Sprint("per-host=", perHost), func(t *testing.T) {
			t.Parallel()
			a := newCounting(fanout{delay: 2 * time.Millisecond})
			sa := httptest.NewServer(a)
			defer sa.Close()
			b := newCounting(fanout{delay: 2 * time.Millisecond})
			sb := httptest.NewServer(b)
			defer sb.Close()
			job := crawlJob(fetcher.Semaphore, sa.URL+"/0", sb.URL+"/0")
			job.Config.Limits = fetcher.Limits{Slots: 3}
			job.PerHost, job.MaxPages, job.IgnoreRobots = perHost, 400, true
			res, recs := run(t, context.Background(), job)
			_, pa := a.snapshot()
			_, pb := b.snapshot()
			if res.Pages != 400 || len(recs) != 400 {
				t.Fatalf("%d pages, %d records", res.Pages, len(recs))
			}
			if pa > 3 || pb > 3 {
				t.Errorf("peaks %d and %d, want ≤ 3 each", pa, pb)
			}
			peak := report.NewComparison([]report.Summary{res.Outcome.Summary}).Summaries[0].PeakInFlight
			if !perHost && peak > 3 {
				t.Errorf("crawl peak %d without --per-host, want ≤ 3", peak)
			}
		})
	}
}

// TestPerHostRate: with --per-host under ratelimit, each host's starts are paced on their
// own: both hosts' arrivals keep the rate's spacing, and the crawl runs both at once (in a
// synctest bubble, on an in-memory network: the spacing is exact).
func TestPerHostRate(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, b := newCounting(fanout{}), newCounting(fanout{})
		job := crawlJob(fetcher.RateLimit, "http://a.test/0", "http://b.test/0")
		job.Config.Limits = fetcher.Limits{Rate: 100, Burst: 1}
		job.Config.Transport = hostsInMemory(t, map[string]http.Handler{"a.test:80": a, "b.test:80": b})
		job.PerHost, job.MaxPages, job.IgnoreRobots = true, 40, true
		start := time.Now()
		run(t, context.Background(), job)
		for name, c := range map[string]*counting{"a": a, "b": b} {
			hits, _ := c.snapshot()
			var times []time.Time
			for _, ts := range hits {
				times = append(times, ts...)
			}
			slices.SortFunc(times, time.Time.Compare)
			if len(times) < 10 {
				t.Fatalf("%s served %d", name, len(times))
			}
			for i, at := range times {
				if want := start.Add(time.Duration(i) * 10 * time.Millisecond); !at.Equal(want) {
					t.Fatalf("%s: arrival %d at %v, want %v (one every 10ms from the start)", name, i, at.Sub(start), want.Sub(start))
				}
			}
		}
	})
}

// throttled answers 429 with Retry-After to its first n requests.
type throttled struct {
	next http.Handler
	n    atomic.Int64
}

func (h *throttled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.n.Add(-1) >= 0 {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	h.next.ServeHTTP(w, r)
}

// TestThrottledHostRests: a host answering 429 with Retry-After: 1 gets nothing more for a
// second, while the other host's crawl goes on undisturbed in that second. Both hosts are on
// an in-memory network in a synctest bubble: the second is the bubble's, exact.
func TestThrottledHostRests(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		slow := &throttled{next: fanout{}}
		slow.n.Store(1)
		a := newCounting(slow)
		b := newCounting(fanout{delay: time.Millisecond})
		tr := hostsInMemory(t, map[string]http.Handler{"a.test:80": a, "b.test:80": b})
		job := crawlJob(fetcher.Semaphore, "http://a.test/0", "http://b.test/0")
		job.Config.Limits = fetcher.Limits{Slots: 2}
		job.Config.Retries = 1
		job.Config.Transport = tr
		job.MaxPages, job.IgnoreRobots, job.PerHost = 60, true, true
		run(t, context.Background(), job)
		ha, _ := a.snapshot()
		hb, _ := b.snapshot()
		var first, second []time.Time
		for _, ts := range ha {
			first = append(first, ts...)
		}
		for _, ts := range hb {
			second = append(second, ts...)
		}
		slices.SortFunc(first, time.Time.Compare)
		if len(first) < 2 || first[1].Sub(first[0]) != time.Second {
			t.Fatalf("throttled host's arrivals %v: want the next one a second after the 429", first)
		}
		during := 0
		for _, ts := range second {
			if ts.Before(first[1]) {
				during++
			}
		}
		if during < 10 {
			t.Errorf("the other host served %d requests while the first rested, want it to go on", during)
		}
	})
}

// hostsInMemory serves each handler with a plain http.Server at its host:port on an in-memory
// network until the test ends, and returns a Transport that reaches them, and nothing else.
// In a synctest bubble, the servers and their connections live in the bubble.
func hostsInMemory(t *testing.T, hosts map[string]http.Handler) *http.Transport {
	t.Helper()
	var nw memnet.Network
	tr := &http.Transport{DialContext: nw.DialContext}
	for addr, h := range hosts {
		ln, err := nw.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
		served := make(chan struct{})
		go func() {
			defer close(served)
			srv.Serve(ln) //nolint:errcheck // always http.ErrServerClosed, after Close
		}()
		t.Cleanup(func() {
			tr.CloseIdleConnections()
			srv.Close() //nolint:errcheck // closing a memnet listener never fails
			<-served
		})
	}
	return tr
}

// TestResume: a crawl stopped midway and run again with the same state file fetches every
// URL once in all, its records numbered on from the first run's, and a third run fetches
// nothing.
func TestResume(t *testing.T) {
	t.Parallel()
	_, h, srv := countedFake(t)
	state := filepath.Join(t.TempDir(), "crawl.state")
	job := crawlJob(fetcher.Semaphore, srv.URL+"/api/")
	job.State = state

	ctx, cancel := context.WithCancel(context.Background())
	var kept recordtest.Kept
	stopAt := &stopper{after: 100, cancel: cancel}
	res1, err := Run(ctx, job, Output{Consumers: func(fetcher.Config) []report.Consumer {
		return []report.Consumer{&kept, stopAt}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res1.Interrupted || res1.Left == 0 {
		t.Fatalf("first run not interrupted: %+v", res1.Counts)
	}
	res2, second := run(t, context.Background(), job)
	if !res2.Resumed || res2.Counts.Resumed == 0 {
		t.Fatalf("second run did not resume: %+v", res2.Counts)
	}
	recs := kept.Records()
	first := len(recs)
	recs = append(recs, second...)
	byURL := map[string]int{}
	seqs := map[int]bool{}
	inFlight := 0
	for i, r := range recs {
		if r.Kind == fetcher.KindRobots {
			continue
		}
		if r.Class == fetcher.ClassCancelled {
			if i >= first {
				t.Errorf("second run cancelled %s", r.URL)
			}
			continue
		}
		byURL[r.URL]++
		if seqs[r.Seq] {
			t.Errorf("seq %d twice", r.Seq)
		}
		seqs[r.Seq] = true
		if r.Note != "" {
			inFlight++
		}
	}
	for u, n := range byURL {
		if n != 1 {
			t.Errorf("%s recorded %d times", u, n)
		}
	}
	hits, _ := h.snapshot()
	twice := 0
	for p, ts := range hits {
		if p != "/robots.txt" && len(ts) > 1 {
			twice++
		}
	}
	if twice > inFlight {
		t.Errorf("%d URLs served twice, but only %d records say they were in flight at the stop", twice, inFlight)
	}
	if len(byURL) != 294 {
		t.Errorf("%d distinct URLs recorded, want 294", len(byURL))
	}
	res3, third := run(t, context.Background(), job)
	if len(third) != 0 || res3.Left != 0 {
		t.Errorf("third run fetched %d: %+v", len(third), res3.Counts)
	}
	job.Seeds = []string{srv.URL + "/api/people/"}
	if _, err := Run(context.Background(), job, Output{}); err == nil {
		t.Error("a state file of other seeds was taken")
	}
	if err := os.WriteFile(state, []byte("junk\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	job.Seeds = []string{srv.URL + "/api/"}
	if _, err := Run(context.Background(), job, Output{}); err == nil {
		t.Error("a file that is not a state file was taken")
	}
}

// stopper cancels the crawl after its after-th record.
type stopper struct {
	after  int
	n      int
	cancel func()
}

func (s *stopper) Add(fetcher.Record) {
	if s.n++; s.n == s.after {
		s.cancel()
	}
}
func (s *stopper) Close() error { return nil }
