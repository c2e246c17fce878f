package main

// This file owns the pool's flags: the coordinator's --redis flags and the worker command's
// (package redispool starts, joins and runs the pool).

import (
	"context"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/redispool"
)

// poolFlags are a coordinator's flags: --redis (or FETCHBENCH_REDIS), --redis-cacert, and the
// hidden --redis-lease.
type poolFlags struct {
	envURL string // FETCHBENCH_REDIS, read from the command's environment before spec
	redis  string // "" runs here
	cacert *fetcher.CACerts
	lease  time.Duration
}

// pooled is redispool.Pooled when --redis (or FETCHBENCH_REDIS) is set, its error and note
// worded with the flag; without, strategies as they are. It first reads the URL from
// FETCHBENCH_REDIS when --redis was not given.
func (p *poolFlags) pooled(strategies []fetcher.Strategy, named bool) ([]fetcher.Strategy, string, error) {
	var err error
	if p.redis, err = resolveRedisURL(p.redis, p.envURL, p.cacert.Pool(), ""); err != nil || p.redis == "" {
		return strategies, "", err
	}
	kept, note, err := redispool.Pooled(strategies, named)
	if err != nil {
		return nil, "", wordError(err)
	}
	if note != "" {
		note = "--redis: " + note
	}
	return kept, note, nil
}

// addPoolFlags registers --redis (what makes the comparison and get a coordinator) and
// --redis-cacert.
func addPoolFlags(fs *pflag.FlagSet, p *poolFlags) {
	fs.Var(cliflag.Parsed(&p.redis, "", cliflag.Colon, redispool.CheckURL), "redis",
		"coordinate a pool of workers through Redis at URL (redis://[:password@]host:port[/db], rediss:// for TLS; default $FETCHBENCH_REDIS); see fetchbench worker --help")
	fs.Var(cliflag.Parsed(&p.cacert, "", cliflag.Colon, fetcher.ReadCACert), "redis-cacert", "trust the CA certificates (PEM) in FILE for a rediss:// Redis, instead of the system's")
	fs.Var(cliflag.Duration(&p.lease, redispool.DefaultLease, false), "redis-lease", "how long a worker holds work without renewing it")
	_ = fs.MarkHidden("redis-lease")
}

// start is redispool.Start when --redis is set (nil scheduler: run here); unless quiet it
// says how many workers are in the pool.
func (p poolFlags) start(ctx context.Context, quiet bool, stderr io.Writer) (fetcher.Scheduler, func(), error) {
	if p.redis == "" {
		return nil, func() {}, nil
	}
	if quiet {
		stderr = nil
	}
	return redispool.Start(ctx, p.redis, p.cacert.Pool(), p.lease, stderr)
}

// workerOptions holds the parsed flags of the worker command.
type workerOptions struct {
	redis       string
	cacert      *fetcher.CACerts
	name        string
	maxInFlight int
	allowHosts  []string
}

func newWorkerFlags(o *workerOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("worker", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.Var(cliflag.Parsed(&o.redis, "", cliflag.Colon, redispool.CheckURL), "redis", "the pool's Redis: redis://[:password@]host:port[/db], rediss:// for TLS (default $FETCHBENCH_REDIS; one is required)")
	fs.Var(cliflag.Parsed(&o.cacert, "", cliflag.Colon, fetcher.ReadCACert), "redis-cacert", "trust the CA certificates (PEM) in FILE for a rediss:// Redis, instead of the system's")
	fs.StringVar(&o.name, "name", "", "this worker's name in records and logs (default: HOST-PID)")
	fs.Var(cliflag.Int(&o.maxInFlight, 10, 1, 100000), "max-in-flight", "this worker's own capacity: the most requests it has in progress")
	fs.Var(cliflag.Parsed(&o.allowHosts, "", cliflag.Colon, redispool.ParseHosts), "allow-hosts", "fetch only from these hosts (host or host:port, comma list); refuse any other target")
	return fs
}

// runWorker is the worker command: it joins the pool and runs jobs until interrupted.
func runWorker(ctx context.Context, e *env, args []string) error {
	stdout, stderr := e.stdout, e.stderr
	var o workerOptions
	fs := newWorkerFlags(&o)
	if err := parseFlags(fs, args, usage("worker"), "worker: ", "see fetchbench worker --help", stdout); err != nil {
		return err
	}
	var err error
	if o.redis, err = resolveRedisURL(o.redis, e.variable(redispool.EnvURL), o.cacert.Pool(), "worker: "); err != nil {
		return err
	}
	if o.redis == "" {
		return usagef("worker: --redis is required (the pool's Redis URL; or set %s)", redispool.EnvURL)
	}
	if o.name, err = workerName(o.name, fs.Changed("name")); err != nil {
		return err
	}
	return redispool.Join(ctx, o.redis, o.cacert.Pool(), redispool.WorkerConfig{Name: o.name, MaxInFlight: o.maxInFlight, AllowHosts: o.allowHosts, OptionNamer: flagName}, stderr)
}
