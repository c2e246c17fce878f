package main

// This file owns the report command: its usage and flags, and the replay of record files
// into the summary, timelines and HTML report of their runs.

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
)

func newReportFlags(o *outputs) *pflag.FlagSet {
	fs := pflag.NewFlagSet("fetchbench report", pflag.ContinueOnError)
	fs.SortFlags = false
	addSummaryFlag(fs, o, "summary format: table|json|csv|markdown|benchstat")
	addViewFlags(fs, o, "write a self-contained HTML report with charts to FILE")
	return fs
}

// runReport is the report command: replay record files into the summary of their runs.
func runReport(ctx context.Context, e *env, args []string) error {
	stdin, stdout, stderr := e.stdin, e.stdout, e.stderr
	var o outputs
	fs := newReportFlags(&o)
	if err := cliflag.Parse(fs, args, usage("report"), "report: ", "report: ", "see fetchbench report --help", stdout); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("report: name at least one record file (- for stdin; see fetchbench report --help)")
	}
	for _, f := range files {
		if err := report.DistinctPaths(report.NamedPath{Name: "--html", Path: o.html}, report.NamedPath{Name: "the record file", Path: f}); err != nil {
			return err
		}
	}
	inputs, cleanup, err := report.OpenRecordFiles(ctx, files, stdin)
	defer cleanup()
	if err != nil {
		return err
	}
	html, err := report.CreateHTML(o.html)
	if err != nil {
		return err
	}
	if html != nil {
		defer html.Close()
	}
	views := o.views(nil, nil)
	replayed, err := report.ReplayFiles(ctx, inputs, files, views.Consumers)
	if ctx.Err() != nil && err != nil {
		return verdict.Interrupted("report: interrupted")
	}
	if err != nil {
		return err
	}
	if note := report.DuplicatesNote(replayed.Duplicates); note != "" {
		fmt.Fprintln(stderr, "fetchbench: "+note)
	}
	return views.Finish(replayed.Comparison, report.Destination{Format: o.summary, Summary: stdout, Stderr: stderr, NoColor: e.noColor(), HTML: html})
}
