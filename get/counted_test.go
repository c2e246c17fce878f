package get_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/internal/recordtest"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/swapi"
	"github.com/fetchbench/fetchbench/targets"
)

// kinds counts recs by kind.
func kinds(recs []fetcher.Record) map[fetcher.Kind]int {
	out := map[fetcher.Kind]int{}
	for _, rec := range recs {
		out[rec.Kind]++
	}
	return out
}

// TestRunCountsEveryRequest: every request the server saw (list pages, targets, links) is
// one record and one request of the summary, for each dialect's shape of --all.
func TestRunCountsEveryRequest(t *testing.T) {
	for _, tc := range []struct {
		dialect *swapi.Dialect
		expand  []string
		ids     string
		pages   int
		targets int
	}{
		{dialect: swapi.Dev, expand: []string{"homeworld", "films"}, pages: 9},
		{dialect: swapi.Tech, expand: []string{"homeworld"}, pages: 9, targets: 82},
		{dialect: swapi.Info, expand: []string{"homeworld"}, pages: 1},
		{dialect: swapi.Dev, expand: []string{"homeworld"}, ids: "1-20", targets: 20},
	} {
		name := tc.dialect.Name + "/all"
		if tc.ids != "" {
			name = tc.dialect.Name + "/" + tc.ids
		}
		t.Run(name, func(t *testing.T) {
			fake, srv := faketest.Start(t, fakeswapi.Options{Dialect: tc.dialect.Name})
			job := get.Job{
				Config:  fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}, Transport: srv.Transport},
				All:     tc.ids == "",
				Base:    srv.API(),
				Dialect: tc.dialect, Resource: "people",
				Shape: get.Shape{Expand: tc.expand},
			}
			if tc.ids != "" {
				ids, err := targets.ParseIDs(tc.ids)
				if err != nil {
					t.Fatal(err)
				}
				var ts fetcher.TargetList
				for _, id := range ids {
					ts = append(ts, fetcher.Target{ID: id, URL: tc.dialect.DetailURL(srv.API(), "people", id)})
				}
				job.Targets = ts
			}
			var kept recordtest.Kept
			res, err := get.Run(context.Background(), job, get.Output{
				Document:  func([]byte) error { return nil },
				Failure:   func(string) {},
				Consumers: func(fetcher.Config) []report.Consumer { return []report.Consumer{&kept} },
			})
			if err != nil {
				t.Fatal(err)
			}
			seen, recs := int(fake.Stats().Requests), kept.Records()
			if len(recs) != seen || res.Summary.Requests != seen {
				t.Errorf("server saw %d requests; %d records, summary counts %d", seen, len(recs), res.Summary.Requests)
			}
			k := kinds(recs)
			if k[fetcher.KindPage] != tc.pages || k[fetcher.KindTarget] != tc.targets || k[fetcher.KindLink] != res.Expanded || res.Expanded == 0 {
				t.Errorf("kinds %v, want %d pages, %d targets, %d links", k, tc.pages, tc.targets, res.Expanded)
			}
		})
	}
}

// TestDiscoveryWallEndsWithTheLastPage: the "discovered … in" time is the list pages', not
// the links' fetched after them in the same run.
func TestDiscoveryWallEndsWithTheLastPage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 100 * time.Millisecond
		_, srv := faketest.StartInMemory(t, fakeswapi.Options{Latency: latency})
		job := get.Job{
			Config: fetcher.Config{Strategy: fetcher.Unbounded, Transport: srv.Transport},
			All:    true, Base: srv.API(), Dialect: swapi.Dev, Resource: "people",
			Shape: get.Shape{Expand: []string{"homeworld"}},
		}
		var kept recordtest.Kept
		res, err := get.Run(context.Background(), job, get.Output{Document: func([]byte) error { return nil }, Failure: func(string) {},
			Consumers: func(fetcher.Config) []report.Consumer { return []report.Consumer{&kept} }})
		if err != nil {
			t.Fatal(err)
		}
		// Page 1 alone, then pages 2–9 beside page 1's links: 2 latencies; the other pages'
		// links take a third.
		if got, want := res.Discovery.Wall, 2*latency; got != want {
			t.Errorf("discovery wall %v, want %v", got, want)
		}
		if wall := time.Duration(res.Summary.WallMS * float64(time.Millisecond)); wall <= res.Discovery.Wall {
			t.Errorf("run wall %v, want more than the discovery's %v (the links come after)", wall, res.Discovery.Wall)
		}
	})
}

