package main

// This file owns the crawl command: its usage, flags, spec and run.

import (
	"context"
	"io"
	"math"
	"os"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/crawl"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/swapi"
)

// crawlOptions holds the parsed flags of the crawl command.
type crawlOptions struct {
	offline, site bool
	api           string
	strategies    []fetcher.Strategy
	knobs         fetcher.Knobs
	run           fetcher.Config
	job           crawl.Job
	scope         string
	format        string
	fields        []string
	field         []string
	out           outputs
	fake          fakeFlags
}

func newCrawlFlags(o *crawlOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("crawl", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.BoolVar(&o.offline, "offline", false, "start the built-in fake SWAPI on 127.0.0.1 and crawl it from its root")
	fs.BoolVar(&o.site, "offline-site", false, "start the fake HTML site on 127.0.0.1 and crawl it from its root")
	fs.Var(cliflag.Choice(&o.api, "dev", swapi.DialectNames(), func(s string) error {
		_, err := swapi.Lookup(s)
		return cliflag.Valuef("%v", err)
	}), "api", "SWAPI dialect of --offline's fake and of the documents: dev|py4e|tech|info")
	o.strategies = []fetcher.Strategy{fetcher.Semaphore}
	fs.VarP(cliflag.Parsed(&o.strategies, string(fetcher.Semaphore), cliflag.Colon, fetcher.ParseStrategies),
		"strategy", "s", "one of "+fetcher.StrategyNames("|")+", or a comma list or all to compare them, each crawling the same graph")
	addLimitFlags(fs, &o.knobs, 5, nil, nil)
	addRunFlags(fs, &o.run)
	fs.StringVar(&o.run.UserAgent, "user-agent", "fetchbench/"+fetcher.Version, "User-Agent header, and the name looked up in robots.txt")
	fs.Var(cliflag.Int(&o.job.Depth, -1, -1, math.MaxInt32), "depth", "most hops from a seed followed (-1 = unlimited)")
	fs.Var(cliflag.Choice(&o.scope, string(fetcher.ScopeHost), fetcher.ScopeModes, func(s string) error {
		return cliflag.Valuef("want host, domain or prefix, got %q", s)
	}), "scope", "links followed: host (the seeds' hosts), domain (their domains, every subdomain) or prefix (under the seeds' paths)")
	fs.Var(cliflag.Int(&o.job.MaxPages, crawl.DefaultMaxPages, 1, math.MaxInt32), "max-pages", "most URLs fetched, so that a trap of endless links stops")
	fs.BoolVar(&o.job.PerHost, "per-host", false, "apply -c and -r to each host on its own instead of to the whole crawl")
	fs.StringVar(&o.job.State, "state", "", "keep the frontier and visited set in FILE; rerun with it to go on where the crawl stopped")
	fs.BoolVar(&o.job.IgnoreRobots, "ignore-robots", false, "do not read robots.txt: nothing disallowed, no Crawl-delay")

	fs.VarP(cliflag.Choice(&o.format, "", append(append([]string(nil), get.Formats...), "markdown"), func(s string) error {
		return cliflag.Valuef("unknown format %q (want ndjson, json, csv or table; with several strategies table, json, csv or markdown)", s)
	}), "output", "o", "document format: ndjson|json|csv|table (default: table on a terminal, else ndjson); with several strategies, the summary's: table|json|csv|markdown")
	fs.Var(cliflag.Parsed(&o.fields, "", cliflag.Colon, get.ParseMembers), "fields", "keep these members of JSON documents, in this order")
	fs.StringArrayVar(&o.field, "field", nil, "NAME=PATH: add a member from a JSON path or, for HTML, a CSS selector (title, a@href); repeatable")
	addOutputFlags(fs, &o.out, "completion", "record order: completion|input", false)
	addViewFlags(fs, &o.out, "write a self-contained HTML report with charts to FILE")
	addFakeFlags(fs, &o.fake, 0)
	return fs
}

// spec checks the combinations of flags and builds the invocation, but for its outputs, and
// the documents' shape. It opens nothing.
func (o *crawlOptions) spec(set func(string) bool, seeds []string, stdoutTerminal bool) (crawl.Invocation, get.Shape, error) {
	f := crawlFlags{offline: o.offline, site: o.site, seeds: seeds, records: o.out.records, recordsFormat: o.out.format,
		formatSet: set("records-format"), inputOrder: o.out.order == "input", state: o.job.State, strategies: len(o.strategies)}
	if err := f.check(); err != nil {
		return crawl.Invocation{}, get.Shape{}, err
	}
	format, err := crawlFormat(o.format, len(o.strategies) > 1, stdoutTerminal)
	if err != nil {
		return crawl.Invocation{}, get.Shape{}, err
	}
	shape, err := get.ParseShape(o.fields, o.field, nil)
	if err != nil {
		return crawl.Invocation{}, get.Shape{}, err
	}
	shape.Dialect, _ = swapi.Lookup(o.api)
	knobs := o.knobs
	knobs.CapRate = set("concurrency")
	o.run.HTML = shape.Selectors()
	inv := crawl.Invocation{Job: o.job, Configs: compare.Configs(o.run, o.strategies, knobs, []int{knobs.Concurrency}, []float64{knobs.Rate}),
		Site: o.site, Destination: report.Destination{Format: format, Quiet: o.out.quiet}}
	inv.Job.Seeds, inv.Job.Scope = seeds, fetcher.ScopeMode(o.scope)
	if o.out.format == "" {
		o.out.format = report.FormatFromPath(o.out.records)
	}
	if o.offline {
		opts, err := o.fake.options()
		if err != nil {
			return crawl.Invocation{}, get.Shape{}, err
		}
		opts.Dialect = o.api
		inv.Fake = &opts
	}
	return inv, shape, nil
}

// crawlMemoryLimit is the crawl's soft memory limit: its live heap is its frontier, which
// grows with the site, so the GC target main sets for the small live heap of a comparison
// would let it take five times that.
const crawlMemoryLimit = 192 << 20

// runCrawl is the crawl command.
func runCrawl(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	defer softMemoryLimit(crawlMemoryLimit)()
	var o crawlOptions
	fs := newCrawlFlags(&o)
	if err := cliflag.Parse(fs, args, usage("crawl"), "", "crawl: ", "see fetchbench crawl --help", stdout); err != nil {
		return err
	}
	inv, shape, err := o.spec(fs.Changed, fs.Args(), report.IsTerminal(stdout))
	if err != nil {
		return err
	}
	_, statErr := os.Stat(o.job.State)
	resume := o.job.State != "" && statErr == nil // the crawl goes on, appending to --records
	if inv.Records, err = report.OpenRecords(o.out.records, o.out.format, o.out.order == "input", resume, stdout); err != nil {
		return err
	}
	defer inv.Records.Close()
	if inv.HTML, err = report.CreateHTML(o.out.html); err != nil {
		return err
	}
	inv.Views, inv.Summary, inv.Stderr, inv.NoColor = o.out.views(inv.Records, nil), stdout, stderr, noColor()
	if !o.out.quiet {
		inv.Talk = stderr
	}
	switch {
	case len(inv.Configs) == 1:
		if inv.Documents, err = get.NewWriter(stdout, inv.Format, shape.Columns(), report.IsTerminal(stdout)); err != nil {
			return usagef("-o: %v", err)
		}
		inv.Shape, inv.Summary, inv.Format = shape.Document, stderr, "table"
	case o.out.records == "-":
		inv.Summary = stderr
	}
	return crawl.Invoke(ctx, inv)
}
