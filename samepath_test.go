package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/report"
)

// TestOutputsNameDistinctFiles: two outputs (or an output and an input) naming one file are
// refused before anything is written, with one line naming both flags, and the file is left
// as it was.
func TestOutputsNameDistinctFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x := filepath.Join(dir, "x")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(x, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(x, link); err != nil {
		t.Fatal(err)
	}
	dotted := filepath.Join(dir, ".", "sub", "..", "x")
	tests := []struct {
		name  string
		args  []string
		flags []string
	}{
		{"records and html", []string{"--offline", "-n", "2", "--records", x, "--html", x}, []string{"--records", "--html"}},
		{"records and html, unclean path", []string{"--offline", "-n", "2", "--records", x, "--html", dotted}, []string{"--records", "--html"}},
		{"records and html, symlink", []string{"--offline", "-n", "2", "--records", link, "--html", x}, []string{"--records", "--html"}},
		{"urls and records", []string{"--urls", x, "--records", x}, []string{"--urls", "--records"}},
		{"get urls and records", []string{"get", "--urls", x, "--records", x}, []string{"--urls", "--records"}},
		{"report input and html", []string{"report", x, "--html", x}, []string{"--html", "record file"}},
		{"crawl records and html", []string{"crawl", "http://127.0.0.1:1/", "--records", x, "--html", x}, []string{"--records", "--html"}},
		{"crawl records and state, symlink", []string{"crawl", "http://127.0.0.1:1/", "--records", link, "--state", x}, []string{"--records", "--state"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, "", tc.args...)
			if res.code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", res.code, res.stderr)
			}
			ls := lines(res.stderr)
			if len(ls) != 1 {
				t.Fatalf("stderr %q: want one line", res.stderr)
			}
			for _, f := range tc.flags {
				if !strings.Contains(ls[0], f) {
					t.Errorf("stderr %q: want it to name %s", ls[0], f)
				}
			}
			if b, _ := os.ReadFile(x); string(b) != "keep\n" {
				t.Errorf("the file now holds %q: it was written", b)
			}
		})
	}
}

// TestCrawlOutputNotStdout: "crawl --records f > f" (and --html, --state) is refused before
// anything is written, with one line naming the flag; a stdout that is not a regular file
// (/dev/null) names no file.
func TestCrawlOutputNotStdout(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--records", "--html", "--state"} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			x := filepath.Join(t.TempDir(), "x")
			if err := os.WriteFile(x, []byte("keep\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, err := os.OpenFile(x, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer stdout.Close()
			var stderr strings.Builder
			err = run(context.Background(), []string{"crawl", "http://127.0.0.1:1/", flag, x}, strings.NewReader(""), stdout, &stderr)
			if code := exitCode(err); code != 2 || err == nil || !strings.Contains(err.Error(), flag) || !strings.Contains(err.Error(), "stdout") {
				t.Errorf("exit %d, error %v: want 2 and one line naming %s and stdout", code, err, flag)
			}
			if b, _ := os.ReadFile(x); string(b) != "keep\n" {
				t.Errorf("the file now holds %q: it was written", b)
			}
		})
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	if err := report.NotStdout(devNull, report.NamedPath{Name: "--records", Path: os.DevNull}); err != nil {
		t.Errorf("stdout and --records both /dev/null: %v", err)
	}
}