// TestBackpressure: a writer that stalls stops the fetching. While the first document cannot
// be written, the server sees at most the documents a run may hold (2 × c); at every write
// it has seen at most the documents written so far plus that bound. Memory follows c, not the
// number of documents (a stalled stdout used to keep every one).
func TestBackpressure(t *testing.T) {
	const n, c = 60, 5
	bound := fetcher.Semaphore.OpenDocuments(fetcher.Limits{Slots: c})
	var arrived atomic.Int64
	doc := `{"name":"` + strings.Repeat("x", 64<<10) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, doc) //nolint:errcheck // the client may be gone
	}))
	t.Cleanup(srv.Close)
	var ts fetcher.TargetList
	for i := range n {
		ts = append(ts, fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/docs/%d", srv.URL, i+1)})
	}
	job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: c}}, Targets: ts}
	written := 0
	res, err := get.Run(context.Background(), job, get.Output{
		Document: func([]byte) error {
			if written == 0 {
				// Stall: give the fetching time to run ahead, as it did before the bound.
				for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline) && arrived.Load() <= int64(bound); {
					time.Sleep(time.Millisecond)
				}
			}
			if got := arrived.Load(); got > int64(written+bound) {
				t.Errorf("at write %d the server had seen %d requests; want at most %d", written+1, got, written+bound)
			}
			written++
			return nil
		},
		Failure: func(msg string) { t.Error(msg) },
	})
	if err != nil || res.Documents != n {
		t.Fatalf("%d documents, %v; want %d", res.Documents, err, n)
	}
}

// TestBackpressureInOrder: in input order, a first document that is slow to come holds the
// later ones back for output; the run fetches up to the bound meanwhile, and no further. In a
// synctest bubble, the first document is held until the fetching can go no further.
func TestBackpressureInOrder(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const n, c = 40, 3
		bound := fetcher.Semaphore.OpenDocuments(fetcher.Limits{Slots: c})
		var arrived atomic.Int64
		release := make(chan struct{})
		srv := faketest.HandlerInMemory(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived.Add(1)
			if r.URL.Path == "/docs/1" {
				<-release
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
		}))
		held := make(chan int64, 1)
		go func() {
			synctest.Wait() // the others run ahead as far as they may
			held <- arrived.Load()
			close(release)
		}()
		var ts fetcher.TargetList
		for i := range n {
			ts = append(ts, fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/docs/%d", srv.URL, i+1)})
		}
		job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: c}, Transport: srv.Transport}, Targets: ts, InputOrder: true}
		written := 0
		res, err := get.Run(context.Background(), job, get.Output{
			Document: func(doc []byte) error {
				if want := fmt.Sprintf(`{"path":"/docs/%d"}`, written+1); string(doc) != want {
					t.Errorf("document %d is %s, want %s", written+1, doc, want)
				}
				if got := arrived.Load(); got > int64(written+bound) {
					t.Errorf("at write %d the server had seen %d requests; want at most %d", written+1, got, written+bound)
				}
				written++
				return nil
			},
			Failure: func(msg string) { t.Error(msg) },
		})
		if got := <-held; got != int64(bound) {
			t.Errorf("while the first document was held the server saw %d requests; want the bound, %d", got, bound)
		}
		if err != nil || res.Documents != n {
			t.Fatalf("%d documents, %v; want %d", res.Documents, err, n)
		}
	})
}
