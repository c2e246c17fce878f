package main

// This file owns the crawl command: its usage, flags, spec and run.

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/crawl"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/session"
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
	repeat        int
	thresholds    []report.Threshold
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
	addOutputFlags(fs, &o.out, "completion", "record order: completion|input", true)
	addViewFlags(fs, &o.out, "write a self-contained HTML report with charts to FILE")
	fs.Var(cliflag.Int(&o.repeat, 1, 1, 1000), "repeat", "crawl K times, rotating the strategy order each time (the documents are written once, from the first crawl)")
	fs.Var(cliflag.Parsed(&o.thresholds, "", cliflag.Colon, report.ParseThresholds),
		"fail-on", "thresholds per strategy, e.g. 'errors>0,p99>500ms,rps<50' (exit 3 on breach)")
	addFakeFlags(fs, &o.fake, 0)
	return fs
}

// crawlSpec is the validated work of one crawl invocation, but for its outputs.
type crawlSpec struct {
	inv    crawl.Invocation
	format string             // -o: the documents' (one strategy) or the summary's (several)
	fake   *fakeswapi.Options // --offline's fake, nil without
	site   bool               // --offline-site
}

// spec checks the combinations of flags and builds the invocation, but for its outputs, and
// the documents' shape. It opens nothing.
func (o *crawlOptions) spec(set func(string) bool, seeds []string, stdoutTerminal bool) (crawlSpec, get.Shape, error) {
	f := crawlFlags{offline: o.offline, site: o.site, seeds: seeds, records: o.out.records, recordsFormat: o.out.format,
		formatSet: set("records-format"), inputOrder: o.out.order == "input", state: o.job.State, strategies: len(o.strategies)}
	if err := f.check(); err != nil {
		return crawlSpec{}, get.Shape{}, err
	}
	if o.job.State != "" && o.repeat > 1 {
		return crawlSpec{}, get.Shape{}, usagef("--state resumes one crawl: drop --repeat")
	}
	if err := report.DistinctPaths(report.NamedPath{Name: "--records", Path: o.out.records}, report.NamedPath{Name: "--html", Path: o.out.html},
		report.NamedPath{Name: "--state", Path: o.job.State}); err != nil {
		return crawlSpec{}, get.Shape{}, err
	}
	format, err := crawlFormat(o.format, len(o.strategies) > 1, stdoutTerminal)
	if err != nil {
		return crawlSpec{}, get.Shape{}, err
	}
	shape, err := get.ParseShape(o.fields, o.field, nil)
	if err != nil {
		return crawlSpec{}, get.Shape{}, err
	}
	shape.Dialect, _ = swapi.Lookup(o.api)
	knobs := o.knobs
	knobs.CapRate = set("concurrency")
	o.run.HTML = shape.Selectors()
	sp := crawlSpec{inv: crawl.Invocation{Job: o.job, OptionNamer: flagName, Configs: compare.Configs(o.run, o.strategies, knobs, []int{knobs.Concurrency}, []float64{knobs.Rate})},
		format: format, site: o.site}
	sp.inv.Job.Seeds, sp.inv.Job.Scope = seeds, fetcher.ScopeMode(o.scope)
	if o.out.format == "" {
		o.out.format = report.FormatFromPath(o.out.records)
	}
	if o.offline {
		opts, err := o.fake.options()
		if err != nil {
			return crawlSpec{}, get.Shape{}, err
		}
		opts.Dialect = o.api
		sp.fake = &opts
	}
	return sp, shape, nil
}

// startSeed starts sp's fake or fake site, if any, and returns its root as the seeds; stop
// stops it.
func (sp *crawlSpec) startSeed(e *env) (seeds []string, stop func(), err error) {
	switch {
	case sp.fake != nil:
		r, err := e.startFake(*sp.fake, fakeswapi.Wire{})
		if err != nil {
			return nil, nil, err
		}
		return []string{r.URL}, r.Close, nil
	case sp.site:
		ln, err := e.listenLoopback()
		if err != nil {
			return nil, nil, fmt.Errorf("start the fake site: %w", err)
		}
		r := fakeswapi.StartSite(ln, fakeswapi.SiteOptions{CrawlDelay: fakeswapi.SiteCrawlDelay})
		return []string{r.URL}, r.Close, nil
	}
	return sp.inv.Job.Seeds, func() {}, nil
}

// crawlMemoryLimit is the crawl's soft memory limit: its live heap is its frontier, which
// grows with the site, so the GC target main sets for the small live heap of a comparison
// would let it take five times that.
const crawlMemoryLimit = 192 << 20

// runCrawl is the crawl command.
func runCrawl(ctx context.Context, e *env, args []string) error {
	stdout, stderr := e.stdout, e.stderr
	defer softMemoryLimit(crawlMemoryLimit)()
	var o crawlOptions
	fs := newCrawlFlags(&o)
	if err := cliflag.Parse(fs, args, usage("crawl"), "", "crawl: ", "see fetchbench crawl --help", stdout); err != nil {
		return err
	}
	o.run.Transport = e.transport
	sp, shape, err := o.spec(fs.Changed, fs.Args(), report.IsTerminal(stdout))
	if err != nil {
		return err
	}
	inv := sp.inv
	seeds, stopSeed, err := sp.startSeed(e)
	if err != nil {
		return err
	}
	defer stopSeed()
	inv.Job.Seeds = seeds
	if err := report.NotStdout(stdout, report.NamedPath{Name: "--records", Path: o.out.records}, report.NamedPath{Name: "--html", Path: o.out.html},
		report.NamedPath{Name: "--state", Path: o.job.State}); err != nil {
		return err
	}
	_, statErr := os.Stat(o.job.State)
	resume := o.job.State != "" && statErr == nil // the crawl goes on, appending to --records
	if inv.Records, err = report.OpenRecords(o.out.records, o.out.format, o.out.order == "input", resume, stdout); err != nil {
		return err
	}
	html, err := report.CreateHTML(o.out.html)
	if err != nil {
		inv.Records.Close()
		return err
	}
	dest := report.Destination{Format: sp.format, Quiet: o.out.quiet, Summary: stdout, Stderr: stderr, NoColor: e.noColor(), HTML: html}
	if !o.out.quiet {
		inv.Talk = stderr
	}
	switch {
	case len(inv.Configs) == 1:
		if inv.Documents, err = get.NewWriter(stdout, sp.format, shape.Columns(), report.IsTerminal(stdout)); err != nil {
			inv.Records.Close()
			html.Close()
			return usagef("-o: %v", err)
		}
		inv.Shape, dest.Summary, dest.Format = shape.Document, stderr, "table"
	case o.out.records == "-":
		dest.Summary = stderr
	}
	var progress io.Writer
	if report.ShowProgress(o.out.progress, report.IsTerminal(stderr), report.IsTerminal(stdout)) {
		progress = stderr
	}
	plan := crawl.Plan(inv, o.repeat)
	plan.InProcessServer = sp.fake != nil || sp.site
	return session.Run(ctx, plan, session.Outputs{Records: inv.Records, Views: o.out.views(inv.Records, progress), Thresholds: o.thresholds,
		Notes: stderr, Partial: "output", Write: "write", Destination: dest})
}
