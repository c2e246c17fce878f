package crawl

// This file owns the crawl command's decisions from its values: the output format and the
// verdict of a finished crawl.

import (
	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/internal/badinput"
)

// Format is the -o format of a crawl with several strategies (the summary's: table by
// default, never ndjson) or one (the documents': table on a terminal, else ndjson by default,
// never markdown); a format that does not fit is bad input naming -o.
func Format(format string, several, terminal bool) (string, error) {
	switch {
	case several && format == "":
		return "table", nil
	case several && format == "ndjson":
		return "", badinput.Errorf("-o: with several strategies the summary is table, json, csv or markdown")
	case !several && format == "markdown":
		return "", badinput.Errorf("-o: the documents are ndjson, json, csv or table")
	case format == "":
		if terminal {
			return "table", nil
		}
		return "ndjson", nil
	}
	return format, nil
}

// Verdict is how a finished crawl ends the command.
type Verdict int

const (
	// Done: every page fetched, nothing left.
	Done Verdict = iota
	// Interrupted: the crawl was interrupted and its output is partial.
	Interrupted
	// Unreachable: nothing connected (see Result.Verdict's error).
	Unreachable
	// Incomplete: past the deadline, URLs left or pages failed.
	Incomplete
)

// Verdict judges the crawl from seeds: when nothing connected it returns Unreachable with a
// *compare.UnreachableError naming the first seed's host.
func (r Result) Verdict(seeds []string) (Verdict, error) {
	switch {
	case r.Interrupted:
		return Interrupted, nil
	case r.Outcome.Unreachable != "":
		return Unreachable, &compare.UnreachableError{Host: compare.Host(seeds[0]), Reason: r.Outcome.Unreachable}
	case r.Outcome.Stats.DeadlineExceeded || r.Left > 0 || r.Failed > 0:
		return Incomplete, nil
	}
	return Done, nil
}
