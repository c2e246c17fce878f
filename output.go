package main

// This file owns a command's output flags and hands them to package report, which opens the
// files (--records FILE|-, --html) and feeds report.Outputs.

import (
	"io"

	"github.com/fetchbench/fetchbench/report"
)

// outputs are a run's output flags (get sets records, records format, order and quiet).
type outputs struct {
	summary  string // -o: table, json, csv or markdown
	records  string // --records: "" none, "-" stdout, else a file
	format   string // --records-format: ndjson or csv ("" until resolved from the file name)
	order    string // --order: completion or input
	progress string // --progress: auto, always or never
	quiet    bool   // -q: no summary
	timeline string // --timeline: "" none, "shared" one time axis, "own" one per run
	html     string // --html: "" none, else the report's file
}

// open opens --records (nil without) and returns it with the summary's writer: stdout, or
// stderr when the records take stdout.
func (o outputs) open(stdout, stderr io.Writer) (*report.RecordsOut, io.Writer, error) {
	recs, err := report.OpenRecords(o.records, o.format, o.order == "input", false, stdout)
	if o.records == "-" {
		return recs, stderr, err
	}
	return recs, stdout, err
}

// views are the report.Outputs of a run's records, progress line (when progress), timelines
// and HTML report.
func (o outputs) views(recs *report.RecordsOut, progress io.Writer) *report.Outputs {
	return &report.Outputs{Records: recs.Stream(), Progress: progress, Timeline: o.timeline, HTML: o.html != "", OptionNamer: flagName}
}
