package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// textInput is a ReplayInput of text.
func textInput(name, text string) ReplayInput {
	return ReplayInput{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(text)), nil }}
}

// semaphoreRecords are n records of one semaphore run, seqs from first, one a line.
func semaphoreRecords(first, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"strategy":"semaphore","params":"c=2","seq":%d,"start_ms":%d,"latency_ms":1,"total_ms":1,"attempts":1,"status":200}`+"\n", first+i, i)
	}
	return b.String()
}

// TestReplayRefuses checks that Replay refuses, with FILE:LINE, records no run can have
// written, before they cost memory or a panic.
func TestReplayRefuses(t *testing.T) {
	t.Parallel()
	ok := semaphoreRecords(0, 2)
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"seq at int64 max", ok + `{"strategy":"semaphore","params":"c=2","seq":9223372036854775807}` + "\n", 3, "seq: 9223372036854775807 is out of range"},
		{"tiny rate", `{"strategy":"ratelimit","params":"r=1e-300/s b=1"}` + "\n", 1, "params: rate 1e-300/s is out of range"},
		{"huge rate", ok + `{"strategy":"ratelimit","params":"r=1e300/s b=1"}` + "\n", 3, "params: rate 1e+300/s is out of range"},
		{"long params", `{"strategy":"semaphore","params":"c=` + strings.Repeat("9", 5000) + `"}` + "\n", 1, "params"},
		{"negative latency", ok + `{"strategy":"semaphore","params":"c=2","latency_ms":-1}` + "\n", 3, "latency_ms: -1 is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Replay(context.Background(), []ReplayInput{textInput("a.ndjson", tc.in)}, nil)
			var re *ReplayError
			if !errors.As(err, &re) {
				t.Fatalf("error %v, want a *ReplayError", err)
			}
			if re.Name != "a.ndjson" || re.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %.300q, want a.ndjson:%d and %q", err, tc.line, tc.want)
			}
			if len(err.Error()) > 350 {
				t.Errorf("error message of %d bytes, want at most 350", len(err.Error()))
			}
		})
	}
}

// TestReplaySeqsFarApart checks that seqs far apart (up to MaxSeq) cost memory by their number,
// not their value: they are renumbered.
func TestReplaySeqsFarApart(t *testing.T) {
	t.Parallel()
	in := semaphoreRecords(0, 1) + semaphoreRecords(MaxSeq, 1) + semaphoreRecords(-MaxSeq, 1)
	r, err := Replay(context.Background(), []ReplayInput{textInput("a.ndjson", in)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Comparison.Summaries[0].Requests; got != 3 {
		t.Errorf("requests %d, want 3", got)
	}
}

// TestReplayDuplicates checks that records repeating a (run, seq) pair of their file are
// counted, each, and reported once per file with the line of the first; the same seqs in two
// files are two requests, not duplicates.
func TestReplayDuplicates(t *testing.T) {
	t.Parallel()
	five := semaphoreRecords(0, 5)
	tests := []struct {
		name     string
		inputs   []ReplayInput
		requests int
		want     []Duplicates
	}{
		{"none", []ReplayInput{textInput("a", five)}, 5, nil},
		{"two files", []ReplayInput{textInput("a", five), textInput("b", five)}, 10, nil},
		{"twice in one", []ReplayInput{textInput("a", five+five)}, 10, []Duplicates{{Name: "a", Records: 5, Line: 6}}},
		{"one repeated", []ReplayInput{textInput("a", five), textInput("b", five+semaphoreRecords(3, 1))}, 11, []Duplicates{{Name: "b", Records: 1, Line: 6}}},
		{"far apart", []ReplayInput{textInput("a", semaphoreRecords(1<<30, 2)+semaphoreRecords(1<<30, 1))}, 3, []Duplicates{{Name: "a", Records: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Replay(context.Background(), tc.inputs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Comparison.Summaries[0].Requests; got != tc.requests {
				t.Errorf("requests %d, want %d", got, tc.requests)
			}
			if diff := cmp.Diff(tc.want, r.Duplicates); diff != "" {
				t.Errorf("duplicates (-want +got):\n%s", diff)
			}
		})
	}
	want := "report: 6 records of a (first at line 6), b repeat a (strategy, seq) pair of their file; each is counted"
	if got := DuplicatesNote([]Duplicates{{Name: "a", Records: 5, Line: 6}, {Name: "b", Records: 1}}); got != want {
		t.Errorf("DuplicatesNote = %q, want %q", got, want)
	}
}

// TestReplayChangedFile checks that a file that grows a run or a seq between Replay's two
// readings is an error, not a panic.
func TestReplayChangedFile(t *testing.T) {
	t.Parallel()
	reads := 0
	in := ReplayInput{Name: "a", Open: func() (io.ReadCloser, error) {
		reads++
		if reads == 1 {
			return io.NopCloser(strings.NewReader(semaphoreRecords(0, 2))), nil
		}
		return io.NopCloser(strings.NewReader(semaphoreRecords(0, 2) + semaphoreRecords(100, 1))), nil
	}}
	_, err := Replay(context.Background(), []ReplayInput{in}, nil)
	if !errors.Is(err, ErrChanged) {
		t.Errorf("error %v, want ErrChanged", err)
	}
}

// endlessReader repeats line forever; it fails the test past limit bytes.
type endlessReader struct {
	t     *testing.T
	line  string
	limit int
	read  int
}

func (e *endlessReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e.line[(e.read+n)%len(e.line):])
	}
	e.read += n
	if e.read > e.limit {
		e.t.Errorf("read %d bytes, want at most %d", e.read, e.limit)
		return n, errors.New("read too far")
	}
	return n, nil
}

// TestReplayStdin checks stdin's spool: records read from it replay as from a file; its
// first malformed line stops the reading; more than the limit is ErrSpoolFull; a done ctx
// stops it; no file is left in the temporary directory.
func TestReplayStdin(t *testing.T) {
	records := semaphoreRecords(0, 50)
	tests := []struct {
		name  string
		stdin func(t *testing.T) io.Reader
		limit int64
		ctx   func() context.Context
		check func(t *testing.T, r Replayed, err error)
	}{
		{"records", func(*testing.T) io.Reader { return strings.NewReader(records) }, 1 << 20, context.Background,
			func(t *testing.T, r Replayed, err error) {
				want, werr := Replay(context.Background(), []ReplayInput{textInput("-", records)}, nil)
				if err != nil || werr != nil {
					t.Fatal(err, werr)
				}
				if diff := cmp.Diff(want, r); diff != "" {
					t.Errorf("replayed from stdin (-file +stdin):\n%s", diff)
				}
			}},
		{"yes", func(t *testing.T) io.Reader { return &endlessReader{t: t, line: "y\n", limit: 1 << 20} }, 1 << 30, context.Background,
			func(t *testing.T, _ Replayed, err error) {
				var re *ReplayError
				if !errors.As(err, &re) || re.Name != "-" || re.Line != 1 {
					t.Errorf("error %v, want -:1", err)
				}
			}},
		{"endless records", func(t *testing.T) io.Reader { return &endlessReader{t: t, line: records, limit: 1 << 20} }, 64 << 10, context.Background,
			func(t *testing.T, _ Replayed, err error) {
				if !errors.Is(err, ErrSpoolFull) {
					t.Errorf("error %v, want ErrSpoolFull", err)
				}
			}},
		{"cancelled", func(t *testing.T) io.Reader { return &endlessReader{t: t, line: records, limit: 1 << 20} }, 1 << 30,
			func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			func(t *testing.T, _ Replayed, err error) {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error %v, want context.Canceled", err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("TMPDIR", dir)
			ctx := tc.ctx()
			inputs, cleanup, err := openInputs(ctx, []string{"-"}, tc.stdin(t), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Replay(ctx, inputs, nil)
			tc.check(t, r, err)
			cleanup()
			left, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range left {
				t.Errorf("left in the temporary directory: %s", e.Name())
			}
		})
	}
}
