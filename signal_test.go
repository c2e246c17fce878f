package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

var (
	bin      string
	buildErr error
	once     sync.Once
)

// binary builds fetchbench once per test process.
func binary(t *testing.T) string {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "fetchbench-test")
		if err != nil {
			buildErr = err
			return
		}
		bin = filepath.Join(dir, "fetchbench")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return bin
}

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

// TestSignalPrintsPartialReport sends the binary SIGINT, SIGTERM or SIGHUP once the first
// record is out: each stops the run the same way, records complete and flushed.
func TestSignalPrintsPartialReport(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binary(t), interruptArgs...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var records strings.Builder
			sc := bufio.NewScanner(stdout)
			for first := true; sc.Scan(); first = false {
				records.WriteString(sc.Text() + "\n")
				if first {
					if err := cmd.Process.Signal(sig); err != nil {
						t.Fatal(err)
					}
				}
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want code 130; stderr %q", err, stderr.String())
			}
			table, _, _ := strings.Cut(stderr.String(), "fetchbench: interrupted")
			checkInterrupted(t, records.String(), table)
		})
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
