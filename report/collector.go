package report

import (
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/fetchbench/fetchbench/fetcher"
)

// maxProtocols is how many distinct protocols a Collector counts; records of others are
// left out of Summary.Protocols (a record file can name any).
const maxProtocols = 8

// Histogram geometry: microseconds from 1µs to 1h, 3 significant figures.
const (
	histMin    = 1
	histMax    = int64(time.Hour / time.Microsecond)
	histDigits = 3
)

// Collector is the Consumer that reduces one strategy run's records to a Summary, from the
// records alone, in bounded memory: three HDR histograms, four for a paced run (about 190 KB
// each), plus per request its Seq, service time and final attempt's wire interval,
// delta-encoded in arrival order: 5 to 6 bytes for a request with one attempt whose records
// arrive roughly in start order, as a run's do (5 MB for a million), at most 40. Past the
// first 64 KiB they are kept outside the Go heap, where they do not raise the GC's heap goal;
// they are released once the Collector is unreachable. Close decodes them for IdealWall and
// the exact peak in flight, allocating on the heap while it runs 4 bytes per Seq and 8 per
// request that went on the wire (16 once intervals lie more than 35 minutes apart).
//
// Times are read on one base: a record's StartAt when it has one, else its Start offset (a
// record from before StartAt existed), so a stream should not mix the two. The wall runs from
// the earliest moment a request was queued (start − queue wait) to the latest end (start +
// total for a request sent, start for one never started).
//
// Service times are indexed by Record.Seq, which must be distinct within a stream (a repeated
// Seq overwrites the first's); Replay offsets the seqs of merged files.
//
// The zero value is not usable; call NewCollector. A Collector is not safe for concurrent
// use: feed it from the one goroutine that consumes the record stream.
type Collector struct {
	cfg fetcher.Config

	requests, ok, errors        int
	sent                        int // records that went on the wire at least once
	attempts, retried, canceled int
	sample                      string // error text of the lowest-Seq non-cancelled failure
	sampleSeq                   int
	bytes                       int64
	status                      map[int]int
	classes                     map[fetcher.ErrorClass]int

	latency, ttfb, queue dist
	response             *dist // paced runs only
	late                 int
	firstStart           time.Duration // earliest first-attempt start of a request sent
	lastStart            time.Duration // latest one

	log requestLog // per request: service time and wire interval, for Close

	timed       bool  // a record has been added: first and last are set
	first, last int64 // ns on the records' time base: earliest queued moment, latest end
	peak        int

	neverConnected int            // records that failed before any connection was made
	conns          int            // records whose final attempt opened its connection
	protos         map[string]int // records by the protocol of their final response
	proxy          string         // the first proxy a record went through
	proxied        int            // records that went through a proxy
	limits         limitTrace
	closed         bool
	ideal          time.Duration // computed once by Close
}

// NewCollector returns an empty Collector for a run under cfg; cfg supplies the strategy and
// the limits (cfg.Limits) IdealWall schedules under.
func NewCollector(cfg fetcher.Config) *Collector {
	c := &Collector{
		cfg:     cfg,
		status:  map[int]int{},
		classes: map[fetcher.ErrorClass]int{},
		protos:  map[string]int{},
		latency: newDist(),
		ttfb:    newDist(),
		queue:   newDist(),
	}
	if cfg.Limits.Rate > 0 {
		response := newDist()
		c.response = &response
	}
	return c
}

