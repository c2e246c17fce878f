package main

// This file owns the pool of workers through Redis: the coordinator's --redis flags, starting
// the coordinator, its errors, and the worker command.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/redispool"
)

// envRedis names the environment variable that holds the Redis URL when --redis is not
// given: a password there stays out of ps.
const envRedis = "FETCHBENCH_REDIS"

// poolFlags are a coordinator's flags: --redis (or FETCHBENCH_REDIS), --redis-cacert, and the
// hidden --redis-lease.
type poolFlags struct {
	redis  string // "" runs here
	cacert *x509.CertPool
	lease  time.Duration
}

// resolveRedis reads the Redis URL from FETCHBENCH_REDIS when --redis was not given, and checks
// that --redis-cacert goes with a rediss:// URL; prefix starts its errors ("worker: " or "").
func resolveRedis(url *string, cacert *x509.CertPool, prefix string) error {
	if *url == "" {
		if env := os.Getenv(envRedis); env != "" {
			if _, err := redispool.ParseURL(env); err != nil {
				return usagef("%s%s: %v", prefix, envRedis, err)
			}
			*url = env
		}
	}
	switch {
	case cacert == nil:
	case *url == "":
		return usagef("%s--redis-cacert: only with a rediss:// URL (--redis or %s)", prefix, envRedis)
	case !strings.HasPrefix(strings.ToLower(*url), "rediss://"):
		return usagef("%s--redis-cacert: %s is not a rediss:// URL (TLS)", prefix, redispool.Redact(*url))
	}
	return nil
}

// pooled checks that strategies can run across a pool's workers: an error naming the ones
// that cannot when they were asked for by name (named), else the ones that can, and a line
// saying which were left out ("" when none). It first reads the URL from FETCHBENCH_REDIS
// when --redis was not given.
func (p *poolFlags) pooled(strategies []fetcher.Strategy, named bool) ([]fetcher.Strategy, string, error) {
	if err := resolveRedis(&p.redis, p.cacert, ""); err != nil {
		return nil, "", err
	}
	if p.redis == "" {
		return strategies, "", nil
	}
	var kept, left []fetcher.Strategy
	for _, s := range strategies {
		if s.Pooled() {
			kept = append(kept, s)
		} else {
			left = append(left, s)
		}
	}
	if len(left) == 0 {
		return strategies, "", nil
	}
	names := strings.Join(strategyNames(left), ", ")
	if named || len(kept) == 0 {
		return nil, "", usagef("--redis: %s adapts its limit in one process and cannot run across workers; choose among %s", names, strings.Join(strategyNames(pooledStrategies()), ", "))
	}
	return kept, fmt.Sprintf("--redis: %s left out (its limit adapts in one process, not across workers)", names), nil
}

func strategyNames(ss []fetcher.Strategy) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func pooledStrategies() []fetcher.Strategy {
	var out []fetcher.Strategy
	for _, s := range fetcher.Strategies {
		if s.Pooled() {
			out = append(out, s)
		}
	}
	return out
}

// addPoolFlags registers --redis (what makes the comparison and get a coordinator) and
// --redis-cacert.
func addPoolFlags(fs *pflag.FlagSet, p *poolFlags) {
	fs.Var(cliflag.Parsed(&p.redis, "", cliflag.Colon, checkRedisURL), "redis",
		"coordinate a pool of workers through Redis at URL (redis://[:password@]host:port[/db], rediss:// for TLS; default $FETCHBENCH_REDIS); see fetchbench worker --help")
	fs.Var(cliflag.Parsed(&p.cacert, "", cliflag.Colon, readCACert), "redis-cacert", "trust the CA certificates (PEM) in FILE for a rediss:// Redis, instead of the system's")
	fs.Var(cliflag.Duration(&p.lease, redispool.DefaultLease, false), "redis-lease", "how long a worker holds work without renewing it")
	_ = fs.MarkHidden("redis-lease")
}

// checkRedisURL checks a --redis value; its error never shows the password.
func checkRedisURL(s string) (string, error) {
	if _, err := redispool.ParseURL(s); err != nil {
		return "", err
	}
	return s, nil
}

