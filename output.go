package main

// This file owns opening a run's output files, the records (the comparison's and get's) and
// the HTML report, and handing them to report.Outputs.

import (
	"fmt"
	"io"
	"os"

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
	if o.records == "" {
		return nil, stdout, nil
	}
	var w, summary io.Writer = stdout, stderr
	var file io.Closer
	if o.records != "-" {
		f, err := os.Create(o.records)
		if err != nil {
			return nil, nil, usagef("--records: %v", err)
		}
		file, w, summary = f, f, stdout
	}
	recs, err := report.NewRecordsOut(w, file, o.format, o.order == "input")
	if err != nil {
		return nil, nil, usagef("--records-format: %v", err)
	}
	return recs, summary, nil
}

// openHTML creates the --html file up front, so that a bad path fails before any request;
// nil without --html.
func (o outputs) openHTML() (*os.File, error) {
	if o.html == "" {
		return nil, nil
	}
	f, err := os.Create(o.html)
	if err != nil {
		return nil, usagef("--html: %v", err)
	}
	return f, nil
}

// views are the report.Outputs of a run's records, progress line (when progress), timelines
// and HTML report.
func (o outputs) views(recs *report.RecordsOut, progress io.Writer) *report.Outputs {
	return &report.Outputs{Records: recs.Stream(), Progress: progress, Timeline: o.timeline, HTML: o.html != ""}
}

// finishHTML writes the HTML report of c into f (nil: none) and closes it; a report cut short
// stays empty.
func finishHTML(f *os.File, views *report.Outputs, c report.Comparison) error {
	if f == nil {
		return nil
	}
	err := views.WriteHTML(f, c)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return nil
}

// noColor reports whether NO_COLOR is set and not empty (no-color.org).
func noColor() bool { return os.Getenv("NO_COLOR") != "" }
