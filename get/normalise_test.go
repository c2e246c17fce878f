package get_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/swapi"
)

// TestExpandNormalisesLinks: links naming one document in different forms (with or without
// the trailing slash, a fragment, the default port, the host's case, localhost) are fetched
// once, in the dev dialect's slashed form (no redirect), and every document gets it.
func TestExpandNormalisesLinks(t *testing.T) {
	t.Parallel()
	h := startHostile(t, "", func(w http.ResponseWriter, r *http.Request, self, _ string) {
		w.Header().Set("Content-Type", "application/json")
		port := self[strings.LastIndex(self, ":")+1:]
		forms := []string{
			self + "/api/planets/1",
			self + "/api/planets/1/",
			self + "/api/planets/1/#top",
			"http://LOCALHOST:" + port + "/api/planets/1",
		}
		switch {
		case r.URL.Path == "/api/planets/1":
			http.Redirect(w, r, "/api/planets/1/", http.StatusMovedPermanently)
		case r.URL.Path == "/api/planets/1/":
			fmt.Fprint(w, `{"name":"Tatooine"}`)
		case strings.HasPrefix(r.URL.Path, "/api/people/"):
			var id int
			fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/api/people/"), "%d", &id)
			fmt.Fprint(w, person(self+r.URL.Path, forms[(id-1)%len(forms)]))
		default:
			http.NotFound(w, r)
		}
	})
	base := h.srv.URL + "/api/"
	ts := fetcher.TargetList{}
	for id := 1; id <= 4; id++ {
		ts = append(ts, fetcher.Target{ID: id, URL: swapi.Dev.DetailURL(base, "people", id)})
	}
	scope := fetcher.NewScope(base, "http://localhost"+h.srv.URL[strings.LastIndex(h.srv.URL, ":"):])
	job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}, Scope: scope},
		Targets: ts, Base: base, Resource: "people", Dialect: swapi.Dev, Shape: get.Shape{Expand: []string{"homeworld"}, Keep: []string{"homeworld"}}}
	var docs []string
	var problems []string
	res, err := get.Run(context.Background(), job, get.Output{
		Document: func(d []byte) error { docs = append(docs, string(d)); return nil },
		Failure:  func(msg string) { problems = append(problems, msg) },
	})
	if err != nil || res.Failed > 0 || len(problems) > 0 {
		t.Fatalf("Run = %+v, %v; problems %q", res, err, problems)
	}
	for i, d := range docs {
		if d != `{"homeworld":{"name":"Tatooine"}}` {
			t.Errorf("document %d: %s", i+1, d)
		}
	}
	if got := h.hits("/api/planets/1/"); got != 1 {
		t.Errorf("planets/1/ fetched %d times, want once", got)
	}
	if got := h.hits("/api/planets/1"); got != 0 {
		t.Errorf("planets/1 (a redirect) asked %d times, want never: the dialect's form is planets/1/", got)
	}
	if res.Expanded != 1 {
		t.Errorf("expanded %d distinct links, want 1", res.Expanded)
	}
}
