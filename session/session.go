// Package session runs a command's job: its plan's runs, repeated, handed to the command's
// outputs, reported after each repetition and judged once by one verdict table.
package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
)

// RunFunc makes one run of a plan under cfg: it hands every record to consumers (besides
// its own), closes them, and returns how the run went. rep is the repetition, from 0. Its
// error ends the session (see Run); a failed request is a record, not an error.
type RunFunc func(ctx context.Context, rep int, cfg fetcher.Config, consumers []report.Consumer) (Outcome, error)

// Outcome is one run as the session judges it.
type Outcome struct {
	Summary report.Summary
	// Interrupted is set when ctx ended before the run did.
	Interrupted bool
	// Unreachable is why no request connected ("connection refused", ...); "" when some did.
	Unreachable string
	// Verdict is the plan's own judgement of the run (get's failed documents, crawl's pages
	// left): nil, or an error that Is verdict.ErrBreached or is bad input. The session
	// returns the first one after the runs, unless a threshold or an interruption came first.
	Verdict error
}

// Failed marks err, a plan's own error, to end the session as it is, not as a failed write.
func Failed(err error) error { return &planError{err} }

type planError struct{ err error }

func (e *planError) Error() string { return e.err.Error() }
func (e *planError) Unwrap() error { return e.err }

// runError is the session's error for a run's err.
func runError(err error, write string) error {
	var pe *planError
	var be *badinput.Error
	if errors.As(err, &pe) || errors.As(err, &be) {
		return err
	}
	return compare.RunError(err, cmp.Or(write, "write records"))
}

// Plan is a command's job: each of Configs run once per repetition by Run.
type Plan struct {
	// Configs are run in order in the first repetition, rotated by one for each later one
	// (compare.Rotate), so that a stateful server taxes each alike.
	Configs []fetcher.Config
	// Repeat is the number of repetitions; below 1 means 1.
	Repeat int
	// Run makes one run.
	Run RunFunc
	// Targets is the number of targets a run starts with, for the progress line and the
	// timelines; nil means not known up front (a crawl, a discovered list).
	Targets fetcher.Targets
	// Host names the server in the error of a session where no request connected.
	Host string
	// Discovery, when not nil, is the summary of the list pages read before the runs: the
	// first repetition's report shows it.
	Discovery *report.Summary
	// InProcessServer: the targets are served by this process (the fake), which holds the
	// other end of every connection and so needs twice the open files.
	InProcessServer bool
}

// Outputs are where a session's runs and reports go.
type Outputs struct {
	// Records, when not nil, is the records file; the session closes it after the last run,
	// also on an error or an interruption.
	Records *report.RecordsOut
	// Views gives each run its further consumers (records, progress line, timelines, HTML).
	Views *report.Outputs
	// Destination gets each repetition's reports; the session closes its HTML.
	report.Destination
	// Thresholds judge every repetition's runs; a breach is a verdict.ErrBreached after one
	// line per failure on Stderr.
	Thresholds []report.Threshold
	// Notes, when not nil, gets the lines said before the runs (the pacing note) and the
	// quota gate's waits, each after "fetchbench: ".
	Notes io.Writer
	// UnreachableHint follows the error of a session where no request connected.
	UnreachableHint string
	// Partial names what an interruption leaves partial ("report", "output").
	Partial string
	// QuotaWindow is the API's quota window (fetcher.Config.QuotaWindow), given to every run.
	QuotaWindow time.Duration
	// Write names a failed write of a run in its error ("write records" when empty).
	Write string
	// Compared, when set, is called with each repetition's comparison (rep from 0) once its
	// reports are written.
	Compared func(rep int, c report.Comparison)
}

// Run runs plan into out and returns the command's verdict, in this order: a write error of
// the reports (as it is); a run's error (compare.RunError: bad input for an invalid config,
// a pool's as it is, else a write's); bad input when the open-file limit is too low; an
// error Is verdict.ErrInterrupted when ctx ended (after the partial reports); the
// *compare.UnreachableError followed by UnreachableHint when no request of any run connected
// (no report is written then); an error Is verdict.ErrBreached after a threshold's failure
// lines; else the first run's Verdict; else nil.
func Run(ctx context.Context, plan Plan, out Outputs) (err error) {
	defer func() {
		if cerr := out.Records.Close(); err == nil && cerr != nil {
			err = compare.RunError(cerr, "write records")
		}
		if out.HTML != nil {
			out.HTML.Close() // closed already after the last report; an early end leaves it empty
		}
	}()
	cfgs := make([]fetcher.Config, len(plan.Configs))
	for i, c := range plan.Configs {
		cfgs[i] = c
		if out.Notes != nil {
			cfgs[i].OnQuotaWait = fetcher.QuotaWaitLines(out.Notes, c.Strategy)
		}
		if out.QuotaWindow > 0 {
			cfgs[i].QuotaWindow = out.QuotaWindow
		}
	}
	n := 0
	if plan.Targets != nil {
		n = plan.Targets.Len()
	}
	repeat := max(plan.Repeat, 1)
	if out.Notes != nil && !out.Quiet {
		note := compare.PacingNote(cfgs, n, repeat)
		if plan.Targets == nil && len(cfgs) == 1 {
			note = compare.PacingNoteEach(cfgs[0])
		}
		if note != "" {
			fmt.Fprintln(out.Notes, "fetchbench: "+note)
		}
	}
	if err := compare.RaiseFiles(compare.Spec{Configs: cfgs, Targets: plan.Targets}, plan.InProcessServer); err != nil {
		return err
	}
	views := out.Views
	if views == nil {
		views = &report.Outputs{}
	}
	var all []report.Summary
	var verdicts []error
	for rep := range repeat {
		var sums []report.Summary
		unreachable, interrupted := "", false
		for i, cfg := range compare.Rotate(cfgs, rep) {
			o, err := plan.Run(ctx, rep, cfg, views.Consumers(cfg, n))
			if err != nil {
				return runError(err, out.Write)
			}
			sums = append(sums, o.Summary)
			if i == 0 || unreachable != "" {
				unreachable = o.Unreachable
			}
			if o.Verdict != nil {
				verdicts = append(verdicts, o.Verdict)
			}
			if o.Interrupted || ctx.Err() != nil {
				interrupted = true
				break
			}
		}
		c := report.NewComparison(sums)
		if unreachable != "" && !interrupted {
			if reason, ok := c.NeverConnected(); ok {
				return fmt.Errorf("%w%s", &compare.UnreachableError{Host: compare.Host(plan.Host), Reason: reason}, out.UnreachableHint)
			}
		}
		if rep == 0 && plan.Discovery != nil {
			c.Discovery = []report.Summary{*plan.Discovery}
		}
		if rep == repeat-1 || interrupted {
			if err := out.Records.Close(); err != nil {
				return compare.RunError(err, "write records")
			}
		}
		if err := views.FinishRepetition(c, rep, repeat, out.Destination); err != nil {
			return err
		}
		if out.Compared != nil {
			out.Compared(rep, c)
		}
		if interrupted {
			return verdict.Interrupted(fmt.Sprintf("interrupted; the %s above is partial", cmp.Or(out.Partial, "report")))
		}
		all = append(all, c.Summaries...)
	}
	failures := report.NewComparison(all).Failures(out.Thresholds)
	for _, f := range failures {
		fmt.Fprintln(out.Stderr, "fetchbench: "+f)
	}
	if len(failures) > 0 {
		return verdict.Breached("")
	}
	if len(verdicts) > 0 {
		return verdicts[0]
	}
	return nil
}
