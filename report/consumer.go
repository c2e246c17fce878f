package report

import (
	"errors"

	"github.com/fetchbench/fetchbench/fetcher"
)

// Consumer takes one strategy run's record stream: Add once per record, from one goroutine
// at a time, then Close once when the run is over. Close returns the first error the consumer
// met (a failed write, say); Add never fails. A consumer that also implements Failing stops
// the run at its first error; any other cannot.
type Consumer interface {
	Add(r fetcher.Record)
	Close() error
}

// Failing is implemented by a Consumer that can fail for good while a run goes on (a write
// that failed): Err returns that error, nil until then. Whoever drives the run (compare.Once)
// asks after each record and stops the run at the first error, so a broken output does not
// cost every remaining request; the scheduler never learns about it.
type Failing interface {
	Err() error
}

// Check is a Consumer that takes no records: its Err returns what the function returns (nil
// while all is well); its Close returns nil, the error being its owner's to report. It lets an output that is not a record consumer (the
// documents on stdout) stop a run; the function is called from the consumer's goroutine.
type Check func() error

// Add does nothing.
func (Check) Add(fetcher.Record) {}

// Err is c's error.
func (c Check) Err() error { return c() }

// Close returns nil.
func (Check) Close() error { return nil }

// Err is the error of the first of t's consumers that is Failing and has failed, or nil.
func (t Tee) Err() error {
	for _, c := range t {
		if f, ok := c.(Failing); ok {
			if err := f.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Tee is a Consumer that hands every record to each of its consumers in order.
type Tee []Consumer

// Add passes r to every consumer.
func (t Tee) Add(r fetcher.Record) {
	for _, c := range t {
		c.Add(r)
	}
}

// Close closes every consumer and returns their errors joined.
func (t Tee) Close() error {
	var errs []error
	for _, c := range t {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
