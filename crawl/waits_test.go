package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestWaitsTold: every wait for a host longer than WaitNoticeAfter — its Crawl-delay (after
// robots.txt, then after each page), its rest after a 429 or 503 — is told once as it begins,
// with what the host asked for and the cap it was cut to; shorter waits are not told.
func TestWaitsTold(t *testing.T) {
	t.Parallel()
	const host = "127.0.0.1:1"
	tests := []struct {
		name       string
		crawlDelay string // robots.txt's Crawl-delay, "" for no robots.txt
		rec        fetcher.Record
		want       *Wait // Host and Until filled in; with a Crawl-delay, told after robots.txt too
	}{
		{
			name: "Crawl-delay over the cap", crawlDelay: "3600", rec: fetcher.Record{Status: 200},
			want: &Wait{Wait: time.Minute, Asked: time.Hour, Cut: time.Minute},
		},
		{
			name: "Crawl-delay under the cap", crawlDelay: "10", rec: fetcher.Record{Status: 200},
			want: &Wait{Wait: 10 * time.Second, Asked: 10 * time.Second},
		},
		{name: "short Crawl-delay", crawlDelay: "5", rec: fetcher.Record{Status: 200}},
		{
			name: "Retry-After over the cap", rec: fetcher.Record{Status: 503, Class: fetcher.ClassHTTP5xx, RetryAfter: "3600"},
			want: &Wait{Wait: time.Minute, Status: 503, Asked: time.Hour, Cut: time.Minute},
		},
		{
			name: "Retry-After under the cap", rec: fetcher.Record{Status: 429, Class: fetcher.ClassHTTP4xx, RetryAfter: "30"},
			want: &Wait{Wait: 30 * time.Second, Status: 429, Asked: 30 * time.Second},
		},
		{name: "short Retry-After", rec: fetcher.Record{Status: 429, Class: fetcher.ClassHTTP4xx, RetryAfter: "3"}},
		{name: "backoff without Retry-After", rec: fetcher.Record{Status: 503, Class: fetcher.ClassHTTP5xx}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				var mu sync.Mutex
				var told []Wait
				f := newFrontier(ctx, &options{depth: -1, maxPages: 10, robots: tt.crawlDelay != "", maxWait: time.Minute, agent: "fetchbench",
					onWait: func(w Wait) { mu.Lock(); told = append(told, w); mu.Unlock() }})
				f.seed("http://" + host + "/a")
				it, _ := f.Next(ctx)
				var after []time.Time // the ends of the requests a wait follows
				if tt.crawlDelay != "" {
					after = append(after, time.Now())
					rec := &fetcher.Record{URL: it.URL, Seq: it.Seq, Kind: it.Kind, Status: 200,
						Body: []byte("User-agent: *\nCrawl-delay: " + tt.crawlDelay + "\n")}
					f.setRobots(rec)
					f.Done(it, rec)
					it, _ = f.Next(ctx)
				}
				after = append(after, time.Now())
				rec := tt.rec
				rec.URL, rec.Seq, rec.Kind = it.URL, it.Seq, it.Kind
				f.Done(it, &rec)
				f.links([]string{"http://" + host + "/b"}, 1, it.Seq)
				synctest.Wait()                                       // the lane waits, or /b is ready
				f.links([]string{"http://" + host + "/c"}, 1, it.Seq) // wakes the lane: the same wait
				if it, ok := f.Next(ctx); !ok || it.URL != "http://"+host+"/b" {
					t.Fatalf("Next = %v, %v; want /b", it.URL, ok)
				}
				cancel()
				f.stop()
				var want []Wait
				for _, done := range after {
					if tt.want != nil {
						w := *tt.want
						w.Host, w.Until = host, done.Add(w.Wait)
						want = append(want, w)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				if diff := cmp.Diff(want, told); diff != "" {
					t.Errorf("waits told (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestWaitString(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 4, 14, 15, 4, 5, 0, time.Local)
	tests := []struct {
		w    Wait
		want string
	}{
		{Wait{Host: "h:1", Wait: time.Minute, Until: at, Asked: time.Hour, Cut: time.Minute},
			"h:1: its robots.txt asks for a Crawl-delay of 1h0m0s, cut to the longest wait allowed (1m0s); waiting 1m0s before its next request, until 15:04:05"},
		{Wait{Host: "h:1", Wait: 9500 * time.Millisecond, Until: at, Asked: 10 * time.Second},
			"h:1: its robots.txt asks for a Crawl-delay of 10s; waiting 10s before its next request, until 15:04:05"},
		{Wait{Host: "h:1", Wait: time.Minute, Until: at, Status: 503, Asked: time.Hour, Cut: time.Minute},
			"h:1 answered 503 with Retry-After 1h0m0s, cut to the longest wait allowed (1m0s); resting the host 1m0s, until 15:04:05"},
		{Wait{Host: "h:1", Wait: 48 * time.Hour, Until: at, Status: 429, Asked: 48 * time.Hour},
			"h:1 answered 429 with Retry-After 48h0m0s; resting the host 48h0m0s, until 2025-04-14 15:04:05"},
		{Wait{Host: "h\x1b[2J:1", Wait: 6 * time.Second, Until: at, Status: 503},
			`h\x1b[2J:1 answered 503; resting the host 6s, until 15:04:05`},
	}
	for _, tt := range tests {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}

// cancelAt is a Talk that cancels the crawl at the first line containing at.
type cancelAt struct {
	mu     sync.Mutex
	b      strings.Builder
	at     string
	cancel func()
}

func (c *cancelAt) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.Contains(string(p), c.at) {
		c.cancel()
	}
	return c.b.Write(p)
}

func (c *cancelAt) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

// TestCrawlDelayCutIsSaid: a robots.txt asking for an hour's Crawl-delay gets one line naming
// the host, the Crawl-delay asked, the cap it was cut to and until when; an interrupt during
// that wait marks the crawl's row interrupted, as any interrupt does.
func TestCrawlDelayCutIsSaid(t *testing.T) {
	t.Parallel()
	h := newCounting(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nCrawl-delay: 3600\n")
			return
		}
		fmt.Fprint(w, `{"next":"/b"}`)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	talk := &cancelAt{at: "Crawl-delay", cancel: cancel}
	job := crawlJob(fetcher.Semaphore, srv.URL+"/")
	inv := Invocation{Job: job, Configs: []fetcher.Config{job.Config}, Talk: talk}
	o, err := Plan(inv, 1).Run(ctx, 0, job.Config, nil)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	prefix := "fetchbench: " + host + ": its robots.txt asks for a Crawl-delay of 1h0m0s, cut to the longest wait allowed (1m0s); waiting "
	if !strings.HasPrefix(talk.String(), prefix) || !strings.Contains(talk.String(), "before its next request, until ") {
		t.Errorf("talk:\n%s\nwant a line starting %q", talk, prefix)
	}
	if !o.Summary.Interrupted {
		t.Error("the row of a crawl interrupted during a Crawl-delay is not marked interrupted")
	}
	if n := h.total(); n != 1 {
		t.Errorf("%d requests, want robots.txt alone", n)
	}
}

// TestCrawlDelayPastDeadline: a deadline that passes during a Crawl-delay marks the row
// (deadline), as it does when it cancels requests.
func TestCrawlDelayPastDeadline(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nCrawl-delay: 3600\n")
	}))
	defer srv.Close()
	job := crawlJob(fetcher.Semaphore, srv.URL+"/")
	job.Config.Deadline = 50 * time.Millisecond
	res, _ := run(t, context.Background(), job)
	if !res.Outcome.Summary.DeadlineExceeded || !res.Outcome.Stats.DeadlineExceeded || res.Interrupted {
		t.Errorf("summary deadline %v, stats deadline %v, interrupted %v; want the deadline alone",
			res.Outcome.Summary.DeadlineExceeded, res.Outcome.Stats.DeadlineExceeded, res.Interrupted)
	}
}
