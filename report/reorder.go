package report

import (
	"slices"

	"github.com/fetchbench/fetchbench/fetcher"
)

// Reorderer turns one strategy run's records from completion order into input order: it passes
// them to next strictly by Seq (0, 1, 2, ...), holding back only the records that arrive ahead
// of a missing one. The zero value is not usable; call NewReorderer. A Reorderer is not safe
// for concurrent use.
type Reorderer struct {
	next    func(fetcher.Record) error
	want    int
	pending map[int]fetcher.Record
}

// NewReorderer returns a Reorderer that emits to next, starting at Seq 0.
func NewReorderer(next func(fetcher.Record) error) *Reorderer {
	return &Reorderer{next: next, pending: map[int]fetcher.Record{}}
}

// Add takes one record and emits every record that is now due. A record whose Seq was already
// emitted, or is negative, is passed on at once. The first error from next is returned; the
// records not yet emitted stay pending.
func (o *Reorderer) Add(r fetcher.Record) error {
	if r.Seq < o.want {
		return o.next(r)
	}
	if r.Seq > o.want {
		o.pending[r.Seq] = r
		return nil
	}
	for {
		o.want++
		if err := o.next(r); err != nil {
			return err
		}
		var ok bool
		if r, ok = o.pending[o.want]; !ok {
			return nil
		}
		delete(o.pending, o.want)
	}
}

// Pending is the number of records held back.
func (o *Reorderer) Pending() int { return len(o.pending) }

// Flush emits the held-back records in Seq order, skipping the gaps, for a run that ended
// without some of its records. It returns the first error from next.
func (o *Reorderer) Flush() error {
	seqs := make([]int, 0, len(o.pending))
	for seq := range o.pending {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	for _, seq := range seqs {
		r := o.pending[seq]
		delete(o.pending, seq)
		o.want = seq + 1
		if err := o.next(r); err != nil {
			return err
		}
	}
	return nil
}
