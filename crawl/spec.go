package crawl

// This file owns the crawl command's decisions from its values: the output format and the
// verdict of a finished crawl.

import (
	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
)

// Flags are the crawl command's values its combinations are checked on.
type Flags struct {
	Offline, Site bool     // --offline, --offline-site
	Seeds         []string // the URLs to start from
	Records       string   // --records: "" none, "-" stdout
	RecordsFormat string   // --records-format as given, "" when not
	FormatSet     bool     // --records-format was given
	InputOrder    bool     // --order input
	State         string   // --state
	Strategies    int      // how many strategies -s names
}

// Check checks the combinations of f and that each seed is an absolute http(s) URL (not with
// a fake, whose root is the seed); its errors are bad input naming the flags.
func (f Flags) Check() error {
	offline := f.Offline || f.Site
	switch {
	case f.Offline && f.Site:
		return badinput.Errorf("--offline and --offline-site each start a fake; give one")
	case offline && len(f.Seeds) > 0:
		return badinput.Errorf("--offline and --offline-site crawl the fake from its root; drop the URLs")
	case !offline && len(f.Seeds) == 0:
		return badinput.Errorf("crawl needs a URL to start from, or --offline (see fetchbench crawl --help)")
	case f.Records == "" && f.FormatSet:
		return badinput.Errorf("--records-format needs --records")
	case f.State != "" && f.Strategies > 1:
		return badinput.Errorf("--state resumes one crawl: give one strategy with -s")
	case f.State != "" && f.InputOrder:
		return badinput.Errorf("--state writes records as they complete: drop --order input")
	case f.State != "" && (f.RecordsFormat == "csv" || (f.RecordsFormat == "" && report.FormatFromPath(f.Records) == "csv")):
		return badinput.Errorf("--state appends to --records: use NDJSON records")
	case f.Records == "-" && f.Strategies <= 1:
		return badinput.Errorf("--records -: stdout carries the documents; write the records to a file")
	}
	if !offline {
		for _, s := range f.Seeds {
			if _, err := fetcher.NormalizeURL(s); err != nil {
				return badinput.Errorf("crawl: %v", err)
			}
		}
	}
	return nil
}

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

// Err is how the crawl from seeds ends the command: nil when every page was fetched and
// nothing is left; an error Is verdict.ErrInterrupted when it was interrupted; a
// *compare.UnreachableError naming the first seed's host when nothing connected; an error Is
// verdict.ErrBreached past the deadline, with URLs left or pages failed.
func (r Result) Err(seeds []string) error {
	switch {
	case r.Interrupted:
		return verdict.Interrupted("interrupted; the output above is partial")
	case r.Outcome.Unreachable != "":
		return &compare.UnreachableError{Host: compare.Host(seeds[0]), Reason: r.Outcome.Unreachable}
	case r.Outcome.Stats.DeadlineExceeded || r.Left > 0 || r.Failed > 0:
		return verdict.Breached("")
	}
	return nil
}
