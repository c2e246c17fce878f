package lesson

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
)

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

// restaurant serves the four tables' dishes (requests to the fake's /delay) with each service
// model and compares the walls with the lesson's own.
func restaurant(ctx context.Context, c Config, w io.Writer) error {
	root, stop, err := c.startFake(fakeswapi.Options{})
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintln(w, "The restaurant: four tables order (burger, soda), (burger, burger, beer, frites),")
	fmt.Fprintln(w, "(beer, beer, beer), (burger, frites); a burger takes 7.5 s, frites 4 s, a soda 1 s, a beer 1.2 s.")
	fmt.Fprintln(w, "The lesson claims: one waiter serving one order at a time needs the sum, 43.8 s; the async")
	fmt.Fprintln(w, "waiter, who takes every order and serves each dish as it is ready, needs the longest, 7.5 s.")
	fmt.Fprintf(w, "Each dish is a request to the fake's /delay, every duration × %s.\n\n", strconv.FormatFloat(c.Scale, 'f', -1, 64))
	urls := make(fetcher.TargetList, len(restaurantOrders))
	for i, d := range restaurantOrders {
		urls[i] = fetcher.Target{URL: root + "delay/" + c.scaled(d.d).String()}
	}
	var configs []fetcher.Config
	for _, r := range restaurantRuns {
		configs = append(configs, c.config(r.s, r.k, c.scaled(time.Minute)))
	}
	cmp, err := c.compareAndDraw(ctx, w, configs, urls)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "service\twall\tunscaled\tthe lesson's own\t")
	worst := 0.0 // the largest unscaled wall over the lesson's own, as a ratio
	for i, ideal := range restaurantIdeal() {
		wall := time.Duration(cmp.Summaries[i].WallMS * float64(time.Millisecond))
		unscaled := time.Duration(float64(wall) / c.Scale)
		worst = max(worst, float64(unscaled)/float64(ideal))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", restaurantRuns[i].waiters, wall.Round(time.Millisecond),
			unscaled.Round(10*time.Millisecond), ideal)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if worst > 1+restaurantTolerance {
		fmt.Fprintf(w, "\nThese walls are up to %.0f%% over the lesson's own: at scale %s each request's own cost here\n", (worst-1)*100, strconv.FormatFloat(c.Scale, 'f', -1, 64))
		fmt.Fprintln(w, "adds up and the lesson does not hold; a larger time scale brings them closer.")
		return ErrContradicted
	}
	return nil
}

// restaurantTolerance is how far over the lesson's own a wall may come out, as a share.
const restaurantTolerance = 0.10