// Add records r. Records may arrive in any order. Latency counts only records that went on the
// wire (Attempts > 0), TTFB only records that received a status, queue wait every record.
//
// Durations are taken to the microsecond, as the record formats keep them, so that the summary
// of records read back from a file (Replay) is the summary of the live run.
func (c *Collector) Add(r fetcher.Record) {
	c.closed = false
	for _, d := range []*time.Duration{&r.Start, &r.Intended, &r.Queue, &r.Latency, &r.TTFB, &r.Total, &r.Response} {
		*d = d.Round(time.Microsecond)
	}
	c.requests++
	if r.Attempts > 0 {
		c.sent++
	}
	if r.OK() {
		c.ok++
	} else {
		c.errors++
		c.classes[r.Class]++
		if r.Class == fetcher.ClassCancelled {
			c.canceled++
		} else if c.sample == "" || r.Seq < c.sampleSeq {
			c.sample, c.sampleSeq = r.Err, r.Seq
		}
	}
	if r.Status != 0 {
		c.status[r.Status]++
	}
	c.bytes += r.Bytes
	c.attempts += r.Attempts
	if r.Attempts > 1 {
		c.retried++
	}
	c.queue.add(r.Queue)
	var service time.Duration
	if r.Attempts > 0 {
		if c.sent == 1 || r.Start < c.firstStart {
			c.firstStart = r.Start
		}
		c.lastStart = max(c.lastStart, r.Start)
		if c.response != nil {
			c.response.add(r.Response)
		}
		if r.Late {
			c.late++
		}
		c.latency.add(r.Latency)
		service = r.Total
		if service == 0 {
			service = r.Latency
		}
	}
	if r.Status != 0 {
		c.ttfb.add(r.TTFB)
	}
	if r.NeverConnected() {
		c.neverConnected++
	}
	if r.Proto != "" {
		if len(c.protos) < maxProtocols || c.protos[r.Proto] > 0 {
			c.protos[r.Proto]++
		}
		if !r.ConnReused {
			c.conns++
		}
	}
	if r.Proxy != "" {
		c.proxied++
		if c.proxy == "" {
			c.proxy = r.Proxy
		}
	}
	s, e, wired := wireInterval(&r)
	c.log.add(r.Seq, serviceUS(service), s, e, wired)
	at := int64(r.Start)
	if !r.StartAt.IsZero() {
		at = r.StartAt.UnixNano()
	}
	queued, end := at-int64(r.Queue), at
	c.limits.add(at, r.Limit)
	if r.Attempts > 0 {
		end += int64(r.Total)
	}
	if !c.timed || queued < c.first {
		c.first = queued
	}
	if !c.timed || end > c.last {
		c.last = end
	}
	c.timed = true
}

// wall is the span of the records: earliest queued moment to latest end.
func (c *Collector) wall() time.Duration { return time.Duration(c.last - c.first) }

// Close ends the stream and computes the ideal wall of the service times once: IdealWall
// under the run's limits, and for a paced run at least the time of its last attempt's token
// plus the shortest latency. It never fails.
func (c *Collector) Close() error {
	if !c.closed {
		l := c.cfg.Limits
		times := c.log.services()
		service := func(i int) time.Duration { return time.Duration(times[i]) * time.Microsecond }
		if c.cfg.Strategy.Adapts() {
			// Its latencies include the server's queueing while it probed: the ideal is the
			// semaphore's at the server's capacity, every request as quick as the quickest.
			l = fetcher.Limits{Slots: c.cfg.Capacity} // 0: no ideal, below
			quick := service
			service = func(i int) time.Duration { return min(quick(i), c.latency.min) }
		}
		c.ideal = schedule(len(times), service, l.Slots, l.Rate, l.Burst)
		// Every attempt, retries included, takes a token: the last of them cannot start
		// before its token, nor end sooner than the quickest answer after that.
		if l.Rate > 0 && c.attempts > 0 {
			c.ideal = max(c.ideal, tokenTime(c.attempts-1, l.Rate, l.Burst)+c.latency.min)
		}
		if c.cfg.Strategy.Adapts() && c.cfg.Capacity <= 0 {
			c.ideal = 0
		}
		c.peak = c.log.peak()
		c.closed = true
	}
	return nil
}

// serviceUS is d in whole microseconds, within a uint32.
func serviceUS(d time.Duration) uint32 {
	us := d.Round(time.Microsecond) / time.Microsecond
	return uint32(min(max(us, 0), math.MaxUint32))
}

