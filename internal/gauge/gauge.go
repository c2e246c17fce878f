// Package gauge counts things in progress and remembers the most at once.
package gauge

import "sync/atomic"

// Gauge is a count of things in progress with its peak. The zero value is ready; it is safe
// for concurrent use.
type Gauge struct {
	cur, peak atomic.Int64
}

// Inc adds one, raises the peak to the new value if it is higher, and returns the new value.
func (g *Gauge) Inc() int64 {
	n := g.cur.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return n
		}
	}
}

// Dec subtracts one.
func (g *Gauge) Dec() { g.cur.Add(-1) }

// Value is the current count.
func (g *Gauge) Value() int64 { return g.cur.Load() }

// Peak is the highest count seen since the start or the last ResetPeak.
func (g *Gauge) Peak() int64 { return g.peak.Load() }

// ResetPeak sets the peak to the current count.
func (g *Gauge) ResetPeak() { g.peak.Store(g.cur.Load()) }
