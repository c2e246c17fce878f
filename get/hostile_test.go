package get_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/swapi"
)

// hostile is a SWAPI mirror that lies: answer gives the body of each request (by path and
// query), given the mirror's and the foreign host's base URLs. It counts what it is asked.
type hostile struct {
	srv      *httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	paths    map[string]int
}

func startHostile(t *testing.T, foreign string, answer func(w http.ResponseWriter, r *http.Request, self, foreign string)) *hostile {
	t.Helper()
	h := &hostile{paths: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		h.mu.Lock()
		h.paths[r.URL.Path]++
		h.mu.Unlock()
		answer(w, r, h.srv.URL, foreign)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostile) hits(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.paths[path]
}

// counter is the foreign host: another loopback port, which must see no request.
func counter(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fmt.Fprint(w, `{"name":"foreign","url":"x"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// person is a dev-shaped document with the given url and homeworld.
func person(url, homeworld string) string {
	return fmt.Sprintf(`{"name":"p","url":%q,"homeworld":%q}`, url, homeworld)
}

// TestRunHostileLists runs get --all (and --expand) against mirrors whose list pages and
// documents lie about their size, their ids and their hosts. Every claim is capped or
// refused with a message naming the page and the item; the foreign host sees nothing.
func TestRunHostileLists(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("9", 10<<20)
	tests := []struct {
		name      string
		dialect   *swapi.Dialect
		expand    []string
		answer    func(w http.ResponseWriter, r *http.Request, self, foreign string)
		wantDocs  int
		maxReqs   int64
		wantFails []string // substrings of the failure lines, in any order
		notPath   string   // a path the mirror must never be asked for
	}{
		{name: "dev count 1e12", dialect: swapi.Dev,
			answer: func(w http.ResponseWriter, r *http.Request, self, _ string) {
				fmt.Fprintf(w, `{"count":1000000000000,"results":[%s]}`, person(self+"/api/people/1/", ""))
			},
			wantDocs: 1, maxReqs: get.MaxPages,
			wantFails: []string{"claims 1000000000000 pages; capped: only the first 1000 are read"}},
		{name: "dev count int64 max", dialect: swapi.Dev,
			answer: func(w http.ResponseWriter, r *http.Request, self, _ string) {
				fmt.Fprintf(w, `{"count":9223372036854775807,"results":[%s]}`, person(self+"/api/people/1/", ""))
			},
			wantDocs: 1, maxReqs: get.MaxPages,
			wantFails: []string{"claims 9223372036854775807 pages; capped"}},
		{name: "tech total_pages 1e12", dialect: swapi.Tech,
			answer: func(w http.ResponseWriter, r *http.Request, self, _ string) {
				if strings.HasPrefix(r.URL.Path, "/api/people/") {
					fmt.Fprint(w, `{"result":{"properties":{"name":"p"},"uid":"1"}}`)
					return
				}
				fmt.Fprint(w, `{"total_pages":1e12,"results":[{"uid":"1","url":"x"}]}`)
			},
			wantDocs: 1, maxReqs: get.MaxPages + 1,
			wantFails: []string{"claims 1000000000000 pages; capped"}},
		{name: "tech uids that are not numbers", dialect: swapi.Tech,
			answer: func(w http.ResponseWriter, r *http.Request, self, foreign string) {
				if strings.HasPrefix(r.URL.Path, "/api/people/") {
					fmt.Fprint(w, `{"result":{"properties":{"name":"p"},"uid":"1"}}`)
					return
				}
				fmt.Fprintf(w, `{"total_pages":1,"results":[{"uid":"../../x","url":"%s/x"},{"uid":"%%2e%%2e","url":"file:///etc/passwd"},{"uid":"%s","url":"javascript:alert(1)"},{"uid":"0"},{"uid":"2"}]}`, foreign, big)
			},
			wantDocs: 1, maxReqs: 2, notPath: "/api/people/0",
			wantFails: []string{`list page 1 ` + "%s" + `: item 1: uid "../../x" is not a number from 1 to 2147483647; refused`,
				`item 2: uid "%2e%2e" is not a number`, `item 3: uid "9999999999`, `item 4: uid "0" is not a number`}},
		{name: "info docs naming another host, expanded", dialect: swapi.Info, expand: []string{"homeworld"},
			answer: func(w http.ResponseWriter, r *http.Request, self, foreign string) {
				fmt.Fprintf(w, `[%s,%s]`, person(foreign+"/api/people/1", foreign+"/api/planets/1"), person(foreign+"/api/people/2", self+"/api/planets/2"))
			},
			wantDocs: 2, maxReqs: 2,
			wantFails: []string{"/api/planets/1: host 127.0.0.1"}},
		{name: "dev docs naming another host, expanded", dialect: swapi.Dev, expand: []string{"homeworld"},
			answer: func(w http.ResponseWriter, r *http.Request, self, foreign string) {
				if r.URL.Path == "/api/planets/2/" {
					fmt.Fprint(w, `{"name":"planet"}`)
					return
				}
				fmt.Fprintf(w, `{"count":2,"results":[%s,%s]}`, person(foreign+"/api/people/1/", foreign+"/api/planets/1/"), person(foreign+"/api/people/2/", self+"/api/planets/2/"))
			},
			wantDocs: 2, maxReqs: 2,
			wantFails: []string{"/api/planets/1/: host 127.0.0.1"}},
		{name: "expanded link redirecting to another host", dialect: swapi.Dev, expand: []string{"homeworld"},
			answer: func(w http.ResponseWriter, r *http.Request, self, foreign string) {
				if r.URL.Path == "/api/planets/1/" {
					http.Redirect(w, r, foreign+"/api/planets/1/", http.StatusFound)
					return
				}
				fmt.Fprintf(w, `{"count":1,"results":[%s]}`, person(self+"/api/people/1/", self+"/api/planets/1/"))
			},
			wantDocs: 1, maxReqs: 2,
			wantFails: []string{"redirect to " + "%f" + "/api/planets/1/: host 127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			foreign, foreignHits := counter(t)
			h := startHostile(t, foreign, tt.answer)
			job := get.Job{
				Config:   fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 8}, MaxBody: 16 << 20},
				All:      true,
				Base:     h.srv.URL + "/api/",
				Resource: "people",
				Dialect:  tt.dialect,
				Shape:    get.Shape{Expand: tt.expand},
			}
			var fails []string
			res, err := get.Run(context.Background(), job, get.Output{
				Document: func([]byte) error { return nil },
				Failure:  func(msg string) { fails = append(fails, msg) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Documents != tt.wantDocs {
				t.Errorf("documents = %d, want %d", res.Documents, tt.wantDocs)
			}
			if n := h.requests.Load(); n > tt.maxReqs {
				t.Errorf("the mirror saw %d requests, want at most %d", n, tt.maxReqs)
			}
			if n := foreignHits.Load(); n != 0 {
				t.Errorf("the foreign host saw %d requests, want 0", n)
			}
			if tt.notPath != "" && h.hits(tt.notPath) != 0 {
				t.Errorf("%s was fetched %d times, want never", tt.notPath, h.hits(tt.notPath))
			}
			all := strings.Join(fails, "\n")
			for _, want := range tt.wantFails {
				want = strings.ReplaceAll(want, "%s", job.Dialect.ListURL(job.Base, "people", 1))
				want = strings.ReplaceAll(want, "%f", foreign)
				if !strings.Contains(all, want) {
					t.Errorf("failures:\n%s\nwant one containing %q", all, want)
				}
			}
			for _, f := range fails {
				if strings.Contains(f, "\n") || len(f) > 500 {
					t.Errorf("failure line not one short line: %.200q", f)
				}
			}
		})
	}
}

// TestRunHostileInterrupted cancels a run whose page 1 claims a trillion pages: it stops.
func TestRunHostileInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := startHostile(t, "", func(w http.ResponseWriter, r *http.Request, self, _ string) {
		if r.URL.Query().Get("page") == "2" {
			cancel()
		}
		fmt.Fprintf(w, `{"count":1000000000000,"results":[%s]}`, person(self+"/api/people/1/", ""))
	})
	job := get.Job{Config: fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}},
		All: true, Base: h.srv.URL + "/api/", Resource: "people", Dialect: swapi.Dev}
	res, err := get.Run(ctx, job, get.Output{Document: func([]byte) error { return nil }, Failure: func(string) {}})
	if err != nil || !res.Interrupted {
		t.Fatalf("Run = %+v, %v; want interrupted", res, err)
	}
	if n := h.requests.Load(); n > 3 {
		t.Errorf("the mirror saw %d requests after Ctrl-C, want at most 3", n)
	}
}

