//go:build e2e

package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestOpenFileLimit runs the binary under a hard limit of 256 open files: a semaphore of 600
// is refused before any request, where it used to fail 955 requests and report success.
func TestOpenFileLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("no prlimit")
	}
	cmd := exec.Command(prlimit, "--nofile=256:256", binary(t), "--offline", "-s", "semaphore", "-c", "600", "-n", "1000")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		t.Fatalf("exit %v, want %d; output %s", err, exitFailed, out)
	}
	want := "fetchbench: semaphore with up to 600 requests in flight needs about 1264 open files but the limit is 256; lower -c to 96, or raise the hard limit as root (ulimit -Hn 1264), or run the fake in its own process (fetchbench serve) to halve the need\n"
	if string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

// TestGetOpenFileLimit runs get under low open-file limits: a run that needs more than the
// hard limit is refused before any request, as the comparison is (it used to fetch 82 of
// 3000 and fail the rest with "too many open files"); one within it runs whole.
func TestGetOpenFileLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("no prlimit")
	}
	var ids []string
	for range 5 {
		ids = append(ids, "1-16,18-83") // 410 requests, every one a person
	}
	tests := []struct {
		name  string
		limit string
		args  []string
		code  int
		docs  int
		err   string
	}{
		{"within the limit", "256:4096", []string{"--ids", strings.Join(ids, ",")}, 0, 410, ""},
		{"within the limit, expanded", "256:4096", []string{"--ids", strings.Join(ids, ","), "--expand", "homeworld"}, 0, 410, ""},
		{"unbounded refused under the hard limit", "4096:4096", []string{"-n", "3000"}, exitFailed, 0,
			"fetchbench: unbounded with up to 3000 requests in flight needs about 6064 open files but the limit is 4096; use -s semaphore -c 2016"},
		{"refused under the hard limit", "256:256", []string{"-s", "semaphore", "-c", "600", "-n", "1000"}, exitFailed, 0,
			"fetchbench: semaphore with up to 600 requests in flight needs about 1264 open files but the limit is 256; lower -c to 96"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--nofile=" + tc.limit, binary(t), "get", "--offline", "-s", "unbounded", "--fake-latency", "300ms", "-q"}, tc.args...)
			var stdout, stderr strings.Builder
			cmd := exec.Command(prlimit, args...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tc.code || strings.Count(stdout.String(), "\n") != tc.docs || !strings.HasPrefix(stderr.String(), tc.err) {
				t.Errorf("exit %d, %d documents, stderr %q; want exit %d, %d documents, stderr %q…",
					code, strings.Count(stdout.String(), "\n"), clipped(stderr.String()), tc.code, tc.docs, tc.err)
			}
		})
	}
}

// clipped is s cut to 300 bytes, for a test message.
func clipped(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
