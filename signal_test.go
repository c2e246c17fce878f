package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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

func TestSIGINTPrintsPartialReport(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	records := filepath.Join(t.TempDir(), "records.ndjson")
	cmd := exec.Command(binary(t), "--offline", "--fake-latency", "100ms", "-n", "40", "-s", "semaphore", "-c", "2",
		"--records", records, "--progress", "never")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errLines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			errLines <- sc.Text()
		}
		close(errLines)
	}()
	// 40 requests at 2 in flight take 2 s; interrupt after about half a second.
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var errs []string
	for l := range errLines {
		errs = append(errs, l)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want code 130; stderr %q", err, errs)
	}
	if !strings.HasPrefix(stdout.String(), "strategy") || !strings.Contains(stdout.String(), "semaphore") {
		t.Errorf("want the partial table on stdout, got:\n%s", stdout.String())
	}
	data, err := os.ReadFile(records)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 40 {
		t.Errorf("records file has %d lines, want 40", n)
	}
	if !strings.Contains(string(data), `"error_class":"cancelled"`) {
		t.Error("records file has no cancelled record")
	}
}
