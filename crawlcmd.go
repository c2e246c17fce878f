package main

// This file owns the crawl command: its usage, flags, spec and run.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/crawl"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/swapi"
	"github.com/fetchbench/fetchbench/targets"
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

// crawlSpec is the validated work of one crawl invocation.
type crawlSpec struct {
	job     crawl.Job
	configs []fetcher.Config // one per strategy; several: the comparison form
	shape   get.Shape
	format  string
	fake    *fakeswapi.Options // --offline
	site    bool               // --offline-site
	out     outputs
}

func (o *crawlOptions) spec(set func(string) bool, seeds []string, stdoutTerminal bool) (*crawlSpec, error) {
	f := crawl.Flags{Offline: o.offline, Site: o.site, Seeds: seeds, Records: o.out.records, RecordsFormat: o.out.format,
		FormatSet: set("records-format"), InputOrder: o.out.order == "input", State: o.job.State, Strategies: len(o.strategies)}
	if err := f.Check(); err != nil {
		return nil, err
	}
	several := len(o.strategies) > 1
	format, err := crawl.Format(o.format, several, stdoutTerminal)
	if err != nil {
		return nil, err
	}
	if o.out.records == "-" && !several {
		return nil, usagef("--records -: stdout carries the documents; write the records to a file")
	}
	shape, err := get.ParseShape(o.fields, o.field, nil)
	if err != nil {
		return nil, err
	}
	d, _ := swapi.Lookup(o.api)
	shape.Dialect = d
	knobs := o.knobs
	knobs.CapRate = set("concurrency")
	configs := compare.Configs(o.run, o.strategies, knobs, []int{knobs.Concurrency}, []float64{knobs.Rate})
	for i := range configs {
		configs[i].HTML = shape.Selectors()
	}
	job := o.job
	job.Seeds, job.Scope = seeds, fetcher.ScopeMode(o.scope)
	sp := &crawlSpec{job: job, configs: configs, shape: shape, format: format, site: o.site, out: o.out}
	if sp.out.format == "" {
		sp.out.format = report.FormatFromPath(sp.out.records)
	}
	if o.offline {
		opts, err := o.fake.options()
		if err != nil {
			return nil, err
		}
		opts.Dialect = o.api
		sp.fake = &opts
	}
	return sp, nil
}

// crawlMemoryLimit is the crawl's soft memory limit (runtime/debug.SetMemoryLimit) unless
// GOMEMLIMIT is set: its live heap is its frontier, which grows with the site, so the GC
// target main sets for the small live heap of a comparison would let it take five times that.
const crawlMemoryLimit = 192 << 20

// runCrawl is the crawl command.
func runCrawl(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(crawlMemoryLimit))
	}
	var o crawlOptions
	fs := newCrawlFlags(&o)
	if err := parseArgs(fs, args, crawlUsage, "", "crawl: ", "see fetchbench crawl --help", stdout); err != nil {
		return err
	}
	sp, err := o.spec(fs.Changed, fs.Args(), report.IsTerminal(stdout))
	if err != nil {
		return err
	}
	switch {
	case sp.fake != nil:
		running, err := targets.StartFake(*sp.fake)
		if err != nil {
			return err
		}
		defer running.Close()
		sp.job.Seeds = []string{running.URL}
	case sp.site:
		running, err := fakeswapi.StartSite(fakeswapi.SiteOptions{CrawlDelay: fakeswapi.SiteCrawlDelay})
		if err != nil {
			return fmt.Errorf("start the fake site: %w", err)
		}
		defer running.Close()
		sp.job.Seeds = []string{running.URL}
	}
	recs, err := sp.openRecords(stdout)
	if err != nil {
		return err
	}
	defer recs.Close()
	inv := crawl.Invocation{Job: sp.job, Configs: sp.configs, Records: recs, Views: sp.out.views(recs, nil)}
	if !sp.out.quiet {
		inv.Talk = stderr
	}
	summaryOut, format := io.Writer(stdout), sp.format
	switch {
	case len(sp.configs) == 1:
		if inv.Documents, err = get.NewWriter(stdout, sp.format, sp.shape.Columns(), report.IsTerminal(stdout)); err != nil {
			return usagef("-o: %v", err)
		}
		inv.Shape, summaryOut, format = sp.shape.Document, stderr, "table"
	case sp.out.records == "-":
		summaryOut = stderr
	}
	html, err := report.CreateHTML(sp.out.html)
	if err != nil {
		return err
	}
	if html != nil {
		defer html.Close()
	}
	cmp, last, err := crawl.Invoke(ctx, inv)
	switch {
	case errors.Is(err, fetcher.ErrConfig), errors.Is(err, crawl.ErrSeeds):
		return usagef("%v", err)
	case err != nil:
		return err
	}
	if err := inv.Views.Finish(cmp, format, sp.out.quiet, summaryOut, stderr, noColor(), html); err != nil {
		return err
	}
	return crawlExit(last, sp.job.Seeds, stderr)
}

// openRecords opens --records, appending when a --state file exists (the crawl goes on).
func (sp *crawlSpec) openRecords(stdout io.Writer) (*report.RecordsOut, error) {
	_, err := os.Stat(sp.job.State)
	return report.OpenRecords(sp.out.records, sp.out.format, sp.out.order == "input", sp.job.State != "" && err == nil, stdout)
}

// crawlExit is the exit of a finished crawl: 130 interrupted, 1 when nothing connected, 3
// past the deadline (URLs left) or with failed pages.
func crawlExit(res crawl.Result, seeds []string, stderr io.Writer) error {
	switch v, err := res.Verdict(seeds); v {
	case crawl.Interrupted:
		fmt.Fprintln(stderr, "fetchbench: interrupted; the output above is partial")
		return &exitErr{code: exitInterrupted}
	case crawl.Unreachable:
		return err
	case crawl.Incomplete:
		return &exitErr{code: exitThreshold}
	}
	return nil
}
