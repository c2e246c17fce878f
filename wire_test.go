package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/report"
)

// TestFakeH2 compares a semaphore of 10 slots over 100 requests on the fake over TLS: with
// HTTP/2 every record says HTTP/2.0 and one connection carries them all; --http1 gives
// HTTP/1.1 on at most one connection per slot.
func TestFakeH2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		proto string
		most  int // connections at most
		line  string
	}{
		{"http/2", nil, "HTTP/2.0", 1, "HTTP/2.0: 100 requests over 1 connection (multiplexed"},
		{"--http1", []string{"--http1"}, "HTTP/1.1", 10, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "r.ndjson")
			args := append([]string{"--offline", "--fake-h2", "--fake-latency", "2ms", "-s", "semaphore", "-c", "10", "-n", "100", "--records", path}, tc.args...)
			res := invoke(t, "", append(args, "-o", "json")...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			s := summaries(t, res.stdout)[0]
			if diff := cmp.Diff(map[string]int{tc.proto: 100}, s.Protocols); diff != "" || s.Connections < 1 || s.Connections > tc.most {
				t.Errorf("protocols (-want +got):\n%s\nconnections %d, want 1..%d", diff, s.Connections, tc.most)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rr := report.NewRecordReader(f)
			for {
				r, err := rr.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.Proto != tc.proto || !strings.HasPrefix(r.URL, "https://127.0.0.1:") {
					t.Fatalf("record %d: %s over %s", r.Seq, r.URL, r.Proto)
				}
			}
			table := invoke(t, "", "report", path)
			if !strings.Contains(table.stdout, tc.line) || (tc.line == "" && strings.Contains(table.stdout, "connections")) {
				t.Errorf("the line under the table does not say %q:\n%s", tc.line, table.stdout)
			}
		})
	}
}

// TestTransportFlags checks that --http1 and --no-proxy reach every run's config.
func TestTransportFlags(t *testing.T) {
	t.Parallel()
	var o compareOptions
	fs := newCompareFlags(&o)
	if err := fs.Parse([]string{"--http1", "--no-proxy", "-s", "all"}); err != nil {
		t.Fatal(err)
	}
	sp, err := o.spec(fs.Changed)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sp.configs {
		if !c.HTTP1 || !c.NoProxy {
			t.Errorf("%s: http1 %v, no proxy %v", c.Strategy, c.HTTP1, c.NoProxy)
		}
	}
}
