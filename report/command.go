package report

// This file owns the report command's reading of record files: its errors as the command
// says them.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// OpenRecordFiles is OpenInputs of the report command's files: stdin named twice or a file
// that cannot be opened is bad input, after "report: " or "report FILE: "; any other error
// follows "report: ". cleanup is never nil.
func OpenRecordFiles(ctx context.Context, files []string, stdin io.Reader) (inputs []ReplayInput, cleanup func(), err error) {
	inputs, cleanup, err = OpenInputs(ctx, files, stdin)
	var pe *os.PathError
	switch {
	case errors.Is(err, ErrStdinTwice):
		return inputs, cleanup, badinput.Errorf("report: %v", err)
	case errors.As(err, &pe):
		return inputs, cleanup, badinput.Errorf("report %s: %v", pe.Path, pe.Err)
	case err != nil:
		return inputs, cleanup, fmt.Errorf("report: %w", err)
	}
	return inputs, cleanup, nil
}

// ReplayFiles is Replay of the inputs opened from files: a record that does not read, files
// without records and too much on stdin are bad input, after "report"; ctx's error is
// returned as is; any other error follows "report ".
func ReplayFiles(ctx context.Context, inputs []ReplayInput, files []string, consumers func(cfg fetcher.Config, n int) []Consumer) (Replayed, error) {
	r, err := Replay(ctx, inputs, consumers)
	var re *ReplayError
	switch {
	case errors.As(err, &re):
		return r, badinput.Errorf("report %v", err)
	case errors.Is(err, ErrNoRecords):
		return r, badinput.Errorf("report: no records in %s", JoinNames(files))
	case errors.Is(err, ErrSpoolFull):
		return r, badinput.Errorf("report %v", err)
	case err != nil && ctx.Err() != nil:
		return r, ctx.Err()
	case err != nil:
		return r, fmt.Errorf("report %w", err)
	}
	return r, nil
}

// DuplicatesNote is one line warning of dups, "" when there are none: "report: 2 records of
// a.ndjson (first at line 7) repeat a (strategy, seq) pair of their file; each is counted".
func DuplicatesNote(dups []Duplicates) string {
	if len(dups) == 0 {
		return ""
	}
	n := 0
	var where []string
	for _, d := range dups {
		n += d.Records
		w := textsafe.Sanitize(d.Name)
		if d.Line > 0 {
			w += fmt.Sprintf(" (first at line %d)", d.Line)
		}
		where = append(where, w)
	}
	records := "records"
	if n == 1 {
		records = "record"
	}
	return fmt.Sprintf("report: %d %s of %s repeat a (strategy, seq) pair of their file; each is counted", n, records, strings.Join(where, ", "))
}
