package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/report"
)

const lessonUsage = `fetchbench lesson reproduces a classic lesson on concurrency with the built-in fake: it
says what the lesson claims, runs it, and prints the measured table and the timeline.

Usage:
  fetchbench lesson restaurant|gather|workers [--time-scale 0.1]

Lessons:
  restaurant  four orders of burgers (7.5 s), frites (4 s), sodas (1 s) and beers (1.2 s):
              one waiter at a time, two waiters, and the async waiter who never waits
  gather      SWAPI people 1..9 one by one, then all at once (asyncio.gather)
  workers     a 5 s blocking resource behind a sync server with 1, 5 and unlimited workers,
              1, 4 and 10 clients at once, each with a 7 s limit: who gets an answer in time

Every duration is multiplied by --time-scale so that a lesson runs in seconds; the tables
give real times and the lesson's own (unscaled) ones.

Flags:
`

// lessonOptions are the parsed flags of the lesson command.
type lessonOptions struct {
	name  string
	scale float64
}

// lessons maps a lesson's name to its run function.
var lessons = map[string]func(ctx context.Context, o lessonOptions, w io.Writer) error{
	"restaurant": lessonRestaurant,
	"gather":     lessonGather,
	"workers":    lessonWorkers,
}

func runLesson(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	var o lessonOptions
	fs := pflag.NewFlagSet("fetchbench lesson", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.Var(cliflag.Scale(&o.scale, 0.1), "time-scale", "multiply every duration of the lesson by this (0.001..10)")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		o.name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args, lessonUsage, "lesson: ", "see fetchbench lesson --help", stdout); err != nil {
		return err
	}
	if o.name == "" {
		return usagef("lesson: name one of restaurant, gather or workers")
	}
	run, ok := lessons[o.name]
	if !ok {
		return usagef("lesson: unknown lesson %q (want restaurant, gather or workers)", o.name)
	}
	return run(ctx, o, stdout)
}

// scaled is d times the lesson's time scale.
func (o lessonOptions) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * o.scale)
}

// startLessonFake starts the fake with opts and returns its root URL (with a trailing slash).
func startLessonFake(opts fakeswapi.Options) (root string, stop func(), err error) {
	running, err := startFake(opts)
	if err != nil {
		return "", nil, err
	}
	return strings.TrimSuffix(running.URL, "api/"), running.Close, nil
}

// lessonRun runs configs over targets and draws the table and the timelines.
func lessonRun(ctx context.Context, w io.Writer, configs []fetcher.Config, targets fetcher.Targets) (report.Comparison, error) {
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
	if err := report.WriteTimelines(w, timelines, report.TimelineOptions{Color: report.IsTerminal(w)}); err != nil {
		return cmp, err
	}
	if cmp.Interrupted() {
		return cmp, &exitErr{code: exitInterrupted}
	}
	return cmp, nil
}

// config is a run of strategy s with knobs k and a timeout.
func config(s fetcher.Strategy, k fetcher.Knobs, timeout time.Duration) fetcher.Config {
	return fetcher.Config{Strategy: s, Limits: s.Limits(k), Timeout: timeout}
}

// order is one dish of the restaurant lesson.
type order struct {
	dish string
	d    time.Duration
}

// restaurantOrders are the four tables' orders, in the order they are taken.
var restaurantOrders = func() []order {
	burger, frites, soda, beer := order{"burger", 7500 * time.Millisecond}, order{"frites", 4 * time.Second},
		order{"soda", time.Second}, order{"beer", 1200 * time.Millisecond}
	return []order{burger, soda, burger, burger, beer, frites, beer, beer, beer, burger, frites}
}()

// restaurantRuns are the restaurant's three service models.
var restaurantRuns = []struct {
	waiters string
	s       fetcher.Strategy
	k       fetcher.Knobs
}{
	{"one waiter, one order at a time", fetcher.Sequential, fetcher.Knobs{}},
	{"two waiters", fetcher.Semaphore, fetcher.Knobs{Concurrency: 2}},
	{"the async waiter: takes every order, serves each when ready", fetcher.Unbounded, fetcher.Knobs{}},
}

