package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/plural"
)

// TimelineRows is how many rows a timeline draws at most: past that, consecutive requests
// (by input position) share a row.
const TimelineRows = 40

// Timeline is the Consumer that keeps what a strategy run's waterfall draws, in bounded
// memory: one span per row, at most TimelineRows rows whatever the number of requests.
type Timeline struct {
	label string
	n     int // requests expected; rows group ceil(n/TimelineRows) of them
	group int
	rows  []span // records outside 0..n-1 (Seq −1: a follow-up request) are not drawn
	limit limitSamples
}

// span is one row: the earliest time a request of it was queued, the earliest start, the
// latest end, and its requests and failures.
type span struct {
	queued, start, end    time.Duration
	requests, ran, failed int // ran: requests that went on the wire
}

// NewTimeline returns the timeline of a run labelled label (e.g. "semaphore c=10") over n
// requests.
func NewTimeline(label string, n int) *Timeline {
	n = max(n, 1)
	group := (n + TimelineRows - 1) / TimelineRows
	rows := make([]span, (n+group-1)/group)
	for i := range rows {
		rows[i].queued, rows[i].start = -1, -1
	}
	return &Timeline{label: label, n: n, group: group, rows: rows}
}

// Add places r in its row.
func (t *Timeline) Add(r fetcher.Record) {
	t.limit.add(r.Start, r.Limit)
	if r.Seq < 0 || r.Seq >= t.n {
		return
	}
	s := &t.rows[r.Seq/t.group]
	queued := r.Start - r.Queue
	end := r.Start + r.Total
	if r.Attempts == 0 {
		end = r.Start
	}
	if s.queued < 0 || queued < s.queued {
		s.queued = queued
	}
	if s.start < 0 || r.Start < s.start {
		s.start = r.Start
	}
	s.end = max(s.end, end)
	s.requests++
	if r.Attempts > 0 {
		s.ran++
	}
	if !r.OK() {
		s.failed++
	}
}

// Close ends the stream; it never fails.
func (t *Timeline) Close() error { return nil }

// end is the latest end of the run.
func (t *Timeline) end() time.Duration {
	var e time.Duration
	for _, s := range t.rows {
		e = max(e, s.end)
	}
	return e
}

// TimelineOptions shape WriteTimelines.
type TimelineOptions struct {
	// Own gives each timeline its own time axis; by default they share one, so that their
	// lengths compare.
	Own bool
	// Color uses ANSI colours (wire time, queue wait, failures).
	Color bool
	// Width is the number of columns of the bars (default 60).
	Width int
}

// ANSI colours of the timeline.
const (
	colorWire   = "\x1b[36m" // cyan
	colorQueue  = "\x1b[2m"  // dim
	colorFailed = "\x1b[31m" // red
	colorReset  = "\x1b[0m"
)

// WriteTimelines draws each run as a waterfall: one row per request (or per group of
// requests, said in its heading), "·" while a request waited for a slot or a token, "█" on
// the wire, "✗" after a row with a failure; then a time axis.
func WriteTimelines(w io.Writer, ts []*Timeline, o TimelineOptions) error {
	width := o.Width
	if width <= 0 {
		width = 60
	}
	var shared time.Duration
	for _, t := range ts {
		shared = max(shared, t.end())
	}
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte('\n')
		}
		axis := shared
		if o.Own {
			axis = t.end()
		}
		axis = max(axis, time.Microsecond)
		heading := Sanitize(t.label)
		if t.group > 1 {
			heading += fmt.Sprintf(" (%s, %d per row)", plural.N(t.n, "request", "requests"), t.group)
		}
		b.WriteString(heading + "\n")
		col := func(d time.Duration) int {
			return min(width, int(float64(d)/float64(axis)*float64(width)+0.5))
		}
		for r, s := range t.rows {
			label := fmt.Sprintf("%4d", r*t.group+1)
			if t.group > 1 {
				label = fmt.Sprintf("%4d–%-4d", r*t.group+1, min((r+1)*t.group, t.n))
			}
			b.WriteString(label + " │")
			if s.requests == 0 {
				b.WriteString(strings.Repeat(" ", width) + "│\n")
				continue
			}
			q, st, e := col(max(s.queued, 0)), col(s.start), col(s.end)
			switch {
			case s.ran == 0:
				e = st // given up before it started: its wait only
			case e <= st:
				e = min(st+1, width) // every request that ran shows
				st = e - 1
			}
			q = min(q, st)
			b.WriteString(strings.Repeat(" ", q))
			paint(&b, o.Color, colorQueue, strings.Repeat("·", st-q))
			paint(&b, o.Color, colorWire, strings.Repeat("█", e-st))
			b.WriteString(strings.Repeat(" ", width-e) + "│")
			if s.failed > 0 {
				mark := " ✗"
				if s.requests > 1 {
					mark += fmt.Sprintf(" %d", s.failed)
				}
				paint(&b, o.Color, colorFailed, mark)
			}
			b.WriteByte('\n')
		}
		pad := 5
		if t.group > 1 {
			pad = 10
		}
		if line, lo, hi := t.limit.line(width, axis); line != "" {
			b.WriteString(fmt.Sprintf("%-*s│%s│ limit %d..%d\n", pad, "limit", line, lo, hi))
		}
		b.WriteString(strings.Repeat(" ", pad) + "└" + strings.Repeat("─", width) + "┘\n")
		left, right := "0", human(axis)
		b.WriteString(strings.Repeat(" ", pad) + left + strings.Repeat(" ", max(1, width+2-len(left)-len(right))) + right + "\n")
	}
	if len(ts) > 0 {
		b.WriteString("\n· waiting for a slot or a token   █ on the wire   ✗ failed")
		for _, t := range ts {
			if len(t.limit.s) > 0 {
				b.WriteString("   ▁▄█ the adaptive limit")
				break
			}
		}
		if !o.Own && len(ts) > 1 {
			b.WriteString("   (one time axis for all)")
		}
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write timeline: %w", err)
	}
	return nil
}

// paint writes s, in colour c when color is set.
func paint(b *strings.Builder, color bool, c, s string) {
	if s == "" {
		return
	}
	if color {
		b.WriteString(c + s + colorReset)
		return
	}
	b.WriteString(s)
}

// RunLabel names a run by its strategy and parameters: "sequential", "semaphore c=10",
// "ratelimit r=10/s b=1".
func RunLabel(cfg fetcher.Config) string {
	if p := cfg.Strategy.Params(cfg.Limits); p != "-" {
		return string(cfg.Strategy) + " " + p
	}
	return string(cfg.Strategy)
}
