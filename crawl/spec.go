package crawl

// This file owns the crawl command's decisions from its values: the output format and the
// verdict of a finished crawl.

import (
	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/internal/verdict"
)

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
