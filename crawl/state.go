package crawl

// This file owns the state file of a resumable crawl: a snapshot (the seeds, the next seq, the
// pages admitted, the hash of every URL admitted, the items not done, and an end line counting
// the snapshot's lines) replaced atomically, followed by a journal of what happened since, one
// line per event, appended as it happens.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// stateMagic opens every state file; stateMagicV1 opened those of the first format, which had
// neither the count of pages admitted nor an end to its snapshot.
const (
	stateMagic   = "fetchbench-crawl-state 2"
	stateMagicV1 = "fetchbench-crawl-state 1"
)

// Limits of a state file's values: a seq, parent, depth or count past maxStateValue, or a
// line longer than maxStateLine, is refused.
const (
	maxStateValue = math.MaxInt32
	maxStateLine  = 1 << 20
)

// ErrState is wrapped by the error of a state file that cannot be used: one that cannot be
// read or written, a *StateFileError, a *LockedError.
var ErrState = errors.New("crawl state")

// StateFileError is a state file that cannot be taken as one: not a state file, of an older
// format, cut short, or holding an impossible value: bad input. It Is ErrState; Line is 0
// when the error is the file's as a whole.
type StateFileError struct {
	Path string
	Line int
	Msg  string
}

func (e *StateFileError) Error() string {
	if e.Line == 0 {
		return textsafe.Sanitize(e.Path + ": " + e.Msg)
	}
	return textsafe.Sanitize(fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg))
}

// Unwrap gives ErrState and the bad input e is (a command exits 2 on it).
func (e *StateFileError) Unwrap() []error {
	return []error{ErrState, badinput.Errorf("%s", e.Error())}
}

// keptItem is an item left for the state file; started items were sent (or may have been)
// before the crawl stopped.
type keptItem struct {
	item
	started bool
}

// saved is what a state file holds.
type saved struct {
	seeds    []string
	next     int
	admitted int // pages admitted by the crawls of the file, against MaxPages
	seen     []uint64
	pending  map[int]keptItem
}

// loadState reads the state file at path; it returns nil, nil when there is none. A last
// line cut short by a crash is ignored; a snapshot without its end (the file was cut) is
// refused, as is any impossible value, with a *StateFileError naming the line.
func loadState(path string) (*saved, error) {
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	defer file.Close()
	st := &saved{pending: map[int]keptItem{}}
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 0, 64<<10), maxStateLine)
	sc.Split(fullLines)
	n, body, ended := 0, 0, false
	for sc.Scan() {
		n++
		line := sc.Text()
		var err error
		switch {
		case n == 1 && line == stateMagicV1:
			return nil, &StateFileError{Path: path, Line: n, Msg: "a state file of an older fetchbench (format 1, this one reads " +
				strings.TrimPrefix(stateMagic, "fetchbench-crawl-state ") + "): remove it to crawl from the start"}
		case n == 1 && line != stateMagic:
			return nil, &StateFileError{Path: path, Line: n, Msg: "not a crawl state file"}
		case n == 1:
		case !ended:
			if line == "end "+strconv.Itoa(body) {
				ended = true
			} else if strings.HasPrefix(line, "end ") {
				err = fmt.Errorf("the snapshot has %d lines, its end says %q: the file was damaged", body, clip(line[4:]))
			} else {
				body++
				err = st.snapshot(line)
			}
		default:
			err = st.journal(line)
		}
		if err != nil {
			return nil, &StateFileError{Path: path, Line: n, Msg: err.Error()}
		}
	}
	switch {
	case errors.Is(sc.Err(), bufio.ErrTooLong):
		return nil, &StateFileError{Path: path, Line: n + 1, Msg: fmt.Sprintf("a line longer than %d bytes", maxStateLine)}
	case sc.Err() != nil:
		return nil, fmt.Errorf("%w: %w", ErrState, sc.Err())
	case n == 0:
		return nil, &StateFileError{Path: path, Line: 1, Msg: "not a crawl state file"}
	case !ended:
		return nil, &StateFileError{Path: path, Line: n + 1, Msg: "cut short: the snapshot has no end line (the file was truncated)"}
	case len(st.seeds) == 0:
		return nil, &StateFileError{Path: path, Msg: "no seed line"}
	case st.admitted < 0 || st.admitted > maxStateValue:
		return nil, &StateFileError{Path: path, Msg: fmt.Sprintf("%d pages admitted, more than %d", st.admitted, maxStateValue)}
	}
	return st, nil
}

