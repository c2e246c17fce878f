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
)

// Config describes one strategy's run. The zero value of every optional field selects its default.
type Config struct {
	Strategy Strategy
	// Concurrency is the number of slots for Semaphore (must be ≥ 1) and an optional in-flight
	// cap for RateLimit (0 = no cap). Ignored by Sequential and Unbounded.
	Concurrency int
	// Rate is the global token-bucket rate in requests per second for RateLimit (must be > 0).
	Rate float64
	// Burst is the token-bucket size for RateLimit; 0 means 1.
	Burst int
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
	// MaxBody is the largest body accepted, in bytes; a larger body yields ClassBodyTooBig.
	// 0 means DefaultMaxBody.
	MaxBody int64
	// Insecure skips TLS certificate verification.
	Insecure bool
	// UserAgent defaults to "fetchbench/"+Version.
	UserAgent string
	// Transport, when set, is cloned for the run instead of http.DefaultTransport.
	Transport *http.Transport
}

// ErrConfig is wrapped by every configuration error returned by Config.Validate.
var ErrConfig = errors.New("invalid config")

// Validate checks the fields the strategy uses.
func (c *Config) Validate() error {
	switch c.Strategy {
	case Sequential, Unbounded:
	case Semaphore:
		if c.Concurrency < 1 {
			return fmt.Errorf("%w: semaphore needs concurrency ≥ 1, got %d", ErrConfig, c.Concurrency)
		}
	case RateLimit:
		if !(c.Rate > 0) {
			return fmt.Errorf("%w: ratelimit needs rate > 0, got %g", ErrConfig, c.Rate)
		}
		if c.Burst < 0 {
			return fmt.Errorf("%w: burst must be ≥ 0, got %d", ErrConfig, c.Burst)
		}
		if c.Concurrency < 0 {
			return fmt.Errorf("%w: concurrency must be ≥ 0, got %d", ErrConfig, c.Concurrency)
		}
	default:
		return fmt.Errorf("%w: unknown strategy %q", ErrConfig, string(c.Strategy))
	}
	if c.Timeout < 0 || c.Deadline < 0 || c.Retries < 0 || c.MaxBody < 0 || c.BackoffBase < 0 || c.BackoffCap < 0 {
		return fmt.Errorf("%w: timeout, deadline, retries, max body and backoff must not be negative", ErrConfig)
	}
	return nil
}

// Slots is the in-flight cap the strategy imposes: 1 for Sequential, Concurrency for Semaphore
// and RateLimit, 0 (no cap) for Unbounded and an uncapped RateLimit.
func (c *Config) Slots() int {
	switch c.Strategy {
	case Sequential:
		return 1
	case Semaphore, RateLimit:
		return c.Concurrency
	}
	return 0
}

// BurstOrDefault is Burst, or 1 when Burst is 0.
func (c *Config) BurstOrDefault() int {
	if c.Burst <= 0 {
		return 1
	}
	return c.Burst
}
