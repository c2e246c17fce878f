package lesson

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
)

// gatherLatency is how long the fake takes to answer a person in the gather lesson, ± a
// quarter: swapi.dev answers in about that.
const gatherLatency = 400 * time.Millisecond

// gather fetches SWAPI people 1..9 one by one, then all at once.
func gather(ctx context.Context, c Config, w io.Writer) error {
	root, stop, err := c.startFake(fakeswapi.Options{Latency: c.scaled(gatherLatency), Jitter: c.scaled(gatherLatency / 4)})
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintln(w, "gather: fetch SWAPI people 1..9 one by one (await each), then all at once (asyncio.gather).")
	fmt.Fprintln(w, "The lesson claims: one by one takes the sum of the nine answers; all at once takes about")
	fmt.Fprintf(w, "the slowest one. Each answer takes %s ± %s here (%s ± %s unscaled, like swapi.dev).\n\n",
		c.scaled(gatherLatency), c.scaled(gatherLatency/4), gatherLatency, gatherLatency/4)
	targets, err := fetcher.RangeTargets(root+"api/people/{id}/", 9)
	if err != nil {
		return err
	}
	configs := []fetcher.Config{c.config(fetcher.Sequential, fetcher.Knobs{}, time.Minute), c.config(fetcher.Unbounded, fetcher.Knobs{}, time.Minute)}
	_, err = c.compareAndDraw(ctx, w, configs, targets)
	return err
}
