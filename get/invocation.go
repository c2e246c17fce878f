package get

// This file owns a get invocation: its run with documents and records written, the first
// write error stopping it, and the lines it says afterwards.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/swapi"
)

// Invocation is one get command: Job run with its documents and records written.
type Invocation struct {
	Job Job
	// Documents gets the documents; Invoke closes it.
	Documents Writer
	// Records, when not nil, are the records file; Invoke closes it.
	Records *report.RecordsOut
	// Views gives the run its further consumers (records, timelines).
	Views *report.Outputs
	// Stderr gets a line per failure, each after "fetchbench: ", until a write fails; then,
	// unless Quiet, the lines of the result (Result.WriteLines).
	Stderr io.Writer
	Quiet  bool
	// UnreachableHint follows the error when no request connected.
	UnreachableHint string
}

// Invoke runs inv and returns the command's verdict: nil when every document was written;
// compare.RunError's errors (a failed write, after "write: ", stops the run and is its one
// line); an error Is verdict.ErrInterrupted; the *compare.UnreachableError followed by the
// hint; discovery's error for an empty list; NoneFetched when every target failed; else,
// with failures or problems, an error Is verdict.ErrBreached.
func Invoke(ctx context.Context, inv Invocation) error {
	res, err := invoke(ctx, inv)
	if err != nil {
		return compare.RunError(err, "write")
	}
	if !inv.Quiet {
		if err := res.WriteLines(inv.Stderr); err != nil {
			return err
		}
	}
	switch {
	case res.Interrupted || ctx.Err() != nil:
		return verdict.Interrupted("interrupted; the output above is partial")
	case res.Unreachable != "":
		return fmt.Errorf("%w%s", inv.Job.Unreachable(res.Unreachable), inv.UnreachableHint)
	case res.Discovery != nil && res.Discovery.Empty() != nil:
		return res.Discovery.Empty()
	case res.Documents == 0 && res.Failed > 0:
		return NoneFetched(res.Failed)
	case res.Failed > 0 || res.Problems > 0:
		return verdict.Breached("")
	}
	return nil
}

// invoke runs inv.Job. The first failed write (documents or records) stops the run; what is
// cancelled after it is not reported line by line. Its error is Run's, or the first of
// closing the documents and the records.
func invoke(ctx context.Context, inv Invocation) (Result, error) {
	var docErr error
	var recCons report.Tee
	stopped := func() error { return cmp.Or(docErr, recCons.Err()) }
	res, err := Run(ctx, inv.Job, Output{
		Document: func(doc []byte) error {
			if docErr == nil {
				docErr = inv.Documents.Write(doc)
			}
			return docErr
		},
		Failure: func(msg string) {
			if stopped() == nil {
				fmt.Fprintln(inv.Stderr, "fetchbench: "+textsafe.Sanitize(msg))
			}
		},
		Consumers: func(cfg fetcher.Config) []report.Consumer {
			recCons = inv.Views.Consumers(cfg, 0)
			return append(recCons, report.Check(stopped))
		},
	})
	if cerr := inv.Documents.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if cerr := inv.Records.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return res, err
}

// WriteLines writes what r says after the run, each line after "fetchbench: ": what
// discovery found, the links expanded; then the summary table. Its error is the summary's,
// after "write summary: ".
func (r Result) WriteLines(w io.Writer) error {
	if r.Discovery != nil {
		fmt.Fprintln(w, "fetchbench: "+r.Discovery.String())
	}
	if r.Expanded > 0 {
		fmt.Fprintf(w, "fetchbench: expanded %s\n", plural.N(r.Expanded, "distinct link", "distinct links"))
	}
	if r.Summary != nil {
		if err := report.Write(w, "table", report.NewComparison([]report.Summary{*r.Summary}), report.IsTerminal(w)); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	return nil
}

// NoneFetched is the error of a get whose n targets all failed.
func NoneFetched(n int) error {
	if n == 1 {
		return errors.New("the target could not be fetched")
	}
	return fmt.Errorf("none of the %d targets could be fetched", n)
}

// PacingNote is the line saying how long j's rate makes it, or "".
func (j Job) PacingNote() string {
	if j.All {
		return compare.PacingNoteEach(j.Config)
	}
	return compare.PacingNote([]fetcher.Config{j.Config}, j.Targets.Len(), 1)
}

// RaiseFiles raises the open-file limit for j's run (see compare.RaiseFiles).
func (j Job) RaiseFiles(inProcessServer bool) error {
	return compare.RaiseFiles(compare.Spec{Configs: []fetcher.Config{j.Config}, Targets: j.Targets}, inProcessServer)
}

// Unreachable is the error of j's run when no request connected, for reason: its host is the
// first target's, else Base's.
func (j Job) Unreachable(reason string) *compare.UnreachableError {
	host := j.Base
	if j.Targets != nil && j.Targets.Len() > 0 {
		host = j.Targets.At(0).URL
	}
	return &compare.UnreachableError{Host: compare.Host(host), Reason: reason}
}

// DiscoverInto is --all's discovery as targets.Discover wants it: reading the list pages
// under cfg as a run of phase discovery with sched (nil: here), whose records go to recs
// (nil: none) and whose summary into *sum; its string is what discovery found.
func DiscoverInto(sched fetcher.Scheduler, cfg fetcher.Config, recs *report.RecordsOut, sum *report.Summary) func(ctx context.Context, d *swapi.Dialect, base, resource string) (fetcher.Targets, string, error) {
	cfg.Phase = fetcher.PhaseDiscovery
	return func(ctx context.Context, d *swapi.Dialect, base, resource string) (fetcher.Targets, string, error) {
		var cs []report.Consumer
		if s := recs.Stream(); s != nil {
			cs = append(cs, s.Run())
		}
		ts, disc, err := Discover(ctx, sched, cfg, d, base, resource, cs...)
		if disc != nil && disc.Summary != nil {
			*sum = *disc.Summary
		}
		if err != nil {
			return nil, "", err
		}
		return ts, disc.String(), nil
	}
}

// memoryFloor is what a get needs besides its documents: the runtime, the scheduler, the
// records and the summary's histograms.
const memoryFloor = 64 << 20

// MemoryLimit is a soft memory limit (runtime/debug.SetMemoryLimit) for j's run: a floor for
// the process plus what its documents can hold at once — each document it may have open
// (fetcher.Strategy.OpenDocuments) at --max-body, and the expansion budget when it expands.
// Under it the garbage collector keeps the heap near what the run holds instead of several
// times it. 0 when j's strategy does not bound its open documents (unbounded).
func (j Job) MemoryLimit() int64 {
	open := j.Config.Strategy.OpenDocuments(j.Config.Limits)
	if open <= 0 {
		return 0
	}
	n := memoryFloor + int64(open)*cmp.Or(j.Config.MaxBody, fetcher.DefaultMaxBody)
	if len(j.Shape.Expand) > 0 {
		n += cmp.Or(j.Shape.ExpandBudget, DefaultExpandBudget)
	}
	return n
}