// fullLines is a bufio.SplitFunc of the lines ended by a newline: a last line without one,
// cut short by a crash, is dropped.
func fullLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF {
		return len(data), nil, nil
	}
	return 0, nil, nil
}

// snapshot reads one line of a state file's snapshot into st.
func (st *saved) snapshot(line string) error {
	op, rest, _ := strings.Cut(line, " ")
	switch op {
	case "seed":
		if _, err := fetcher.NormalizeURL(rest); err != nil {
			return fmt.Errorf("seed %q is not an absolute http(s) URL", clip(rest))
		}
		st.seeds = append(st.seeds, rest)
	case "next":
		n, err := stateValue("next", rest)
		if err != nil {
			return err
		}
		st.next = max(st.next, n)
	case "admitted":
		n, err := stateValue("admitted", rest)
		if err != nil {
			return err
		}
		st.admitted += n
	case "v":
		return st.hash(rest)
	case "q": // pending: seq parent depth kind started url
		return st.push(rest)
	default:
		return fmt.Errorf("unknown line %q in the snapshot", clip(op))
	}
	return nil
}

// journal reads one line of a state file's journal into st.
func (st *saved) journal(line string) error {
	op, rest, _ := strings.Cut(line, " ")
	switch op {
	case "v":
		return st.hash(rest)
	case "p": // pushed: seq parent depth kind started url
		if err := st.push(rest); err != nil {
			return err
		}
		st.admitted++
	case "s", "d", "r":
		seq, err := stateValue("seq", rest)
		if err != nil {
			return err
		}
		k, ok := st.pending[seq]
		switch {
		case op == "s" && ok:
			k.started = true
			st.pending[seq] = k
		case op == "d":
			delete(st.pending, seq)
		case op == "r" && ok: // refused by robots.txt: not fetched, not counted
			delete(st.pending, seq)
			st.admitted--
		}
	default:
		return fmt.Errorf("unknown line %q in the journal", clip(op))
	}
	return nil
}

func (st *saved) hash(s string) error {
	h, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return fmt.Errorf("v %q is not a 64-bit hexadecimal hash", clip(s))
	}
	st.seen = append(st.seen, h)
	return nil
}

// push reads an item of the state file: seq parent depth kind started url.
func (st *saved) push(rest string) error {
	f := strings.SplitN(rest, " ", 6)
	if len(f) != 6 {
		return errors.New("want seq parent depth kind started url")
	}
	var nums [5]int
	for i, name := range [...]string{"seq", "parent", "depth", "kind", "started"} {
		v, err := stateValue(name, f[i])
		if err != nil {
			return err
		}
		nums[i] = v
	}
	switch {
	case nums[3] != int(kTarget) && nums[3] != int(kLink):
		return fmt.Errorf("kind %d: want %d (target) or %d (link)", nums[3], kTarget, kLink)
	case nums[4] > 1:
		return fmt.Errorf("started %d: want 0 or 1", nums[4])
	}
	if _, err := fetcher.NormalizeURL(f[5]); err != nil {
		return fmt.Errorf("url %q is not an absolute http(s) URL", clip(f[5]))
	}
	it := item{url: f[5], seq: nums[0], parent: nums[1], depth: int32(nums[2]), kind: kindCode(nums[3])}
	st.pending[it.seq] = keptItem{item: it, started: nums[4] == 1}
	st.seen = append(st.seen, hash(it.url))
	st.next = max(st.next, it.seq+1)
	return nil
}

