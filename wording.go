package main

// This file owns how main words what the libraries say in their own terms: the table from a
// library's field to the flag that sets it, and the rewording of their typed errors and advice.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/swapi"
	"github.com/fetchbench/fetchbench/targets"
)

// fieldFlags maps a library's field (badinput.FieldError's Field) to the flag that sets it.
var fieldFlags = map[string]string{
	"report.Records":                "--records",
	"report.RecordsFormat":          "--records-format",
	"report.HTML":                   "--html",
	"profile.Path":                  "--cpuprofile",
	"get.Cache":                     "--cache",
	"get.Shape.Fields":              "--field",
	"crawl.Job.State":               "--state",
	"fakeswapi.Foreground.CertFile": "--cert",
	"redispool.URL":                 "--redis",
}

// targetFieldFlags maps a targets.InputError's Field to its flag.
var targetFieldFlags = map[string]string{
	"API":      "--api",
	"BaseURL":  "--base-url",
	"Template": "--url-template",
	"IDs":      "--ids",
	"URLs":     "--urls",
}

// knobFlags maps a fetcher.Knob to its flag.
var knobFlags = map[fetcher.Knob]string{
	fetcher.KnobConcurrency:    "-c",
	fetcher.KnobRate:           "-r",
	fetcher.KnobMinConcurrency: "--min-c",
}

// fakeOptionFlags maps a fakeswapi.Options field (OptionError's Field) to its flag's name.
var fakeOptionFlags = map[string]string{
	"Latency":       "fake-latency",
	"Jitter":        "fake-jitter",
	"ErrorRate":     "fake-error-rate",
	"Workers":       "fake-workers",
	"Rate":          "fake-rate",
	"Burst":         "fake-burst",
	"Seed":          "fake-seed",
	"ResetRate":     "fake-reset-rate",
	"MalformedRate": "fake-malformed-rate",
	"SlowBodyRate":  "fake-slow-body-rate",
	"SlowBody":      "fake-slow-body",
	"OversizeRate":  "fake-oversize-rate",
	"OversizeBytes": "fake-oversize-bytes",
	"Profile":       "fake-profile",
	"TimeScale":     "fake-time-scale",
	"AbsoluteLinks": "absolute-links",
}

// wordCut words a fetcher.Cut with the flags that set its knobs.
func wordCut(c fetcher.Cut) string {
	knob, value := knobFlags[c.Knob], c.Value
	switch c.Kind {
	case fetcher.CutSwitch:
		return fmt.Sprintf("use -s %s %s %d", c.Use, knob, value)
	case fetcher.CutCap:
		return fmt.Sprintf("lower %s, or cap it with %s %d", knobFlags[c.Lower], knob, value)
	case fetcher.CutCeiling:
		return fmt.Sprintf("lower the ceiling: %s %d", knob, value)
	}
	return fmt.Sprintf("lower %s to %d", knob, value)
}

// wordError rewords the typed errors of the libraries that name a field, a knob or an option,
// naming the flag instead; whatever wraps them keeps its words before them. Bad input stays
// bad input (exit 2). Other errors are returned as they are.
func wordError(err error) error {
	if err == nil {
		return nil
	}
	inner, worded := wordInner(err)
	if inner == nil {
		return err
	}
	prefix := strings.TrimSuffix(err.Error(), inner.Error())
	if prefix == err.Error() {
		prefix = ""
	}
	if isBad(inner) {
		return usagef("%s%s", prefix, worded)
	}
	return &wordedError{msg: prefix + worded, err: err}
}

// wordedError is a failure reworded by wordError: its message, and the error it words.
type wordedError struct {
	msg string
	err error
}

func (e *wordedError) Error() string { return e.msg }

func (e *wordedError) Unwrap() error { return e.err }

// isBad reports whether err, a typed error wordInner found, is bad input.
func isBad(err error) bool {
	var fe *badinput.FieldError
	var te *compare.TooFewFilesError
	var ue *targets.UnreachableError
	switch {
	case errors.As(err, &fe):
		return fe.Bad
	case errors.As(err, &te), errors.As(err, &ue):
		return false
	}
	return true
}

// wordInner finds in err's chain a typed error that names a field, and returns it with its
// message worded with flags; nil when there is none.
func wordInner(err error) (error, string) {
	var (
		fe    *badinput.FieldError
		te    *targets.InputError
		floor *fetcher.FloorError
		files *compare.TooFewFilesError
		down  *targets.UnreachableError
	)
	switch {
	case errors.As(err, &fe):
		name := fieldFlags[fe.Field]
		if name == "" {
			return nil, ""
		}
		if fe.Arg != "" {
			name += " " + fe.Arg
		}
		return fe, name + ": " + fe.Err.Error()
	case errors.As(err, &te):
		name := targetFieldFlags[te.Field]
		if name == "" {
			return nil, ""
		}
		if te.Arg != "" {
			name += " " + te.Arg
		}
		return te, name + ": " + te.Err.Error()
	case errors.As(err, &floor):
		return floor, fmt.Sprintf("--min-c %d is above the adaptive ceiling -c %d", floor.Floor, floor.Ceiling)
	case errors.As(err, &files):
		return files, files.Text(wordCut(files.Cut))
	case errors.As(err, &down):
		return down, down.Err.Error() + unreachableHint(down.Others)
	}
	return nil, ""
}

// wordFakeOptions words fakeswapi.Options.Validate's error of o naming the flag of the field
// at fault, as bad input.
func wordFakeOptions(o fakeswapi.Options, err error) error {
	var oe *fakeswapi.OptionError
	if !errors.As(err, &oe) {
		return usagef("fake SWAPI flags: %v", err)
	}
	if oe.Field == "" {
		sum := o.ErrorRate + o.ResetRate + o.MalformedRate + o.SlowBodyRate + o.OversizeRate
		return usagef("the --fake-*-rate fault shares sum to %g, more than 1 "+
			"(error, reset, malformed, slow body and oversize exclude each other)", sum)
	}
	name, ok := fakeOptionFlags[oe.Field]
	if !ok {
		return usagef("fake SWAPI flags: %v", err)
	}
	return usagef("--%s %s", name, oe.Msg)
}

// unreachableHint follows the message that a SWAPI could not be reached: try the fake or
// another SWAPI (others, targets.Spec.Others), each with when to use it. Offline (no others)
// there is nothing to suggest.
func unreachableHint(others []*swapi.Dialect) string {
	if others == nil {
		return ""
	}
	advice := make([]string, len(others))
	for i, d := range others {
		advice[i] = "--api " + d.Name + " " + d.Advice
	}
	return "; is it up? try --offline (the built-in fake SWAPI), or another SWAPI: " + strings.Join(advice, ", ")
}
