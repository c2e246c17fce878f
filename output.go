package main

// This file owns opening a run's outputs: the records (the comparison's and get's), the
// timelines and the HTML report.

import (
	"fmt"
	"io"
	"os"

	"github.com/fetchbench/fetchbench/fetcher"
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

// recordsOut is where --records go: nothing, stdout or a file, as one report.RecordStream.
type recordsOut struct {
	stream *report.RecordStream // nil without --records
	file   *os.File             // nil unless a file
	closed bool
}

// open opens --records and returns it with the summary's writer: stdout, or stderr when the
// records take stdout.
func (o outputs) open(stdout, stderr io.Writer) (*recordsOut, io.Writer, error) {
	out := &recordsOut{}
	if o.records == "" {
		return out, stdout, nil
	}
	w, summary := stdout, stderr
	if o.records != "-" {
		f, err := os.Create(o.records)
		if err != nil {
			return nil, nil, usagef("--records: %v", err)
		}
		out.file, w, summary = f, f, stdout
	}
	s, err := report.NewRecordStream(w, o.format, o.order == "input", report.IsTerminal(w))
	if err != nil {
		out.close()
		return nil, nil, usagef("--records-format: %v", err)
	}
	out.stream = s
	return out, summary, nil
}

// consumers are the consumers of one run's records.
func (o *recordsOut) consumers() []report.Consumer {
	if o.stream == nil {
		return nil
	}
	return []report.Consumer{o.stream.Run()}
}

// close flushes and closes the records once; later calls return nil.
func (o *recordsOut) close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	var err error
	if o.stream != nil {
		err = o.stream.Close()
	}
	if o.file != nil {
		if cerr := o.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// drawTimelines draws the runs' waterfalls, and a chart of each sweep, when --timeline asks
// for them: after a table or
// markdown summary, on its writer; on stderr when the summary is for machines (JSON, CSV,
// benchstat) or absent (-q). Colour only on a terminal, and never with NO_COLOR set (not empty).
func (o outputs) drawTimelines(ts []*report.Timeline, sweeps []report.Sweep, summary, stderr io.Writer) error {
	if o.timeline == "" || len(ts) == 0 {
		return nil
	}
	w := summary
	if o.quiet || (o.summary != "table" && o.summary != "markdown") {
		w = stderr
	} else {
		fmt.Fprintln(w)
	}
	noColor := os.Getenv("NO_COLOR") != "" // no-color.org: set and not empty
	opts := report.TimelineOptions{Own: o.timeline == "own", Color: report.IsTerminal(w) && !noColor}
	if err := report.WriteTimelines(w, ts, opts); err != nil {
		return err
	}
	return report.WriteSweepCharts(w, sweeps, opts.Color)
}

// htmlReport is the --html file being built: one report.HTMLRun per run.
type htmlReport struct {
	file   *os.File
	runs   []*report.HTMLRun
	closed bool
}

// close closes the file if write has not; a report cut short stays empty.
func (h *htmlReport) close() {
	if h != nil && !h.closed {
		h.closed = true
		h.file.Close()
	}
}

// openHTML creates the --html file up front, so that a bad path fails before any request.
func (o outputs) openHTML() (*htmlReport, error) {
	if o.html == "" {
		return nil, nil
	}
	f, err := os.Create(o.html)
	if err != nil {
		return nil, usagef("--html: %v", err)
	}
	return &htmlReport{file: f}, nil
}

// consumer is the report part of one more run, or nil without --html.
func (h *htmlReport) consumer(cfg fetcher.Config, n int) report.Consumer {
	if h == nil {
		return nil
	}
	r := report.NewHTMLRun(report.RunLabel(cfg), n)
	h.runs = append(h.runs, r)
	return r
}

// write writes the report of c (whose runs are the last len(c.Summaries) consumers) and
// closes the file.
func (h *htmlReport) write(c report.Comparison) error {
	if h == nil {
		return nil
	}
	runs := h.runs[max(0, len(h.runs)-len(c.Summaries)):]
	err := report.WriteHTML(h.file, c, runs)
	h.closed = true
	if cerr := h.file.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return nil
}
