package fetcher

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestCacheBounds is defect 16: a cache hit is bounded by MaxBody like an answer from the
// network (a planted huge entry is refused from its size, unread), and a 200 whose JSON is
// invalid is not kept. Not parallel: it reads the allocation count.
func TestCacheBounds(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	big := `{"name":"` + strings.Repeat("x", 15<<10) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(big)) //nolint:errcheck
		case "/bad":
			w.Write([]byte(`{"name":`)) //nolint:errcheck
		default:
			w.Write([]byte(`{"name":"planted"}`)) //nolint:errcheck
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	ts := TargetList{{URL: srv.URL + "/big"}, {URL: srv.URL + "/bad"}, {URL: srv.URL + "/planted"}}
	cfg := Config{Strategy: Sequential, Limits: Limits{Slots: 1}, KeepBody: true, CacheDir: dir}
	first, _ := collect(t, context.Background(), cfg, ts)
	if !first[0].OK() || first[1].Class != ClassInvalidJSON {
		t.Fatalf("first run: %+v / %+v", first[0].Class, first[1].Class)
	}

	// A 150 MB entry (sparse: it costs no disk) planted for /planted, over the default limit.
	planted := (&cacheTransport{dir: dir}).path(ts[2].URL)
	if err := os.Truncate(planted, 150<<20); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	second, _ := collect(t, context.Background(), cfg, ts)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("run over a planted 150 MB entry allocated %d MB, want under 16", alloc>>20)
	}
	if second[2].Class != ClassBodyTooBig {
		t.Errorf("planted entry: class %q, err %q; want %q", second[2].Class, second[2].Err, ClassBodyTooBig)
	}

	cfg.MaxBody = 1 << 10
	third, _ := collect(t, context.Background(), cfg, ts)
	if third[0].Class != ClassBodyTooBig {
		t.Errorf("cached 15 KiB body under MaxBody 1 KiB: class %q, err %q; want %q", third[0].Class, third[0].Err, ClassBodyTooBig)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"/big": 1, "/bad": 3, "/planted": 1}
	for p, n := range want {
		if hits[p] != n {
			t.Errorf("server saw %s %d times, want %d (hits %v)", p, hits[p], n, hits)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json")); len(files) != 2 {
		t.Errorf("cache holds %d entries, want 2 (/big and the planted one)", len(files))
	}
}
