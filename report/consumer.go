package report

import (
	"errors"

	"github.com/fetchbench/fetchbench/fetcher"
)

// Consumer takes one strategy run's record stream: Add once per record, from one goroutine
// at a time, then Close once when the run is over. Close returns the first error the consumer
// met (a failed write, say); Add never fails, so a slow or broken consumer cannot stop a run.
type Consumer interface {
	Add(r fetcher.Record)
	Close() error
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