// Summary reduces the records, with what records cannot carry from stats (Interrupted,
// DeadlineExceeded, and Strategy when c's config has none); it closes c first if needed.
// Speedup is left 0; NewComparison fills it. Summary may be called more than once.
func (c *Collector) Summary(stats fetcher.RunStats) Summary {
	_ = c.Close()
	strategy := c.cfg.Strategy
	if strategy == "" {
		strategy = stats.Strategy
	}
	l := c.cfg.Limits
	wall := c.wall()
	s := Summary{
		Strategy:         strategy,
		Concurrency:      l.Slots,
		Rate:             l.Rate,
		Burst:            l.Burst,
		Requests:         c.requests,
		OK:               c.ok,
		Errors:           c.errors,
		WallMS:           ms(wall),
		IdealMS:          ms(c.ideal),
		LatencyMinMS:     ms(c.latency.min),
		LatencyMeanMS:    msFloat(c.latency.mean),
		LatencyP50MS:     ms(c.latency.quantile(50)),
		LatencyP90MS:     ms(c.latency.quantile(90)),
		LatencyP95MS:     ms(c.latency.quantile(95)),
		LatencyP99MS:     ms(c.latency.quantile(99)),
		LatencyP999MS:    ms(c.latency.quantile(99.9)),
		LatencyMaxMS:     ms(c.latency.max),
		LatencyStddevMS:  msFloat(c.latency.stddev()),
		TTFBP50MS:        ms(c.ttfb.quantile(50)),
		TTFBP99MS:        ms(c.ttfb.quantile(99)),
		QueueP50MS:       ms(c.queue.quantile(50)),
		QueueP99MS:       ms(c.queue.quantile(99)),
		QueueMaxMS:       ms(c.queue.max),
		PeakInFlight:     c.peak,
		Bytes:            c.bytes,
		StatusCounts:     make(map[int]int, len(c.status)),
		ErrorClasses:     make(map[fetcher.ErrorClass]int, len(c.classes)),
		Attempts:         c.attempts,
		Retried:          c.retried,
		Cancelled:        c.canceled,
		NeverConnected:   c.neverConnected,
		Connections:      c.conns,
		Protocols:        make(map[string]int, len(c.protos)),
		Proxy:            c.proxy,
		Proxied:          c.proxied,
		ErrorSample:      c.sample,
		DeadlineExceeded: stats.DeadlineExceeded,
		Interrupted:      stats.Interrupted,
	}
	if c.response != nil {
		s.ResponseP50MS = ms(c.response.quantile(50))
		s.ResponseP99MS = ms(c.response.quantile(99))
		s.ResponseMaxMS = ms(c.response.max)
		s.LateStarts = c.late
		if span := c.lastStart - c.firstStart; c.sent > 1 && span > 0 {
			s.StartRate = round(float64(c.sent-1)/span.Seconds(), 3)
		}
	}
	s.Concurrency = strategy.ShownSlots(l)
	s.MinConcurrency = l.Floor
	if strategy.Adapts() {
		s.Capacity = c.cfg.Capacity
	}
	s.LimitSettled, s.LimitTrajectory = c.limits.settle(c.first)
	for k, v := range c.status {
		s.StatusCounts[k] = v
	}
	for k, v := range c.classes {
		s.ErrorClasses[k] = v
	}
	for k, v := range c.protos {
		s.Protocols[k] = v
	}
	if wall > 0 {
		s.ReqPerSec = round(float64(c.sent)/wall.Seconds(), 3)
		s.MeanInFlight = round(c.latency.mean*float64(c.latency.n)/float64(wall), 3)
		s.Efficiency = round(float64(c.ideal)/float64(wall), 4)
	}
	return s
}

// dist is the distribution of one duration: an HDR histogram for percentiles plus exact
// count, min, max, mean and running variance (Welford).
type dist struct {
	h        *hdrhistogram.Histogram
	n        int64
	min, max time.Duration
	mean, m2 float64
}

func newDist() dist {
	return dist{h: hdrhistogram.New(histMin, histMax, histDigits)}
}

func (d *dist) add(v time.Duration) {
	v = max(v, 0)
	if d.n == 0 || v < d.min {
		d.min = v
	}
	if v > d.max {
		d.max = v
	}
	d.n++
	delta := float64(v) - d.mean
	d.mean += delta / float64(d.n)
	d.m2 += delta * (float64(v) - d.mean)
	us := int64(v.Round(time.Microsecond) / time.Microsecond)
	_ = d.h.RecordValue(min(us, histMax))
}

// quantile returns the q-th percentile (0..100), clamped to [min, max]; 0 when empty.
func (d *dist) quantile(q float64) time.Duration {
	if d.n == 0 {
		return 0
	}
	v := time.Duration(d.h.ValueAtPercentile(q)) * time.Microsecond
	return min(max(v, d.min), d.max)
}

// stddev is the population standard deviation in nanoseconds.
func (d *dist) stddev() float64 {
	if d.n == 0 {
		return 0
	}
	return math.Sqrt(d.m2 / float64(d.n))
}

// floorDiv is a / b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
