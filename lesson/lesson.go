// Package lesson runs the classic lessons on concurrency (restaurant, gather, workers) against
// the fake SWAPI, and renders what each claims and what it measured into an io.Writer.
package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
)

// Names are the lessons Run knows, in the order a usage lists them.
var Names = []string{"restaurant", "gather", "workers"}

var (
	// ErrUnknown is returned by Run for a name not in Names.
	ErrUnknown = errors.New("unknown lesson")
	// ErrInterrupted is returned by Run when ctx ends during the lesson; what had run is
	// rendered already.
	ErrInterrupted = errors.New("lesson interrupted")
)

// Config says how a lesson runs. Its zero value is not valid: Scale must be set.
type Config struct {
	// Scale multiplies every duration of the lesson, so that it runs in seconds; it must be
	// positive. The tables give real times and the lesson's own (unscaled) ones.
	Scale float64
	// Color draws the timelines with ANSI colours.
	Color bool
	// Listen opens the listener of each fake the lesson starts, called as
	// Listen("tcp", "127.0.0.1:0"); nil: net.Listen. With an in-memory network's Listen, and a
	// Transport dialing that network, a lesson opens no socket and can run in a
	// testing/synctest bubble, on its fake clock.
	Listen func(network, addr string) (net.Listener, error)
	// Transport is cloned for each run's requests, as fetcher.Config.Transport; nil:
	// http.DefaultTransport.
	Transport *http.Transport
}

// lessons maps a lesson's name to its run function.
var lessons = map[string]func(ctx context.Context, cfg Config, w io.Writer) error{
	"restaurant": restaurant,
	"gather":     gather,
	"workers":    workers,
}

// Run runs the lesson called name and writes into w what it claims, the measured table and
// the timelines. It fails with ErrUnknown for a name not in Names, and with ErrInterrupted
// when ctx ends first. Every fake it starts is stopped before it returns.
func Run(ctx context.Context, name string, cfg Config, w io.Writer) error {
	run, ok := lessons[name]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknown, name)
	}
	if !(cfg.Scale > 0) {
		return fmt.Errorf("lesson %s: time scale %g is not positive", name, cfg.Scale)
	}
	return run(ctx, cfg, w)
}

// scaled is d times the lesson's time scale.
func (c Config) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * c.Scale)
}

// startFake starts the fake with opts on a listener from c.Listen and returns its root URL
// (with a trailing slash) and the function that stops it.
func (c Config) startFake(opts fakeswapi.Options) (root string, stop func(), err error) {
	fake, err := fakeswapi.New(opts)
	if err != nil {
		return "", nil, fmt.Errorf("start the fake SWAPI: %w", err)
	}
	listen := c.Listen
	if listen == nil {
		listen = net.Listen
	}
	ln, err := listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the fake SWAPI: %w", err)
	}
	running := fake.StartOn(ln)
	return strings.TrimSuffix(running.URL, "api/"), running.Close, nil
}

// config is a run of strategy s with knobs k and a timeout, through c's Transport.
func (c Config) config(s fetcher.Strategy, k fetcher.Knobs, timeout time.Duration) fetcher.Config {
	return fetcher.Config{Strategy: s, Limits: s.Limits(k), Timeout: timeout, Transport: c.Transport}
}

// compareAndDraw runs configs over targets and draws the table and the timelines.
func (c Config) compareAndDraw(ctx context.Context, w io.Writer, configs []fetcher.Config, targets fetcher.Targets) (report.Comparison, error) {
	var timelines []*report.Timeline
	spec := compare.Spec{Configs: configs, Targets: targets, Consumers: func(cfg fetcher.Config) []report.Consumer {
		t := report.NewTimeline(report.RunLabel(cfg), targets.Len())
		timelines = append(timelines, t)
		return []report.Consumer{t}
	}}
	cmp, err := compare.Run(ctx, spec)
	if err != nil {
		return cmp, err
	}
	if err := report.WriteTable(w, cmp); err != nil {
		return cmp, err
	}
	fmt.Fprintln(w)
	if err := report.WriteTimelines(w, timelines, report.TimelineOptions{Color: c.Color}); err != nil {
		return cmp, err
	}
	if cmp.Interrupted() {
		return cmp, ErrInterrupted
	}
	return cmp, nil
}
