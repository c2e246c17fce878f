package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestDomainScopeOnAddress: under --scope domain, a seed on 127.0.0.1 keeps the crawl on its
// host and port: a page linking another port of the same address sends nothing to the second
// listener. (evil.127.0.0.1 is left to fetcher's scope tests: a regression would look it up.)
func TestDomainScopeOnAddress(t *testing.T) {
	t.Parallel()
	other := newCounting(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html></html>") }))
	so := httptest.NewServer(other)
	defer so.Close()
	port := func(s *httptest.Server) string { u, _ := url.Parse(s.URL); return u.Port() }
	seed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<a href="http://127.0.0.1:%s/x">other port</a><a href="http://%s/y">same</a>`, port(so), r.Host)
	}))
	defer seed.Close()
	job := crawlJob(fetcher.Semaphore, seed.URL+"/")
	job.Scope, job.IgnoreRobots = fetcher.ScopeDomain, true
	res, _ := run(t, context.Background(), job)
	if n := other.total(); n != 0 {
		t.Errorf("the other port of the seed's address got %d requests", n)
	}
	if res.Pages != 2 || res.OutOfScope != 2 {
		t.Errorf("%d pages, %d out of scope; want 2 and 2", res.Pages, res.OutOfScope)
	}
}

// TestCrawlUTF16Page: a page served as UTF-16 (Go's server labels it text/plain;
// charset=utf-16le) yields its links, and its non-ASCII link is requested from UTF-8.
func TestCrawlUTF16Page(t *testing.T) {
	t.Parallel()
	h := newCounting(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			fmt.Fprint(w, "\xff\xfe"+utf16LE("<html><a href=\"/caf\u00e9\">x</a></html>"))
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	job := crawlJob(fetcher.Semaphore, srv.URL+"/")
	job.IgnoreRobots = true
	res, _ := run(t, context.Background(), job)
	hits, _ := h.snapshot()
	if res.Pages != 2 || len(hits["/caf%C3%A9"]) != 1 {
		t.Errorf("%d pages, requests %v; want the UTF-16 page's link /caf%%C3%%A9 fetched", res.Pages, hits)
	}
}

// TestCrawlCountsUnusableLinks: links that are not URLs to fetch — another scheme, over 2,048
// bytes, not parsing, with credentials — are counted among the links seen and said in the
// crawl's line, each page's once.
func TestCrawlCountsUnusableLinks(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/" {
			fmt.Fprintf(w, `<a href="mailto:a@b">m</a><a href="javascript:x()">j</a><a href="/%s">long</a><a href="http://[::1">bad</a>
				<a href="http://u:p@%s/">credentials</a><a href="/next">next</a>`, strings.Repeat("x", 2048), r.Host)
		}
	}))
	defer srv.Close()
	job := crawlJob(fetcher.Semaphore, srv.URL+"/")
	job.IgnoreRobots = true
	res, _ := run(t, context.Background(), job)
	if res.Pages != 2 || res.Unusable != 5 || res.Seen != 6 {
		t.Errorf("%d pages, %d links seen, %d unusable; want 2, 6 and 5", res.Pages, res.Seen, res.Unusable)
	}
	if line := res.Lines(nil)[0]; !strings.HasSuffix(line, ", 5 not a URL to fetch (not http(s), over 2,048 bytes or malformed)") {
		t.Errorf("line %q does not count the unusable links", line)
	}
}
