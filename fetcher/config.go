package fetcher

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Version is sent in the User-Agent header as fetchbench/<Version>.
var Version = "0.1.0"

// Defaults used by New when a Config field is zero.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxBody     = 10 << 20
	DefaultBackoffBase = 100 * time.Millisecond
	DefaultBackoffCap  = 5 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After honoured by default.
	DefaultMaxRetryAfter = time.Minute
	// DefaultMaxQuotaWait is the longest wait for a server's quota by default: swapi.tech's
	// 15-minute window.
	DefaultMaxQuotaWait = 15 * time.Minute
)

// Config describes one strategy's run. The zero value of every optional field selects its default.
type Config struct {
	Strategy Strategy
	// Limits are the strategy's parameters, resolved by Strategy.Limits.
	Limits Limits
	// Timeout bounds each attempt's whole exchange including the body; 0 means DefaultTimeout.
	Timeout time.Duration
	// Deadline bounds the whole strategy; 0 means none. When it passes, requests in flight are
	// cancelled and not-yet-started ones are recorded as cancelled.
	Deadline time.Duration
	// Retries is how many times a failed attempt (network error or timeout, 429, 500, 502, 503,
	// 504) is retried. GET is idempotent, so a 500 is worth another try.
	Retries int
	// BackoffBase and BackoffCap shape the exponential backoff with full jitter between retries:
	// sleep = rand[0, min(cap, base·2^attempt)), or the server's Retry-After when it is longer.
	BackoffBase, BackoffCap time.Duration
	// MaxRetryAfter caps the wait a server's Retry-After can impose before a retry; a longer
	// one is cut to it and the record's Note says so. 0 means DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// MaxBody is the largest body accepted, in bytes; a larger body yields ClassBodyTooBig.
	// 0 means DefaultMaxBody.
	MaxBody int64
	// Insecure skips TLS certificate verification.
	Insecure bool
	// RootCAs, when set, are the certificate authorities TLS connections trust instead of
	// the system's (a --cacert file, the fake's own certificate).
	RootCAs *CACerts
	// HTTP1 speaks HTTP/1.1 only, never HTTP/2.
	HTTP1 bool
	// NoProxy ignores the proxy of the environment (HTTP_PROXY, HTTPS_PROXY), or of
	// Transport: every request connects directly.
	NoProxy bool
	// UserAgent defaults to "fetchbench/"+Version.
	UserAgent string
	// Transport, when set, is cloned for the run instead of http.DefaultTransport.
	Transport *http.Transport

	// KeepBody keeps each record's body and Content-Type (Record.Body, Record.ContentType).
	KeepBody bool
	// Namer, when set, names each JSON answer (Record.Name) and judges whether it is valid
	// JSON; nil leaves every name "" and json.Valid judges.
	Namer Namer
	// HTML lists values to extract from text/html responses into Record.HTML: each
	// selector's first match only, at most MaxHTMLValue bytes (see scraper).
	HTML []Selector
	// CacheDir, when set, keeps 200 answers on disk under it and answers a request for a URL
	// found there from the file, without the network (Record.Note says "from cache").
	CacheDir string
	// CacheNames maps an origin ("http://127.0.0.1:41234") to the name its URLs are kept
	// under in CacheDir, for an origin whose port changes from run to run (the built-in
	// fake's). Nil keeps every URL under its own origin.
	CacheNames map[string]string
	// Scope is the hosts the run may send requests to, checked before every request and on
	// every redirect: a URL outside it is not requested, a redirect outside it not followed,
	// and the record's error wraps ErrOutOfScope. The zero value means the hosts of the
	// source's base targets (see Schedule), or any http(s) host when it has none.
	Scope Scope
	// Capacity is how many requests the server serves at once, when known (the built-in
	// fake's workers); 0 when unknown. A strategy without an ideal wall of its own
	// (Strategy.HasIdeal) is measured against the semaphore's ideal at it.
	Capacity int
	// RespectQuota keeps the run within the quota the server states in its headers (see
	// ParseQuota): no more starts than it says remain before its reset, a wait for the reset
	// when they are spent, and no faster than its policy's rate.
	RespectQuota bool
	// QuotaWindow is the server's quota window, for a server whose answers state how many
	// requests remain but not when they are restored (swapi.tech's X-RateLimit-Limit and
	// -Remaining): under RespectQuota the run then takes them to be restored QuotaWindow
	// after the first answer it saw since the last reset. 0 means unknown: such a count
	// holds for the answer alone.
	QuotaWindow time.Duration
	// MaxQuotaWait, with RespectQuota, is the longest wait for the server's quota (its reset,
	// or its policy's pace) the run takes: a request that would wait longer stops the run,
	// whose scheduler then returns a *QuotaWaitError. 0 means DefaultMaxQuotaWait.
	MaxQuotaWait time.Duration
	// OnQuotaWait, when set with RespectQuota, is called once per reset the run waits for
	// and for every wait longer than QuotaNoticeAfter for the policy's pace, from the
	// goroutine that waits, before it waits; never for a wait the run refuses. Whatever
	// RespectQuota, it is also called once per run, with QuotaWait.Status set, for the first
	// wait of QuotaNoticeAfter or more that a server's Retry-After imposes (before a retry,
	// or on every admission of an adaptive limit).
	OnQuotaWait func(QuotaWait)
	// Follow, when set, is called with each request's finished record, in a goroutine of its
	// own once the request's slot is released, before the record reaches the sink and
	// before the Source is told the item is Done: the place to push the work it leads to.
	Follow func(rec *Record)
	// Phase names a run that is not one of a comparison's measured runs (PhaseDiscovery);
	// every record carries it. "" for a measured run.
	Phase string
}

// Namer names a JSON answer: a record's Name. Name is called once per answer whose
// Content-Type contains "json", on the goroutine of the worker fetching it, so concurrently
// for requests in flight: an implementation is safe for concurrent use. body is the whole
// answer (at most Config.MaxBody bytes), valid only during the call: Name neither keeps nor
// modifies it. It returns "" for a document without a name, and an error when body is not
// valid JSON, which makes the record's class ClassInvalidJSON.
type Namer interface {
	Name(body []byte) (string, error)
}

// Selector names a value of an HTML page: the text of the first element matching the CSS
// selector CSS, or its attribute Attr when Attr is set.
type Selector struct {
	Name string
	CSS  string
	Attr string
}

// ErrConfig is wrapped by every configuration error returned by Config.Validate.
var ErrConfig = errors.New("invalid config")

// Validate guards against programmer error: an unknown strategy, limits that contradict it
// (sequential must be one slot, unpaced), or negative values. User input is validated before
// it becomes a Config.
func (c *Config) Validate() error {
	switch {
	case !c.Strategy.Valid():
		return fmt.Errorf("%w: unknown strategy %q", ErrConfig, string(c.Strategy))
	case c.Timeout < 0 || c.Deadline < 0 || c.Retries < 0 || c.MaxBody < 0 || c.BackoffBase < 0 || c.BackoffCap < 0 || c.MaxRetryAfter < 0 || c.QuotaWindow < 0 || c.MaxQuotaWait < 0:
		return fmt.Errorf("%w: timeout, deadline, retries, max body, backoff, quota window and quota wait must not be negative", ErrConfig)
	}
	if err := c.Strategy.check(c.Limits); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}
