package fetcher

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
)

// memLedger is a Ledger in memory, counting what it is asked.
type memLedger struct {
	mu       sync.Mutex
	next     int
	seqs     map[string]int
	outcomes map[string]Outcome
	admits   int
	fail     error
}

func newMemLedger() *memLedger {
	return &memLedger{seqs: map[string]int{}, outcomes: map[string]Outcome{}}
}

func (l *memLedger) Begin(_ context.Context, _ Slash, next int, admitted map[string]int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next = max(l.next, next)
	for k, s := range admitted {
		l.seqs[k] = s
	}
	return nil
}

func (l *memLedger) Admit(_ context.Context, key string) (int, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return 0, false, l.fail
	}
	if s, ok := l.seqs[key]; ok {
		return s, false, nil
	}
	l.admits++
	s := l.next
	l.next++
	l.seqs[key] = s
	return s, true, nil
}

func (l *memLedger) Settle(_ context.Context, key string, o Outcome) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outcomes[key] = o
	return nil
}

func (l *memLedger) Outcome(_ context.Context, key string) (Outcome, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o, ok := l.outcomes[key]
	return o, ok, nil
}

// TestFrontierLedger: with a ledger, every target pushes the same links (in two spellings)
// from goroutines of its own; each link is admitted once and fetched once, every Wait gets its
// outcome, and once the run is over the frontier holds no URL: the outcomes are the ledger's.
func TestFrontierLedger(t *testing.T) {
	t.Parallel()
	h := &gaugeHandler{pathCounts: map[string]int{}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	const targets, links = 8, 12
	f := NewFrontier(urls(srv.URL+"/doc", targets), Scope{})
	f.Push(Target{URL: srv.URL + "/early"}, KindLink, 1, 0) // before the ledger: handed to it
	l := newMemLedger()
	if err := f.Share(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Strategy: Semaphore, Limits: Limits{Slots: 4}}
	cfg.Follow = func(rec *Record) {
		if rec.Kind == KindLink {
			return
		}
		var wg sync.WaitGroup
		for i := range links {
			for _, u := range []string{fmt.Sprintf("%s/link/%d", srv.URL, i), fmt.Sprintf("%s/link/%d/", srv.URL, i), srv.URL + "/early"} {
				wg.Go(func() {
					f.Push(Target{URL: u}, KindLink, 1, rec.Seq)
					if o, ok := f.Wait(context.Background(), u); !ok || o.Status != 200 {
						t.Errorf("%s: outcome %+v, %v", u, o, ok)
					}
				})
			}
		}
		wg.Wait()
	}
	seqs := map[int]bool{}
	if _, err := Schedule(context.Background(), cfg, f, GatesFor(cfg.Limits), func(r Record) {
		if seqs[r.Seq] {
			t.Errorf("seq %d twice", r.Seq)
		}
		seqs[r.Seq] = true
	}); err != nil {
		t.Fatal(err)
	}
	if want := targets + links + 1; len(seqs) != want || h.hits.Load() != int64(want) {
		t.Errorf("%d records, %d requests; want %d", len(seqs), h.hits.Load(), want)
	}
	for seq := range len(seqs) {
		if !seqs[seq] {
			t.Errorf("no record of seq %d", seq)
		}
	}
	for path, n := range h.pathCounts {
		if n != 1 {
			t.Errorf("%s fetched %d times", path, n)
		}
	}
	if l.admits != links || f.Pushed() != links+1 {
		t.Errorf("ledger admitted %d, frontier pushed %d; want %d and %d", l.admits, f.Pushed(), links, links+1)
	}
	if n := f.Held(); n != 0 {
		t.Errorf("the frontier holds %d URLs after the run, want 0", n)
	}
	if o, ok := f.Wait(context.Background(), srv.URL+"/link/3/"); !ok || o.Status != 200 {
		t.Errorf("Wait after the run: %+v, %v", o, ok)
	}
	if it, isNew := f.Push(Target{URL: srv.URL + "/link/3"}, KindLink, 1, 0); isNew || it.Seq < targets {
		t.Errorf("a link pushed again after the run: %+v, new %v", it, isNew)
	}
}

// TestFrontiersShareALedger: two frontiers (two processes) on one ledger admit each URL once
// between them, even when their pushes race.
func TestFrontiersShareALedger(t *testing.T) {
	t.Parallel()
	l := newMemLedger()
	a, b := NewFrontier(nil, Scope{}), NewFrontier(nil, Scope{})
	for _, f := range []*Frontier{a, b} {
		if err := f.Share(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	}
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := map[string]int{}
	for _, f := range []*Frontier{a, b, a, b} {
		wg.Go(func() {
			for i := range n {
				u := fmt.Sprintf("http://x/%d", i)
				if _, isNew := f.Push(Target{URL: u}, KindLink, 1, 0); isNew {
					mu.Lock()
					admitted[u]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(admitted) != n || a.Pushed()+b.Pushed() != n {
		t.Errorf("%d URLs admitted (%d + %d pushes), want %d", len(admitted), a.Pushed(), b.Pushed(), n)
	}
	for u, k := range admitted {
		if k != 1 {
			t.Errorf("%s admitted %d times", u, k)
		}
	}
}

// TestFrontierLedgerFails: a push the ledger cannot admit is not pushed, and has no outcome.
func TestFrontierLedgerFails(t *testing.T) {
	t.Parallel()
	l := newMemLedger()
	f := NewFrontier(nil, Scope{})
	if err := f.Share(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	l.fail = errors.New("lost")
	if _, isNew := f.Push(Target{URL: "http://x/1"}, KindLink, 1, 0); isNew || f.Pushed() != 0 {
		t.Errorf("pushed through a failing ledger: %v, %d", isNew, f.Pushed())
	}
	if _, ok := f.Wait(context.Background(), "http://x/1"); ok {
		t.Error("Wait found an outcome for a push that failed")
	}
	if n := f.Held(); n != 0 {
		t.Errorf("the frontier holds %d URLs, want 0", n)
	}
}
