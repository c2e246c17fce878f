// Package verdict holds the ends of a command other than success, bad input and plain
// failure, as errors that main maps to exit codes: interrupted (130) and breached (3).
package verdict

import "errors"

var (
	// ErrInterrupted is what an interrupted command's error Is: its output is partial.
	ErrInterrupted = errors.New("interrupted")
	// ErrBreached is what the error of a command that finished but failed what it is judged
	// on (thresholds, failed requests, a deadline) Is.
	ErrBreached = errors.New("breached")
)

// Interrupted returns an error that Is ErrInterrupted, with message msg ("" when it has been
// said already).
func Interrupted(msg string) error { return &ended{msg: msg, kind: ErrInterrupted} }

// Breached returns an error that Is ErrBreached, with message msg ("" when it has been said
// already).
func Breached(msg string) error { return &ended{msg: msg, kind: ErrBreached} }

type ended struct {
	msg  string
	kind error
}

func (e *ended) Error() string { return e.msg }

func (e *ended) Is(target error) bool { return target == e.kind }
