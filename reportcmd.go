package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
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
	fs.VarP(cliflag.Choice(&o.out.summary, "table", report.Formats, func(s string) error {
		return cliflag.Valuef("unknown format %q (want table, json, csv, markdown or benchstat)", s)
	}), "output", "o", "summary format: table|json|csv|markdown|benchstat")
	fs.Var(cliflag.Choice(&o.out.timeline, "", []string{"", "shared", "own"}, func(s string) error {
		return cliflag.Valuef("want shared or own, got %q", s)
	}), "timeline", "draw each run as a waterfall after the summary, on one time axis (--timeline=own: one per run)")
	fs.Lookup("timeline").NoOptDefVal = "shared"
	fs.StringVar(&o.out.html, "html", "", "write a self-contained HTML report with charts to FILE")
	return fs
}

// runReport is the report command: replay record files into the summary of their runs.
func runReport(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o reportOptions
	fs := newReportFlags(&o)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			if _, err := io.WriteString(stdout, reportUsage+fs.FlagUsagesWrapped(100)); err != nil {
				return err
			}
			return errHelp
		}
		if msg, ok := cliflag.Message(err); ok {
			return usagef("report: %s", msg)
		}
		return usagef("report: %v (see fetchbench report --help)", err)
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("report: name at least one record file (- for stdin; see fetchbench report --help)")
	}
	inputs, cleanup, err := reportInputs(files, stdin)
	defer cleanup()
	if err != nil {
		return err
	}
	html, err := o.out.openHTML()
	if err != nil {
		return err
	}
	defer html.close()
	var timelines []*report.Timeline
	cmp, err := report.Replay(inputs, func(cfg fetcher.Config, n int) []report.Consumer {
		var cs []report.Consumer
		if h := html.consumer(cfg, n); h != nil {
			cs = append(cs, h)
		}
		if o.out.timeline != "" {
			t := report.NewTimeline(report.RunLabel(cfg), n)
			timelines = append(timelines, t)
			cs = append(cs, t)
		}
		return cs
	})
	var re *report.ReplayError
	switch {
	case errors.As(err, &re):
		return usagef("report %v", err)
	case errors.Is(err, report.ErrNoRecords):
		return usagef("report: no records in %s", quotedList(files))
	case err != nil:
		return fmt.Errorf("report %w", err)
	}
	if err := report.Write(stdout, o.out.summary, cmp, report.IsTerminal(stdout)); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if err := o.out.drawTimelines(timelines, report.Sweeps(cmp), stdout, stderr); err != nil {
		return err
	}
	return html.write(cmp)
}

// reportInputs checks that every file can be opened (Replay opens them later); stdin ("-", once)
// is copied to a temporary file, since Replay reads its inputs twice; cleanup removes it.
func reportInputs(files []string, stdin io.Reader) ([]report.ReplayInput, func(), error) {
	var inputs []report.ReplayInput
	cleanup := func() {}
	if i := slices.Index(files, "-"); i >= 0 && slices.Contains(files[i+1:], "-") {
		return nil, cleanup, usagef("report: - (stdin) given twice")
	}
	for _, name := range files {
		path := name
		if name == "-" {
			tmp, err := os.CreateTemp("", "fetchbench-report-*")
			if err != nil {
				return nil, cleanup, fmt.Errorf("report: spool stdin: %w", err)
			}
			prev := cleanup
			cleanup = func() { tmp.Close(); os.Remove(tmp.Name()); prev() }
			if _, err := io.Copy(tmp, stdin); err != nil {
				return nil, cleanup, fmt.Errorf("report: read stdin: %w", err)
			}
			path = tmp.Name()
		} else if f, err := os.Open(name); err != nil {
			return nil, cleanup, usagef("report %s: %v", name, errors.Unwrap(err))
		} else {
			f.Close()
		}
		inputs = append(inputs, report.ReplayInput{Name: name, Open: func() (io.ReadCloser, error) { return os.Open(path) }})
	}
	return inputs, cleanup, nil
}

// quotedList is names joined for a message: "a.ndjson", "a.ndjson and b.csv", "a, b and c".
func quotedList(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
