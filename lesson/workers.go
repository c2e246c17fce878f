package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/report"
)

// The workers lesson's resource takes workersResource to compute; a client gives up after
// workersLimit. Both are scaled.
const workersResource, workersLimit = 5 * time.Second, 7 * time.Second

// workersCell is one cell of the workers lesson: a server with workers (0: unlimited), hit by
// clients at once.
type workersCell struct {
	workers, clients int
}

// workersServers and workersClients are the lesson's servers and clients; workersPass is what
// the lesson says: whether every client gets its answer within the limit.
var (
	workersServers = []int{1, 5, 0}
	workersClients = []int{1, 4, 10}
	workersPass    = map[workersCell]bool{
		{1, 1}: true, {1, 4}: false, {1, 10}: false,
		{5, 1}: true, {5, 4}: true, {5, 10}: false,
		{0, 1}: true, {0, 4}: true, {0, 10}: true,
	}
)

// workersMatrix runs every cell: clients at once against the resource with the limit, both
// scaled, and reports which passed (every client answered in time), with each cell's timeline.
func workersMatrix(ctx context.Context, c Config) (map[workersCell]bool, map[workersCell]*report.Timeline, error) {
	got := map[workersCell]bool{}
	timelines := map[workersCell]*report.Timeline{}
	for _, workers := range workersServers {
		if err := workersServer(ctx, c, workers, got, timelines); err != nil {
			return nil, nil, err
		}
	}
	return got, timelines, nil
}

// workersServer runs the cells of one server, with workers, into got and timelines.
func workersServer(ctx context.Context, c Config, workers int, got map[workersCell]bool, timelines map[workersCell]*report.Timeline) error {
	root, stop, err := c.startFake(fakeswapi.Options{Workers: workers})
	if err != nil {
		return err
	}
	defer stop()
	for _, clients := range workersClients {
		urls := make(fetcher.TargetList, clients)
		for i := range urls {
			urls[i] = fetcher.Target{URL: root + "delay/" + c.scaled(workersResource).String()}
		}
		cell := workersCell{workers, clients}
		tl := report.NewTimeline(fmt.Sprintf("%s at once", serverName(workers)+", "+plural.N(clients, "client", "clients")), clients)
		timelines[cell] = tl
		cmp, err := compare.Run(ctx, compare.Spec{
			Configs: []fetcher.Config{c.config(fetcher.Unbounded, fetcher.Knobs{}, c.scaled(workersLimit))}, Targets: urls,
			Consumers: func(fetcher.Config) []report.Consumer { return []report.Consumer{tl} },
		})
		var unreachable *compare.UnreachableError
		if err != nil && !errors.As(err, &unreachable) {
			return err
		}
		if cmp.Interrupted() {
			return ErrInterrupted
		}
		got[cell] = err == nil && cmp.Summaries[0].OK == clients
	}
	return nil
}

// serverName names a server of the workers lesson: "1 worker", "5 workers", "unlimited".
func serverName(workers int) string {
	if workers == 0 {
		return "unlimited"
	}
	return plural.N(workers, "worker", "workers")
}

// workers runs the matrix and compares it with what the lesson says.
func workers(ctx context.Context, c Config, w io.Writer) error {
	fmt.Fprintln(w, "workers: a resource takes 5 s to compute, behind a sync server with 1, 5 or unlimited")
	fmt.Fprintln(w, "workers (each serves one request at a time; the others queue). 1, 4 or 10 clients ask at once,")
	fmt.Fprintln(w, "each giving up after 7 s. The lesson claims: 1 worker serves 1 client in time but not 4; 5")
	fmt.Fprintln(w, "workers serve 4 but not 10; an unlimited (async) server serves all 10.")
	fmt.Fprintf(w, "Every duration × %s: the resource takes %s, the clients wait %s.\n\n", strconv.FormatFloat(c.Scale, 'f', -1, 64), c.scaled(workersResource), c.scaled(workersLimit))
	got, timelines, err := workersMatrix(ctx, c)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "server\t")
	for _, n := range workersClients {
		fmt.Fprintf(tw, "%s\t", plural.N(n, "client", "clients"))
	}
	fmt.Fprintln(tw, "as the lesson says")
	disagree := 0
	for _, workers := range workersServers {
		fmt.Fprintf(tw, "%s\t", serverName(workers))
		agree := true
		for _, n := range workersClients {
			cell := workersCell{workers, n}
			fmt.Fprintf(tw, "%s\t", map[bool]string{true: "pass", false: "FAIL"}[got[cell]])
			agree = agree && got[cell] == workersPass[cell]
		}
		fmt.Fprintln(tw, map[bool]string{true: "yes", false: "no"}[agree])
		if !agree {
			disagree++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nThe 5 workers with 10 clients: the second five wait for a worker and give up (✗).")
	if err := report.WriteTimelines(w, []*report.Timeline{timelines[workersCell{5, 10}]}, report.TimelineOptions{Color: c.Color}); err != nil {
		return err
	}
	if disagree > 0 {
		fmt.Fprintf(w, "\n%s of %d did not behave as the lesson says: at scale %s each request's own cost here\n",
			plural.N(disagree, "server", "servers"), len(workersServers), strconv.FormatFloat(c.Scale, 'f', -1, 64))
		fmt.Fprintln(w, "eats the clients' margin; a larger time scale gives it back.")
		return ErrContradicted
	}
	return nil
}
