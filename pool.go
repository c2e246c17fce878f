package main

// This file owns the pool's flags: the coordinator's --redis flags and the worker command's
// (package redispool starts, joins and runs the pool).

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/redispool"
)

// poolFlags are a coordinator's flags: --redis, and the hidden --redis-lease.
type poolFlags struct {
	redis string // "" runs here
	lease time.Duration
}

// pooled is redispool.Pooled when --redis is set; without, strategies as they are.
func (p poolFlags) pooled(strategies []fetcher.Strategy, named bool) ([]fetcher.Strategy, string, error) {
	if p.redis == "" {
		return strategies, "", nil
	}
	return redispool.Pooled(strategies, named)
}

// addPoolFlags registers --redis (what makes the comparison and get a coordinator).
func addPoolFlags(fs *pflag.FlagSet, p *poolFlags) {
	fs.Var(cliflag.Parsed(&p.redis, "", cliflag.Colon, checkRedisURL), "redis",
		"coordinate a pool of workers through Redis at URL (redis://[:password@]host:port[/db], rediss:// for TLS); see fetchbench worker --help")
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

// start is redispool.Start when --redis is set (nil scheduler: run here); unless quiet it
// says how many workers are in the pool.
func (p poolFlags) start(ctx context.Context, quiet bool, stderr io.Writer) (fetcher.Scheduler, func(), error) {
	if p.redis == "" {
		return nil, func() {}, nil
	}
	if quiet {
		stderr = nil
	}
	sched, closePool, err := redispool.Start(ctx, p.redis, p.lease, stderr)
	if err != nil && ctx.Err() != nil {
		return nil, nil, &exitErr{code: exitInterrupted}
	}
	return sched, closePool, err
}

// workerOptions holds the parsed flags of the worker command.
type workerOptions struct {
	redis       string
	name        string
	maxInFlight int
	allowHosts  []string
}

func newWorkerFlags(o *workerOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("worker", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.Var(cliflag.Parsed(&o.redis, "", cliflag.Colon, checkRedisURL), "redis", "the pool's Redis: redis://[:password@]host:port[/db], rediss:// for TLS (required)")
	fs.StringVar(&o.name, "name", "", "this worker's name in records and logs (default: HOST-PID)")
	fs.Var(cliflag.Int(&o.maxInFlight, 10, 1, 100000), "max-in-flight", "this worker's own capacity: the most requests it has in progress")
	fs.Var(cliflag.Parsed(&o.allowHosts, "", cliflag.Colon, redispool.ParseHosts), "allow-hosts", "fetch only from these hosts (host or host:port, comma list); refuse any other target")
	return fs
}

// runWorker is the worker command: it joins the pool and runs jobs until interrupted.
func runWorker(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var o workerOptions
	fs := newWorkerFlags(&o)
	if err := parseFlags(fs, args, workerUsage, "worker: ", "see fetchbench worker --help", stdout); err != nil {
		return err
	}
	if o.redis == "" {
		return usagef("worker: --redis is required (the pool's Redis URL)")
	}
	switch {
	case fs.Changed("name") && strings.TrimSpace(o.name) == "":
		return usagef("worker: --name must not be empty")
	case o.name == "":
		o.name = redispool.DefaultName()
	}
	return redispool.Join(ctx, o.redis, redispool.WorkerConfig{Name: o.name, MaxInFlight: o.maxInFlight, AllowHosts: o.allowHosts}, stderr)
}
