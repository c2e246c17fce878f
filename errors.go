package main

// This file owns the exit codes and the errors that carry them.

import (
	"errors"
	"fmt"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/internal/verdict"
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

// worded is err with what main says of it: a refused wait for a server's quota names the
// flag that bounds it.
func worded(err error) error {
	if refused := (*fetcher.QuotaWaitError)(nil); errors.As(err, &refused) {
		return fmt.Errorf("%w (--max-quota-wait)", err)
	}
	return err
}

// exitCode maps run's error to the process exit code.
func exitCode(err error) int {
	var ue *badinput.Error
	var te *targets.InputError
	var fe *badinput.FieldError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &te), errors.As(err, &fe) && fe.Bad:
		return exitUsage
	case errors.Is(err, verdict.ErrInterrupted):
		return exitInterrupted
	case errors.Is(err, verdict.ErrBreached):
		return exitThreshold
	}
	return exitFailed
}
