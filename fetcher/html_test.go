package fetcher

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// bigPage is an HTML page of about size bytes: sections of nested divs, each holding a
// heading and a paragraph, so that a "div" selector matches every level of every section.
func bigPage(size int) []byte {
	const section = `<div><div><div><div><h2>Heading</h2><p>Some text of a paragraph, some more text.</p></div></div></div></div>`
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>big</title></head><body><h1>  The title </h1>")
	for b.Len() < size {
		b.WriteString(section)
	}
	b.WriteString("</body></html>")
	return []byte(b.String())
}

func htmlServer(tb testing.TB, page []byte) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page) //nolint:errcheck
	}))
	tb.Cleanup(srv.Close)
	return srv
}

var pageSelectors = []Selector{{Name: "title", CSS: "h1"}, {Name: "block", CSS: "div"}, {Name: "link", CSS: "p", Attr: "class"}}

// TestHTMLFirstMatchBounded is defect 14: an HTML page's values are its selectors' first
// matches, found without a value for every match: the bytes allocated to scrape a 4 MB page
// with a selector matching 130,000 nested elements stay a small multiple of the page (colly's
// callbacks built every match's text: 40 times the page and more). Not parallel: it reads
// the allocation count.
func TestHTMLFirstMatchBounded(t *testing.T) {
	page := bigPage(4 << 20)
	srv := htmlServer(t, page)
	cfg := Config{Strategy: Sequential, Limits: Limits{Slots: 1}, HTML: pageSelectors}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: srv.URL}})
	runtime.ReadMemStats(&after)
	want := map[string]string{"title": "The title", "block": "HeadingSome text of a paragraph, some more text.", "link": ""}
	for k, v := range want {
		if got, ok := recs[0].HTML[k]; !ok || got != v {
			t.Errorf("HTML[%q] = %q, %v; want %q", k, got, ok, v)
		}
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("scraping a %d MB page allocated %d MB", len(page)>>20, alloc>>20)
	if alloc > 20*uint64(len(page)) {
		t.Errorf("scraping a %d MB page allocated %d MB, want under %d", len(page)>>20, alloc>>20, 20*len(page)>>20)
	}
}

// BenchmarkHTMLFields is a 10 MB page scraped with three selectors (defect 14's pages).
func BenchmarkHTMLFields(b *testing.B) {
	srv := htmlServer(b, bigPage(10<<20))
	cfg := Config{Strategy: Sequential, Limits: Limits{Slots: 1}, HTML: pageSelectors, MaxBody: 16 << 20}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), cfg, TargetList{{URL: srv.URL}}, func(Record) {}); err != nil {
			b.Fatal(err)
		}
	}
}
