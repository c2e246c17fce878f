package report

// This file owns the adaptive limit of a run, read from its records: the limit it settled on
// and its trajectory.

import (
	"cmp"
	"slices"
	"time"
)

// LimitPoint is the adaptive limit from a moment of the run on: AtMS milliseconds after the
// run's first request was queued.
type LimitPoint struct {
	AtMS  float64 `json:"t_ms"`
	Limit int     `json:"limit"`
}

// MaxLimitPoints bounds a summary's limit trajectory: past it, the trajectory keeps the last
// limit of each of MaxLimitPoints equal spans of the run.
const MaxLimitPoints = 200

// limitTrace keeps the limit each adaptive record was admitted under (12 bytes a record,
// adaptive runs only), on the collector's time base.
type limitTrace struct {
	at    []int64 // ns
	limit []int32
}

func (t *limitTrace) add(at int64, limit int) {
	if limit <= 0 {
		return
	}
	t.at = append(t.at, at)
	t.limit = append(t.limit, int32(min(limit, 1<<30)))
}

// settle sorts the trace by time and returns the settled limit — the median of the limits of
// the requests admitted in the second half of the span of admissions — and the trajectory of
// changes from origin (ns) on, at most MaxLimitPoints of them. Both are zero without records.
func (t *limitTrace) settle(origin int64) (settled int, trajectory []LimitPoint) {
	n := len(t.at)
	if n == 0 {
		return 0, nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(t.at[a], t.at[b]) })
	first, last := t.at[idx[0]], t.at[idx[n-1]]
	mid := first + (last-first)/2
	var second []int32
	for _, i := range idx {
		if t.at[i] >= mid {
			second = append(second, t.limit[i])
		}
	}
	slices.Sort(second)
	settled = int(second[len(second)/2])

	span := last - first + 1
	var prev int32 = -1
	bucket := int64(-1)
	for _, i := range idx {
		l := t.limit[i]
		if l == prev {
			continue
		}
		prev = l
		p := LimitPoint{AtMS: ms(time.Duration(t.at[i] - origin)), Limit: int(l)}
		if b := (t.at[i] - first) * MaxLimitPoints / span; b == bucket && len(trajectory) > 0 {
			trajectory[len(trajectory)-1].Limit = int(l)
			continue
		} else {
			bucket = b
		}
		trajectory = append(trajectory, p)
	}
	return settled, trajectory
}