// stateValue parses s, the value named name, as a decimal from 0 to maxStateValue.
func stateValue(name, s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > maxStateValue {
		return 0, fmt.Errorf("%s %q: want a number from 0 to %d", name, clip(s), maxStateValue)
	}
	return v, nil
}

// clip is s cut to about 100 bytes for an error message.
func clip(s string) string {
	if len(s) <= 100 {
		return s
	}
	cut := 100
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// sameSeeds reports whether the state is of a crawl of these seeds.
func (st *saved) sameSeeds(seeds []string) bool {
	a, b := slices.Clone(st.seeds), slices.Clone(seeds)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// journal appends events to a state file, each line in one write, so that a crash loses at
// most a line cut short. A nil journal writes nothing. It keeps the first error.
type journal struct {
	mu  sync.Mutex
	f   *os.File
	buf []byte
	err error
}

// writeState replaces the file at path atomically (a temporary file beside it, synced and
// renamed) by a snapshot, and returns a journal appending to it.
func writeState(path string, seeds []string, next, admitted int, seen func(func(uint64)), pending []keptItem) (*journal, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<16)
	fmt.Fprintln(w, stateMagic)
	for _, s := range seeds {
		fmt.Fprintln(w, "seed", s)
	}
	fmt.Fprintln(w, "next", next)
	fmt.Fprintln(w, "admitted", admitted)
	lines := len(seeds) + 2 + len(pending)
	seen(func(h uint64) {
		fmt.Fprintf(w, "v %x\n", h)
		lines++
	})
	for _, k := range pending {
		w.Write(pendingLine(nil, 'q', k)) //nolint:errcheck // Flush reports it
	}
	fmt.Fprintln(w, "end", lines)
	err = w.Flush()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	return &journal{f: f}, nil
}

func pendingLine(b []byte, op byte, k keptItem) []byte {
	b = append(b, op, ' ')
	b = strconv.AppendInt(b, int64(k.seq), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(k.parent), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(k.depth), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(k.kind), 10)
	if k.started {
		b = append(b, " 1 "...)
	} else {
		b = append(b, " 0 "...)
	}
	b = append(b, k.url...)
	return append(b, '\n')
}

func (j *journal) line(build func([]byte) []byte) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	j.buf = build(j.buf[:0])
	_, j.err = j.f.Write(j.buf)
}

func (j *journal) push(it item) {
	j.line(func(b []byte) []byte { return pendingLine(b, 'p', keptItem{item: it}) })
}

func (j *journal) start(seq int) {
	j.line(func(b []byte) []byte { return append(strconv.AppendInt(append(b, "s "...), int64(seq), 10), '\n') })
}

func (j *journal) done(seq int) {
	j.line(func(b []byte) []byte { return append(strconv.AppendInt(append(b, "d "...), int64(seq), 10), '\n') })
}

// refused writes that the item of seq was disallowed by robots.txt: not fetched, and no longer
// counted against MaxPages.
func (j *journal) refused(seq int) {
	j.line(func(b []byte) []byte { return append(strconv.AppendInt(append(b, "r "...), int64(seq), 10), '\n') })
}

func (j *journal) seen(h uint64) {
	j.line(func(b []byte) []byte { return append(strconv.AppendUint(append(b, "v "...), h, 16), '\n') })
}

// close closes the file and returns the first error of the journal.
func (j *journal) close() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.f.Close(); j.err == nil {
		j.err = err
	}
	if j.err != nil {
		return fmt.Errorf("%w: %w", ErrState, j.err)
	}
	return nil
}

func slicesSortBySeq(ks []keptItem) {
	slices.SortFunc(ks, func(a, b keptItem) int { return a.seq - b.seq })
}
