package get

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestLinksKeepBoundedBytes is defect 12: the linked documents expansion keeps stay within
// Shape.ExpandBudget, however many were fetched (300 documents of 256 KB were all kept until
// the run ended: 75 MB), and each link fetched leaves a small outcome. Not parallel: it reads
// the live heap.
func TestLinksKeepBoundedBytes(t *testing.T) {
	const n = 300
	film := []byte(`{"title":"A New Hope","opening_crawl":"` + strings.Repeat("x", 256<<10) + `"}`)
	shape := &Shape{Expand: []string{"films"}, ExpandBudget: 2 << 20}
	f := fetcher.NewFrontier(nil, fetcher.Scope{})
	parent := &fetcher.Record{URL: "http://127.0.0.1/t/1"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ls := newLinks(shape, nil, nil)
	for i := range n {
		u := fmt.Sprintf("http://127.0.0.1/f/%d", i)
		done := make(chan link)
		go func() { done <- ls.get(f, u, parent) }()
		for f.Pushed() <= i { // Next with nothing pushed and nothing open ends the source
			runtime.Gosched()
		}
		it, _ := f.Next(context.Background())
		rec := fetcher.Record{URL: it.URL, Status: 200, ContentType: "application/json", Body: film}
		ls.keep(&rec)
		f.Done(it, &rec)
		if l := <-done; len(l.doc) < 256<<10 {
			t.Fatalf("link %d: %q", i, l.err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d links of 256 KB fetched: %d KB kept", n, kept>>10)
	if kept > 8<<20 {
		t.Errorf("%d links of 256 KB keep %d MB, want under 8 MB (budget 2 MB)", n, kept>>20)
	}
	if got := ls.get(f, "http://127.0.0.1/f/0", parent); got.doc != nil || !strings.Contains(got.err, "not kept") {
		t.Errorf("dropped link: %d bytes, %q", len(got.doc), got.err)
	}
	if ls.fetched() != n {
		t.Errorf("fetched %d, want %d", ls.fetched(), n)
	}
	runtime.KeepAlive(ls)
}

// TestLinksBudgetCountsCapacity: the budget counts what a kept document holds allocated, not
// its length: a 1 KB document in a 1 MB slice costs 1 MB.
func TestLinksBudgetCountsCapacity(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"name":"` + strings.Repeat("x", 1000) + `"}`)
	roomy := append(make([]byte, 0, 1<<20), doc...)
	ls := newLinks(&Shape{Expand: []string{"films"}, ExpandBudget: 1 << 20}, nil, nil)
	ls.keep(&fetcher.Record{URL: "http://127.0.0.1/f/1", Status: 200, ContentType: "application/json", Body: roomy})
	if ls.bytes != 1<<20 {
		t.Errorf("a %d-byte document in a %d-byte slice counts %d bytes, want %d", len(doc), cap(roomy), ls.bytes, cap(roomy))
	}
	ls.keep(&fetcher.Record{URL: "http://127.0.0.1/f/2", Status: 200, ContentType: "application/json", Body: doc})
	if k := ls.docs[fetcher.URLKey("http://127.0.0.1/f/1")]; k.doc != nil {
		t.Errorf("past the budget, the least recently used document is kept (%d bytes counted)", ls.bytes)
	}
}