// start connects to the pool when --redis is set and returns its scheduler (nil: run here)
// and what closes it. Unless quiet, it says how many workers are in the pool.
func (p poolFlags) start(ctx context.Context, quiet bool, stderr io.Writer) (fetcher.Scheduler, func(), error) {
	if p.redis == "" {
		return nil, func() {}, nil
	}
	rdb, err := redispool.Dial(ctx, p.redis, p.cacert)
	if err != nil {
		return nil, nil, err
	}
	c, err := redispool.NewCoordinator(ctx, rdb, redispool.CoordinatorConfig{URL: p.redis, Lease: p.lease})
	if err != nil {
		rdb.Close()
		if ctx.Err() != nil {
			return nil, nil, &exitErr{code: exitInterrupted}
		}
		return nil, nil, err
	}
	if !quiet {
		fmt.Fprintf(stderr, "fetchbench: %s in the pool at %s\n", plural.N(c.Workers(), "worker", "workers"), redispool.Redact(p.redis))
	}
	return c.Schedule, func() { rdb.Close() }, nil
}

// poolError is the one line of a run the pool could not finish (Redis lost, every worker
// gone), exit 1; nil for any other error.
func poolError(err error) error {
	var lost *redispool.UnreachableError
	if errors.As(err, &lost) || errors.Is(err, redispool.ErrNoWorker) {
		return fmt.Errorf("%w; the records received are written", err)
	}
	return nil
}

// workerOptions holds the parsed flags of the worker command.
type workerOptions struct {
	redis       string
	cacert      *x509.CertPool
	name        string
	maxInFlight int
	allowHosts  []string
}

func newWorkerFlags(o *workerOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("worker", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.Var(cliflag.Parsed(&o.redis, "", cliflag.Colon, checkRedisURL), "redis", "the pool's Redis: redis://[:password@]host:port[/db], rediss:// for TLS (default $FETCHBENCH_REDIS; one is required)")
	fs.Var(cliflag.Parsed(&o.cacert, "", cliflag.Colon, readCACert), "redis-cacert", "trust the CA certificates (PEM) in FILE for a rediss:// Redis, instead of the system's")
	fs.StringVar(&o.name, "name", "", "this worker's name in records and logs (default: HOST-PID)")
	fs.Var(cliflag.Int(&o.maxInFlight, 10, 1, 100000), "max-in-flight", "this worker's own capacity: the most requests it has in progress")
	fs.Var(cliflag.Parsed(&o.allowHosts, "", cliflag.Colon, parseHosts), "allow-hosts", "fetch only from these hosts (host or host:port, comma list); refuse any other target")
	return fs
}

// parseHosts parses --allow-hosts.
func parseHosts(s string) ([]string, error) {
	var hosts []string
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimSpace(h)
		if h == "" || strings.ContainsAny(h, "/ ") {
			return nil, fmt.Errorf("%q is not a host or host:port", h)
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// runWorker is the worker command: it joins the pool and runs jobs until interrupted.
func runWorker(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var o workerOptions
	fs := newWorkerFlags(&o)
	if err := parseFlags(fs, args, workerUsage, "worker: ", "see fetchbench worker --help", stdout); err != nil {
		return err
	}
	if err := resolveRedis(&o.redis, o.cacert, "worker: "); err != nil {
		return err
	}
	if o.redis == "" {
		return usagef("worker: --redis is required (the pool's Redis URL; or set %s)", envRedis)
	}
	switch {
	case fs.Changed("name") && strings.TrimSpace(o.name) == "":
		return usagef("worker: --name must not be empty")
	case o.name == "":
		host, _ := os.Hostname()
		o.name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	rdb, err := redispool.Dial(ctx, o.redis, o.cacert)
	if err != nil {
		return err
	}
	defer rdb.Close()
	w, err := redispool.NewWorker(rdb, redispool.WorkerConfig{Name: o.name, MaxInFlight: o.maxInFlight, AllowHosts: o.allowHosts, Log: prefixed{stderr}})
	if err != nil {
		return err
	}
	allow := "any host"
	if len(o.allowHosts) > 0 {
		allow = strings.Join(o.allowHosts, ", ")
	}
	fmt.Fprintf(stderr, "fetchbench: worker %s joined the pool at %s (at most %d in flight; %s)\n", w.ID(), redispool.Redact(o.redis), o.maxInFlight, allow)
	_ = w.Run(ctx)
	fmt.Fprintf(stderr, "fetchbench: worker %s left the pool\n", w.ID())
	return nil
}

// prefixed writes each line with "fetchbench: " before it.
type prefixed struct{ w io.Writer }

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, "fetchbench: "+string(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}
