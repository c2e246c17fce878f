package fetcher

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dataHandler answers /page with HTML, /doc/N with JSON, /missing with 404 and counts requests.
func dataHandler(hits *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><body><h1>  Hello
 there </h1><h1>second</h1><a href="/one">1</a><a href="/two">2</a></body></html>`))
		case strings.HasPrefix(r.URL.Path, "/doc/"):
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"name":"doc ` + strings.TrimPrefix(r.URL.Path, "/doc/") + `"}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"detail":"Not found"}`))
		}
	})
}

func TestKeepBodyAndHTML(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(dataHandler(&hits))
	defer srv.Close()
	cfg := Config{Strategy: Semaphore, Limits: Limits{Slots: 2}, KeepBody: true, HTML: []Selector{
		{Name: "title", CSS: "h1"}, {Name: "link", CSS: "a", Attr: "href"}, {Name: "none", CSS: "table td"},
		{Name: "bad", CSS: "[[["},
	}}
	ts := TargetList{{URL: srv.URL + "/page"}, {URL: srv.URL + "/doc/1"}}
	recs, _ := collect(t, context.Background(), cfg, ts)
	if diff := cmp.Diff(map[string]string{"title": "Hello\n there", "link": "/one"}, recs[0].HTML); diff != "" {
		t.Errorf("HTML (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(recs[0].ContentType, "text/html") || !strings.Contains(string(recs[0].Body), "<h1>") {
		t.Errorf("page: content type %q, body %q", recs[0].ContentType, recs[0].Body)
	}
	if string(recs[1].Body) != `{"name":"doc 1"}` || recs[1].ContentType != "application/json" || recs[1].HTML != nil {
		t.Errorf("doc: body %q, type %q, html %v", recs[1].Body, recs[1].ContentType, recs[1].HTML)
	}

	cfg.KeepBody = false
	recs, _ = collect(t, context.Background(), cfg, ts)
	if recs[1].Body != nil || recs[1].ContentType != "" {
		t.Errorf("without KeepBody: body %q, type %q", recs[1].Body, recs[1].ContentType)
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(dataHandler(&hits))
	defer srv.Close()
	dir := t.TempDir()
	cfg := Config{Strategy: Unbounded, KeepBody: true, CacheDir: dir}
	ts := TargetList{{URL: srv.URL + "/doc/1"}, {URL: srv.URL + "/doc/2"}, {URL: srv.URL + "/missing"}}

	first, _ := collect(t, context.Background(), cfg, ts)
	if hits.Load() != 3 {
		t.Fatalf("first run: %d requests, want 3", hits.Load())
	}
	second, stats := collect(t, context.Background(), cfg, ts)
	if got := hits.Load(); got != 4 {
		t.Errorf("second run: %d requests in all, want 4 (only the 404 asked again)", got)
	}
	for i, r := range second[:2] {
		if r.Note != "from cache" || string(r.Body) != string(first[i].Body) || r.Status != 200 || !r.OK() || r.Name != first[i].Name {
			t.Errorf("cached record %d: %+v", i, r)
		}
	}
	if second[2].Status != 404 || second[2].Note != "" {
		t.Errorf("404 record: %+v", second[2])
	}
	if stats.Connections != 1 {
		t.Errorf("second run made %d connections, want 1 (the 404)", stats.Connections)
	}

	// A damaged or foreign entry is a miss, and is replaced.
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if len(files) != 2 {
		t.Fatalf("cache holds %v, want 2 entries", files)
	}
	for _, f := range files {
		os.WriteFile(f, []byte(`{"url":"http://elsewhere/","status":200,"body":"eA=="}`), 0o600)
	}
	third, _ := collect(t, context.Background(), cfg, ts)
	if got := hits.Load(); got != 7 || third[0].Note != "" || string(third[0].Body) != `{"name":"doc 1"}` {
		t.Errorf("after damage: %d requests, record %+v", got, third[0])
	}
}
