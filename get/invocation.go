package get

// This file owns a get invocation: its run with documents and records written, the first
// write error stopping it, and the lines it says afterwards.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/session"
	"github.com/fetchbench/fetchbench/swapi"
)

// Invocation is one get command: Job run with its documents written.
type Invocation struct {
	Job Job
	// Documents gets the documents of the first repetition; it is closed after that run.
	Documents Writer
	// Records, when not nil, are the records file, whose write error stops a run.
	Records *report.RecordsOut
	// Stderr gets a line per failure, each after "fetchbench: ", until a write fails; then,
	// unless Quiet, the lines of the result (Result.WriteLines, without the summary).
	Stderr io.Writer
	Quiet  bool
	// OptionNamer names the options that the failure lines refer to (see
	// Output.OptionNamer); nil words them.
	OptionNamer naming.Namer
}

// Plan is inv as a session's plan: the job's run, repeated; only the first repetition's
// documents are written. A run's Verdict is discovery's error for an empty list,
// NoneFetched when every target failed, else, with failures or problems, an error Is
// verdict.ErrBreached. A failed documents write is the run's error.
func Plan(inv Invocation, repeat int) session.Plan {
	j := inv.Job
	host := j.Base
	if j.Targets != nil && j.Targets.Len() > 0 {
		host = j.Targets.At(0).URL
	}
	p := session.Plan{Configs: []fetcher.Config{j.Config}, Repeat: repeat, Targets: j.Targets, Host: host}
	if j.All {
		p.Targets = nil
	}
	p.Run = func(ctx context.Context, rep int, cfg fetcher.Config, cs []report.Consumer) (session.Outcome, error) {
		job := inv.Job
		job.Config = cfg
		docs := inv.Documents
		if rep > 0 {
			docs = discard{}
		}
		res, err := invoke(ctx, job, docs, inv.Records, inv.Stderr, inv.OptionNamer, cs)
		if err != nil {
			return session.Outcome{}, err
		}
		if !inv.Quiet {
			res.writeNotes(inv.Stderr)
		}
		o := session.Outcome{Interrupted: res.Interrupted || ctx.Err() != nil, Unreachable: res.Unreachable}
		if res.Summary != nil {
			o.Summary = *res.Summary
		}
		switch {
		case res.Discovery != nil && res.Discovery.Empty() != nil:
			o.Verdict = res.Discovery.Empty()
		case res.Documents == 0 && res.Failed > 0:
			o.Verdict = NoneFetched(res.Failed)
		case res.Failed > 0 || res.Problems > 0:
			o.Verdict = verdict.Breached("")
		}
		return o, nil
	}
	return p
}

// discard is a Writer of no documents.
type discard struct{}

func (discard) Write([]byte) error { return nil }
func (discard) Close() error       { return nil }

// invoke runs job with its documents written to docs, which it closes. The first failed
// write (documents or records) stops the run; what is cancelled after it is not reported
// line by line; the failure lines name options by name. Its error is Run's, or closing the
// documents'.
func invoke(ctx context.Context, job Job, docs Writer, recs *report.RecordsOut, stderr io.Writer, name naming.Namer, cs []report.Consumer) (Result, error) {
	var docErr error
	recCons := report.Tee(cs)
	stopped := func() error { return cmp.Or(docErr, recCons.Err()) }
	res, err := Run(ctx, job, Output{
		Document: func(doc []byte) error {
			if docErr == nil {
				docErr = docs.Write(doc)
			}
			return docErr
		},
		Failure: func(msg string) {
			if stopped() == nil {
				fmt.Fprintln(stderr, "fetchbench: "+textsafe.Sanitize(msg))
			}
		},
		Consumers: func(fetcher.Config) []report.Consumer {
			return append(cs, report.Check(stopped))
		},
		OptionNamer: name,
	})
	if cerr := docs.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return res, err
}

// writeNotes writes what r says after the run, each line after "fetchbench: ": what
// discovery found, the links expanded.
func (r Result) writeNotes(w io.Writer) {
	if r.Discovery != nil {
		fmt.Fprintln(w, "fetchbench: "+r.Discovery.String())
	}
	if r.Expanded > 0 {
		fmt.Fprintf(w, "fetchbench: expanded %s\n", plural.N(r.Expanded, "distinct link", "distinct links"))
	}
}

// NoneFetched is the error of a get whose n targets all failed.
func NoneFetched(n int) error {
	if n == 1 {
		return errors.New("the target could not be fetched")
	}
	return fmt.Errorf("none of the %d targets could be fetched", n)
}

// Discovered is what DiscoverInto's discovery leaves for the runs after it.
type Discovered struct {
	// Summary is the run of the list pages.
	Summary report.Summary
	// Verdict is the discovery's (Discovery.Verdict): the runs after it carry it.
	Verdict error
}

// DiscoverInto is --all's discovery as targets.Discover wants it: reading the list pages
// under cfg as a run of phase discovery with sched (nil: here), whose records go to recs
// (nil: none) and whose summary and verdict into *into; its string is what discovery found.
// notes (nil: nowhere) gets, after "fetchbench: ", the line saying at once that page 1's
// claim was capped.
func DiscoverInto(sched fetcher.Scheduler, cfg fetcher.Config, recs *report.RecordsOut, into *Discovered, notes io.Writer) func(ctx context.Context, d *swapi.Dialect, base, resource string) (fetcher.Targets, string, error) {
	cfg.Phase = fetcher.PhaseDiscovery
	return func(ctx context.Context, d *swapi.Dialect, base, resource string) (fetcher.Targets, string, error) {
		var cs []report.Consumer
		if s := recs.Stream(); s != nil {
			cs = append(cs, s.Run())
		}
		var note func(string)
		if notes != nil {
			note = func(line string) { fmt.Fprintln(notes, "fetchbench: "+textsafe.Sanitize(textsafe.Redact(line))) }
		}
		ts, disc, err := Discover(ctx, sched, cfg, d, base, resource, note, cs...)
		if disc != nil && disc.Summary != nil {
			into.Summary = *disc.Summary
		}
		if err != nil {
			return nil, "", err
		}
		into.Verdict = disc.Verdict()
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
