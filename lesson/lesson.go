// Package lesson runs the classic lessons on concurrency (restaurant, gather, workers) against
// the fake SWAPI, and renders what each claims and what it measured into an io.Writer.
package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/session"
	"github.com/fetchbench/fetchbench/swapi"
)

// Names are the lessons Run knows, in the order a usage lists them.
var Names = []string{"restaurant", "gather", "workers"}

var (
	// ErrUnknown is returned by Run for a name not in Names.
	ErrUnknown = errors.New("unknown lesson")
	// ErrInterrupted is returned by Run when ctx ends during the lesson; what had run is
	// rendered already.
	ErrInterrupted = errors.New("lesson interrupted")
	// ErrScale is wrapped by Run's error when Config.Scale makes the lesson's shortest step
	// too short for what a request costs on this machine: the lesson would measure the
	// machine, not the lesson, and contradict itself.
	ErrScale = errors.New("time scale too small for this machine")
	// ErrContradicted is returned by Run when what the lesson measured contradicts what it
	// claims (said in its output's last line): a loaded machine, or a scale near the least
	// it keeps.
	ErrContradicted = errors.New("the lesson's claim did not hold")
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
	// Overhead is what one request to the fake costs beyond the delay it asks for; 0 means
	// Run measures it (the median of a few requests for the lesson's scaled step) before the
	// lesson starts.
	Overhead time.Duration
}

// overheadShare is the largest share of a lesson's scaled step that a request's overhead may
// take: past it the overheads add up to more than the differences the lesson shows.
const overheadShare = 10

// A lessonRun is a lesson: its run function, and its step, the shortest of its own
// durations its claims hinge on.
type lessonRun struct {
	run  func(ctx context.Context, cfg Config, w io.Writer) error
	step time.Duration
}

// lessons maps a lesson's name to its run.
var lessons = map[string]lessonRun{
	"restaurant": {restaurant, time.Second},                 // a soda
	"gather":     {gather, gatherLatency},                   // one answer
	"workers":    {workers, workersLimit - workersResource}, // a client's margin
}

// Run runs the lesson called name and writes into w what it claims, the measured table and
// the timelines. It fails with ErrUnknown for a name not in Names, with ErrScale (writing
// nothing) when a request's overhead takes more than a tenth of the lesson's shortest step
// once scaled, and with ErrInterrupted when ctx ends first. Every fake it starts is stopped
// before it returns.
func Run(ctx context.Context, name string, cfg Config, w io.Writer) error {
	l, ok := lessons[name]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknown, name)
	}
	if !(cfg.Scale > 0) {
		return fmt.Errorf("lesson %s: time scale %g is not positive", name, cfg.Scale)
	}
	step := cfg.scaled(l.step)
	overhead := cfg.Overhead
	if overhead <= 0 {
		var err error
		if overhead, err = cfg.measureOverhead(ctx, step); err != nil {
			return err
		}
	}
	if overhead*overheadShare > step {
		least := float64(overhead*overheadShare) / float64(l.step)
		return fmt.Errorf("lesson %s: %w: its shortest step, %s, lasts %s at scale %s, but a request costs %s more here; use a scale of %s or more",
			name, ErrScale, l.step, step, strconv.FormatFloat(cfg.Scale, 'f', -1, 64), overhead.Round(time.Microsecond), roundUp(least))
	}
	return l.run(ctx, cfg, w)
}

// measureOverhead is the quickest of a few requests to a fake for delay d, less d: what the
// machine can keep, not a moment when other work held it up.
func (c Config) measureOverhead(ctx context.Context, d time.Duration) (time.Duration, error) {
	root, stop, err := c.startFake(fakeswapi.Options{})
	if err != nil {
		return 0, err
	}
	defer stop()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.Transport != nil {
		tr = c.Transport.Clone()
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var took []time.Duration
	for range 5 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, root+"delay/"+d.String(), nil)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return 0, ErrInterrupted
			}
			return 0, fmt.Errorf("measure a request to the fake: %w", err)
		}
		io.Copy(io.Discard, res.Body) //nolint:errcheck // only the time counts
		res.Body.Close()
		took = append(took, time.Since(start))
	}
	return max(slices.Min(took)-d, 0), nil
}

// roundUp is f rounded up to one significant digit: "0.02" of 0.016.
func roundUp(f float64) string {
	e := int(math.Floor(math.Log10(f)))
	v := math.Ceil(f/math.Pow10(e)-1e-9) * math.Pow10(e)
	return strconv.FormatFloat(v, 'f', max(-e, 0), 64)
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
	return fetcher.Config{Strategy: s, Limits: s.Limits(k), Timeout: timeout, Transport: c.Transport, Namer: swapi.Namer{}}
}

// compareAndDraw runs configs over targets as a session's plan and draws the table and the
// timelines into w.
func (c Config) compareAndDraw(ctx context.Context, w io.Writer, configs []fetcher.Config, targets fetcher.Targets) (report.Comparison, error) {
	var cmp report.Comparison
	plan := session.Plan{Configs: configs, Targets: targets, Host: targets.At(0).URL,
		Run: func(ctx context.Context, _ int, cfg fetcher.Config, cs []report.Consumer) (session.Outcome, error) {
			o, err := compare.Once(ctx, nil, cfg, fetcher.Static(targets), fetcher.GatesFor(cfg.Limits), cs)
			return session.Outcome{Summary: o.Summary, Interrupted: o.Stats.Interrupted, Unreachable: o.Unreachable}, err
		}}
	err := session.Run(ctx, plan, session.Outputs{Views: &report.Outputs{Timeline: "shared"},
		Destination: report.Destination{Format: "table", Summary: w, Stderr: w, NoColor: !c.Color},
		Compared:    func(_ int, c report.Comparison) { cmp = c }})
	if errors.Is(err, verdict.ErrInterrupted) {
		return cmp, ErrInterrupted
	}
	return cmp, err
}
