package report

// This file owns the report command's reading of record files: its errors as the command
// says them.

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
)

// OpenRecordFiles is OpenInputs of the report command's files: stdin named twice or a file
// that cannot be opened is bad input, after "report: " or "report FILE: "; any other error
// follows "report: ". cleanup is never nil.
func OpenRecordFiles(files []string, stdin io.Reader) (inputs []ReplayInput, cleanup func(), err error) {
	inputs, cleanup, err = OpenInputs(files, stdin)
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

// ReplayFiles is Replay of the inputs opened from files: a record that does not read and
// files without records are bad input, after "report"; any other error follows "report ".
func ReplayFiles(inputs []ReplayInput, files []string, consumers func(cfg fetcher.Config, n int) []Consumer) (Comparison, error) {
	cmp, err := Replay(inputs, consumers)
	var re *ReplayError
	switch {
	case errors.As(err, &re):
		return cmp, badinput.Errorf("report %v", err)
	case errors.Is(err, ErrNoRecords):
		return cmp, badinput.Errorf("report: no records in %s", JoinNames(files))
	case err != nil:
		return cmp, fmt.Errorf("report %w", err)
	}
	return cmp, nil
}
