package report

// This file owns turning the names of record files into Replay's inputs, and naming them in
// a message.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// ErrStdinTwice is returned by OpenInputs when "-" (stdin) is named more than once.
var ErrStdinTwice = errors.New("- (stdin) given twice")

// OpenInputs checks that every named file can be opened (Replay opens them again later) and
// returns their inputs; "-" names stdin, which is copied to a temporary file since Replay
// reads its inputs twice. cleanup, never nil, removes that file; call it even on an error.
// An unreadable file is os.Open's *os.PathError; a second "-" is ErrStdinTwice.
func OpenInputs(names []string, stdin io.Reader) (inputs []ReplayInput, cleanup func(), err error) {
	cleanup = func() {}
	if i := slices.Index(names, "-"); i >= 0 && slices.Contains(names[i+1:], "-") {
		return nil, cleanup, ErrStdinTwice
	}
	for _, name := range names {
		path := name
		if name == "-" {
			tmp, err := os.CreateTemp("", "fetchbench-report-*")
			if err != nil {
				return nil, cleanup, fmt.Errorf("spool stdin: %w", err)
			}
			prev := cleanup
			cleanup = func() { tmp.Close(); os.Remove(tmp.Name()); prev() }
			if _, err := io.Copy(tmp, stdin); err != nil {
				return nil, cleanup, fmt.Errorf("read stdin: %w", err)
			}
			path = tmp.Name()
		} else if f, err := os.Open(name); err != nil {
			return nil, cleanup, err
		} else {
			f.Close()
		}
		inputs = append(inputs, ReplayInput{Name: name, Open: func() (io.ReadCloser, error) { return os.Open(path) }})
	}
	return inputs, cleanup, nil
}

// JoinNames joins names for a message: "a", "a and b", "a, b and c".
func JoinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
