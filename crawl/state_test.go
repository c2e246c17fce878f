package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/recordtest"
	"github.com/fetchbench/fetchbench/report"
)

// TestStateFileRefused: a state file that is not one this version wrote whole is refused
// with a *StateFileError naming the line, never a panic, an allocation its values ask for,
// a silent stop or a raw control character; a last line cut short by a crash is not.
func TestStateFileRefused(t *testing.T) {
	t.Parallel()
	const head = stateMagic + "\nseed http://127.0.0.1:1/\nnext 3\nadmitted 1\nv 1f\n"
	tests := []struct {
		name string
		file string
		line int    // 0: accepted
		want string // in the error
	}{
		{"whole", head + "end 4\np 3 0 1 1 0 http://127.0.0.1:1/a\ns 3\nd 3\nr 0\n", 0, ""},
		{"last line cut by a crash", head + "end 4\np 3 0 1 1 0 http://127.0.0.1:1/a\nd 3\np 4 0 1 1 0 http://127.0", 0, ""},
		{"empty", "", 1, "not a crawl state file"},
		{"junk", "junk\n", 1, "not a crawl state file"},
		{"format 1", "fetchbench-crawl-state 1\nseed http://127.0.0.1:1/\nnext 1\n", 1, "older fetchbench (format 1"},
		{"snapshot cut", head, 6, "cut short"},
		{"snapshot cut at a line", stateMagic + "\nseed http://127.0.0.1:1/\nnext 3\nadmitted 1\nv 1f", 5, "cut short"},
		{"snapshot line lost", stateMagic + "\nseed http://127.0.0.1:1/\nnext 3\nv 1f\nend 4\n", 5, "the file was damaged"},
		{"seq 1e11", head + "q 100000000000 0 1 1 0 http://127.0.0.1:1/a\nend 5\n", 6, "seq \"100000000000\": want a number from 0 to 2147483647"},
		{"seq near MaxInt64", head + "end 4\np 9223372036854775807 0 1 1 0 http://127.0.0.1:1/a\n", 7, "seq \"9223372036854775807\""},
		{"negative seq", head + "end 4\np -1 0 1 1 0 http://127.0.0.1:1/a\n", 7, "seq \"-1\""},
		{"next past the limit", stateMagic + "\nseed http://127.0.0.1:1/\nnext 99999999999\n", 3, "next"},
		{"depth", head + "end 4\np 3 0 99999999999 1 0 http://127.0.0.1:1/a\n", 7, "depth"},
		{"kind robots", head + "end 4\np 3 0 1 2 0 http://127.0.0.1:1/a\n", 7, "kind 2"},
		{"started 7", head + "end 4\np 3 0 1 1 7 http://127.0.0.1:1/a\n", 7, "started 7"},
		{"not a URL", head + "end 4\np 3 0 1 1 0 file:///etc/passwd\n", 7, "not an absolute http(s) URL"},
		{"few fields", head + "end 4\np 3 0 1\n", 7, "want seq parent depth kind started url"},
		{"bad hash", head + "end 4\nv xyz\n", 7, "hash"},
		{"journal line in the snapshot", head + "d 3\nend 5\n", 6, "unknown line \"d\" in the snapshot"},
		{"snapshot line in the journal", head + "end 4\nseed http://127.0.0.1:1/\n", 7, "unknown line \"seed\" in the journal"},
		{"line over 1 MiB", head + "end 4\np 3 0 1 1 0 http://127.0.0.1:1/" + strings.Repeat("a", maxStateLine) + "\nd 3\n", 7, "longer than"},
		{"control characters", stateMagic + "\nseed http://127.0.0.1:1/\x1b[2J\n", 2, `\x1b[2J`},
		{"no seed", stateMagic + "\nnext 1\nadmitted 0\nend 2\n", 0, "no seed"},
		{"admitted below 0", head + "end 4\nr 1\nr 1\n", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "crawl.state")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := loadState(path)
			if tc.want == "" {
				if err != nil || st == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se *StateFileError
			if !errors.As(err, &se) || !errors.Is(err, ErrState) {
				t.Fatalf("error %v (%T): want a *StateFileError", err, err)
			}
			prefix := path + ":"
			if tc.line > 0 {
				prefix = fmt.Sprintf("%s:%d: ", path, tc.line)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q: want it to start %q and hold %q", msg, prefix, tc.want)
			}
			if len(msg) > len(path)+300 || strings.ContainsAny(msg, "\x1b\x07\n") {
				t.Errorf("error %q: want one short, escaped line", msg)
			}
		})
	}
}

