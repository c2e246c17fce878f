package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
)

// ErrNoRecords is returned by Replay when its inputs hold no record.
var ErrNoRecords = errors.New("no records")

// ErrChanged is the error of a record file whose second reading differs from its first.
var ErrChanged = errors.New("the file changed while it was read")

// ReplayInput is one record file for Replay.
type ReplayInput struct {
	Name string // for errors: a path, or "-"
	// Open opens the file from its start; Replay calls it twice (it reads the file twice) and
	// closes what it returns.
	Open func() (io.ReadCloser, error)
}

// ReplayError is a record of an input that does not parse or names no run Replay can build:
// Name is the input's, Line the 1-based line.
type ReplayError struct {
	Name string
	Line int
	Err  error
}

func (e *ReplayError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, message(e.Err)) }

func (e *ReplayError) Unwrap() error { return e.Err }

// Replay reduces record files (as RecordWriter writes them, NDJSON or CSV) to the comparison
// a live run would have printed: one summary per run, a run being the records of one strategy,
// parameter string (Record.Params, read with Strategy.ParseParams) and phase, whatever files
// they are in; the runs of a phase (a comparison's discovery) go to Comparison.Discovery. The runs are ordered by their first queued moment when every record has a StartAt,
// else by first appearance (input order, then line order).
//
// Files are merged on the wall clock: each run's Start and Intended offsets are rebased onto
// its earliest queued moment (StartAt − Queue), so the runs of several processes share one
// time axis. A run whose records lack StartAt (written before it existed) has no wall clock to
// merge on: its files' Start offsets are placed one after another, each starting when the one
// before it ended, and its runs come in order of appearance. Seqs are offset per file, so that the same seq in two files stays two requests
// and the ideal wall schedules the files' requests one file after another; a file whose seqs
// of a run are sparse (a filtered file) has them renumbered in the order they come. Negative
// seqs are kept.
//
// Replay reads every input twice, streaming: first to find the runs, their sizes, seqs and
// start (every record is fed with its final seq and offsets, so the consumers need them all
// before the first), then to feed each run's Collector and the consumers that consumers (which
// may be nil) returns for the run's config and number of records; it closes them all. Its
// memory follows the number of records, never a seq or a time a record claims. It fails with
// *ReplayError for a malformed record (the first one), ErrNoRecords when there is none, ctx's
// error once ctx is done, or an input's open or read error. Records that repeat a seq of their
// run in the same input are counted, each, and reported in Replayed.Duplicates.
func Replay(ctx context.Context, inputs []ReplayInput, consumers func(cfg fetcher.Config, n int) []Consumer) (Replayed, error) {
	runs, err := scan(ctx, inputs)
	if err != nil {
		return Replayed{}, err
	}
	if len(runs) == 0 {
		return Replayed{}, ErrNoRecords
	}
	tees := make([]Tee, len(runs))
	colls := make([]*Collector, len(runs))
	for i, g := range runs {
		colls[i] = NewCollector(g.cfg)
		tees[i] = Tee{colls[i]}
		if consumers != nil {
			tees[i] = append(tees[i], consumers(g.cfg, g.n)...)
		}
	}
	byKey := make(map[runKey]int, len(runs))
	for i, g := range runs {
		byKey[g.key] = i
	}
	var dups []Duplicates
	for f, in := range inputs {
		arrived := make([]int, len(runs)) // records of each run so far in this file
		seen := make([]seqSet, len(runs))
		d := Duplicates{Name: in.Name}
		err := each(ctx, in, func(r fetcher.Record, line int) error {
			i, ok := byKey[runKey{r.Strategy, r.Params, r.Phase}]
			if !ok || (r.Seq > runs[i].files[f].maxSeq) {
				return &ReplayError{Name: in.Name, Line: line, Err: ErrChanged}
			}
			g := runs[i]
			if r.Seq >= 0 {
				fs := g.files[f]
				if seen[i].add(r.Seq, fs) {
					if d.Records == 0 {
						d.Line = line
					}
					d.Records++
				}
				if fs.sparse() {
					r.Seq = fs.offset + arrived[i]
				} else {
					r.Seq += fs.offset
				}
				if r.Depth > 0 && r.Parent >= 0 {
					r.Parent += fs.offset
				}
			}
			arrived[i]++
			fs := &g.files[f]
			delta := fs.shift
			if g.timed {
				// One process writes StartAt = its origin + Start: one shift per file keeps
				// the offsets' differences exact.
				if !fs.rebased {
					fs.rebase, fs.rebased = (r.StartAt.Sub(g.t0) - r.Start).Round(time.Microsecond), true
				}
				delta = fs.rebase
			}
			r.Start += delta
			r.Intended += delta
			tees[i].Add(r)
			return nil
		})
		if err != nil {
			return Replayed{}, err
		}
		for i := range seen {
			d.Records += seen[i].repeats()
		}
		if d.Records > 0 {
			dups = append(dups, d)
		}
	}
	var sums, discovery []Summary
	var errs []error
	for i, g := range runs {
		errs = append(errs, tees[i].Close())
		s := colls[i].Summary(fetcher.RunStats{Strategy: g.cfg.Strategy, Requests: g.n})
		if g.cfg.Phase != "" {
			discovery = append(discovery, s)
		} else {
			sums = append(sums, s)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Replayed{}, err
	}
	c := NewComparison(sums)
	c.Discovery = discovery
	return Replayed{Comparison: c, Duplicates: dups}, nil
}

// Replayed is what Replay gives back.
type Replayed struct {
	Comparison Comparison
	// Duplicates are the inputs that hold records repeating a seq of their run, in input
	// order; nil when none does.
	Duplicates []Duplicates
}

// Duplicates are the records of one input that repeat a seq another record of the same run
// has in that input: the same request recorded twice (a file appended to, or a comparison's
// repetitions), counted as two.
type Duplicates struct {
	Name    string // the input's
	Records int    // records that repeat a seq
	Line    int    // the first of them, when known (seqs far apart are counted at the end); else 0
}

// seqSet is the seqs ≥ 0 of one run in one input, in memory that follows the number of its
// records: a bit per seq when they are dense, else the seqs, counted once the input ends.
type seqSet struct {
	bits   []uint64
	sparse []int
}

// add adds seq, of a run whose seqs in this input are fs, and reports whether it was there
// (for sparse seqs: false; see repeats).
func (s *seqSet) add(seq int, fs fileSeqs) bool {
	if fs.sparse() {
		s.sparse = append(s.sparse, seq)
		return false
	}
	if s.bits == nil {
		s.bits = make([]uint64, fs.maxSeq/64+1)
	}
	w, b := seq/64, uint64(1)<<(seq%64)
	had := s.bits[w]&b != 0
	s.bits[w] |= b
	return had
}

// repeats is how many of the sparse seqs added repeat an earlier one.
func (s *seqSet) repeats() int {
	slices.Sort(s.sparse)
	n := 0
	for i := 1; i < len(s.sparse); i++ {
		if s.sparse[i] == s.sparse[i-1] {
			n++
		}
	}
	return n
}

// runKey names a run: its strategy, parameter string and phase.
type runKey struct {
	strategy fetcher.Strategy
	params   string
	phase    string
}

// replayRun is what the first pass learns of a run.
type replayRun struct {
	key   runKey
	cfg   fetcher.Config
	n     int
	first int // order of first appearance
	timed bool
	t0    time.Time  // earliest queued moment, when timed
	files []fileSeqs // per input
}

// fileSeqs are a run's seqs in one file, and where they go in the merged run.
type fileSeqs struct {
	n, maxSeq int // records with a seq ≥ 0, the largest
	offset    int // added to each seq (or to the arrival index, when sparse)
	// For a run without StartAt: the file's span of Start offsets, earliest queued to latest
	// end, and the shift that places it after the run's earlier files.
	seen   bool
	lo, hi time.Duration
	shift  time.Duration
	// rebase is what a timed run adds to the file's offsets, once the file's first record set it.
	rebase  time.Duration
	rebased bool
}

// sparse reports whether the seqs are too far apart to index: more than twice their number
// (plus some slack).
func (f fileSeqs) sparse() bool { return f.maxSeq > 2*f.n+1023 }

// width is how many seqs the file's records of the run take in the merged run.
func (f fileSeqs) width() int {
	if f.sparse() {
		return f.n
	}
	return f.maxSeq + 1
}

// scan is Replay's first pass: the runs, in order.
func scan(ctx context.Context, inputs []ReplayInput) ([]*replayRun, error) {
	var runs []*replayRun
	byKey := map[runKey]*replayRun{}
	allTimed := true
	for f, in := range inputs {
		err := each(ctx, in, func(r fetcher.Record, line int) error {
			key := runKey{r.Strategy, r.Params, r.Phase}
			g := byKey[key]
			if g == nil {
				l, err := r.Strategy.ParseParams(r.Params)
				if err == nil {
					err = checkLimits(l)
				}
				if err != nil {
					if r.Params == "" {
						err = fmt.Errorf("the record names no run: it has no params (%s needs them; records from before params cannot be replayed)", r.Strategy)
					}
					return &ReplayError{Name: in.Name, Line: line, Err: err}
				}
				g = &replayRun{key: key, cfg: fetcher.Config{Strategy: r.Strategy, Limits: l, Phase: r.Phase}, first: len(runs), timed: true,
					files: make([]fileSeqs, len(inputs))}
				byKey[key] = g
				runs = append(runs, g)
			}
			g.n++
			if fs := &g.files[f]; r.Seq >= 0 {
				if fs.n == 0 || r.Seq > fs.maxSeq {
					fs.maxSeq = r.Seq
				}
				fs.n++
			}
			fs := &g.files[f]
			lo, hi := r.Start-r.Queue, r.Start
			if r.Attempts > 0 {
				hi += r.Total
			}
			if !fs.seen || lo < fs.lo {
				fs.lo = lo
			}
			if !fs.seen || hi > fs.hi {
				fs.hi = hi
			}
			fs.seen = true
			if r.StartAt.IsZero() {
				g.timed, allTimed = false, false
			} else if queued := r.StartAt.Add(-r.Queue); g.n == 1 || queued.Before(g.t0) {
				g.t0 = queued
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, g := range runs {
		offset, end := 0, time.Duration(0)
		for f := range g.files {
			fs := &g.files[f]
			fs.offset = offset
			if fs.n > 0 {
				offset += fs.width()
			}
			if fs.seen {
				fs.shift = end - fs.lo
				end += fs.hi - fs.lo
			}
		}
	}
	if allTimed {
		slices.SortStableFunc(runs, func(a, b *replayRun) int { return a.t0.Compare(b.t0) })
	}
	return runs, nil
}

// checkLimits refuses the limits of a params string that no run can have had: a rate outside
// what a run accepts.
func checkLimits(l fetcher.Limits) error {
	if l.Rate != 0 && !(l.Rate >= cliflag.MinRate && l.Rate <= cliflag.MaxRate) {
		return fmt.Errorf("params: rate %g/s is out of range (%g to %g per second)", l.Rate, cliflag.MinRate, cliflag.MaxRate)
	}
	return nil
}

// each calls fn with every record of in and its line, until ctx is done.
func each(ctx context.Context, in ReplayInput, fn func(r fetcher.Record, line int) error) error {
	rc, err := in.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	rr := NewRecordReader(ctxCheck{ctx, rc})
	for {
		r, err := rr.Read()
		var re *RecordError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &re):
			return &ReplayError{Name: in.Name, Line: re.Line, Err: re.Err}
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		if err := fn(r, rr.Line()); err != nil {
			return err
		}
	}
}
