package report

// This file owns the adaptive limit of a run, read from its records: the limit it settled on
// and its trajectory.

import (
	"cmp"
	"slices"
	"strings"
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

// maxLimitSamples bounds the limits a Timeline keeps: past it, every other one is dropped.
const maxLimitSamples = 4096

// limitSamples keeps a bounded, evenly thinned sample of (start, limit) of a run's records.
type limitSamples struct {
	s      []limitSample
	stride int // keep one record in stride
	seen   int
}

type limitSample struct {
	at    time.Duration
	limit int
}

func (l *limitSamples) add(at time.Duration, limit int) {
	if limit <= 0 {
		return
	}
	if l.stride == 0 {
		l.stride = 1
	}
	l.seen++
	if l.seen%l.stride != 0 {
		return
	}
	l.s = append(l.s, limitSample{at, limit})
	if len(l.s) >= maxLimitSamples {
		for i := range len(l.s) / 2 {
			l.s[i] = l.s[2*i+1]
		}
		l.s = l.s[:len(l.s)/2]
		l.stride *= 2
	}
}

// sparks are the heights of a limit line, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// line draws the limit over width columns of a time axis: in each column the limit of the
// latest record started before the column's middle (the first one's before it), scaled from
// the lowest to the highest limit; "" without limits.
func (l *limitSamples) line(width int, axis time.Duration) (line string, lo, hi int) {
	if len(l.s) == 0 {
		return "", 0, 0
	}
	s := slices.Clone(l.s)
	slices.SortStableFunc(s, func(a, b limitSample) int { return cmp.Compare(a.at, b.at) })
	lo, hi = s[0].limit, s[0].limit
	for _, x := range s {
		lo, hi = min(lo, x.limit), max(hi, x.limit)
	}
	var b strings.Builder
	j := 0
	for c := range width {
		mid := time.Duration((float64(c) + 0.5) / float64(width) * float64(axis))
		for j+1 < len(s) && s[j+1].at <= mid {
			j++
		}
		if s[j].at > mid && j == 0 && mid < s[0].at-axis/time.Duration(width) {
			b.WriteByte(' ')
			continue
		}
		h := 0
		if hi > lo {
			h = (s[j].limit - lo) * (len(sparks) - 1) / (hi - lo)
		}
		if last := s[len(s)-1].at; mid > last+axis/time.Duration(width) {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(sparks[h])
	}
	return b.String(), lo, hi
}
