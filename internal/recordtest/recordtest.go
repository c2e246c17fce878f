// Package recordtest keeps a run's records for a test to check.
package recordtest

import (
	"sync"

	"github.com/fetchbench/fetchbench/fetcher"
)

// Kept is a report.Consumer that keeps every record it is given, without its body. It is
// safe for concurrent use.
type Kept struct {
	mu   sync.Mutex
	recs []fetcher.Record
}

// Add keeps rec without its body.
func (k *Kept) Add(rec fetcher.Record) {
	k.mu.Lock()
	defer k.mu.Unlock()
	rec.Body = nil
	k.recs = append(k.recs, rec)
}

// Close does nothing.
func (k *Kept) Close() error { return nil }

// Records is a copy of the records kept so far, in the order they were added.
func (k *Kept) Records() []fetcher.Record {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]fetcher.Record(nil), k.recs...)
}
