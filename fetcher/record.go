// Package fetcher runs N requests under a concurrency strategy on a colly engine and streams one Record per request.
package fetcher

import (
	"time"

	"github.com/fetchbench/fetchbench/ratelimit"
)

// Target is one request to make.
type Target struct {
	ID  int    // resource id, 0 when the target has none (a URL list)
	URL string // absolute http(s) URL
}

// ErrorClass groups request failures; the zero value means no error.
type ErrorClass string

// Error classes, as they appear in records and reports.
const (
	ClassNone        ErrorClass = ""
	ClassTimeout     ErrorClass = "timeout"
	ClassRefused     ErrorClass = "connection refused"
	ClassReset       ErrorClass = "reset"
	ClassDNS         ErrorClass = "dns"
	ClassTLS         ErrorClass = "tls"
	ClassBodyTooBig  ErrorClass = "body too large"
	ClassCancelled   ErrorClass = "cancelled"
	ClassHTTP4xx     ErrorClass = "http 4xx"
	ClassHTTP5xx     ErrorClass = "http 5xx"
	ClassRedirect    ErrorClass = "redirect" // a 3xx left after MaxRedirects, or without Location
	ClassInvalidJSON ErrorClass = "invalid json"
	ClassOther       ErrorClass = "other"
	// ClassNotAllowed: a pool worker refused the target, outside its --allow-hosts.
	ClassNotAllowed ErrorClass = "refused"
)

// ErrorClasses lists every non-empty class in report order.
var ErrorClasses = []ErrorClass{
	ClassTimeout, ClassRefused, ClassReset, ClassDNS, ClassTLS, ClassBodyTooBig,
	ClassCancelled, ClassHTTP4xx, ClassHTTP5xx, ClassRedirect, ClassInvalidJSON, ClassOther, ClassNotAllowed,
}

// Kind says why a request was made.
type Kind string

// The kinds of request.
const (
	KindTarget Kind = "target" // a target the user named, or an item discovered from a list page
	KindPage   Kind = "page"   // a list page
	KindLink   Kind = "link"   // a link followed from a document (get's expansion), or found by a crawl
	KindRobots Kind = "robots" // a host's robots.txt, read by a crawl before its other requests there
)

