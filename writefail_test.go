package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// failWriter fails every write, as a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestGetStopsAtFailedWrite is defect 18: the first failed write of the documents (stdout)
// or of the records (/dev/full) stops the run: one line, exit 1, and the requests not yet
// sent are never sent.
func TestGetStopsAtFailedWrite(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	for _, tt := range []struct {
		name    string
		records bool
		most    int64 // requests the server may see of 1000
	}{
		{"stdout", false, 2},
		// The records are buffered (64 KiB): the first write reaches the disk after ~150.
		{"records", true, 300},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seen atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"name":"Luke Skywalker"}`)) //nolint:errcheck
			}))
			defer srv.Close()
			args := []string{"get", "--base-url", srv.URL + "/api/", "--ids", "1-1000", "-s", "sequential", "-q", "-o", "ndjson"}
			var stdout interface{ Write([]byte) (int, error) } = failWriter{}
			if tt.records {
				args = append(args, "--records", "/dev/full", "--records-format", "ndjson")
				stdout = &strings.Builder{}
			}
			var stderr strings.Builder
			err := run(context.Background(), args, strings.NewReader(""), stdout, &stderr)
			if err != nil {
				stderr.WriteString("fetchbench: " + err.Error() + "\n")
			}
			out := lines(stderr.String())
			if code := exitCode(err); code != 1 || len(out) != 1 || !strings.Contains(out[0], "no space left on device") {
				t.Errorf("exit %d, stderr %d lines:\n%.600s", code, len(out), stderr.String())
			}
			if got := seen.Load(); got > tt.most {
				t.Errorf("the server saw %d of 1000 requests after the failed write, want at most %d", got, tt.most)
			}
		})
	}
}
