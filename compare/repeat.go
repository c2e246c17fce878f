package compare

// This file owns the repetitions of a comparison: the configs run repeat times, their order
// rotated each time.

import (
	"context"
	"io"

	"github.com/fetchbench/fetchbench/report"
)

// Repetitions are a comparison run Repeat times.
type Repetitions struct {
	// Spec is run once per repetition, its configs rotated by the repetition's index (Rotate).
	Spec Spec
	// Repeat is the number of repetitions; below 1 means 1.
	Repeat int
	// Discovery, when not nil, is the summary of --all's discovery, the first comparison's.
	Discovery *report.Summary
	// Records, when not nil, is closed after the last repetition, an error or an
	// interruption; its error is Repeat's when the run had none.
	Records io.Closer
	// Each is called with each repetition's comparison (i from 0), in order; its error stops
	// the repetitions and is Repeat's.
	Each func(i int, c report.Comparison) error
}

// Repeat runs r's repetitions one after another and returns every repetition's summaries,
// for the thresholds. It stops after an interrupted repetition (Each sees it, and it is the
// last) and at the first error: Run's, the records' or Each's.
func Repeat(ctx context.Context, r Repetitions) ([]report.Summary, error) {
	var all []report.Summary
	repeat := max(r.Repeat, 1)
	for i := range repeat {
		spec := r.Spec
		spec.Configs = Rotate(r.Spec.Configs, i)
		cmp, err := Run(ctx, spec)
		if i == 0 && r.Discovery != nil {
			cmp.Discovery = []report.Summary{*r.Discovery}
		}
		if (i == repeat-1 || err != nil || cmp.Interrupted()) && r.Records != nil {
			if cerr := r.Records.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, err
		}
		if err := r.Each(i, cmp); err != nil {
			return nil, err
		}
		if cmp.Interrupted() {
			break
		}
		all = append(all, cmp.Summaries...)
	}
	return all, nil
}
