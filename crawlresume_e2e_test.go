//go:build e2e

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestCrawlResumeAfterKill: a crawl killed with SIGKILL midway, run again with the same
// --state, ends with records covering every URL once, and the server saw no URL twice but
// those the second run's records mark as in flight at the kill.
func TestCrawlResumeAfterKill(t *testing.T) {
	t.Parallel()
	fake := faketest.New(t, fakeswapi.Options{Latency: 10 * time.Millisecond})
	var mu sync.Mutex
	served := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served[r.URL.RequestURI()]++
		mu.Unlock()
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	state, recs := filepath.Join(dir, "crawl.state"), filepath.Join(dir, "r.ndjson")
	args := []string{"crawl", srv.URL + "/api/", "-c", "3", "--state", state, "--records", recs, "-q"}

	cmd := exec.Command(binary(t), args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for range 2000 { // until a third of the records are written, at most 20 s
		b, _ := os.ReadFile(recs)
		if strings.Count(string(b), "\n") >= 100 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill() //nolint:errcheck // it may have ended
	cmd.Wait()         //nolint:errcheck // killed
	if res, err := exec.Command(binary(t), args...).CombinedOutput(); err != nil {
		t.Fatalf("resumed crawl: %v\n%s", err, res)
	}

	b, err := os.ReadFile(recs)
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string]int{}
	marked := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r struct {
			URL, Kind, Note string
			Class           string `json:"error_class"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		if r.Kind == "robots" || r.Class == "cancelled" {
			continue
		}
		byURL[r.URL]++
		if strings.Contains(r.Note, "in flight") {
			marked[strings.TrimPrefix(r.URL, srv.URL)] = true
		}
	}
	if len(byURL) != 294 {
		t.Errorf("%d URLs recorded, want 294", len(byURL))
	}
	for u, n := range byURL {
		if n != 1 {
			t.Errorf("%s recorded %d times", u, n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for u, n := range served {
		if n > 1 && u != "/robots.txt" && !marked[u] {
			t.Errorf("%s served %d times, not marked as in flight at the kill", u, n)
		}
	}
}
