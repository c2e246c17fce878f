package main

// This file owns opening a run's output files, the records (the comparison's and get's) and
// the HTML report, and handing them to report.Outputs.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

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

// namedPath is a path given to a flag (or an argument, as its name says).
type namedPath struct{ name, path string }

// distinctPaths refuses two of paths naming one file ("" and "-" name none): written twice, or
// read while written, both would be corrupt. Paths are compared cleaned and absolute, and as
// files when both exist (a symlink or hard link to the other).
func distinctPaths(paths ...namedPath) error {
	for i, a := range paths {
		for _, b := range paths[i+1:] {
			if a.path == "" || a.path == "-" || b.path == "" || b.path == "-" || !samePath(a.path, b.path) {
				continue
			}
			return usagef("%s and %s name the same file %q; give each its own", a.name, b.name, a.path)
		}
	}
	return nil
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// noColor reports whether NO_COLOR is set and not empty (no-color.org).
func noColor() bool { return os.Getenv("NO_COLOR") != "" }

// finishRun writes what follows a command's runs: the summary of cmp in format on summary
// (unless quiet), the timelines, and the HTML report into html (nil: none), which it closes.
func finishRun(summary, stderr io.Writer, format string, o outputs, views *report.Outputs, html *os.File, cmp report.Comparison) error {
	if !o.quiet {
		if err := report.Write(summary, format, cmp, report.IsTerminal(summary)); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	if err := views.DrawTimelines(cmp, format, o.quiet, summary, stderr, noColor()); err != nil {
		return err
	}
	return finishHTML(html, views, cmp)
}
