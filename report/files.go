package report

// This file owns the files a command's flags name for its outputs: opening the records and
// the HTML report up front, closing them, and refusing two flags naming one file.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fetchbench/fetchbench/internal/badinput"
)

// OpenRecords opens the records file at path: nil for "", stdout for "-" (left open), else the file,
// truncated or, with appendTo, appended to. A path that cannot be created is bad input
// (badinput.FieldError) in field "report.Records", a bad format in "report.RecordsFormat".
func OpenRecords(path, format string, inputOrder, appendTo bool, stdout io.Writer) (*RecordsOut, error) {
	if path == "" {
		return nil, nil
	}
	w, file := stdout, io.Closer(nil)
	if path != "-" {
		open := os.Create
		if appendTo {
			open = func(p string) (*os.File, error) { return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644) }
		}
		f, err := open(path)
		if err != nil {
			return nil, badinput.Field("report.Records", err)
		}
		w, file = f, f
	}
	recs, err := NewRecordsOut(w, file, format, inputOrder)
	if err != nil {
		return nil, badinput.Field("report.RecordsFormat", err)
	}
	return recs, nil
}

// CreateHTML creates the --html file up front, so that a bad path fails before any request
// (bad input in field "report.HTML", a badinput.FieldError); nil for path "".
func CreateHTML(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, badinput.Field("report.HTML", err)
	}
	return f, nil
}

// Destination is where what follows a command's runs goes.
type Destination struct {
	Format  string    // the summary's format
	Quiet   bool      // no summary
	Summary io.Writer // the summary, and the timelines unless Quiet
	Stderr  io.Writer // the timelines when Quiet, and their notes
	NoColor bool      // timelines without colour
	HTML    *os.File  // the HTML report; nil: none
}

// Finish writes what follows a command's runs to d: unless d.Quiet, the summary of c; the
// timelines (DrawTimelines); then the HTML report into d.HTML, which it closes (a report cut
// short stays empty).
func (o *Outputs) Finish(c Comparison, d Destination) error {
	c.OptionNamer = o.OptionNamer
	if !d.Quiet {
		if err := Write(d.Summary, d.Format, c, IsTerminal(d.Summary)); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	if err := o.DrawTimelines(c, d.Format, d.Quiet, d.Summary, d.Stderr, d.NoColor); err != nil {
		return err
	}
	return o.FinishHTML(d.HTML, c)
}

// FinishHTML writes the HTML report of c into f (nil: none) and closes it; its error is a
// badinput.FieldError (not bad input) in field "report.HTML".
func (o *Outputs) FinishHTML(f *os.File, c Comparison) error {
	if f == nil {
		return nil
	}
	err := o.WriteHTML(f, c)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return &badinput.FieldError{Field: "report.HTML", Err: err}
	}
	return nil
}

// NamedPath is a path given to a flag (or an argument, as its name says).
type NamedPath struct{ Name, Path string }

// DistinctPaths refuses two of paths naming one file ("" and "-" name none), as bad input:
// written twice, or read while written, both would be corrupt. Paths are compared cleaned and
// absolute, and as files when both exist (a symlink or hard link to the other).
func DistinctPaths(paths ...NamedPath) error {
	for i, a := range paths {
		for _, b := range paths[i+1:] {
			if a.Path == "" || a.Path == "-" || b.Path == "" || b.Path == "-" || !samePath(a.Path, b.Path) {
				continue
			}
			return badinput.Errorf("%s and %s name the same file %q; give each its own", a.Name, b.Name, a.Path)
		}
	}
	return nil
}

// NotStdout refuses a path of paths naming the regular file stdout writes to (stdout an
// *os.File redirected to it: "--records f > f"), as bad input naming the path's flag: written
// twice, the file would be corrupt. A stdout that is not a file (a buffer, a pipe, a terminal,
// /dev/null) names none.
func NotStdout(stdout io.Writer, paths ...NamedPath) error {
	f, ok := stdout.(*os.File)
	if !ok {
		return nil
	}
	out, err := f.Stat()
	if err != nil || !out.Mode().IsRegular() {
		return nil
	}
	for _, p := range paths {
		if p.Path == "" || p.Path == "-" {
			continue
		}
		if fi, err := os.Stat(p.Path); err == nil && os.SameFile(fi, out) {
			return badinput.Errorf("%s names the file stdout is redirected to (%q); give it its own", p.Name, p.Path)
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

// FinishRepetition writes what follows repetition i (from 0) of repeat to d: unless
// d.Quiet, its summary (WriteRepetition); the timelines (DrawTimelines); and, after the last
// repetition or an interrupted one, the HTML report into d.HTML, which it closes.
func (o *Outputs) FinishRepetition(c Comparison, i, repeat int, d Destination) error {
	c.OptionNamer = o.OptionNamer
	if !d.Quiet {
		if err := WriteRepetition(d.Summary, d.Format, c, i, repeat); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	if err := o.DrawTimelines(c, d.Format, d.Quiet, d.Summary, d.Stderr, d.NoColor); err != nil {
		return err
	}
	if i == repeat-1 || c.Interrupted() {
		return o.FinishHTML(d.HTML, c)
	}
	return nil
}

// WriteRepetition writes repetition i of repeat: benchstat lines after the first's summary, or
// each repetition's table under a line naming its order; under a single run's table, a note
// when latency grew with run order.
func WriteRepetition(w io.Writer, format string, c Comparison, i, repeat int) error {
	if format == "benchstat" {
		return WriteRepeat(w, format, c, i, IsTerminal(w))
	}
	if repeat > 1 {
		var order []string
		for _, s := range c.Summaries {
			order = append(order, string(s.Strategy))
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "repetition %d of %d: %s\n\n", i+1, repeat, strings.Join(order, ", "))
	}
	if err := Write(w, format, c, IsTerminal(w)); err != nil {
		return err
	}
	if bias := c.OrderBias(); repeat == 1 && bias != "" && (format == "table" || format == "markdown") {
		_, err := fmt.Fprintln(w, "\n"+bias)
		return err
	}
	return nil
}
