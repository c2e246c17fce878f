package fakeswapi

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fetchbench/fetchbench/internal/gauge"
)

// Stats is what a Server observed since it started or was last reset. It is also the JSON
// schema of GET /__stats. Requests to /__stats themselves are never counted.
type Stats struct {
	// Requests is the number of requests that arrived, whatever their outcome.
	Requests int64 `json:"requests"`
	// InFlight is the number of requests arrived and not yet finished, queued ones included.
	InFlight int64 `json:"in_flight"`
	// InService is the number of requests being served: holding a worker slot when
	// Options.Workers > 0, past the rate check otherwise. Queued requests are not in service.
	InService int64 `json:"in_service"`
	// PeakConcurrent is the largest InService seen: the peak number of concurrent requests.
	PeakConcurrent int64 `json:"peak_concurrent"`
	// PeakInFlight is the largest InFlight seen, queued requests included.
	PeakInFlight int64 `json:"peak_in_flight"`
	// MaxArrivalsPerSecond is the largest number of arrivals within any 1-second sliding window
	// (half-open: two arrivals exactly 1 s apart are not in the same window).
	MaxArrivalsPerSecond int64 `json:"max_arrivals_per_second"`
	// RequestsPerSecond is the mean arrival rate between the first and the last arrival,
	// 0 with fewer than two arrivals.
	RequestsPerSecond float64 `json:"requests_per_second"`
	// StatusCounts maps a status code ("200", "404", "429", ...) to the number of responses
	// whose status line was written with it. A reset fault counts the status it sent before the
	// connection was cut. Never nil.
	StatusCounts map[string]int64 `json:"status_counts"`
	// Canceled counts requests whose client went away before the response was complete:
	// while queued, during the latency, or during a slow body.
	Canceled int64 `json:"canceled"`
	// Faults counts the injected faults by kind.
	Faults FaultCounts `json:"faults"`
	// FirstArrival and LastArrival bound the arrivals; zero (and omitted in JSON) when none.
	FirstArrival time.Time `json:"first_arrival,omitzero"`
	LastArrival  time.Time `json:"last_arrival,omitzero"`
}

// FaultCounts counts injected faults; see Options for what each one does.
type FaultCounts struct {
	Errors     int64 `json:"errors"`      // 500 answers (ErrorRate)
	Resets     int64 `json:"resets"`      // connections cut mid-body (ResetRate)
	Malformed  int64 `json:"malformed"`   // truncated JSON bodies (MalformedRate)
	SlowBodies int64 `json:"slow_bodies"` // bodies dripped over SlowBody (SlowBodyRate)
	Oversize   int64 `json:"oversize"`    // OversizeBytes bodies (OversizeRate)
}

// fault is the fault chosen for one request.
type fault int

const (
	faultNone fault = iota
	faultError
	faultReset
	faultMalformed
	faultSlowBody
	faultOversize
	numFaults
)

var faultNames = [numFaults]string{"", "error", "reset", "malformed", "slow-body", "oversize"}

// counters is the hot-path state behind Stats. Counters are atomics; the arrival window and
// the first and last arrival times are guarded by mu.
type counters struct {
	epoch time.Time

	requests  atomic.Int64 // also the arrival index of the next request
	inFlight  gauge.Gauge
	inService gauge.Gauge
	canceled  atomic.Int64
	faults    [numFaults]atomic.Int64
	status    [600]atomic.Int64

	mu          sync.Mutex
	win         window
	first, last time.Time
}

func newCounters() *counters {
	return &counters{epoch: time.Now(), win: window{span: int64(time.Second)}}
}

// arrive records an arrival and returns its 0-based index since the last reset and its time.
func (c *counters) arrive() (k uint64, now time.Time) {
	c.mu.Lock()
	now = time.Now()
	c.win.add(int64(now.Sub(c.epoch)))
	if c.first.IsZero() {
		c.first = now
	}
	c.last = now
	k = uint64(c.requests.Add(1) - 1)
	c.mu.Unlock()
	c.inFlight.Inc()
	return k, now
}

func (c *counters) enterService() { c.inService.Inc() }
func (c *counters) leaveService() { c.inService.Dec() }

// finish records the end of a request.
func (c *counters) finish(o outcome) {
	if o.status >= 100 && o.status < len(c.status) {
		c.status[o.status].Add(1)
	}
	if o.fault != faultNone {
		c.faults[o.fault].Add(1)
	}
	if o.canceled {
		c.canceled.Add(1)
	}
	c.inFlight.Dec()
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	st := Stats{
		Requests:             c.requests.Load(),
		MaxArrivalsPerSecond: int64(c.win.max),
		FirstArrival:         c.first.Round(0),
		LastArrival:          c.last.Round(0),
	}
	if span := c.last.Sub(c.first); st.Requests > 1 && span > 0 {
		st.RequestsPerSecond = float64(st.Requests-1) / span.Seconds()
	}
	c.mu.Unlock()
	st.InFlight = c.inFlight.Value()
	st.InService = c.inService.Value()
	st.PeakConcurrent = c.inService.Peak()
	st.PeakInFlight = c.inFlight.Peak()
	st.Canceled = c.canceled.Load()
	st.Faults = FaultCounts{
		Errors:     c.faults[faultError].Load(),
		Resets:     c.faults[faultReset].Load(),
		Malformed:  c.faults[faultMalformed].Load(),
		SlowBodies: c.faults[faultSlowBody].Load(),
		Oversize:   c.faults[faultOversize].Load(),
	}
	st.StatusCounts = map[string]int64{}
	for code := range c.status {
		if n := c.status[code].Load(); n > 0 {
			st.StatusCounts[strconv.Itoa(code)] = n
		}
	}
	return st
}

// reset zeroes the counters. Requests in progress stay in flight and in service, and the peaks
// restart from the current levels.
func (c *counters) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.win = window{span: c.win.span}
	c.first, c.last = time.Time{}, time.Time{}
	c.requests.Store(0)
	c.inService.ResetPeak()
	c.inFlight.ResetPeak()
	c.canceled.Store(0)
	for i := range c.faults {
		c.faults[i].Store(0)
	}
	for i := range c.status {
		c.status[i].Store(0)
	}
}

// window tracks the largest number of events within any sliding window of span nanoseconds.
// It keeps only the times inside the current window, in a ring buffer, so its memory is
// bounded by the peak rate, not by the number of events. The zero value is not usable: set span.
type window struct {
	span int64   // window length in ns
	ring []int64 // event times in ns, oldest at head
	head int
	n    int
	max  int
}

// add records an event at time t (ns). Times must not decrease; an earlier time counts as
// the latest one seen.
func (w *window) add(t int64) {
	if w.n > 0 {
		if latest := w.ring[(w.head+w.n-1)%len(w.ring)]; t < latest {
			t = latest
		}
	}
	for w.n > 0 && w.ring[w.head] <= t-w.span {
		w.head = (w.head + 1) % len(w.ring)
		w.n--
	}
	if w.n == len(w.ring) {
		grown := make([]int64, max(16, 2*len(w.ring)))
		for i := range w.n {
			grown[i] = w.ring[(w.head+i)%len(w.ring)]
		}
		w.ring, w.head = grown, 0
	}
	w.ring[(w.head+w.n)%len(w.ring)] = t
	w.n++
	w.max = max(w.max, w.n)
}