// TestStateRoundTrip: what writeState writes, loadState reads back, pages admitted included;
// the journal's pushes count as admitted, its robots.txt refusals not.
func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "crawl.state")
	seen := []uint64{1, 2, 0xffffffffffffffff}
	pending := []keptItem{{item: item{url: "http://127.0.0.1:1/a", seq: 4, parent: 1, depth: 2, kind: kLink}, started: true}}
	j, err := writeState(path, []string{"http://127.0.0.1:1/"}, 9, 7, func(fn func(uint64)) {
		for _, h := range seen {
			fn(h)
		}
	}, pending)
	if err != nil {
		t.Fatal(err)
	}
	j.push(item{url: "http://127.0.0.1:1/b", seq: 9, parent: 4, depth: 3, kind: kLink})
	j.push(item{url: "http://127.0.0.1:1/c", seq: 10, parent: 4, depth: 3, kind: kLink})
	j.refused(10)
	j.start(9)
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	st, err := loadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.admitted != 8 || st.next != 11 || len(st.pending) != 2 || !st.pending[9].started || !st.pending[4].started {
		t.Errorf("read back %+v: want 8 admitted, next 11, seqs 4 and 9 pending and started", st)
	}
}

// TestResumeKeepsMaxPages: a crawl capped at 100 pages, stopped and resumed, fetches 100
// distinct pages in all, not 100 more.
func TestResumeKeepsMaxPages(t *testing.T) {
	t.Parallel()
	_, h, srv := countedFake(t)
	job := crawlJob(fetcher.Semaphore, srv.URL+"/api/")
	job.State, job.MaxPages = filepath.Join(t.TempDir(), "crawl.state"), 100
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var kept recordtest.Kept
	res1, err := Run(ctx, job, Output{Consumers: func(fetcher.Config) []report.Consumer {
		return []report.Consumer{&kept, &stopper{after: 30, cancel: cancel}}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res1.Interrupted {
		t.Fatalf("first run not interrupted: %+v", res1.Counts)
	}
	res2, _ := run(t, context.Background(), job)
	if res2.OverMax == 0 {
		t.Errorf("second run: %+v: want links over --max-pages", res2.Counts)
	}
	hits, _ := h.snapshot()
	pages := 0
	for p := range hits {
		if p != "/robots.txt" {
			pages++
		}
	}
	if pages != 100 {
		t.Errorf("%d distinct pages fetched in all, want 100 (--max-pages)", pages)
	}
}

// TestStateLocked: a second crawl of a state file in use is refused with a *LockedError
// naming the first's pid, and the file is free again once the first ends.
func TestStateLocked(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			close(started)
			<-release
		}
	}))
	defer srv.Close()
	job := crawlJob(fetcher.Semaphore, srv.URL+"/")
	job.State = filepath.Join(t.TempDir(), "crawl.state")
	first := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), job, Output{})
		first <- err
	}()
	<-started
	_, err := Run(context.Background(), job, Output{})
	close(release)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrState) || le.PID != os.Getpid() {
		t.Errorf("second crawl of a state file in use: %v, want a *LockedError naming pid %d", err, os.Getpid())
	}
	if err := <-first; err != nil {
		t.Fatalf("first crawl: %v", err)
	}
	if _, err := os.Stat(lockPath(job.State)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left behind: %v", err)
	}
	if _, err := Run(context.Background(), job, Output{}); err != nil {
		t.Errorf("a crawl after the first ended: %v", err)
	}
}

// TestStateOtherSeedsEscaped: the seeds of a state file written by another crawl are named
// escaped, never printed raw to a terminal.
func TestStateOtherSeedsEscaped(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "crawl.state")
	file := stateMagic + "\nseed http://127.0.0.1:1/\u202egnp.exe\nnext 1\nadmitted 0\nend 3\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	job := crawlJob(fetcher.Semaphore, "http://127.0.0.1:1/")
	job.State = path
	_, err := Run(context.Background(), job, Output{})
	if !errors.Is(err, ErrSeeds) || strings.Contains(err.Error(), "\u202e") || !strings.Contains(err.Error(), `\u202e`) {
		t.Errorf("error %q: want ErrSeeds naming the seed escaped", err)
	}
}
