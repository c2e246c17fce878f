package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCrawlStateRefused: a --state file that cannot be taken ends the crawl before any
// request with one line: a corrupt or cut one names FILE:LINE (exit 2, bad input); one in
// use by another crawl names that crawl's pid (exit 1: the input is fine, the crawl cannot be
// performed now).
func TestCrawlStateRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.state")
	if err := os.WriteFile(cut, []byte("fetchbench-crawl-state 2\nseed http://127.0.0.1:1/\nnext 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.state")
	if err := os.WriteFile(huge, []byte("fetchbench-crawl-state 2\nseed http://127.0.0.1:1/\nnext 1\nadmitted 0\nq 100000000000 0 0 0 0 http://127.0.0.1:1/\nend 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked.state")
	lock, err := os.OpenFile(locked+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Close() })
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := lock.WriteString("4242\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, state string
		code        int
		want        string
	}{
		{"cut", cut, 2, "fetchbench: --state: " + cut + ":4: cut short"},
		{"huge seq", huge, 2, "fetchbench: --state: " + huge + ":5: seq \"100000000000\""},
		{"locked", locked, 1, "fetchbench: --state: " + locked + " is in use by another crawl (pid 4242)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, "", "crawl", "http://127.0.0.1:1/", "--state", tc.state, "-q")
			ls := lines(res.stderr)
			if res.code != tc.code || len(ls) != 1 || !strings.HasPrefix(ls[0], tc.want) {
				t.Errorf("exit %d, stderr %q: want %d and one line starting %q", res.code, res.stderr, tc.code, tc.want)
			}
		})
	}
}
