package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// TestWorkerExitCodes: the worker command ends interrupted (130) when its context does (what
// SIGINT and SIGTERM do in main), and a Redis URL the server refuses (a wrong password) is
// bad input (2), worded with the flag and without the password.
func TestWorkerExitCodes(t *testing.T) {
	t.Parallel()
	m := miniredis.RunT(t)
	locked := miniredis.RunT(t)
	locked.RequireAuth("right")
	tests := []struct {
		name string
		url  string
		code int
		want string
	}{
		{"interrupted", "redis://" + m.Addr(), exitInterrupted, "left the pool"},
		{"wrong password", "redis://:s3cret@" + locked.Addr(), exitUsage, "fetchbench: --redis redis://:xxxxx@" + locked.Addr() + ": refused by Redis: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var talk workerTalk
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() {
				done <- runIn(ctx, &env{stdout: &talk, stderr: &talk, getenv: func(string) string { return "" }}, []string{"worker", "--redis", tt.url})
			}()
			var err error
		wait:
			for {
				select {
				case err = <-done:
					break wait
				default:
				}
				if strings.Contains(talk.String(), "joined") {
					cancel()
				}
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			if err != nil && err.Error() != "" {
				talk.Write([]byte("fetchbench: " + err.Error() + "\n"))
			}
			if got := exitCode(err); got != tt.code || !strings.Contains(talk.String(), tt.want) || strings.Contains(talk.String(), "s3cret") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q, no password", got, talk.String(), tt.code, tt.want)
			}
		})
	}
}

// workerTalk is what a worker says, safe for its goroutines and a test's reads.
type workerTalk struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *workerTalk) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *workerTalk) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
