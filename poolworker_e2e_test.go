//go:build e2e

package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPoolWorkerExitCodes: a worker process stopped by SIGINT or SIGTERM says it left the pool
// and exits 130, as every interrupted command does.
func TestPoolWorkerExitCodes(t *testing.T) {
	t.Parallel()
	url := poolRedis(t, 0)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			var logs lockedBuffer
			cmd := exec.Command(binary(t), "worker", "--redis", url, "--name", "exit")
			cmd.Stderr = &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), "joined"); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					t.Fatalf("the worker did not join: %s", logs.String())
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted || !strings.Contains(logs.String(), "left the pool") {
				t.Errorf("after %v: %v, stderr:\n%s\nwant exit %d after it left the pool", sig, err, logs.String(), exitInterrupted)
			}
		})
	}
}
