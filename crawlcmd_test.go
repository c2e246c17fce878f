package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
