package main

import (
	"bufio"
	"encoding/json"
	"fmt"
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

// TestCrawlCLIGolden pins the crawl command's help, its bad-input messages and the shape of
// its outputs, exactly (in a synctest bubble on an in-memory network).
func TestCrawlCLIGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{name: "crawl-help", args: []string{"crawl", "--help"}},
		{name: "err-crawl-no-url", args: []string{"crawl"}},
		{name: "err-crawl-url", args: []string{"crawl", "ftp://127.0.0.1/"}},
		{name: "err-crawl-offline-url", args: []string{"crawl", "--offline", "http://127.0.0.1:1/"}},
		{name: "err-crawl-scope", args: []string{"crawl", "--scope", "planet", "http://127.0.0.1:1/"}},
		{name: "err-crawl-depth", args: []string{"crawl", "--depth", "-2", "http://127.0.0.1:1/"}},
		{name: "err-crawl-max-pages", args: []string{"crawl", "--max-pages", "0", "http://127.0.0.1:1/"}},
		{name: "err-crawl-state-all", args: []string{"crawl", "-s", "all", "--state", "x.state", "http://127.0.0.1:1/"}},
		{name: "err-crawl-state-csv", args: []string{"crawl", "--state", "x.state", "--records", "r.csv", "http://127.0.0.1:1/"}},
		{name: "err-crawl-output", args: []string{"crawl", "-o", "markdown", "http://127.0.0.1:1/"}},
		{name: "crawl-unreachable", args: []string{"crawl", "http://127.0.0.1:1/", "-q"}},
		{name: "crawl-offline-lines", args: []string{"crawl", "--offline", "--fake-latency", "10ms", "-s", "sequential", "--fields", "name", "-o", "csv"}},
		{name: "crawl-site-compare", args: []string{"crawl", "--offline-site", "-s", "sequential,semaphore", "--max-pages", "12"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invokeBubble(t, "", tc.args...)
			stdout := res.stdout
			if tc.name == "crawl-offline-lines" { // documents finishing at one instant come in any order
				stdout = fmt.Sprintf("%d lines\n", strings.Count(stdout, "\n"))
			}
			golden(t, tc.name, fmt.Sprintf("$ fetchbench %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(tc.args, " "), res.code, stdout, res.stderr))
		})
	}
}

// TestCrawlOfflineRecords: the crawl of the fake writes one record per request, every URL
// once, robots.txt first, and the documents are the pages.
func TestCrawlOfflineRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	recs := filepath.Join(dir, "r.ndjson")
	res := invoke(t, "", "crawl", "--offline", "-s", "unbounded", "--records", recs, "-q")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if n := strings.Count(res.stdout, "\n"); n != 294 {
		t.Errorf("%d documents, want 294", n)
	}
	f, err := os.Open(recs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	kinds := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct {
			URL  string `json:"url"`
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if seen[r.URL] {
			t.Errorf("%s twice", r.URL)
		}
		seen[r.URL] = true
		kinds[r.Kind]++
	}
	if kinds["robots"] != 1 || kinds["target"] != 1 || kinds["link"] != 293 {
		t.Errorf("kinds %v", kinds)
	}
}

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
