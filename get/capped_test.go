package get_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/swapi"
)

// TestDiscoverCappedAtOnce is the comparison's --all against a mirror whose page 1 claims a
// trillion pages, every page listing person 1: the cap is said before page 2 is asked for,
// person 1 is one target, and the discovery's verdict is a breach (the server's claim was
// refused in part), as get's is.
func TestDiscoverCappedAtOnce(t *testing.T) {
	t.Parallel()
	var noted atomic.Int64
	var page2BeforeNote atomic.Bool
	h := startHostile(t, "", func(w http.ResponseWriter, r *http.Request, self, _ string) {
		if r.URL.Query().Get("page") == "2" && noted.Load() == 0 {
			page2BeforeNote.Store(true)
		}
		fmt.Fprintf(w, `{"count":1000000000000,"results":[%s]}`, person(self+"/api/people/1/", ""))
	})
	var notes []string
	note := func(line string) { noted.Add(1); notes = append(notes, line) }
	cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}}
	ts, disc, err := get.Discover(context.Background(), nil, cfg, swapi.Dev, h.srv.URL+"/api/", "people", note)
	if err != nil {
		t.Fatal(err)
	}
	if page2BeforeNote.Load() {
		t.Error("page 2 was asked for before the cap was said")
	}
	want := "list page 1 " + h.srv.URL + "/api/people/?page=1 claims 1000000000000 pages; capped: only the first 1000 are read"
	if len(notes) != 1 || notes[0] != want {
		t.Errorf("notes %q, want one: %q", notes, want)
	}
	if len(ts) != 1 || ts[0].ID != 1 {
		t.Errorf("targets %v, want person 1 once", ts)
	}
	if disc.Items != 1 || disc.Duplicates != get.MaxPages-1 || !strings.Contains(disc.String(), "; 999 items listed again, taken once") {
		t.Errorf("discovery %+v (%s), want 1 item and %d duplicates", disc, disc, get.MaxPages-1)
	}
	if err := disc.Verdict(); !errors.Is(err, verdict.ErrBreached) {
		t.Errorf("Verdict() = %v, want a breach", err)
	}
}

// TestDiscoverHonestVerdict: a list within MaxPages has no verdict.
func TestDiscoverHonestVerdict(t *testing.T) {
	t.Parallel()
	h := startHostile(t, "", func(w http.ResponseWriter, r *http.Request, self, _ string) {
		fmt.Fprintf(w, `{"count":2,"results":[%s,%s]}`, person(self+"/api/people/1/", ""), person(self+"/api/people/2/", ""))
	})
	cfg := fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}}
	ts, disc, err := get.Discover(context.Background(), nil, cfg, swapi.Dev, h.srv.URL+"/api/", "people", func(l string) { t.Errorf("note %q", l) })
	if err != nil || len(ts) != 2 || disc.Verdict() != nil || disc.Duplicates != 0 {
		t.Errorf("Discover = %v, %+v, %v; want 2 targets, no verdict", ts, disc, err)
	}
}
