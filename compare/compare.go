// Package compare runs strategies one after another over the same targets, hands each run's record stream to its consumers, and reduces the runs to a report.Comparison.
package compare

import (
	"context"
	"fmt"
	"net/url"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
)

// Spec is what to compare.
type Spec struct {
	// Configs are run in order, each over every target.
	Configs []fetcher.Config
	Targets fetcher.Targets
	// Consumers, when set, returns the consumers of one run's records besides the summary
	// collector (a records writer, a progress line). They are closed when the run ends.
	Consumers func(cfg fetcher.Config) []report.Consumer
	// Scheduler runs each config; nil means fetcher.Schedule, in this process.
	Scheduler fetcher.Scheduler
}

// UnreachableError is returned by Run when every request of every run failed before a
// connection was made: none was established and every record failed before one.
type UnreachableError struct {
	Host   string // host[:port] of the first target
	Reason string // "connection refused", "DNS lookup failed", "timed out", ...
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("every request failed to connect to %s (%s)", e.Host, e.Reason)
}

// Run runs spec.Configs in order and returns their comparison. It stops after a run that was
// interrupted (ctx cancelled), so the comparison then holds the runs so far, the last one
// partial. It fails on an invalid config (fetcher.ErrConfig, before that run starts), on a
// consumer's error (after that run), and with *UnreachableError when no request connected.
func Run(ctx context.Context, spec Spec) (report.Comparison, error) {
	var sums []report.Summary
	unreachable := ""
	for i, cfg := range spec.Configs {
		var cs []report.Consumer
		if spec.Consumers != nil {
			cs = spec.Consumers(cfg)
		}
		run, err := Once(ctx, spec.Scheduler, cfg, fetcher.Static(spec.Targets), fetcher.GatesFor(cfg.Limits), cs)
		if err != nil {
			return report.Comparison{}, err
		}
		sums = append(sums, run.Summary)
		if i == 0 || unreachable != "" {
			unreachable = run.Unreachable
		}
		if run.Stats.Interrupted || ctx.Err() != nil {
			break
		}
	}
	c := report.NewComparison(sums)
	if unreachable != "" {
		if reason, ok := c.NeverConnected(); ok {
			return c, &UnreachableError{Host: Host(spec.Targets.At(0).URL), Reason: reason}
		}
	}
	return c, nil
}

// Outcome is one scheduler run, summarised.
type Outcome struct {
	Summary report.Summary
	Stats   fetcher.RunStats
	// Unreachable is why every request failed before a connection was made, when none was
	// established ("connection refused", "DNS lookup failed"...); "" when some connected.
	Unreachable string
}

// Once runs cfg over src under gates with sched (nil: fetcher.Schedule), hands every record to a summary collector and to
// consumers, closes them, and returns the run's outcome. It is the one path by which a
// comparison's runs and get's run are made and summarised. It fails on an invalid config
// (fetcher.ErrConfig), a consumer's error, or the scheduler's (after closing the consumers). A consumer that is report.Failing stops the run
// at its first error (the requests not yet started are not sent), and Once returns that error.
func Once(ctx context.Context, sched fetcher.Scheduler, cfg fetcher.Config, src fetcher.Source, gates fetcher.Gates, consumers []report.Consumer) (Outcome, error) {
	if sched == nil {
		sched = fetcher.Schedule
	}
	coll := report.NewCollector(cfg)
	tee := append(report.Tee{coll}, consumers...)
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var failed error
	sink := func(r fetcher.Record) {
		tee.Add(r)
		if failed == nil {
			if failed = tee.Err(); failed != nil {
				cancel(failed)
			}
		}
	}
	stats, err := sched(runCtx, cfg, src, gates, sink)
	if cerr := tee.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil && failed != nil {
		err = failed
	}
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Summary: coll.Summary(stats), Stats: stats}
	if stats.Connections == 0 {
		out.Unreachable, _ = report.NewComparison([]report.Summary{out.Summary}).NeverConnected()
	}
	return out, nil
}

// Host is the host[:port] of an absolute URL, or the URL itself when it has none.
func Host(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}
