package crawl

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

// robotsSite serves three linked HTML pages (/ → /a, /b) and answers /robots.txt with
// robots; pages counts the requests for the pages.
type robotsSite struct {
	robots http.HandlerFunc
	pages  atomic.Int64
}

func (s *robotsSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		s.robots(w, r)
		return
	}
	s.pages.Add(1)
	w.Header().Set("Content-Type", "text/html")
	if r.URL.Path == "/" {
		w.Write([]byte(`<a href="/a">a</a> <a href="/b">b</a>`))
	}
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

// TestRobotsUnreadable: a robots.txt that cannot be read — a 5xx (with a Retry-After of an
// hour too), a 429, a redirect to a host outside the crawl, no answer before the timeout —
// disallows its whole host (RFC 9309 §2.3.1.4): no page is requested, the seed is left (not
// dropped) and the crawl's lines name the host and why; a 4xx or a 2xx allows everything.
func TestRobotsUnreadable(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(status(http.StatusOK))
	defer other.Close()
	tests := []struct {
		name   string
		robots http.HandlerFunc
		why    string // "" for a robots.txt that allows everything
	}{
		{"500", status(http.StatusInternalServerError), "http 500"},
		{"503 retry-after an hour", status(http.StatusServiceUnavailable, "Retry-After", "3600"), "http 503"},
		{"429", status(http.StatusTooManyRequests, "Retry-After", "3600"), "http 429"},
		{"redirect to another host", status(http.StatusFound, "Location", other.URL+"/robots.txt"), "redirect"},
		{"no answer", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "timeout"},
		{"404", status(http.StatusNotFound), ""},
		{"401", status(http.StatusUnauthorized), ""},
		{"200 empty", status(http.StatusOK), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := &robotsSite{robots: tc.robots}
			srv := httptest.NewServer(site)
			defer srv.Close()
			job := crawlJob(fetcher.Semaphore, srv.URL+"/")
			if tc.why == "timeout" {
				job.Config.Timeout = 100 * time.Millisecond
			}
			res, recs := run(t, context.Background(), job)
			if tc.why == "" {
				if got := site.pages.Load(); got != 3 || res.Pages != 3 || res.Left != 0 || res.UnreadHosts != 0 {
					t.Errorf("%d pages served, %+v: want the 3 pages crawled", got, res.Counts)
				}
				return
			}
			if got := site.pages.Load(); got != 0 {
				t.Errorf("%d pages served although robots.txt could not be read", got)
			}
			if len(recs) != 1 || recs[0].Kind != fetcher.KindRobots {
				t.Errorf("records %v: want robots.txt's alone", recs)
			}
			if res.Unread != 1 || res.UnreadHosts != 1 || res.Left != 1 {
				t.Errorf("counts %+v: want the seed left, not fetched", res.Counts)
			}
			host := strings.TrimPrefix(srv.URL, "http://")
			lines := strings.Join(res.Lines(nil), "\n")
			if want := "robots.txt could not be read on 1 host (" + host + ": " + tc.why + ")"; !strings.Contains(lines, want) {
				t.Errorf("lines\n%s\nwant %q", lines, want)
			}
			if res.Err(job.Seeds) == nil {
				t.Error("the crawl's verdict is success, with its pages left")
			}
		})
	}
}

// TestRobotsUnreadableResume: the URLs of a host whose robots.txt answered 503 stay in the
// state file, and the next run, once robots.txt answers, crawls them.
func TestRobotsUnreadableResume(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	down.Store(true)
	site := &robotsSite{robots: func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	job := crawlJob(fetcher.Semaphore, srv.URL+"/")
	job.State = filepath.Join(t.TempDir(), "crawl.state")
	res, _ := run(t, context.Background(), job)
	if res.Left != 1 || site.pages.Load() != 0 {
		t.Fatalf("first run: %d pages served, %+v", site.pages.Load(), res.Counts)
	}
	down.Store(false)
	res, recs := run(t, context.Background(), job)
	if got := site.pages.Load(); got != 3 || res.Left != 0 || res.Pages != 3 {
		t.Errorf("second run: %d pages served, %+v, %d records: want the 3 pages crawled", got, res.Counts, len(recs))
	}
}
