package fetcher

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// gaugeHandler answers every path with a small JSON document after delay, counting the
// requests it serves at once.
type gaugeHandler struct {
	delay      time.Duration
	now, peak  atomic.Int64
	hits       atomic.Int64
	mu         sync.Mutex
	pathCounts map[string]int
}

func (g *gaugeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := g.now.Add(1)
	defer g.now.Add(-1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	g.hits.Add(1)
	g.mu.Lock()
	g.pathCounts[r.URL.Path]++
	g.mu.Unlock()
	time.Sleep(g.delay)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"name":%q}`, r.URL.Path)
}

// TestFrontierUnderTheStrategy drives the scheduler with a toy frontier: every target pushes
// two links (one shared by all targets) and every first link a second-level link. Every pushed
// URL is fetched once, under the strategy's limits, and yields one record with its kind,
// depth and parent.
func TestFrontierUnderTheStrategy(t *testing.T) {
	t.Parallel()
	for _, s := range Strategies {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			h := &gaugeHandler{delay: 5 * time.Millisecond, pathCounts: map[string]int{}}
			srv := httptest.NewServer(h)
			defer srv.Close()
			cfg := Config{Strategy: s, Limits: s.Limits(Knobs{Concurrency: 2, Rate: 200, Burst: 2})}
			base := urls(srv.URL+"/doc", 4)
			f := NewFrontier(base, Scope{})
			cfg.Follow = func(rec *Record) {
				switch {
				case rec.Depth == 0:
					f.Push(Target{URL: fmt.Sprintf("%s/link/%d", srv.URL, rec.Seq)}, KindLink, 1, rec.Seq)
					f.Push(Target{URL: srv.URL + "/shared"}, KindLink, 1, rec.Seq)
				case rec.Depth == 1 && strings.Contains(rec.URL, "/link/"):
					f.Push(Target{URL: rec.URL + "/deeper"}, KindPage, 2, rec.Seq)
				}
			}
			var recs []Record
			stats, err := Schedule(context.Background(), cfg, f, GatesFor(cfg.Limits), func(r Record) { recs = append(recs, r) })
			if err != nil {
				t.Fatal(err)
			}
			const want = 4 + 4 + 1 + 4 // targets, their links, the shared link, deeper pages
			if len(recs) != want || stats.Requests != want || h.hits.Load() != want || f.Pushed() != want-4 {
				t.Fatalf("%d records, %d requests counted, %d served, %d pushed; want %d, %d, %d, %d",
					len(recs), stats.Requests, h.hits.Load(), f.Pushed(), want, want, want, want-4)
			}
			for path, n := range h.pathCounts {
				if n != 1 {
					t.Errorf("%s fetched %d times", path, n)
				}
			}
			bySeq := map[int]Record{}
			for _, r := range recs {
				if _, dup := bySeq[r.Seq]; dup {
					t.Errorf("seq %d twice", r.Seq)
				}
				bySeq[r.Seq] = r
				if !r.OK() || r.StartAt.IsZero() || r.Params != s.Params(cfg.Limits) {
					t.Errorf("record %+v", r)
				}
			}
			for _, r := range recs {
				wantKind, wantDepth := KindTarget, 0
				switch {
				case strings.HasSuffix(r.URL, "/deeper"):
					wantKind, wantDepth = KindPage, 2
				case strings.Contains(r.URL, "/link/") || strings.HasSuffix(r.URL, "/shared"):
					wantKind, wantDepth = KindLink, 1
				}
				if r.Kind != wantKind || r.Depth != wantDepth {
					t.Errorf("%s: kind %q depth %d, want %q %d", r.URL, r.Kind, r.Depth, wantKind, wantDepth)
				}
				if r.Depth > 0 {
					p, ok := bySeq[r.Parent]
					if !ok || p.Depth != r.Depth-1 || (r.Depth == 2 && !strings.HasPrefix(r.URL, p.URL)) {
						t.Errorf("%s: parent %d (%+v)", r.URL, r.Parent, p)
					}
				}
			}
			switch l := cfg.Limits; {
			case s.Serial():
				if h.peak.Load() != 1 {
					t.Errorf("server saw %d at once, want 1", h.peak.Load())
				}
			case l.Slots > 0:
				if p := h.peak.Load(); p > int64(l.Slots) {
					t.Errorf("server saw %d at once, want ≤ %d", p, l.Slots)
				}
			}
			if l := cfg.Limits; l.Rate > 0 {
				starts := make([]time.Duration, len(recs))
				for i, r := range recs {
					starts[i] = r.Start
				}
				sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
				for i := range starts {
					for j := i; j < len(starts); j++ {
						allowed := float64(l.Burst) + l.Rate*(starts[j]-starts[i]+LateStart).Seconds()
						if float64(j-i+1) > allowed+1e-9 {
							t.Fatalf("%d starts within %s, more than burst %d + rate %g·t", j-i+1, starts[j]-starts[i], l.Burst, l.Rate)
						}
					}
				}
			}
		})
	}
}

// TestFrontierDrainsOnCancel: once ctx is cancelled every item still queued or pushed yields
// a cancelled record, and Schedule returns.
func TestFrontierDrainsOnCancel(t *testing.T) {
	t.Parallel()
	h := &gaugeHandler{delay: time.Millisecond, pathCounts: map[string]int{}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := Config{Strategy: Semaphore, Limits: Limits{Slots: 1}}
	f := NewFrontier(urls(srv.URL+"/doc", 50), Scope{})
	cfg.Follow = func(rec *Record) {
		f.Push(Target{URL: fmt.Sprintf("%s/link/%d", srv.URL, rec.Seq)}, KindLink, 1, rec.Seq)
		if rec.Seq == 2 {
			cancel()
		}
	}
	var recs []Record
	stats, err := Schedule(ctx, cfg, f, GatesFor(cfg.Limits), func(r Record) { recs = append(recs, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 50+f.Pushed() || !stats.Interrupted {
		t.Fatalf("%d records for 50 targets and %d pushed; interrupted %v", len(recs), f.Pushed(), stats.Interrupted)
	}
	cancelled := 0
	for _, r := range recs {
		if r.Class == ClassCancelled {
			cancelled++
		}
	}
	if cancelled < 40 {
		t.Errorf("%d cancelled records, want most of them", cancelled)
	}
}

// TestFrontierWait: concurrent askers of a pushed URL share its one request and get its outcome.
func TestFrontierWait(t *testing.T) {
	t.Parallel()
	f := NewFrontier(nil, Scope{})
	it, isNew := f.Push(Target{URL: "http://x/1"}, KindLink, 1, 0)
	again, isNew2 := f.Push(Target{URL: "http://x/1"}, KindLink, 1, 3)
	if !isNew || isNew2 || again.Seq != it.Seq {
		t.Fatalf("push twice: %v %v, seqs %d %d", isNew, isNew2, it.Seq, again.Seq)
	}
	if _, ok := f.Wait(context.Background(), "http://x/unknown"); ok {
		t.Error("Wait on a URL never pushed succeeded")
	}
	got, ok := f.Next(context.Background())
	if !ok || got.URL != "http://x/1" {
		t.Fatalf("Next = %+v, %v", got, ok)
	}
	done := make(chan Outcome)
	go func() {
		o, _ := f.Wait(context.Background(), "http://x/1")
		done <- o
	}()
	f.Done(got, &Record{Status: 404, Class: ClassHTTP4xx, Err: "http 404"})
	if o := <-done; o.Status != 404 || o.Seq != it.Seq {
		t.Errorf("outcome %+v", o)
	}
	if _, ok := f.Next(context.Background()); ok {
		t.Error("Next after everything is done returned an item")
	}
}

// TestFrontierPushWhileDone: pushing a URL again while its request is being Done is safe:
// under -race, an entry's Seq read by the push and the outcome written by Done must not race.
func TestFrontierPushWhileDone(t *testing.T) {
	t.Parallel()
	for range 200 {
		f := NewFrontier(nil, Scope{})
		it, _ := f.Push(Target{URL: "http://x/1"}, KindPage, 0, -1)
		got, _ := f.Next(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { f.Done(got, &Record{Status: 200}) })
		wg.Go(func() {
			if again, isNew := f.Push(Target{URL: "http://x/1"}, KindLink, 1, 0); isNew || again.Seq != it.Seq {
				t.Errorf("push again: new %v, seq %d, want the first push's %d", isNew, again.Seq, it.Seq)
			}
		})
		wg.Wait()
	}
}

func BenchmarkFrontier(b *testing.B) {
	b.ReportAllocs()
	f := NewFrontier(&Templated{tmpl: "http://x/{id}", n: b.N}, Scope{})
	ctx := context.Background()
	var rec Record
	for b.Loop() {
		it, _ := f.Next(ctx)
		f.Done(it, &rec)
	}
}

func BenchmarkFrontierPush(b *testing.B) {
	b.ReportAllocs()
	f := NewFrontier(nil, Scope{})
	ctx := context.Background()
	var rec Record
	i := 0
	for b.Loop() {
		i++
		f.Push(Target{URL: "http://x/" + fmt.Sprint(i)}, KindLink, 1, 0)
		it, _ := f.Next(ctx)
		f.Done(it, &rec)
	}
}

// TestFrontierMaxOpen: with a bound, documents wait for one of theirs to be Done while links
// still come out (the documents may be waiting on them), in push order otherwise; a done ctx
// lifts the bound.
func TestFrontierMaxOpen(t *testing.T) {
	t.Parallel()
	f := NewFrontier(urls("http://x/doc", 4), Scope{})
	f.SetMaxOpen(2, false)
	page, _ := f.Push(Target{URL: "http://x/page"}, KindPage, 0, 0)
	ctx := context.Background()
	next := func() Item {
		t.Helper()
		got := make(chan Item)
		go func() {
			it, _ := f.Next(ctx)
			got <- it
		}()
		select {
		case it := <-got:
			return it
		case <-time.After(10 * time.Second):
			t.Fatal("Next blocked")
		}
		return Item{}
	}
	first, second := next(), next()
	if first.Seq != page.Seq || second.Seq != 0 {
		t.Fatalf("handed %d, %d; want the page %d, then doc 0", first.Seq, second.Seq, page.Seq)
	}
	held := make(chan Item, 1)
	go func() {
		it, _ := f.Next(ctx)
		held <- it
	}()
	link, _ := f.Push(Target{URL: "http://x/link"}, KindLink, 1, second.Seq)
	if it := <-held; it.Seq != link.Seq {
		t.Fatalf("at the bound, Next gave %d; want the link %d", it.Seq, link.Seq)
	}
	go func() {
		it, _ := f.Next(ctx)
		held <- it
	}()
	f.Done(link, &Record{})
	f.Done(first, &Record{})
	if it := <-held; it.Seq != 1 {
		t.Fatalf("after a Done, Next gave %d; want doc 1", it.Seq)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for want := 2; want < 4; want++ {
		if it, ok := f.Next(cancelled); !ok || it.Seq != want {
			t.Fatalf("after cancel, Next = %d, %v; want doc %d at once", it.Seq, ok, want)
		}
	}
}

// TestFrontierWindow: in input order, no document is handed out n Seqs past the earliest one
// not Done, however many later ones are Done.
func TestFrontierWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := NewFrontier(urls("http://x/doc", 6), Scope{})
		f.SetMaxOpen(2, true)
		ctx := context.Background()
		d0, _ := f.Next(ctx)
		d1, _ := f.Next(ctx)
		f.Done(d1, &Record{})
		got := make(chan Item, 1)
		go func() {
			it, _ := f.Next(ctx)
			got <- it
		}()
		synctest.Wait() // Next has handed out what it may, or blocks
		select {
		case it := <-got:
			t.Fatalf("handed doc %d while doc 0 is open; the window is 0–1", it.Seq)
		default:
		}
		f.Done(d0, &Record{})
		if it := <-got; it.Seq != 2 {
			t.Fatalf("after doc 0, Next gave %d; want 2", it.Seq)
		}
		if it, _ := f.Next(ctx); it.Seq != 3 {
			t.Fatalf("Next gave %d; want 3 (window 2–3)", it.Seq)
		}
	})
}