// restaurantIdeal is the wall each service model needs with the lesson's own durations.
func restaurantIdeal() []time.Duration {
	service := make([]time.Duration, len(restaurantOrders))
	for i, o := range restaurantOrders {
		service[i] = o.d
	}
	out := make([]time.Duration, len(restaurantRuns))
	for i, r := range restaurantRuns {
		l := r.s.Limits(r.k)
		out[i] = report.IdealWall(service, l.Slots, l.Rate, l.Burst)
	}
	return out
}

func lessonRestaurant(ctx context.Context, o lessonOptions, w io.Writer) error {
	root, stop, err := startLessonFake(fakeswapi.Options{})
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintln(w, "The restaurant: four tables order (burger, soda), (burger, burger, beer, frites),")
	fmt.Fprintln(w, "(beer, beer, beer), (burger, frites); a burger takes 7.5 s, frites 4 s, a soda 1 s, a beer 1.2 s.")
	fmt.Fprintln(w, "The lesson claims: one waiter serving one order at a time needs the sum, 43.8 s; the async")
	fmt.Fprintln(w, "waiter, who takes every order and serves each dish as it is ready, needs the longest, 7.5 s.")
	fmt.Fprintf(w, "Each dish is a request to the fake's /delay, every duration × %s.\n\n", strconv.FormatFloat(o.scale, 'f', -1, 64))
	urls := make(fetcher.TargetList, len(restaurantOrders))
	for i, d := range restaurantOrders {
		urls[i] = fetcher.Target{URL: root + "delay/" + o.scaled(d.d).String()}
	}
	var configs []fetcher.Config
	for _, r := range restaurantRuns {
		configs = append(configs, config(r.s, r.k, o.scaled(time.Minute)))
	}
	cmp, err := lessonRun(ctx, w, configs, urls)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "service\twall\tunscaled\tthe lesson's own\t")
	for i, ideal := range restaurantIdeal() {
		wall := time.Duration(cmp.Summaries[i].WallMS * float64(time.Millisecond))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", restaurantRuns[i].waiters, wall.Round(time.Millisecond),
			time.Duration(float64(wall)/o.scale).Round(10*time.Millisecond), ideal)
	}
	return tw.Flush()
}

func lessonGather(ctx context.Context, o lessonOptions, w io.Writer) error {
	const latency = 400 * time.Millisecond // swapi.dev answers a person in about that
	root, stop, err := startLessonFake(fakeswapi.Options{Latency: o.scaled(latency), Jitter: o.scaled(latency / 4)})
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintln(w, "gather: fetch SWAPI people 1..9 one by one (await each), then all at once (asyncio.gather).")
	fmt.Fprintln(w, "The lesson claims: one by one takes the sum of the nine answers; all at once takes about")
	fmt.Fprintf(w, "the slowest one. Each answer takes %s ± %s here (%s ± %s unscaled, like swapi.dev).\n\n",
		o.scaled(latency), o.scaled(latency/4), latency, latency/4)
	targets, err := fetcher.RangeTargets(root+"api/people/{id}/", 9)
	if err != nil {
		return err
	}
	configs := []fetcher.Config{config(fetcher.Sequential, fetcher.Knobs{}, time.Minute), config(fetcher.Unbounded, fetcher.Knobs{}, time.Minute)}
	_, err = lessonRun(ctx, w, configs, targets)
	return err
}

// workersCell is one cell of the workers lesson: a server with workers (0: unlimited), hit by
// clients at once.
type workersCell struct {
	workers, clients int
}

// workersLesson are the lesson's servers and clients; workersPass is what the lesson says:
// whether every client gets its answer within the limit.
var (
	workersServers = []int{1, 5, 0}
	workersClients = []int{1, 4, 10}
	workersPass    = map[workersCell]bool{
		{1, 1}: true, {1, 4}: false, {1, 10}: false,
		{5, 1}: true, {5, 4}: true, {5, 10}: false,
		{0, 1}: true, {0, 4}: true, {0, 10}: true,
	}
)

