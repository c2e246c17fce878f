//go:build e2e

package main

import (
	"bufio"
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

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
