package compare

// This file owns a comparison command's invocation: its notes, the repetitions with each
// one's report written, and the verdict on the runs.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
)

// Invocation is one comparison command: Spec run Repeat times, each repetition reported.
type Invocation struct {
	// Spec is what to compare; Invoke sets its Consumers from Views.
	Spec Spec
	// Repeat, Discovery and Records are as in Repetitions.
	Repeat    int
	Discovery *report.Summary
	Records   *report.RecordsOut
	// Views gives each run its further consumers (records, progress, timelines, HTML).
	Views *report.Outputs
	// QuotaWindow is the API's quota window (fetcher.Config.QuotaWindow).
	QuotaWindow time.Duration
	// InProcessServer: the targets are served by this process (the fake), which needs the
	// open files of both ends.
	InProcessServer bool
	// Destination gets each repetition's reports; Invoke closes its HTML. Its Stderr also
	// gets the notes (unless Quiet), the waits for a quota and the verdict's lines, each after
	// "fetchbench: ".
	report.Destination
	// Thresholds judge every repetition's runs (--fail-on).
	Thresholds []report.Threshold
	// UnreachableHint follows the error when no request connected.
	UnreachableHint string
}

// Invoke runs inv and returns the command's verdict: nil; bad input (an invalid config, the
// open-file limit); the *UnreachableError followed by the hint; an error Is
// verdict.ErrInterrupted or, after the failed thresholds' lines, verdict.ErrBreached; a
// pool's error (fetcher.Unfinished) or a write's.
func Invoke(ctx context.Context, inv Invocation) error {
	if inv.HTML != nil {
		defer inv.HTML.Close()
	}
	cfgs := append([]fetcher.Config(nil), inv.Spec.Configs...)
	for i, c := range cfgs {
		cfgs[i].OnQuotaWait, cfgs[i].QuotaWindow = fetcher.QuotaWaitLines(inv.Stderr, c.Strategy), inv.QuotaWindow
	}
	spec := inv.Spec
	spec.Configs = cfgs
	if note := PacingNote(cfgs, spec.Targets.Len(), inv.Repeat); note != "" && !inv.Quiet {
		fmt.Fprintln(inv.Stderr, "fetchbench: "+note)
	}
	if err := RaiseFiles(spec, inv.InProcessServer); err != nil {
		inv.Records.Close()
		return err
	}
	n := spec.Targets.Len()
	spec.Consumers = func(cfg fetcher.Config) []report.Consumer { return inv.Views.Consumers(cfg, n) }
	var interrupted bool
	var finishErr error
	all, err := Repeat(ctx, Repetitions{Spec: spec, Repeat: inv.Repeat, Discovery: inv.Discovery, Records: inv.Records, Each: func(i int, cmp report.Comparison) error {
		interrupted = cmp.Interrupted()
		finishErr = inv.Views.FinishRepetition(cmp, i, max(inv.Repeat, 1), inv.Destination)
		return finishErr
	}})
	var unreachable *UnreachableError
	switch {
	case finishErr != nil:
		return finishErr
	case errors.As(err, &unreachable):
		return fmt.Errorf("%w%s", err, inv.UnreachableHint)
	case err != nil:
		return RunError(err, "write records")
	case interrupted:
		return verdict.Interrupted("interrupted; the report above is partial")
	}
	failures := report.NewComparison(all).Failures(inv.Thresholds)
	for _, f := range failures {
		fmt.Fprintln(inv.Stderr, "fetchbench: "+f)
	}
	if len(failures) > 0 {
		return verdict.Breached("")
	}
	return nil
}

// RunError is a command's error for err, a run's: bad input for an invalid config, a pool's
// error (fetcher.ErrUnfinished) as it is, anything else a write's, after write and ": ".
func RunError(err error, write string) error {
	switch {
	case errors.Is(err, fetcher.ErrConfig):
		return badinput.Errorf("%v", err)
	case errors.Is(err, fetcher.ErrUnfinished):
		return err
	}
	return fmt.Errorf("%s: %w", write, err)
}
