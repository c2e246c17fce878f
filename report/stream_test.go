package report

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestRecordStream(t *testing.T) {
	t.Parallel()
	// Two runs whose records complete out of order.
	runs := [][]int{{2, 0, 1}, {1, 2, 0}}
	tests := []struct {
		name       string
		inputOrder bool
		want       string // strategy:seq per line
	}{
		{"completion order", false, "sequential:2 sequential:0 sequential:1 unbounded:1 unbounded:2 unbounded:0"},
		{"input order", true, "sequential:0 sequential:1 sequential:2 unbounded:0 unbounded:1 unbounded:2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			s, err := NewRecordStream(&buf, "csv", tc.inputOrder, false)
			if err != nil {
				t.Fatal(err)
			}
			for i, seqs := range runs {
				run := s.Run()
				for _, seq := range seqs {
					run.Add(fetcher.Record{Strategy: fetcher.Strategies[i], Seq: seq})
				}
				if err := run.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n")[1:] {
				f := strings.Split(line, ",")
				got = append(got, f[0]+":"+f[1])
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("records %v, want %s", got, tc.want)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestRecordStreamErrors(t *testing.T) {
	t.Parallel()
	if _, err := NewRecordStream(&bytes.Buffer{}, "xml", false, false); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("NewRecordStream(xml) = %v, want ErrUnknownFormat", err)
	}
	s, err := NewRecordStream(failWriter{}, "ndjson", false, false)
	if err != nil {
		t.Fatal(err)
	}
	run := s.Run()
	for seq := range 2000 { // more than the buffer holds
		run.Add(fetcher.Record{Seq: seq, Name: strings.Repeat("x", 100)})
	}
	if err := run.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("run Close = %v, want os.ErrClosed", err)
	}
	if err := s.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Close = %v, want os.ErrClosed", err)
	}
}

func TestTee(t *testing.T) {
	t.Parallel()
	a, b := &countingConsumer{}, &countingConsumer{err: os.ErrClosed}
	tee := Tee{a, b}
	tee.Add(fetcher.Record{})
	tee.Add(fetcher.Record{})
	if err := tee.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Close = %v, want b's error", err)
	}
	if a.n != 2 || b.n != 2 || a.closed != 1 || b.closed != 1 {
		t.Errorf("a %+v, b %+v: want 2 records and one close each", a, b)
	}
}

type countingConsumer struct {
	n, closed int
	err       error
}

func (c *countingConsumer) Add(fetcher.Record) { c.n++ }
func (c *countingConsumer) Close() error       { c.closed++; return c.err }

func TestProgress(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	p := NewProgress(&buf, "semaphore", 4)
	p.Add(fetcher.Record{})
	p.Add(fetcher.Record{Class: fetcher.ClassTimeout})
	p.draw()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_ = p.Close()
	want := "\r\x1b[Ksemaphore  [###############...............] 2/4  1 error"
	if got := buf.String(); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("progress wrote %q, want %q then an erase", got, want)
	}
	if IsTerminal(&buf) {
		t.Error("a buffer is not a terminal")
	}
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestComparisonNeverConnected(t *testing.T) {
	t.Parallel()
	classes := func(c fetcher.ErrorClass, n int) map[fetcher.ErrorClass]int { return map[fetcher.ErrorClass]int{c: n} }
	tests := []struct {
		name       string
		sums       []Summary
		wantReason string
		wantOK     bool
	}{
		{"empty", nil, "", false},
		{"refused", []Summary{{Requests: 2, NeverConnected: 2, ErrorClasses: classes(fetcher.ClassRefused, 2)}}, "connection refused", true},
		{"dns", []Summary{{Requests: 1, NeverConnected: 1, ErrorClasses: classes(fetcher.ClassDNS, 1)}}, "DNS lookup failed", true},
		{"timeout", []Summary{{Requests: 1, NeverConnected: 1, ErrorClasses: classes(fetcher.ClassTimeout, 1)}}, "timed out", true},
		{"one run connected", []Summary{
			{Requests: 2, NeverConnected: 2, ErrorClasses: classes(fetcher.ClassRefused, 2)},
			{Requests: 2, NeverConnected: 1, ErrorClasses: classes(fetcher.ClassRefused, 1)},
		}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reason, ok := NewComparison(tc.sums).NeverConnected()
			if reason != tc.wantReason || ok != tc.wantOK {
				t.Errorf("NeverConnected() = %q, %v; want %q, %v", reason, ok, tc.wantReason, tc.wantOK)
			}
		})
	}
}