// TestDiscoverHostile is the comparison's --all against lying list pages: it fails with one
// line naming the page and the item, or the --api the mirror needs, and fetches nothing else.
func TestDiscoverHostile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dialect *swapi.Dialect
		body    string // {self} is the mirror, {foreign} the foreign host
		wantErr string
		noHint  bool // a server that answered: no "is it up?"
		want    int  // targets, when wantErr is ""
	}{
		{name: "item on another host without an id", dialect: swapi.Dev,
			body:    `{"count":1,"results":[{"url":"{foreign}/x"}]}`,
			wantErr: `people list page 1 ({self}/api/people/?page=1): item 1: url "{foreign}/x" ends in no id; refused`, noHint: true},
		{name: "item climbing out of the api", dialect: swapi.Dev,
			body:    `{"count":1,"results":[{"url":"{self}/api/people/../../x"}]}`,
			wantErr: `item 1: url "{self}/api/people/../../x" ends in no id; refused`, noHint: true},
		{name: "file url", dialect: swapi.Dev, body: `{"count":1,"results":[{"url":"file:///etc/passwd"}]}`,
			wantErr: `item 1: url "file:///etc/passwd" ends in no id`, noHint: true},
		{name: "javascript url", dialect: swapi.Dev, body: `{"count":1,"results":[{"url":"javascript:alert(1)"}]}`,
			wantErr: `item 1: url "javascript:alert(1)" ends in no id`, noHint: true},
		{name: "tech uid climbing", dialect: swapi.Tech, body: `{"total_pages":1,"results":[{"uid":"../../x","url":"{foreign}/x"}]}`,
			wantErr: `item 1: uid "../../x" is not a number`, noHint: true},
		{name: "info mirror without --api", dialect: swapi.Dev, body: `[{"url":"{self}/api/people/1"}]`,
			wantErr: "try --api info", noHint: true},
		{name: "tech mirror without --api", dialect: swapi.Dev, body: `{"message":"ok","total_pages":1,"results":[]}`,
			wantErr: "try --api tech", noHint: true},
		{name: "list page redirecting to another host", dialect: swapi.Dev, body: "redirect",
			wantErr: "redirect to {foreign}/api/people/?page=1: host 127.0.0.1", noHint: true},
		{name: "empty list", dialect: swapi.Dev, body: `{"count":0,"results":[]}`, wantErr: "the people list is empty", noHint: true},
		{name: "ids under the base, urls elsewhere", dialect: swapi.Dev,
			body: `{"count":2,"results":[{"url":"{foreign}/api/people/1/"},{"url":"{foreign}/api/people/2/"}]}`, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			foreign, foreignHits := counter(t)
			h := startHostile(t, foreign, func(w http.ResponseWriter, r *http.Request, self, foreign string) {
				if tt.body == "redirect" {
					http.Redirect(w, r, foreign+r.URL.RequestURI(), http.StatusFound)
					return
				}
				fmt.Fprint(w, strings.NewReplacer("{self}", self, "{foreign}", foreign).Replace(tt.body))
			})
			cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}}
			ts, _, err := get.Discover(context.Background(), nil, cfg, tt.dialect, h.srv.URL+"/api/", "people", nil)
			if n := foreignHits.Load(); n != 0 {
				t.Errorf("the foreign host saw %d requests, want 0", n)
			}
			if tt.wantErr == "" {
				if err != nil || len(ts) != tt.want {
					t.Fatalf("Discover = %d targets, %v; want %d", len(ts), err, tt.want)
				}
				for _, target := range ts {
					if !strings.HasPrefix(target.URL, h.srv.URL+"/api/people/") {
						t.Errorf("target %s is not under the base URL", target.URL)
					}
				}
				return
			}
			want := strings.NewReplacer("{self}", h.srv.URL, "{foreign}", foreign).Replace(tt.wantErr)
			if err == nil || !strings.Contains(naming.Text(err, flags), want) || strings.Contains(err.Error(), "Go value") {
				t.Fatalf("Discover error = %v, want one containing %q", err, want)
			}
			if tt.noHint && errors.Is(err, fetcher.ErrNoAnswer) {
				t.Errorf("error %v wraps ErrNoAnswer, but the server answered", err)
			}
			if n := h.requests.Load(); n != 1 {
				t.Errorf("the mirror saw %d requests, want only page 1", n)
			}
		})
	}
}
