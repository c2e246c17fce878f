package compare

// This file owns the open-file arithmetic of a comparison: how many files it needs, and what
// to say when the limit is lower.

import (
	"fmt"
	"math"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/fdlimit"
	"github.com/fetchbench/fetchbench/internal/plural"
)

// Files is what a comparison needs of the open-file limit.
type Files struct {
	Need     uint64           // open files needed: InFlight (twice that with the server in process) plus ReservedFiles
	InFlight int              // the most requests the hungriest run may have on the wire at once
	Strategy fetcher.Strategy // that run's strategy
}

// FilesNeeded is about how many open files a comparison needs: one per request in flight in
// its hungriest run (twice that when the server runs in the same process: it holds the other
// end of every connection), plus ReservedFiles for everything else. In flight is at most the run's
// slots; without slots, every target for unbounded, and for ratelimit the requests its rate
// starts within one timeout (plus its burst). Nil Targets are work not known up front (--all):
// a run bounded by nothing but their number counts as none.
func FilesNeeded(spec Spec, inProcessServer bool) Files {
	n := math.MaxInt
	if spec.Targets != nil {
		n = spec.Targets.Len()
	}
	var f Files
	for _, c := range spec.Configs {
		inFlight := c.Strategy.MaxInFlight(c.Limits, n, c.Timeout)
		if inFlight == math.MaxInt {
			inFlight = 0
		}
		if inFlight > f.InFlight || f.Strategy == "" {
			f.InFlight, f.Strategy = inFlight, c.Strategy
		}
	}
	f.Need = uint64(f.InFlight)
	if inProcessServer {
		f.Need *= 2
	}
	f.Need += ReservedFiles
	return f
}

// RaiseFiles raises the open-file limit to what spec needs (FilesNeeded), or returns
// FilesError's error. Work found while a run goes (list pages, links) is not counted: Go
// starts every process with its soft limit at the hard one, which is all there is to raise.
func RaiseFiles(spec Spec, inProcessServer bool) error {
	files := FilesNeeded(spec, inProcessServer)
	if limit, ok := fdlimit.Raise(files.Need); !ok {
		return FilesError(files, limit, fdlimit.SystemMax(), inProcessServer)
	}
	return nil
}

// ReservedFiles are the open files counted for everything but connections: standard streams,
// the poller, listeners, the records file.
const ReservedFiles = 64

// TooFewFilesError says that Files do not fit under the open-file Limit (the hard limit,
// which could not be raised past) and what would: fewer requests in flight (Cut, from
// Strategy.CutFiles), raising the hard limit when the system maximum (SystemMax, 0: unknown)
// allows it, and with the fake in this process (InProcessServer), running it in its own.
type TooFewFilesError struct {
	Files
	Limit, SystemMax uint64
	InProcessServer  bool
	Cut              fetcher.Cut
}

func (e *TooFewFilesError) Error() string { return e.Text(e.Cut.String()) }

// Text is the error's message with cut, the Cut as the front end words it.
func (e *TooFewFilesError) Text(cut string) string {
	msg := fmt.Sprintf("%s with up to %s in flight needs about %d open files but the limit is %d; %s",
		e.Strategy, plural.N(e.InFlight, "request", "requests"), e.Need, e.Limit, cut)
	if e.SystemMax == 0 || e.Need <= e.SystemMax {
		msg += fmt.Sprintf(", or raise the hard limit as root (ulimit -Hn %d)", e.Need)
	}
	if e.InProcessServer {
		msg += ", or run the fake in its own process (fetchbench serve) to halve the need"
	}
	return msg
}

// FilesError is the *TooFewFilesError of f under limit (systemMax, inProcessServer: its
// fields); inProcessServer is FilesNeeded's: the fake runs in this process.
func FilesError(f Files, limit, systemMax uint64, inProcessServer bool) error {
	perRequest := uint64(1)
	if inProcessServer {
		perRequest = 2
	}
	fits := 1
	if limit > ReservedFiles+perRequest {
		fits = int((limit - ReservedFiles) / perRequest)
	}
	return &TooFewFilesError{Files: f, Limit: limit, SystemMax: systemMax, InProcessServer: inProcessServer, Cut: f.Strategy.CutFiles(fits)}
}
