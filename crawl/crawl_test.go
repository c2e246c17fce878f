package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/recordtest"
	"github.com/fetchbench/fetchbench/report"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// counting records every request a handler serves: how many times each URL, and when.
type counting struct {
	next      http.Handler
	mu        sync.Mutex
	hits      map[string][]time.Time // by path?query
	now, peak int
}

func newCounting(h http.Handler) *counting { return &counting{next: h, hits: map[string][]time.Time{}} }

// countedFake serves the fake dev API through a counting handler until the test ends.
func countedFake(t *testing.T) (*fakeswapi.Server, *counting, *httptest.Server) {
	t.Helper()
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := newCounting(fake)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fake, h, srv
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.hits[r.URL.RequestURI()] = append(c.hits[r.URL.RequestURI()], time.Now())
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	c.next.ServeHTTP(w, r)
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
}

func (c *counting) snapshot() (map[string][]time.Time, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string][]time.Time, len(c.hits))
	for k, v := range c.hits {
		m[k] = slices.Clone(v)
	}
	return m, c.peak
}

func (c *counting) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.hits {
		n += len(v)
	}
	return n
}

func crawlJob(s fetcher.Strategy, seeds ...string) Job {
	return Job{Config: fetcher.Config{Strategy: s, Limits: s.Limits(fetcher.Knobs{Concurrency: 4, Rate: 2000, Burst: 4})},
		Seeds: seeds, Depth: -1}
}

func run(t *testing.T, ctx context.Context, job Job) (Result, []fetcher.Record) {
	t.Helper()
	var kept recordtest.Kept
	res, err := Run(ctx, job, Output{Consumers: func(fetcher.Config) []report.Consumer { return []report.Consumer{&kept} }})
	if err != nil {
		t.Fatal(err)
	}
	return res, kept.Records()
}

// apiURLs is every distinct URL of the fake dev API reachable from its root: the root, each
// resource's bare list, its ?page=K pages, and every document.
func apiURLs(t *testing.T, srv *httptest.Server) []string {
	t.Helper()
	urls := []string{"/api/"}
	for _, res := range []string{"people", "planets", "films", "species", "vehicles", "starships"} {
		urls = append(urls, "/api/"+res+"/")
		resp, err := http.Get(srv.URL + "/api/" + res + "/")
		if err != nil {
			t.Fatal(err)
		}
		var count int
		fmt.Fscanf(resp.Body, `{"count":%d`, &count)
		resp.Body.Close()
		for k := 1; k <= (count+9)/10 && count > 10; k++ { // page 1 is linked from page 2
			urls = append(urls, fmt.Sprintf("/api/%s/?page=%d", res, k))
		}
	}
	return urls
}

// TestCrawlFakeAPI: every distinct URL of the fake API is fetched exactly once under every
// strategy, and the fake counted exactly the requests recorded.
func TestCrawlFakeAPI(t *testing.T) {
	t.Parallel()
	for _, s := range fetcher.Strategies {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			fake, h, srv := countedFake(t)
			lists := apiURLs(t, srv)
			fake.Reset()
			h.hits = map[string][]time.Time{}

			res, recs := run(t, context.Background(), crawlJob(s, srv.URL+"/api/"))
			hits, _ := h.snapshot()
			docs := 0
			for path, times := range hits {
				if len(times) != 1 {
					t.Errorf("%s fetched %d times", path, len(times))
				}
				if strings.Count(path, "/") == 4 && !strings.Contains(path, "?") && strings.HasSuffix(path, "/") && path != "/robots.txt" {
					docs++
				}
			}
			for _, l := range lists {
				if len(hits[l]) != 1 {
					t.Errorf("list %s fetched %d times", l, len(hits[l]))
				}
			}
			if docs != 260 {
				t.Errorf("%d documents fetched, want 260", docs)
			}
			want := len(lists) + 260 + 1 // and robots.txt
			if len(recs) != want || len(hits) != want || int(fake.Stats().Requests) != len(recs) {
				t.Errorf("%d records, %d URLs served, fake counted %d; want %d each", len(recs), len(hits), fake.Stats().Requests, want)
			}
			if res.Pages != want-1 || res.Requests != want || res.Left != 0 {
				t.Errorf("counts %+v", res.Counts)
			}
			seqs := map[int]fetcher.Record{}
			names := map[string]string{}
			for _, r := range recs {
				if !r.OK() && r.Kind != fetcher.KindRobots {
					t.Errorf("%s: %s", r.URL, r.Err)
				}
				seqs[r.Seq] = r
				names[strings.TrimPrefix(r.URL, srv.URL)] = r.Name
			}
			if names["/api/people/1/"] != "Luke Skywalker" || names["/api/films/1/"] != "A New Hope" {
				t.Errorf("people/1 named %q, films/1 %q; want Luke Skywalker and A New Hope", names["/api/people/1/"], names["/api/films/1/"])
			}
			for _, r := range recs {
				switch {
				case r.Kind == fetcher.KindRobots || r.Kind == fetcher.KindTarget:
					if r.Depth != 0 {
						t.Errorf("%s %s at depth %d", r.Kind, r.URL, r.Depth)
					}
				default:
					p, ok := seqs[r.Parent]
					if r.Kind != fetcher.KindLink || !ok || p.Depth != r.Depth-1 {
						t.Errorf("%s: kind %s depth %d parent %d (%+v)", r.URL, r.Kind, r.Depth, r.Parent, p)
					}
				}
			}
		})
	}
}

