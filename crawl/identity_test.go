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

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestCrawlURLIdentity: links found in a page are fetched once per identity (escapes of
// unreserved characters decoded, dot segments resolved, a trailing slash counting) and
// requested with their escapes as written, never escaped twice.
func TestCrawlURLIdentity(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.RequestURI)
		mu.Unlock()
		if r.URL.Path != "/" {
			w.Write([]byte("leaf"))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		for _, href := range []string{
			"/same", "/%73ame", "/x/../same", "/%2e/same#top",
			"/.well-known/a%20b", "/x/../.well-known/a%20b",
			"/dir/", "/dir",
			"/p%2Fq", "/p/q",
			"/%7e%75ser",
		} {
			fmt.Fprintf(w, "<a href=%q>x</a>\n", href)
		}
	}))
	defer srv.Close()
	job := crawlJob(fetcher.Sequential, srv.URL+"/")
	job.IgnoreRobots = true
	res, _ := run(t, context.Background(), job)
	want := []string{"/", "/.well-known/a%20b", "/dir", "/dir/", "/p%2Fq", "/p/q", "/same", "/~user"}
	mu.Lock()
	slices.Sort(got)
	mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if res.Duplicate != 4 {
		t.Errorf("%d duplicates, want 4", res.Duplicate)
	}
}

// TestLanesOnlyWhileWaiting: hosts whose URLs may go at once have no lane, whether their
// robots.txt is pending or known; a host paused after a 429 has one while it waits, and
// none once its URLs are out.
func TestLanesOnlyWhileWaiting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFrontier(ctx, &options{depth: -1, maxPages: 10_000, robots: true, maxWait: time.Minute})
	var urls []string
	for i := range 1000 {
		urls = append(urls, fmt.Sprintf("http://h%d.example.test/a", i), fmt.Sprintf("http://h%d.example.test/b", i))
	}
	f.links(urls, 1, 0)
	live := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.live
	}
	if n := live(); n != 0 {
		t.Fatalf("%d lanes while 1000 robots.txt are pending, want 0", n)
	}
	var pages []fetcher.Item
	for range 1000 {
		it, ok := f.Next(ctx)
		if !ok || it.Kind != fetcher.KindRobots {
			t.Fatalf("Next = %+v, %v; want a robots.txt", it, ok)
		}
		rec := &fetcher.Record{URL: it.URL, Seq: it.Seq, Kind: it.Kind, Status: 404}
		f.setRobots(rec)
		f.Done(it, rec)
	}
	for range 2000 {
		it, ok := f.Next(ctx)
		if !ok || it.Kind != fetcher.KindLink {
			t.Fatalf("Next = %+v, %v; want a link", it, ok)
		}
		pages = append(pages, it)
	}
	if n := live(); n != 0 {
		t.Fatalf("%d lanes once every URL is ready, want 0", n)
	}
	for _, it := range pages {
		rec := &fetcher.Record{URL: it.URL, Seq: it.Seq, Kind: it.Kind, Status: 200}
		if strings.HasPrefix(it.URL, "http://h0.") {
			rec.Status, rec.Class, rec.RetryAfter = 429, fetcher.ClassHTTP4xx, "30"
		}
		f.Done(it, rec)
	}
	f.links([]string{"http://h0.example.test/c", "http://h1.example.test/c"}, 1, 0)
	if n := live(); n != 1 {
		t.Fatalf("%d lanes with one host paused and a URL queued, want 1", n)
	}
	cancel()
	f.stop()
	if n := live(); n != 0 {
		t.Fatalf("%d lanes after the stop, want 0", n)
	}
}
