// Package redispool runs fetchbench's work on a pool of worker processes through Redis: a
// job's items on a Redis Stream read by a consumer group, records back on a results stream,
// and one global limit (a GCRA rate, a leased semaphore, an adaptive limit) on Redis's clock.
package redispool

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/naming"
)

// Key names; docs/redis-protocol.md describes each.
const (
	keyWorkers = "fetchbench:workers" // ZSET: worker id → registration expiry (ms, Redis clock)
	keyJobs    = "fetchbench:jobs"    // Stream: one entry per job started, field "job"
	group      = "workers"            // the consumer group of every job's work stream
)

// jobKeys are one job's keys; the {id} hash tag keeps them in one cluster slot.
type jobKeys struct {
	job     string // Hash: spec (JSON), state
	work    string // Stream of items, consumer group "workers"
	results string // Stream of record batches
	queued  string // Bitmap: the sequence numbers enqueued
	seen    string // Hash: pushed URL (URLKey) → "seq", or "seq status class err" once settled
	next    string // String: the Seq the next pushed URL takes
	sem     string // ZSET: semaphore slot → lease expiry (ms)
	rate    string // String: the GCRA's theoretical arrival time (µs)
	starts  string // String: the starts the GCRA granted
	adapt   string // Hash: the adaptive limit (see Adaptive)
	lat     string // List: the latencies (µs) of the adaptive limit's window
}

func keysOf(id string) jobKeys {
	p := "fetchbench:job:{" + id + "}"
	return jobKeys{job: p, work: p + ":work", results: p + ":results", queued: p + ":queued",
		seen: p + ":seen", next: p + ":next", sem: p + ":sem", rate: p + ":rate", starts: p + ":starts",
		adapt: p + ":adapt", lat: p + ":lat"}
}

func (k jobKeys) all() []string {
	return []string{k.job, k.work, k.results, k.queued, k.seen, k.next, k.sem, k.rate, k.starts, k.adapt, k.lat}
}

// Job states, in the job hash's field "state".
const (
	stateRunning = "running"
	stateDone    = "done"
	stateStopped = "stopped" // interrupted or past its deadline: workers cancel what they run
)

// registration is how long a worker stays listed after its last heartbeat; workerBeat is how
// often it beats.
const (
	registration = 5 * time.Second
	workerBeat   = time.Second
)

// DefaultLease is how long a worker may hold an item or a semaphore slot without renewing it,
// and how long a job's workers run it after its coordinator's last heartbeat.
const DefaultLease = 10 * time.Second

// jobTTL is how long a job's keys live after its coordinator's last heartbeat, for a job of
// lease: three leases. Its workers leave it after one (a time to live under two leases), so
// that nothing runs for a coordinator gone; its keys outlive that, so that what a worker finds
// gone before its time was lost by Redis.
func jobTTL(lease time.Duration) time.Duration { return 3 * lease }

// ErrURL is wrapped by the error of a Redis URL that does not parse; the error never shows
// the URL's password.
var ErrURL = errors.New("not a redis:// or rediss:// URL")

// ParseURL parses a redis:// or rediss:// URL (with an optional user, password and database
// number). Its errors never contain the password.
func ParseURL(raw string) (*redis.Options, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, fmt.Errorf("%s: %w", Redact(raw), ErrURL)
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", Redact(raw), ErrURL, scrub(err.Error(), raw))
	}
	return opts, nil
}

// Redact is raw with its password replaced by "xxxxx"; in a URL that does not parse as one
// with a user, everything before the last "@" is.
func Redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		return "xxxxx@" + raw[i+1:]
	}
	return raw
}

// scrub removes raw's password from msg.
func scrub(msg, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return msg
	}
	if p, ok := u.User.Password(); ok && p != "" {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	return msg
}

// Dial connects to the Redis at raw and checks that it answers. A rediss:// server's
// certificate is verified against roots, or the system's roots when roots is nil (which
// honour SSL_CERT_FILE); roots is not used for redis://. A server that answers but refuses
// the URL (its password, its user, its database number) is bad input: a
// *badinput.FieldError of field "redispool.URL"; one that does not answer is an
// *UnreachableError.
func Dial(ctx context.Context, raw string, roots *x509.CertPool) (*redis.Client, error) {
	opts, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	opts.DialTimeout = 3 * time.Second
	opts.DialerRetries = 2
	opts.MaxRetries = 1
	if opts.TLSConfig != nil && roots != nil {
		opts.TLSConfig.RootCAs = roots
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		msg := scrub(err.Error(), raw)
		if reply := redis.Error(nil); errors.As(err, &reply) {
			return nil, &badinput.FieldError{Field: fieldURL, Arg: Redact(raw), Err: fmt.Errorf("refused by Redis: %s", msg), Bad: true}
		}
		var unknown x509.UnknownAuthorityError
		return nil, &UnreachableError{URL: Redact(raw), Err: errors.New(scrub(err.Error(), raw)), UnknownCA: errors.As(err, &unknown)}
	}
	return rdb, nil
}

// UnreachableError is the error of a Redis that does not answer, before a run or during one.
// It is a naming.Worded error: with UnknownCA, it names the option that trusts a CA for
// the Redis (field "redispool.Dial.Roots").
type UnreachableError struct {
	URL    string // redacted
	Err    error
	MidRun bool // the run had started
	// UnknownCA is set when the Redis's certificate is signed by a CA that the roots do not
	// hold.
	UnknownCA bool
}

func (e *UnreachableError) Error() string { return e.Word(nil) }

// Word is the error's message with the option trusting a CA named by n.
func (e *UnreachableError) Word(n naming.Namer) string {
	if e.MidRun {
		return fmt.Sprintf("lost Redis at %s mid-run: %v", e.URL, e.Err)
	}
	hint := ""
	if e.UnknownCA {
		hint = " (its CA is not among the roots trusted)"
		if trust := n.Option("redispool.Dial.Roots", "FILE", ""); trust != "" {
			hint = " (trust its CA with " + trust + ")"
		}
	}
	return fmt.Sprintf("Redis at %s does not answer: %v%s", e.URL, e.Err, hint)
}

// fieldURL is the field that names the pool's Redis, for a naming.Namer.
const fieldURL = "redispool.CoordinatorConfig.URL"

func (e *UnreachableError) Unwrap() error { return e.Err }

// SilenceClientLogs stops the Redis client from logging on its own (a dial that failed, a
// connection it dropped): fetchbench reports what matters as errors. It changes the client's
// process-wide logger; call it from main.
func SilenceClientLogs() { redis.SetLogger(silent{}) }

type silent struct{}

func (silent) Printf(context.Context, string, ...any) {}

// serverMillis is Redis's clock, in milliseconds.
func serverMillis(ctx context.Context, rdb redis.Cmdable) (int64, error) {
	t, err := rdb.Time(ctx).Result()
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}
