package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// redirectSite is a site whose /a answers 301 to /dir/b, whose page links c (relative) and
// /a; /dir/c links b back. /chain reaches /dir/b in two hops, /j a JSON document linking
// ./more in one, and /away redirects to the foreign host.
func redirectSite(foreign string) http.Handler {
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, body)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow:\n")
		case "/a":
			http.Redirect(w, r, "/dir/b", http.StatusMovedPermanently)
		case "/chain":
			http.Redirect(w, r, "/hop/1", http.StatusFound)
		case "/hop/1":
			http.Redirect(w, r, "../dir/b", http.StatusTemporaryRedirect)
		case "/dir/b":
			html(w, `<a href="c">c</a> <a href="/a">a</a>`)
		case "/dir/c":
			html(w, `<a href="b">b</a>`)
		case "/j":
			http.Redirect(w, r, "/api/doc/", http.StatusFound)
		case "/api/doc/":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"name":"doc","next":"./more"}`)
		case "/away":
			http.Redirect(w, r, foreign+"/x", http.StatusFound)
		default:
			html(w, "<p>"+r.URL.Path+"</p>")
		}
	})
}

// TestCrawlRedirects: a redirected page's relative links resolve against where its answer
// came from, and its final URL counts as seen, so a later link to it is a duplicate; a
// redirect off scope is refused. Every request the crawl makes yields one record.
func TestCrawlRedirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		seeds     []string
		wantRecs  []string       // the records' URLs (paths), sorted
		wantHits  map[string]int // requests the site saw, by path; a path not named is not checked
		wantClass map[string]fetcher.ErrorClass
	}{
		{"a relative link of a redirected page", []string{"/a"},
			[]string{"/a", "/dir/c", "/robots.txt"},
			map[string]int{"/a": 1, "/dir/b": 1, "/dir/c": 1, "/c": 0}, nil},
		{"a chain of redirects", []string{"/chain"},
			[]string{"/a", "/chain", "/dir/c", "/robots.txt"},
			map[string]int{"/chain": 1, "/hop/1": 1, "/dir/b": 2, "/dir/c": 1, "/c": 0, "/hop/c": 0}, nil},
		{"a JSON document's relative link", []string{"/j"},
			[]string{"/api/doc/more", "/j", "/robots.txt"},
			map[string]int{"/api/doc/": 1, "/api/doc/more": 1, "/more": 0}, nil},
		{"the target fetched before the redirect to it", []string{"/dir/b", "/a"},
			[]string{"/a", "/dir/b", "/dir/c", "/robots.txt"},
			map[string]int{"/a": 1, "/dir/b": 2, "/dir/c": 1, "/c": 0}, nil},
		{"a redirect off scope", []string{"/away"},
			[]string{"/away", "/robots.txt"},
			map[string]int{"/away": 1},
			map[string]fetcher.ErrorClass{"/away": fetcher.ClassRedirect}},
	}
	for _, s := range []fetcher.Strategy{fetcher.Sequential, fetcher.Semaphore} {
		for _, tt := range tests {
			t.Run(string(s)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				foreign := newCounting(http.NotFoundHandler())
				fsrv := httptest.NewServer(foreign)
				defer fsrv.Close()
				site := newCounting(redirectSite(fsrv.URL))
				srv := httptest.NewServer(site)
				defer srv.Close()
				var seeds []string
				for _, p := range tt.seeds {
					seeds = append(seeds, srv.URL+p)
				}
				_, recs := run(t, context.Background(), crawlJob(s, seeds...))
				var got []string
				for _, r := range recs {
					p := strings.TrimPrefix(r.URL, srv.URL)
					got = append(got, p)
					if r.Class != tt.wantClass[p] {
						t.Errorf("%s: class %q (err %q), want %q", p, r.Class, r.Err, tt.wantClass[p])
					}
				}
				slices.Sort(got)
				if diff := cmp.Diff(tt.wantRecs, got); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
				hits, _ := site.snapshot()
				for p, want := range tt.wantHits {
					if n := len(hits[p]); n != want {
						t.Errorf("%s requested %d times, want %d (all: %v)", p, n, want, keys(hits))
					}
				}
				if n := foreign.total(); n != 0 {
					t.Errorf("the foreign host saw %d requests, want 0", n)
				}
			})
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestCrawlRedirectTargetInState: a redirect's target is among the URLs seen that a state
// file keeps, so a resumed crawl counts a link to it as a duplicate too; the links not
// followed for it are counted as duplicates.
func TestCrawlRedirectTargetInState(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(redirectSite("http://127.0.0.1:1"))
	defer srv.Close()
	job := crawlJob(fetcher.Semaphore, srv.URL+"/a")
	job.State = filepath.Join(t.TempDir(), "crawl.state")
	res, _ := run(t, context.Background(), job)
	if res.Pages != 2 || res.Duplicate != 2 {
		t.Errorf("%d pages, %d duplicates; want 2 (/a, /dir/c) and 2 (/a, b from /dir/c)", res.Pages, res.Duplicate)
	}
	st, err := loadState(job.State)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(st.seen, hash(srv.URL+"/dir/b")) {
		t.Errorf("the state file's seen set lacks /dir/b, the target of /a's redirect")
	}
}
