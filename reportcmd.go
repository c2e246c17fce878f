package main

// This file owns the report command: its usage and flags, and the replay of record files
// into the summary, timelines and HTML report of their runs.

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/report"
)

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
	for _, f := range files {
		if err := report.DistinctPaths(report.NamedPath{Name: "--html", Path: o.out.html}, report.NamedPath{Name: "the record file", Path: f}); err != nil {
			return err
		}
	}
	inputs, cleanup, err := report.OpenRecordFiles(files, stdin)
	defer cleanup()
	if err != nil {
		return err
	}
	html, err := report.CreateHTML(o.out.html)
	if err != nil {
		return err
	}
	if html != nil {
		defer html.Close()
	}
	views := o.out.views(nil, nil)
	cmp, err := report.ReplayFiles(inputs, files, views.Consumers)
	if err != nil {
		return err
	}
	if err := report.Write(stdout, o.out.summary, cmp, report.IsTerminal(stdout)); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if err := views.DrawTimelines(cmp, o.out.summary, false, stdout, stderr, noColor()); err != nil {
		return err
	}
	return views.FinishHTML(html, cmp)
}