// Record is the outcome of one request under one strategy. Every request — target, list page
// or link — yields exactly one Record, whatever fails. Durations are measured on the monotonic
// clock. A record stands on its own: with StartAt and the offsets, records written by several
// processes can be merged and summarised.
type Record struct {
	Strategy Strategy
	// Params is the strategy's parameter string (Strategy.Params of the run's limits), so a
	// record names the run it belongs to.
	Params string
	Seq    int    // 0-based position of the request in the run: targets first, in input order
	ID     int    // Target.ID
	URL    string // Target.URL
	// StartAt is the wall-clock moment of Start (the run's start plus Start).
	StartAt time.Time
	Kind    Kind // "" reads as KindTarget
	// Depth is how many hops from a target the request is (0 for targets); Parent is the Seq
	// of the request whose answer led to this one, meaningful only when Depth > 0.
	Depth, Parent int
	// Worker names the process that made the request; "" for a local run.
	Worker string
	// Phase is the run's Config.Phase: "" for a measured run, PhaseDiscovery for the list
	// pages a comparison reads before its runs.
	Phase string
	// Proto is the protocol of the final attempt's response ("HTTP/1.1", "HTTP/2.0"); ""
	// when no response came over a connection (none at all, or one from Config.CacheDir).
	Proto string
	// ConnReused is set when the final attempt's request went on a connection that had
	// carried a request before (an idle HTTP/1.1 connection, or an HTTP/2 connection shared
	// by streams); false for one the attempt opened, and for a request never sent.
	ConnReused bool
	// Proxy is the proxy the final attempt went through (from HTTP_PROXY, HTTPS_PROXY or
	// Config.Transport's Proxy), as scheme://host:port with any password masked; "" without.
	Proxy string
	// Limit is the concurrency limit in force when the request was admitted, for a strategy
	// whose limit adapts during the run (Strategy.Adapts); 0 otherwise. Through a pool it is
	// the whole pool's limit, as the worker last saw it.
	Limit int
	// Start is the offset from the strategy's start at which the first attempt went on the wire
	// (for a request that never started: when it was given up). In a paced run an attempt
	// starts once it has its connection and its rate token, so a dial is not part of its
	// latency; otherwise it starts just before it asks for a connection.
	Start time.Duration
	// Intended is, in a paced run (Limits.Rate > 0), the offset from the strategy's start of
	// the slot in the rate schedule of the first attempt's token (see ratelimit.Grant); in an
	// unpaced run, and for a request that never started, it equals Start.
	Intended time.Duration
	Queue    time.Duration // total time spent waiting for a semaphore slot or a rate token
	Latency  time.Duration // wire time of the final attempt: request headers written → full body read
	TTFB     time.Duration // final attempt: request sent → first response byte
	Total    time.Duration // first attempt sent → final attempt done, including retries and backoff
	// Response is the response time: final attempt done − Intended, so in a paced run it
	// includes the time the first attempt started late (coordinated omission); it equals
	// Total in an unpaced run and is 0 for a request that never started.
	Response time.Duration
	// Late is set when the first attempt started more than LateStart after Intended.
	Late   bool
	Status int        // HTTP status of the final attempt, 0 if none was received
	Bytes  int64      // body bytes of the final attempt
	Err    string     // error text, empty when the request succeeded (2xx, body read)
	Class  ErrorClass // error class, ClassNone when Err is empty
	// Attempts is how many times the request went on the wire (0 if it never started).
	Attempts int
	Name     string // SWAPI "name" (or "title" for films) when the body is SWAPI JSON
	// Note remarks on how the request went that is not an error, such as a Retry-After cut
	// to Config.MaxRetryAfter; empty when there is nothing to say.
	Note string
	// FinalURL is the URL the final attempt's last followed redirect led to, without user
	// information: where its answer came from; "" when no redirect was followed. It is not written to record
	// files. See Final.
	FinalURL string
	// RetryAfter is the final attempt's Retry-After header as sent, "" without one; it is not
	// written to record files.
	RetryAfter string
	// Body and ContentType are the final attempt's, when Config.KeepBody is set.
	Body        []byte
	ContentType string
	// HTML holds the values of Config.HTML selectors that matched, by name (HTML pages only).
	HTML map[string]string
}

// PhaseDiscovery is the Phase of the run that reads a comparison's list pages (--all) before
// the strategies run: its records are not part of any strategy's row.
const PhaseDiscovery = "discovery"

// LateStart is how far past its slot in the rate schedule a start may be before it counts as
// late (Record.Late).
const LateStart = ratelimit.Tolerance

// OK reports whether the record is a success: no error.
func (r *Record) OK() bool { return r.Class == ClassNone }

// Final is the URL the answer came from, against which its relative links resolve:
// FinalURL after a redirect, else URL.
func (r *Record) Final() string {
	if r.FinalURL != "" {
		return r.FinalURL
	}
	return r.URL
}

// NeverConnected reports whether the request failed before any connection was made: refused,
// DNS failure, or a timeout with no response at all.
func (r *Record) NeverConnected() bool {
	switch r.Class {
	case ClassRefused, ClassDNS:
		return true
	case ClassTimeout:
		return r.Status == 0 && r.TTFB == 0
	}
	return false
}

// RunStats is what the records of one strategy's run cannot carry.
type RunStats struct {
	Strategy Strategy
	Requests int // records produced
	// Wall (start → last record) and PeakInFlight (attempts on the wire at once) are the
	// scheduler's own gauges, kept to check what report computes from the records alone;
	// summaries never read them.
	Wall         time.Duration
	PeakInFlight int
	// Connections is how many connections were established (TCP, before any TLS handshake).
	Connections int
	// DeadlineExceeded is set when Config.Deadline passed before every target finished.
	DeadlineExceeded bool
	// Interrupted is set when the parent context was cancelled before every target finished.
	Interrupted bool
}
