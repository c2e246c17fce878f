package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// endless is a stdin that never ends: line repeated. It fails the test once more than limit
// bytes have been read from it, and calls onRead (if set) after every read.
type endless struct {
	t      *testing.T
	line   []byte
	limit  int64
	read   atomic.Int64
	onRead func(total int64)
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e.line[(e.read.Load()+int64(n))%int64(len(e.line)):])
	}
	total := e.read.Add(int64(n))
	if total > e.limit {
		e.t.Errorf("read %d bytes of an endless stdin, want at most %d", total, e.limit)
		return n, errors.New("test stdin: read too far")
	}
	if e.onRead != nil {
		e.onRead(total)
	}
	return n, nil
}

// blocked is a stdin that never delivers a byte until the test ends.
type blocked struct{ done chan struct{} }

func (b blocked) Read([]byte) (int, error) { <-b.done; return 0, io.EOF }

// TestReportStdinEndless checks that fetchbench report - streams stdin: `yes | fetchbench
// report -` stops at line 1 with exit 2, an endless stream of records stops at Ctrl-C with
// exit 130, as does a stdin that sends nothing, and none leaves a file in $TMPDIR, even while
// it reads (a killed run leaves none either).
func TestReportStdinEndless(t *testing.T) {
	record := []byte(`{"strategy":"semaphore","params":"c=2","seq":0,"latency_ms":1,"attempts":1,"status":200}` + "\n")
	tests := []struct {
		name      string
		stdin     func(t *testing.T, cancel func(), dir string) io.Reader
		code      int
		errPrefix string
	}{
		{"yes", func(t *testing.T, _ func(), _ string) io.Reader {
			return &endless{t: t, line: []byte("y\n"), limit: 1 << 20}
		}, exitUsage, "report -:1: "},
		{"yes-csv-header", func(t *testing.T, _ func(), _ string) io.Reader {
			return &endless{t: t, line: []byte("strategy,seq\ny\n"), limit: 1 << 20}
		}, exitUsage, "report -:2: "},
		{"zeros", func(t *testing.T, _ func(), _ string) io.Reader {
			return &endless{t: t, line: []byte{0}, limit: 4 << 20}
		}, exitUsage, "report -:1: "},
		{"records-interrupted", func(t *testing.T, cancel func(), dir string) io.Reader {
			return &endless{t: t, line: record, limit: 64 << 20, onRead: func(total int64) {
				if total > 4<<20 {
					if left, _ := os.ReadDir(dir); len(left) > 0 {
						t.Errorf("%s in $TMPDIR while stdin is read: a killed run would leave it", left[0].Name())
					}
					cancel()
				}
			}}
		}, exitInterrupted, "report: interrupted"},
		{"silent-interrupted", func(t *testing.T, cancel func(), _ string) io.Reader {
			done := make(chan struct{})
			t.Cleanup(func() { close(done) })
			cancel()
			return blocked{done}
		}, exitInterrupted, "report: interrupted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("TMPDIR", dir)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr bytes.Buffer
			err := run(ctx, []string{"report", "-"}, tc.stdin(t, cancel, dir), &stdout, &stderr)
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit %d (%v), want %d", got, err, tc.code)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.errPrefix) {
				t.Errorf("error %q, want it to start with %q", err, tc.errPrefix)
			} else if len(err.Error()) > 300 {
				t.Errorf("error is %d bytes long, want at most 300: %.300q…", len(err.Error()), err)
			}
			left, rerr := os.ReadDir(dir)
			if rerr != nil {
				t.Fatal(rerr)
			}
			for _, e := range left {
				t.Errorf("left in $TMPDIR: %s", e.Name())
			}
		})
	}
}

// TestReportDuplicatesWarning checks that records repeated in one file are counted and warned
// of in one line on stderr, the summary staying on stdout.
func TestReportDuplicatesWarning(t *testing.T) {
	t.Parallel()
	var recs strings.Builder
	for i := range 3 {
		fmt.Fprintf(&recs, `{"strategy":"semaphore","params":"c=2","seq":%d,"latency_ms":1,"total_ms":1,"attempts":1,"status":200}`+"\n", i)
	}
	path := filepath.Join(t.TempDir(), "twice.ndjson")
	if err := os.WriteFile(path, []byte(recs.String()+recs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := invoke(t, "", "report", path, "-o", "csv")
	if res.code != exitOK {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	want := "fetchbench: report: 3 records of " + path + " (first at line 4) repeat a (strategy, seq) pair of their file; each is counted\n"
	if res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}
	if got := len(lines(res.stdout)); got != 2 {
		t.Errorf("stdout has %d lines, want a header and one row:\n%s", got, res.stdout)
	}
}
