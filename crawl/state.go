package crawl

// This file owns the state file of a resumable crawl: a snapshot (the seeds, the next seq,
// the hash of every URL admitted, the items not done) replaced atomically, followed by a
// journal of what happened since, one line per event, appended as it happens.

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// stateMagic opens every state file.
const stateMagic = "fetchbench-crawl-state 1"

// ErrState is wrapped by the error of a state file that cannot be used.
var ErrState = errors.New("crawl state")

// keptItem is an item left for the state file; started items were sent (or may have been)
// before the crawl stopped.
type keptItem struct {
	item
	started bool
}

// saved is what a state file holds.
type saved struct {
	seeds   []string
	next    int
	seen    []uint64
	pending map[int]keptItem
}

// loadState reads the state file at path; it returns nil, nil when there is none. A last
// line cut short by a crash is ignored.
func loadState(path string) (*saved, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	if i := strings.LastIndexByte(string(b), '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	st := &saved{pending: map[int]keptItem{}}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(nil, 1<<20)
	first := true
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if first {
			if line != stateMagic {
				return nil, fmt.Errorf("%w: %s is not a crawl state file", ErrState, path)
			}
			first = false
			continue
		}
		if err := st.apply(line); err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %w", ErrState, path, n, err)
		}
	}
	if first {
		return nil, fmt.Errorf("%w: %s is not a crawl state file", ErrState, path)
	}
	return st, nil
}

// apply reads one line of a state file into st.
func (st *saved) apply(line string) error {
	op, rest, _ := strings.Cut(line, " ")
	switch op {
	case "seed":
		st.seeds = append(st.seeds, rest)
	case "next":
		n, err := strconv.Atoi(rest)
		if err != nil {
			return err
		}
		st.next = max(st.next, n)
	case "v":
		h, err := strconv.ParseUint(rest, 16, 64)
		if err != nil {
			return err
		}
		st.seen = append(st.seen, h)
	case "p", "q": // pushed (journal) or pending (snapshot): seq parent depth kind started url
		f := strings.SplitN(rest, " ", 6)
		if len(f) != 6 {
			return errors.New("want seq parent depth kind started url")
		}
		var nums [5]int
		for i := range nums {
			v, err := strconv.Atoi(f[i])
			if err != nil {
				return err
			}
			nums[i] = v
		}
		it := item{url: f[5], seq: nums[0], parent: nums[1], depth: int32(nums[2]), kind: kindCode(nums[3])}
		st.pending[it.seq] = keptItem{item: it, started: nums[4] == 1}
		st.seen = append(st.seen, hash(it.url))
		st.next = max(st.next, it.seq+1)
	case "s":
		seq, err := strconv.Atoi(rest)
		if err != nil {
			return err
		}
		if k, ok := st.pending[seq]; ok {
			k.started = true
			st.pending[seq] = k
		}
	case "d":
		seq, err := strconv.Atoi(rest)
		if err != nil {
			return err
		}
		delete(st.pending, seq)
	default:
		return fmt.Errorf("unknown line %q", op)
	}
	return nil
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
func writeState(path string, seeds []string, next int, seen func(func(uint64)), pending []keptItem) (*journal, error) {
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
	seen(func(h uint64) { fmt.Fprintf(w, "v %x\n", h) })
	for _, k := range pending {
		w.Write(pendingLine(nil, 'q', k)) //nolint:errcheck // Flush reports it
	}
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
