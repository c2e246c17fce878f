package main

// This file owns the get command: its usage, flags, spec and run.

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/redispool"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/session"
)

// getOptions holds the parsed flags of the get command.
type getOptions struct {
	target   targetFlags
	strategy fetcher.Strategy
	knobs    fetcher.Knobs
	run      fetcher.Config
	quota    bool // --respect-quota

	format string   // -o: "" means table on a terminal, else ndjson
	fields []string // --fields
	field  []string // --field NAME=PATH
	expand []string // --expand
	cache  string
	out    outputs
	repeat int
	// thresholds judge the run (--fail-on)
	thresholds []report.Threshold
	fake       fakeFlags
	pool       poolFlags
}

func newGetFlags(o *getOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("get", pflag.ContinueOnError)
	fs.SortFlags = false
	addTargetFlags(fs, &o.target, 20)
	o.strategy = fetcher.Semaphore
	fs.VarP(cliflag.Parsed(&o.strategy, string(o.strategy), cliflag.Colon, fetcher.ParseStrategy),
		"strategy", "s", fetcher.StrategyNames("|"))
	addLimitFlags(fs, &o.knobs, 5, nil, nil)
	addRunFlags(fs, &o.run)
	fs.BoolVar(&o.quota, "respect-quota", true, "keep within the quota the server states in its headers")

	fs.VarP(cliflag.Choice(&o.format, "", get.Formats, func(s string) error {
		return cliflag.Valuef("unknown format %q (want ndjson, json, csv or table)", s)
	}), "output", "o", "document format: ndjson|json|csv|table (default: table on a terminal, else ndjson)")
	fs.Var(cliflag.Parsed(&o.fields, "", cliflag.Colon, get.ParseMembers), "fields", "keep these members, in this order, e.g. name,height,homeworld")
	fs.StringArrayVar(&o.field, "field", nil, "NAME=PATH: add a member from a JSON path (films.0) or, for HTML, a CSS selector (h1, a@href); repeatable")
	fs.Var(cliflag.Parsed(&o.expand, "", cliflag.Colon, get.ParseMembers), "expand", "replace the URLs in these members by the linked documents (one level deep), e.g. homeworld,films")
	fs.StringVar(&o.cache, "cache", "", "keep 200 answers in DIR and answer repeated URLs from it (saves an API's daily quota)")
	addOutputFlags(fs, &o.out, "input", "document and record order: input|completion", true)
	addViewFlags(fs, &o.out, "write a self-contained HTML report with charts to FILE (it fetches nothing when opened)")
	fs.Var(cliflag.Int(&o.repeat, 1, 1, 1000), "repeat", "run K times (the documents are written once, from the first run); the summary shows each run")
	fs.Var(cliflag.Parsed(&o.thresholds, "", cliflag.Colon, report.ParseThresholds),
		"fail-on", "thresholds, e.g. 'errors>0,p99>500ms,rps<50' (exit 3 on breach)")
	addFakeFlags(fs, &o.fake, 100*time.Millisecond)
	addFakeH2Flag(fs, &o.fake)
	addProfileFlags(fs, &o.fake, "fake-")
	addPoolFlags(fs, &o.pool)
	return fs
}

// getSpec is the validated work of one get invocation.
type getSpec struct {
	target *targetSpec
	config fetcher.Config
	shape  get.Shape
	format string
	out    outputs
	// cacheReadOnly: entries are read from --cache but new ones cannot be kept.
	cacheReadOnly bool
}

func (o *getOptions) spec(set func(string) bool, stdoutTerminal bool) (*getSpec, error) {
	if err := checkGetFlags(o.out.records, set("records-format"), o.cache, o.pool.redis); err != nil {
		return nil, err
	}
	if err := report.DistinctPaths(report.NamedPath{Name: "--urls", Path: o.target.src.URLs}, report.NamedPath{Name: "--records", Path: o.out.records},
		report.NamedPath{Name: "--html", Path: o.out.html}); err != nil {
		return nil, err
	}
	target, err := o.target.spec(set, o.fake)
	if err != nil {
		return nil, err
	}
	shape, err := get.ParseShape(o.fields, o.field, o.expand)
	if err != nil {
		return nil, err
	}
	cacheReadOnly, err := get.PrepareCache(o.cache)
	if err != nil {
		return nil, err
	}
	knobs := o.knobs
	knobs.CapRate = set("concurrency")
	s := o.strategy
	if err := fetcher.CheckFloor(knobs, s); err != nil {
		return nil, err
	}
	if _, _, err := o.pool.pooled([]fetcher.Strategy{s}, true); err != nil {
		return nil, err
	}
	cfg := get.RunConfig(o.run, s, knobs, o.cache, o.quota, target.trust())
	format := get.DefaultFormat(o.format, stdoutTerminal)
	out := o.out
	if out.format == "" {
		out.format = report.FormatFromPath(out.records)
	}
	return &getSpec{target: target, config: cfg, shape: shape, format: format, out: out, cacheReadOnly: cacheReadOnly}, nil
}

// runGet is the get command.
func runGet(ctx context.Context, e *env, args []string) error {
	stdin, stdout, stderr := e.stdin, e.stdout, e.stderr
	var o getOptions
	fs := newGetFlags(&o)
	if err := parseFlags(fs, args, usage("get"), "get: ", "see fetchbench get --help", stdout); err != nil {
		return err
	}
	o.run.Transport, o.pool.envURL = e.transport, e.variable(redispool.EnvURL)
	sp, err := o.spec(fs.Changed, report.IsTerminal(stdout))
	if err != nil {
		return err
	}
	tg := sp.target
	stop, err := tg.start(e)
	if err != nil {
		return err
	}
	defer stop()
	sched, closePool, err := o.pool.start(ctx, sp.out.quiet, stderr)
	if err != nil {
		return err
	}
	defer closePool()
	if sp.cacheReadOnly {
		fmt.Fprintf(stderr, "fetchbench: --cache %s is read-only: answers found there are used, new ones are not kept\n", textsafe.Sanitize(sp.config.CacheDir))
	}
	job, err := get.NewJob(ctx, tg.Spec, sp.config, sp.shape, sp.out.order == "input", sched, stdin, stderr)
	if err != nil {
		return err
	}
	defer softMemoryLimit(job.MemoryLimit())()
	docs, err := get.NewWriter(stdout, sp.format, sp.shape.Columns(), report.IsTerminal(stdout))
	if err != nil {
		return usagef("-o: %v", err)
	}
	recs, _, err := sp.out.open(stdout, stderr)
	if err != nil {
		return err
	}
	html, err := report.CreateHTML(sp.out.html)
	if err != nil {
		recs.Close()
		return err
	}
	var progress io.Writer
	if report.ShowProgress(sp.out.progress, report.IsTerminal(stderr), report.IsTerminal(stdout)) {
		progress = stderr
	}
	plan := get.Plan(get.Invocation{Job: job, OptionNamer: flagName, Documents: docs, Records: recs, Stderr: stderr, Quiet: sp.out.quiet}, o.repeat)
	plan.InProcessServer = tg.Offline
	return session.Run(ctx, plan, session.Outputs{Records: recs, Views: sp.out.views(recs, progress), Thresholds: o.thresholds,
		Notes: stderr, UnreachableHint: unreachableHint(tg.Others()), Partial: "output", Write: "write",
		Destination: report.Destination{Format: "table", Quiet: sp.out.quiet, Summary: stderr, Stderr: stderr, NoColor: e.noColor(), HTML: html}})
}