// workersMatrix runs every cell: clients at once against the 5 s resource with a 7 s limit,
// both scaled, and reports which passed (every client answered in time).
func workersMatrix(ctx context.Context, o lessonOptions) (map[workersCell]bool, map[workersCell]*report.Timeline, error) {
	const resource, limit = 5 * time.Second, 7 * time.Second
	got := map[workersCell]bool{}
	timelines := map[workersCell]*report.Timeline{}
	for _, workers := range workersServers {
		root, stop, err := startLessonFake(fakeswapi.Options{Workers: workers})
		if err != nil {
			return nil, nil, err
		}
		for _, clients := range workersClients {
			urls := make(fetcher.TargetList, clients)
			for i := range urls {
				urls[i] = fetcher.Target{URL: root + "delay/" + o.scaled(resource).String()}
			}
			cell := workersCell{workers, clients}
			tl := report.NewTimeline(fmt.Sprintf("%s, %d clients at once", serverName(workers), clients), clients)
			timelines[cell] = tl
			cmp, err := compare.Run(ctx, compare.Spec{
				Configs: []fetcher.Config{config(fetcher.Unbounded, fetcher.Knobs{}, o.scaled(limit))}, Targets: urls,
				Consumers: func(fetcher.Config) []report.Consumer { return []report.Consumer{tl} },
			})
			var unreachable *compare.UnreachableError
			if err != nil && !errors.As(err, &unreachable) {
				stop()
				return nil, nil, err
			}
			if cmp.Interrupted() {
				stop()
				return nil, nil, &exitErr{code: exitInterrupted}
			}
			got[workersCell{workers, clients}] = err == nil && cmp.Summaries[0].OK == clients
		}
		stop()
	}
	return got, timelines, nil
}

// serverName names a server of the workers lesson: "1 worker", "5 workers", "unlimited".
func serverName(workers int) string {
	switch workers {
	case 0:
		return "unlimited"
	case 1:
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", workers)
}

func lessonWorkers(ctx context.Context, o lessonOptions, w io.Writer) error {
	fmt.Fprintln(w, "workers: a resource takes 5 s to compute, behind a sync server with 1, 5 or unlimited")
	fmt.Fprintln(w, "workers (each serves one request at a time; the others queue). 1, 4 or 10 clients ask at once,")
	fmt.Fprintln(w, "each giving up after 7 s. The lesson claims: 1 worker serves 1 client in time but not 4; 5")
	fmt.Fprintln(w, "workers serve 4 but not 10; an unlimited (async) server serves all 10.")
	fmt.Fprintf(w, "Every duration × %s: the resource takes %s, the clients wait %s.\n\n", strconv.FormatFloat(o.scale, 'f', -1, 64), o.scaled(5*time.Second), o.scaled(7*time.Second))
	got, timelines, err := workersMatrix(ctx, o)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "server\t")
	for _, c := range workersClients {
		fmt.Fprintf(tw, "%d client%s\t", c, map[bool]string{true: "", false: "s"}[c == 1])
	}
	fmt.Fprintln(tw, "as the lesson says")
	for _, workers := range workersServers {
		fmt.Fprintf(tw, "%s\t", serverName(workers))
		agree := true
		for _, c := range workersClients {
			cell := workersCell{workers, c}
			fmt.Fprintf(tw, "%s\t", map[bool]string{true: "pass", false: "FAIL"}[got[cell]])
			agree = agree && got[cell] == workersPass[cell]
		}
		fmt.Fprintln(tw, map[bool]string{true: "yes", false: "no"}[agree])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nThe 5 workers with 10 clients: the second five wait for a worker and give up (✗).")
	return report.WriteTimelines(w, []*report.Timeline{timelines[workersCell{5, 10}]}, report.TimelineOptions{Color: report.IsTerminal(w)})
}
