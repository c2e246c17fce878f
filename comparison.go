package main

// This file owns the comparison command (fetchbench with no subcommand): its flags,
// spec and run.

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/internal/profile"
	"github.com/fetchbench/fetchbench/redispool"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/session"
)

// compareOptions holds the parsed flags of the comparison command. Values are checked as they
// are parsed (see flags.go); only combinations are checked by spec.
type compareOptions struct {
	target targetFlags

	strategies []fetcher.Strategy
	knobs      fetcher.Knobs  // -c and -r hold the first level of their sweeps
	slots      []int          // -c: semaphore levels, one run each
	rates      []float64      // -r: ratelimit levels, one run each
	run        fetcher.Config // the settings every strategy shares
	quota      bool           // --respect-quota

	out        outputs
	repeat     int
	thresholds []report.Threshold
	cpuProfile string

	fake fakeFlags
	pool poolFlags
}

func newCompareFlags(o *compareOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("fetchbench", pflag.ContinueOnError)
	fs.SortFlags = false
	addTargetFlags(fs, &o.target, 20)
	o.strategies = fetcher.Strategies
	fs.VarP(cliflag.Parsed(&o.strategies, "all", cliflag.Colon, fetcher.ParseStrategies),
		"strategy", "s", "comma list of "+fetcher.StrategyNames(",")+", or all")
	addLimitFlags(fs, &o.knobs, 10, &o.slots, &o.rates)
	addRunFlags(fs, &o.run)
	fs.BoolVar(&o.quota, "respect-quota", false, "keep within the quota the server states in its headers (default: adaptive only, so that the fixed strategies stay what they claim to be)")

	addSummaryFlag(fs, &o.out, "summary format: table|json|csv|markdown|benchstat (Go benchmark lines, for benchstat)")
	fs.Var(cliflag.Int(&o.repeat, 1, 1, 1000), "repeat", "run everything K times, rotating the strategy order each time (a stateful server then taxes each strategy alike); -o benchstat: one line per run, for benchstat")
	addOutputFlags(fs, &o.out, "completion", "record order: completion|input", true)
	addViewFlags(fs, &o.out, "write a self-contained HTML report with charts to FILE (it fetches nothing when opened)")
	fs.Var(cliflag.Parsed(&o.thresholds, "", cliflag.Colon, report.ParseThresholds),
		"fail-on", "thresholds per strategy, e.g. 'errors>0,p99>500ms,efficiency<0.9,rps<50' (exit 3 on breach)")

	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to FILE (for go tool pprof)")
	_ = fs.MarkHidden("cpuprofile")
	addFakeFlags(fs, &o.fake, 100*time.Millisecond)
	addFakeH2Flag(fs, &o.fake)
	addProfileFlags(fs, &o.fake, "fake-")
	addPoolFlags(fs, &o.pool)
	return fs
}

// compareSpec is the validated work of one invocation, built once from the options.
type compareSpec struct {
	configs   []fetcher.Config
	target    *targetSpec
	discovery fetcher.Config // the config --all reads the list pages with: the politest of configs
	out       outputs
	poolNote  string // which strategies --redis left out, or ""
}

// spec checks the combinations of flags (set reports whether a flag was given) and builds the
// spec. It opens nothing.
func (o *compareOptions) spec(set func(string) bool) (*compareSpec, error) {
	if err := checkCompareFlags(o.out.records, set("records-format") || set("order"), o.repeat, o.out.summary); err != nil {
		return nil, err
	}
	if err := report.DistinctPaths(report.NamedPath{Name: "--urls", Path: o.target.src.URLs}, report.NamedPath{Name: "--records", Path: o.out.records},
		report.NamedPath{Name: "--html", Path: o.out.html}, report.NamedPath{Name: "--cpuprofile", Path: o.cpuProfile}); err != nil {
		return nil, err
	}
	target, err := o.target.spec(set, o.fake)
	if err != nil {
		return nil, err
	}
	out := o.out
	if out.format == "" {
		out.format = report.FormatFromPath(out.records)
	}
	knobs := o.knobs
	knobs.Concurrency, knobs.Rate = o.slots[0], o.rates[0]
	knobs.CapRate = set("concurrency") && len(o.slots) == 1 // a sweep of -c does not cap ratelimit
	run := o.run
	if trust := target.trust(); trust != nil {
		run.RootCAs = trust
	}
	if err := fetcher.CheckFloor(knobs, o.strategies...); err != nil {
		return nil, err
	}
	strategies, poolNote, err := o.pool.pooled(o.strategies, set("strategy"))
	if err != nil {
		return nil, err
	}
	configs, discovery := compare.Plan(run, strategies, knobs, o.slots, o.rates, given(o.quota, set("respect-quota")), o.fake.capacity(o.target.offline))
	return &compareSpec{configs: configs, target: target, discovery: discovery, out: out, poolNote: poolNote}, nil
}

// runCompare is the comparison command: run each strategy over the targets, report, judge.
func runCompare(ctx context.Context, e *env, args []string) error {
	stdin, stdout, stderr := e.stdin, e.stdout, e.stderr
	var o compareOptions
	fs := newCompareFlags(&o)
	if err := parseFlags(fs, args, usage("compare"), "", "see --help", stdout); err != nil {
		return err
	}
	o.run.Transport, o.pool.envURL = e.transport, e.variable(redispool.EnvURL)
	sp, err := o.spec(fs.Changed)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		stop, err := profile.Start(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
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
	if sp.poolNote != "" && !sp.out.quiet {
		fmt.Fprintln(stderr, "fetchbench: "+sp.poolNote)
	}
	recs, summaryOut, err := sp.out.open(stdout, stderr)
	if err != nil {
		return err
	}
	defer recs.Close()
	var discovery get.Discovered
	targets, discovered, err := tg.Resolve(ctx, stdin, get.DiscoverInto(sched, sp.discovery, recs, &discovery, stderr))
	if err != nil {
		return err
	}
	var progress io.Writer
	if report.ShowProgress(sp.out.progress, report.IsTerminal(stderr), sp.out.records == "-" && report.IsTerminal(stdout)) {
		progress = stderr
	}
	plan := session.Plan{Configs: sp.configs, Repeat: o.repeat, Targets: targets, Host: targets.At(0).URL, InProcessServer: tg.Offline,
		Run: func(ctx context.Context, _ int, cfg fetcher.Config, cs []report.Consumer) (session.Outcome, error) {
			out, err := compare.Once(ctx, sched, cfg, fetcher.Static(targets), fetcher.GatesFor(cfg.Limits), cs)
			return session.Outcome{Summary: out.Summary, Interrupted: out.Stats.Interrupted, Unreachable: out.Unreachable, Verdict: discovery.Verdict}, err
		}}
	if discovered != "" {
		plan.Discovery = &discovery.Summary
		if !sp.out.quiet {
			fmt.Fprintln(stderr, "fetchbench: "+discovered)
		}
	}
	html, err := report.CreateHTML(sp.out.html)
	if err != nil {
		return err
	}
	return session.Run(ctx, plan, session.Outputs{Records: recs, Views: sp.out.views(recs, progress), Thresholds: o.thresholds,
		Notes: stderr, QuotaWindow: tg.QuotaWindow(), UnreachableHint: unreachableHint(tg.Others()),
		Destination: report.Destination{Format: sp.out.summary, Quiet: sp.out.quiet, Summary: summaryOut, Stderr: stderr, NoColor: e.noColor(), HTML: html}})
}
