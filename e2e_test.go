//go:build e2e

package main

// The tests behind the e2e build tag (go test -tags e2e, a step of .ci/run of its own) run
// the fetchbench binary as separate processes: worker pools, signals, kills, open-file limits,
// the environment's proxy, the README's shell pipelines.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	bin      string
	buildErr error
	once     sync.Once
)

// binary builds fetchbench once per test process; the binary is removed after the tests.
func binary(t *testing.T) string {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "fetchbench-test")
		if err != nil {
			buildErr = err
			return
		}
		afterTests = append(afterTests, func() { os.RemoveAll(dir) })
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
