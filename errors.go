package main

// This file owns the exit codes and the errors that carry them.

import (
	"errors"

	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/targets"
)

// Exit codes, as documented in README and PRODUCT.md.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitThreshold   = 3
	exitInterrupted = 130
)

// errHelp is returned by a command that printed its usage because it was asked to.
var errHelp = cliflag.ErrHelp

// usagef is bad input from the user: exit code 2.
func usagef(format string, a ...any) error { return badinput.Errorf(format, a...) }

// exitErr carries an explicit exit code; its message may be empty (already reported).
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// exitCode maps run's error to the process exit code.
func exitCode(err error) int {
	var ue *badinput.Error
	var te *targets.InputError
	var ee *exitErr
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &te):
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, targets.ErrInterrupted):
		return exitInterrupted
	}
	return exitFailed
}
