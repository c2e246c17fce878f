package fakeswapi

// This file owns the fake's flags as the commands name them: --fake-workers' schedule and
// Options checked with each error naming its flag.

import (
	"errors"

	"github.com/fetchbench/fetchbench/internal/badinput"
)

// WorkerSchedule is a --fake-workers value: a count, or counts from given moments.
type WorkerSchedule struct {
	Workers int
	Steps   []WorkerStep
}

// ParseWorkerSchedule parses a --fake-workers value (see ParseWorkers).
func ParseWorkerSchedule(s string) (WorkerSchedule, error) {
	n, steps, err := ParseWorkers(s)
	return WorkerSchedule{n, steps}, err
}

// Capacity is the fake's true capacity: its fixed number of workers; 0 when unlimited or
// when it changes during the run.
func (w WorkerSchedule) Capacity() int {
	if len(w.Steps) > 0 {
		return 0
	}
	return w.Workers
}

// flagNames maps an Options field to its flag.
var flagNames = map[string]string{
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

// CheckFlags validates o as Validate does; its error is bad input (badinput.Error) naming
// the --fake-* flag of the field at fault.
func (o Options) CheckFlags() error {
	err := o.Validate()
	if err == nil {
		return nil
	}
	var oe *OptionError
	if errors.As(err, &oe) {
		if name, ok := flagNames[oe.Field]; ok {
			return badinput.Errorf("--%s %s", name, oe.Msg)
		}
		if oe.Field == "" {
			sum := o.ErrorRate + o.ResetRate + o.MalformedRate + o.SlowBodyRate + o.OversizeRate
			return badinput.Errorf("the --fake-*-rate fault shares sum to %g, more than 1 "+
				"(error, reset, malformed, slow body and oversize exclude each other)", sum)
		}
	}
	return badinput.Errorf("fake SWAPI flags: %v", err)
}
