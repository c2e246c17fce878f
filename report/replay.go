package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

// ErrNoRecords is returned by Replay when its inputs hold no record.
var ErrNoRecords = errors.New("no records")

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

func (e *ReplayError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err) }

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
// start, then to feed each run's Collector and the consumers that consumers (which may be nil)
// returns for the run's config and number of records; it closes them all. It fails with
// *ReplayError for a malformed record, ErrNoRecords when there is none, or an input's open or
// read error.
func Replay(inputs []ReplayInput, consumers func(cfg fetcher.Config, n int) []Consumer) (Comparison, error) {
	runs, err := scan(inputs)
	if err != nil {
		return Comparison{}, err
	}
	if len(runs) == 0 {
		return Comparison{}, ErrNoRecords
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
	for f, in := range inputs {
		arrived := make([]int, len(runs)) // records of each run so far in this file
		err := each(in, func(r fetcher.Record, _ int) error {
			i := byKey[runKey{r.Strategy, r.Params, r.Phase}]
			g := runs[i]
			if r.Seq >= 0 {
				fs := g.files[f]
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
			return Comparison{}, err
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
		return Comparison{}, err
	}
	c := NewComparison(sums)
	c.Discovery = discovery
	return c, nil
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
func (f fileSeqs) sparse() bool { return f.maxSeq+1 > 2*f.n+1024 }

// width is how many seqs the file's records of the run take in the merged run.
func (f fileSeqs) width() int {
	if f.sparse() {
		return f.n
	}
	return f.maxSeq + 1
}

// scan is Replay's first pass: the runs, in order.
func scan(inputs []ReplayInput) ([]*replayRun, error) {
	var runs []*replayRun
	byKey := map[runKey]*replayRun{}
	allTimed := true
	for f, in := range inputs {
		err := each(in, func(r fetcher.Record, line int) error {
			key := runKey{r.Strategy, r.Params, r.Phase}
			g := byKey[key]
			if g == nil {
				l, err := r.Strategy.ParseParams(r.Params)
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

// each calls fn with every record of in and its line.
func each(in ReplayInput, fn func(r fetcher.Record, line int) error) error {
	rc, err := in.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	rr := NewRecordReader(rc)
	for {
		r, err := rr.Read()
		var re *RecordError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &re):
			return &ReplayError{Name: in.Name, Line: re.Line, Err: re.Err}
		case err != nil:
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		if err := fn(r, rr.Line()); err != nil {
			return err
		}
	}
}
