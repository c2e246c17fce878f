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
	if !strings.Contains(stderr.String(), "fetchbench: interrupted; the report above is partial") {
		t.Errorf("stderr %q lacks the interrupted line", stderr.String())
	}
}

// TestSIGINTPrintsPartialReport sends the binary SIGINT once the first record is out.
func TestSIGINTPrintsPartialReport(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
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
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
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
}
