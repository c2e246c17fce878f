package main

// This file owns the report command: its usage and flags, and the replay of record files
// into the summary, timelines and HTML report of their runs.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/report"
)

const reportUsage = `fetchbench report reads record files (written with --records, NDJSON or CSV) and prints
what the live run printed: one row per run (a strategy and its parameters), in the same
formats. Several files are merged on the wall clock: the records of one run from several
files (several processes, or halves of the targets) make one row.

Usage:
  fetchbench report [flags] FILE...    (- reads stdin)

Examples:
  # record a run, then print its summary again, as JSON
  fetchbench --offline -n 50 --records run.ndjson -q
  fetchbench report run.ndjson -o json

  # two halves of the targets, run apart, summarised as one run per strategy
  fetchbench --offline --ids 1-25 -s semaphore --records a.ndjson -q
  fetchbench --offline --ids 26-50 -s semaphore --records b.csv -q
  fetchbench report a.ndjson b.csv

  # the waterfalls and an HTML report of recorded runs; only the errors, from jq
  fetchbench report run.ndjson --timeline --html run.html
  jq -c 'select(.error != "")' run.ndjson | fetchbench report -

Exit codes: 0 done, 1 a file could not be read, 2 usage error or a malformed record
(the message names FILE:LINE).

Flags:
`

// reportOptions holds the parsed flags of the report command.
type reportOptions struct {
	out outputs
}

func newReportFlags(o *reportOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("fetchbench report", pflag.ContinueOnError)
	fs.SortFlags = false
	addSummaryFlag(fs, &o.out, "summary format: table|json|csv|markdown|benchstat")
	addViewFlags(fs, &o.out, "write a self-contained HTML report with charts to FILE")
	return fs
}

// runReport is the report command: replay record files into the summary of their runs.
func runReport(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o reportOptions
	fs := newReportFlags(&o)
	if err := parseArgs(fs, args, reportUsage, "report: ", "report: ", "see fetchbench report --help", stdout); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("report: name at least one record file (- for stdin; see fetchbench report --help)")
	}
	inputs, cleanup, err := report.OpenInputs(files, stdin)
	defer cleanup()
	var pe *os.PathError
	switch {
	case errors.Is(err, report.ErrStdinTwice):
		return usagef("report: %v", err)
	case errors.As(err, &pe):
		return usagef("report %s: %v", pe.Path, pe.Err)
	case err != nil:
		return fmt.Errorf("report: %w", err)
	}
	html, err := o.out.openHTML()
	if err != nil {
		return err
	}
	if html != nil {
		defer html.Close()
	}
	views := o.out.views(nil, nil)
	cmp, err := report.Replay(inputs, views.Consumers)
	var re *report.ReplayError
	switch {
	case errors.As(err, &re):
		return usagef("report %v", err)
	case errors.Is(err, report.ErrNoRecords):
		return usagef("report: no records in %s", report.JoinNames(files))
	case err != nil:
		return fmt.Errorf("report %w", err)
	}
	if err := report.Write(stdout, o.out.summary, cmp, report.IsTerminal(stdout)); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if err := views.DrawTimelines(cmp, o.out.summary, false, stdout, stderr, noColor()); err != nil {
		return err
	}
	return finishHTML(html, views, cmp)
}
