package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCommandEveryCapability runs the capabilities of a run (--repeat, --fail-on,
// --progress, --timeline, --html) through get and crawl, which take them from the one
// session the comparison runs on too.
func TestEveryCommandEveryCapability(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   []string // each must appear on stderr
		html     string   // a file that must hold an HTML report
		noStderr string   // must not appear on stderr
	}{
		{name: "crawl repeat and fail-on breached", code: 3,
			args:   []string{"crawl", "--offline", "-s", "all", "--repeat", "2", "--max-pages", "6", "--fake-error-rate", "0.5", "--fail-on", "errors>0", "-o", "json"},
			stderr: []string{"fetchbench: sequential: crawled", "errors>0"}},
		{name: "crawl repeat healthy", code: 0,
			args:   []string{"crawl", "--offline-site", "-s", "sequential,semaphore", "--repeat", "2", "--max-pages", "6", "--fail-on", "errors>0"},
			stderr: []string{"fetchbench: semaphore: crawled"}},
		{name: "crawl threshold on a healthy crawl", code: 3,
			args: []string{"crawl", "--offline-site", "--max-pages", "4", "--fail-on", "rps>0", "-o", "ndjson"}},
		{name: "crawl progress", code: 0,
			args:   []string{"crawl", "--offline", "-s", "sequential", "--fake-latency", "100ms", "--max-pages", "6", "--progress", "always", "-o", "ndjson"},
			stderr: []string{"\r\x1b[Ksequential "}},
		{name: "crawl html and timeline", code: 0, html: filepath.Join(dir, "crawl.html"),
			args:   []string{"crawl", "--offline-site", "--max-pages", "4", "--timeline", "--html", filepath.Join(dir, "crawl.html"), "-o", "ndjson"},
			stderr: []string{"│"}},
		{name: "get html and timeline", code: 0, html: filepath.Join(dir, "get.html"),
			args:   []string{"get", "--offline", "-n", "4", "--timeline", "--html", filepath.Join(dir, "get.html")},
			stderr: []string{"semaphore", "│"}},
		{name: "get fail-on", code: 3,
			args:   []string{"get", "--offline", "-n", "3", "--fail-on", "rps>0"},
			stderr: []string{"rps>0"}},
		{name: "get progress", code: 0,
			args:   []string{"get", "--offline", "-n", "6", "-s", "sequential", "--fake-latency", "100ms", "--progress", "always", "-q"},
			stderr: []string{"\r\x1b[Ksequential [", "/6"}},
		{name: "get repeat", code: 0,
			args:   []string{"get", "--offline", "-n", "3", "--repeat", "2"},
			stderr: []string{"repetition 1 of 2", "repetition 2 of 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, "", tc.args...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tc.code, res.stdout, res.stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(res.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, res.stderr)
				}
			}
			if tc.html != "" {
				b, err := os.ReadFile(tc.html)
				if err != nil || !strings.Contains(string(b), "<html") {
					t.Errorf("--html %s: %v, %d bytes", tc.html, err, len(b))
				}
			}
		})
	}
}

// TestGetRepeatWritesDocumentsOnce: a repeated get measures every repetition but writes
// the documents of the first only.
func TestGetRepeatWritesDocumentsOnce(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "get", "--offline", "-n", "3", "--repeat", "3", "--records", filepath.Join(t.TempDir(), "r.ndjson"), "-q")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if n := strings.Count(res.stdout, "\n"); n != 3 {
		t.Errorf("%d documents, want 3:\n%s", n, res.stdout)
	}
}
