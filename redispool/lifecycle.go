package redispool

// This file owns the lifecycle of a process in the pool: which strategies a pool can run,
// a coordinator's start and the line of a run it could not finish, and a worker's join, run
// and leave with the lines it says.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/internal/verdict"
)

// Pooled checks that strategies can run across a pool's workers: bad input in field
// "redispool.CoordinatorConfig.URL" (badinput.FieldError) naming the ones that cannot when
// they were asked for by name (named) or none can, else the ones that can, and a note saying
// which were left out ("" when none), to follow the name of the option that asks for a pool.
func Pooled(strategies []fetcher.Strategy, named bool) ([]fetcher.Strategy, string, error) {
	var kept, left []string
	var keep []fetcher.Strategy
	for _, s := range strategies {
		if s.Pooled() {
			kept, keep = append(kept, string(s)), append(keep, s)
		} else {
			left = append(left, string(s))
		}
	}
	if len(left) == 0 {
		return strategies, "", nil
	}
	names := strings.Join(left, ", ")
	if named || len(kept) == 0 {
		var all []string
		for _, s := range fetcher.Strategies {
			if s.Pooled() {
				all = append(all, string(s))
			}
		}
		return nil, "", badinput.Field(fieldURL, fmt.Errorf("%s cannot run across workers; choose among %s", names, strings.Join(all, ", ")))
	}
	return keep, names + " left out (it cannot run across workers)", nil
}

// Start connects a coordinator to the pool at url (roots: see Dial; lease:
// CoordinatorConfig.Lease) and
// returns its scheduler, whose error for a run it could not finish Is fetcher.ErrUnfinished, and
// what closes the connection. When talk is not nil it gets a line saying how many workers are
// in the pool, and the runs' waits (CoordinatorConfig.Log). Cut short by ctx, its error Is verdict.ErrInterrupted.
func Start(ctx context.Context, url string, roots *x509.CertPool, lease time.Duration, talk io.Writer) (fetcher.Scheduler, func(), error) {
	rdb, err := Dial(ctx, url, roots)
	if err == nil {
		var c *Coordinator
		cc := CoordinatorConfig{URL: url, Lease: lease}
		if talk != nil {
			cc.Log = prefixed{talk}
		}
		if c, err = NewCoordinator(ctx, rdb, cc); err == nil {
			return started(c, rdb, url, talk)
		}
		rdb.Close()
	}
	if ctx.Err() != nil {
		return nil, nil, verdict.Interrupted("")
	}
	return nil, nil, err
}

// started is Start's result for c, connected through rdb.
func started(c *Coordinator, rdb redis.UniversalClient, url string, talk io.Writer) (fetcher.Scheduler, func(), error) {
	if talk != nil {
		fmt.Fprintf(talk, "fetchbench: %s in the pool at %s\n", plural.N(c.Workers(), "worker", "workers"), Redact(url))
	}
	sched := func(ctx context.Context, cfg fetcher.Config, src fetcher.Source, gates fetcher.Gates, sink func(fetcher.Record)) (fetcher.RunStats, error) {
		stats, err := c.Schedule(ctx, cfg, src, gates, sink)
		if u := unfinishedRun(err); u != nil {
			return stats, u
		}
		return stats, err
	}
	return sched, func() { rdb.Close() }, nil
}

// unfinishedRun is the one line of a run the pool could not finish (Redis lost, or the job in
// it, every worker gone), which Is err and fetcher.ErrUnfinished; nil for any other error.
func unfinishedRun(err error) error {
	var lost *UnreachableError
	if errors.As(err, &lost) || errors.Is(err, ErrNoWorker) || errors.Is(err, ErrJobLost) || errors.Is(err, errStalled) {
		return fmt.Errorf("%w; the records received are written%w", err, unfinished{})
	}
	return nil
}

// unfinished is an empty message that Is fetcher.ErrUnfinished.
type unfinished struct{}

func (unfinished) Error() string        { return "" }
func (unfinished) Is(target error) bool { return target == fetcher.ErrUnfinished }

// ParseHosts parses a comma list of hosts (host or host:port), as WorkerConfig.AllowHosts.
func ParseHosts(s string) ([]string, error) {
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

// DefaultName is a worker's name when none is given: HOST-PID.
func DefaultName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// Join joins the pool at url (roots: see Dial) as a worker of cfg and runs jobs until ctx
// ends. Its lines go
// to talk, each after "fetchbench: ": joined, the worker's own log (cfg.Log is replaced),
// and left. Its error for ctx ending, the worker's only end, Is verdict.ErrInterrupted.
func Join(ctx context.Context, url string, roots *x509.CertPool, cfg WorkerConfig, talk io.Writer) error {
	rdb, err := Dial(ctx, url, roots)
	if err != nil {
		if ctx.Err() != nil {
			return verdict.Interrupted("")
		}
		return err
	}
	defer rdb.Close()
	cfg.Log = prefixed{talk}
	w, err := NewWorker(rdb, cfg)
	if err != nil {
		return err
	}
	allow := "any host"
	if len(cfg.AllowHosts) > 0 {
		allow = strings.Join(cfg.AllowHosts, ", ")
	}
	fmt.Fprintf(talk, "fetchbench: worker %s joined the pool at %s (at most %d in flight; %s)\n", w.ID(), Redact(url), cfg.MaxInFlight, allow)
	_ = w.Run(ctx)
	fmt.Fprintf(talk, "fetchbench: worker %s left the pool\n", w.ID())
	return verdict.Interrupted("")
}

// prefixed writes each line with "fetchbench: " before it.
type prefixed struct{ w io.Writer }

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, "fetchbench: "+string(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}
