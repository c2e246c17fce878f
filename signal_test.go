package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// interruptArgs run 40 requests at 2 in flight (2 s); the tests interrupt after the first record.
var interruptArgs = []string{"--offline", "--fake-latency", "100ms", "-n", "40", "-s", "semaphore", "-c", "2",
	"--records", "-", "--progress", "never"}

// checkInterrupted checks a run interrupted after its first record: 40 records, some
// cancelled, and the partial table.
func checkInterrupted(t *testing.T, records, summary string) {
	t.Helper()
	if n := strings.Count(records, "\n"); n != 40 {
		t.Errorf("%d records, want 40", n)
	}
	if !strings.Contains(records, `"error_class":"cancelled"`) {
		t.Error("no cancelled record")
	}
	if !strings.HasPrefix(summary, "strategy") || !strings.Contains(summary, "semaphore (interrupted)") {
		t.Errorf("want the partial table, got:\n%s", summary)
	}
}

// TestInterruptPrintsPartialReport cancels run's ctx once the first record is out.
func TestInterruptPrintsPartialReport(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, interruptArgs, strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- err
	}()
	var records strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		records.WriteString(sc.Text() + "\n")
		cancel()
	}
	err := <-done
	if code := exitCode(err); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want %d", code, err, exitInterrupted)
	}
	table, _, _ := strings.Cut(stderr.String(), "fetchbench: interrupted")
	checkInterrupted(t, records.String(), table)
	if err == nil || err.Error() != "interrupted; the report above is partial" {
		t.Errorf("stderr %q lacks the interrupted line", stderr.String())
	}
}

// TestInterruptWhileReadingStdin cancels the run while --ids - or --urls - waits on a stdin
// that stays open after a valid line: run returns at once with exit 130 and one line. The
// line is valid for its flag, so that whether run has read it or not when the cancel comes,
// the only outcome is the interrupt.
func TestInterruptWhileReadingStdin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		line string
	}{
		{[]string{"--ids", "-", "--offline"}, "1\n"},
		{[]string{"--urls", "-"}, "http://127.0.0.1:1/api/people/1/\n"},
	}
	for _, tc := range tests {
		t.Run(tc.args[1]+tc.args[0], func(t *testing.T) {
			t.Parallel()
			stdin, feed := io.Pipe()
			t.Cleanup(func() { feed.Close() })
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, stderr bytes.Buffer
			done := make(chan error, 1)
			go func() { done <- run(ctx, tc.args, stdin, &stdout, &stderr) }()
			io.WriteString(feed, tc.line) //nolint:errcheck // read by run, or the pipe is closed
			cancel()
			err := <-done
			if code := exitCode(err); code != exitInterrupted || err.Error() != "interrupted while reading stdin" {
				t.Errorf("exit %d (%v), want %d and %q", code, err, exitInterrupted, "interrupted while reading stdin")
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}