func siteServer(t *testing.T, delay time.Duration) (*counting, *httptest.Server) {
	t.Helper()
	h := newCounting(fakeswapi.NewSite(fakeswapi.SiteOptions{CrawlDelay: delay}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// TestCrawlSite: the HTML site's pages are each fetched once, the disallowed path never, the
// off-site link not at all, and the Crawl-delay separates every two arrivals.
func TestCrawlSite(t *testing.T) {
	t.Parallel()
	const delay = 20 * time.Millisecond
	h, srv := siteServer(t, delay)
	job := crawlJob(fetcher.Unbounded, srv.URL+"/")
	job.Depth = 3
	res, recs := run(t, context.Background(), job)
	hits, peak := h.snapshot()
	for _, p := range fakeswapi.SitePages {
		if len(hits[p]) != 1 {
			t.Errorf("%s fetched %d times, want once", p, len(hits[p]))
		}
	}
	var all []time.Time
	for p, times := range hits {
		if strings.HasPrefix(p, fakeswapi.SiteDisallowed) {
			t.Errorf("%s requested although robots.txt disallows it", p)
		}
		if len(times) != 1 {
			t.Errorf("%s fetched %d times", p, len(times))
		}
		if p != "/robots.txt" {
			all = append(all, times...)
		}
	}
	if len(hits["/robots.txt"]) != 1 {
		t.Errorf("robots.txt fetched %d times", len(hits["/robots.txt"]))
	}
	slices.SortFunc(all, time.Time.Compare)
	for i := 1; i < len(all); i++ {
		if gap := all[i].Sub(all[i-1]); gap < delay {
			t.Errorf("arrivals %d and %d only %s apart, Crawl-delay %s", i-1, i, gap, delay)
		}
	}
	if peak != 1 {
		t.Errorf("peak %d at once under a Crawl-delay, want 1", peak)
	}
	if res.Robots != 1 || res.OutOfScope < 1 || res.Duplicate == 0 || res.OverDepth == 0 {
		t.Errorf("counts %+v", res.Counts)
	}
	if len(recs) != res.Requests || len(recs) != h.total() {
		t.Errorf("%d records, %d requests counted, %d served", len(recs), res.Requests, h.total())
	}
}

// TestCrawlTrap: the endless calendar stops at --max-pages or at --depth, and the counts say
// which.
func TestCrawlTrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		depth, maxPages int
		wantPages       int
		overDepth       bool
	}{
		{name: "max pages", depth: -1, maxPages: 25, wantPages: 25},
		{name: "depth", depth: 4, maxPages: 1000, overDepth: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, srv := siteServer(t, 0)
			job := crawlJob(fetcher.Semaphore, srv.URL+"/calendar/2025-01")
			job.Depth, job.MaxPages = tt.depth, tt.maxPages
			res, recs := run(t, context.Background(), job)
			if tt.wantPages > 0 && res.Pages != tt.wantPages {
				t.Errorf("%d pages, want %d", res.Pages, tt.wantPages)
			}
			if tt.overDepth {
				if res.OverDepth == 0 || res.OverMax != 0 {
					t.Errorf("counts %+v: want some over depth, none over max", res.Counts)
				}
				for _, r := range recs {
					if r.Depth > tt.depth {
						t.Errorf("%s at depth %d", r.URL, r.Depth)
					}
				}
			} else if res.OverMax == 0 {
				t.Errorf("counts %+v: want some over max pages", res.Counts)
			}
			if len(recs) != h.total() {
				t.Errorf("%d records, %d served", len(recs), h.total())
			}
		})
	}
}
