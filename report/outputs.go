package report

// This file owns a command's outputs besides its summary: which consumers each run gets
// (records, progress line, timeline, HTML report run), where the timelines are drawn, and
// which runs the HTML report shows.

import (
	"fmt"
	"io"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
)

// Outputs are the optional outputs of a command's runs besides the summary. Its exported
// fields are set once, from the flags; Consumers is called once per run, in run order; then
// DrawTimelines after each summary and WriteHTML at the end. The zero value adds nothing. It
// is not safe for concurrent use; it closes no writer.
type Outputs struct {
	// Records, when not nil, gets every run's records.
	Records *RecordStream
	// Progress, when not nil, gets one progress line per run (see Progress).
	Progress io.Writer
	// Timeline is "" for no waterfalls, "shared" for one time axis, "own" for one per run.
	Timeline string
	// HTML collects the runs of an HTML report (see WriteHTML).
	HTML bool
	// OptionNamer is the Comparison.OptionNamer of the comparisons it writes; nil words the
	// options.
	OptionNamer naming.Namer

	timelines []*Timeline // since the last DrawTimelines
	htmlRuns  []*HTMLRun  // every run's, in run order
}

// Consumers are the consumers of the records of one run of cfg over n targets.
func (o *Outputs) Consumers(cfg fetcher.Config, n int) []Consumer {
	var cs []Consumer
	if o.Records != nil {
		cs = append(cs, o.Records.Run())
	}
	if o.HTML {
		h := NewHTMLRun(RunLabel(cfg), n)
		o.htmlRuns = append(o.htmlRuns, h)
		cs = append(cs, h)
	}
	if o.Progress != nil {
		cs = append(cs, NewProgress(o.Progress, string(cfg.Strategy), n))
	}
	if o.Timeline != "" {
		t := NewTimeline(RunLabel(cfg), n)
		o.timelines = append(o.timelines, t)
		cs = append(cs, t)
	}
	return cs
}

// DrawTimelines draws the waterfalls of the runs since its last call, then a chart of each
// sweep of c, when Timeline asks for them, and forgets those runs. They follow a table or
// markdown summary (format) on its writer, after a blank line; they go to stderr when the
// summary is for machines (JSON, CSV, benchstat) or absent (quiet). Colour only when the
// chosen writer is a terminal and noColor is false.
func (o *Outputs) DrawTimelines(c Comparison, format string, quiet bool, summary, stderr io.Writer, noColor bool) error {
	ts := o.timelines
	o.timelines = nil
	if o.Timeline == "" || len(ts) == 0 {
		return nil
	}
	w := summary
	if quiet || (format != "table" && format != "markdown") {
		w = stderr
	} else {
		fmt.Fprintln(w)
	}
	opts := TimelineOptions{Own: o.Timeline == "own", Color: IsTerminal(w) && !noColor}
	if err := WriteTimelines(w, ts, opts); err != nil {
		return err
	}
	return WriteSweepCharts(w, Sweeps(c), opts.Color)
}

// WriteHTML writes the HTML report of c, whose runs are the last len(c.Summaries) that
// Consumers was called for, to w.
func (o *Outputs) WriteHTML(w io.Writer, c Comparison) error {
	c.OptionNamer = o.OptionNamer
	runs := o.htmlRuns[max(0, len(o.htmlRuns)-len(c.Summaries)):]
	return WriteHTML(w, c, runs)
}

// ShowProgress decides --progress: always, never, or for auto when stderr is a terminal that
// does not also show the records (a progress line would run into them).
func ShowProgress(mode string, stderrTerminal, recordsOnTerminal bool) bool {
	return mode == "always" || mode == "auto" && stderrTerminal && !recordsOnTerminal
}

// WriteRepeat writes the summary of repetition i (from 0) of runs repeated for benchstat:
// the first as Write does, in format, every later one as benchstat lines without the
// configuration header, so that one file holds every sample.
func WriteRepeat(w io.Writer, format string, c Comparison, i int, terminal bool) error {
	if i == 0 {
		return Write(w, format, c, terminal)
	}
	return WriteBenchstat(w, c, false)
}
