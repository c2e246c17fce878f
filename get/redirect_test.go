package get_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
)

// TestExpandRedirected: a document's relative links resolve against the URL its answer came
// from after a redirect, a list page's items' against the page's; a string that is not a
// path stays as it is, and nothing is asked off the mirror.
func TestExpandRedirected(t *testing.T) {
	t.Parallel()
	answer := func(w http.ResponseWriter, r *http.Request, self, foreign string) {
		switch r.URL.RequestURI() {
		case "/old/people/1":
			http.Redirect(w, r, "/api/people/1/", http.StatusMovedPermanently)
		case "/api/people/1/":
			fmt.Fprint(w, `{"name":"Luke","homeworld":"../../planets/1/","films":["/api/films/1/"],"species":"unknown"}`)
		case "/api/people/?page=1":
			http.Redirect(w, r, "/v2/people/?page=1", http.StatusFound)
		case "/v2/people/?page=1":
			fmt.Fprintf(w, `{"count":1,"results":[{"name":"Leia","url":"%s/api/people/5/","homeworld":"../planets/2/"}]}`, self)
		case "/api/planets/1/":
			fmt.Fprint(w, `{"name":"Tatooine"}`)
		case "/v2/planets/2/":
			fmt.Fprint(w, `{"name":"Alderaan"}`)
		case "/api/films/1/":
			fmt.Fprint(w, `{"title":"A New Hope"}`)
		default:
			http.NotFound(w, r)
		}
	}
	tests := []struct {
		name    string
		all     bool
		target  string
		want    string
		wantHit string // a path asked for once
	}{
		{"a redirected document", false, "/old/people/1",
			`{"name":"Luke","homeworld":{"name":"Tatooine"},"films":[{"title":"A New Hope"}],"species":"unknown"}`, "/api/planets/1/"},
		{"a redirected list page", true, "",
			`{"name":"Leia","url":"{self}/api/people/5/","homeworld":{"name":"Alderaan"}}`, "/v2/planets/2/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			foreign, foreignHits := counter(t)
			h := startHostile(t, foreign, answer)
			job := get.Job{
				Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}},
				All:    tt.all, Base: h.srv.URL + "/api/", Resource: "people",
				Shape: get.Shape{Expand: []string{"homeworld", "films", "species"}},
			}
			if !tt.all {
				job.Targets = fetcher.TargetList{{URL: h.srv.URL + tt.target}}
			}
			var docs, fails []string
			if _, err := get.Run(context.Background(), job, get.Output{
				Document: func(doc []byte) error { docs = append(docs, string(doc)); return nil },
				Failure:  func(msg string) { fails = append(fails, msg) },
			}); err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tt.want, "{self}", h.srv.URL)
			if len(docs) != 1 || docs[0] != want || len(fails) != 0 {
				t.Errorf("documents %q, failures %q; want [%s] and none", docs, fails, want)
			}
			if n := h.hits(tt.wantHit); n != 1 {
				t.Errorf("%s asked %d times, want 1", tt.wantHit, n)
			}
			for _, p := range []string{"/planets/1/", "/api/planets/2/", "/api/people/1/unknown"} {
				if n := h.hits(p); n != 0 {
					t.Errorf("%s asked %d times: a link resolved against the URL asked for, not the answer's", p, n)
				}
			}
			if n := foreignHits.Load(); n != 0 {
				t.Errorf("the foreign host saw %d requests, want 0", n)
			}
		})
	}
}
