package main

// This file owns the comparison command (fetchbench with no subcommand): its usage, flags,
// spec and run.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/internal/fdlimit"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/targets"
)

const compareUsage = `fetchbench fetches N resources (SWAPI people by default) with four concurrency
strategies — sequential, unbounded, semaphore, ratelimit — measures every request,
and prints one table comparing what each strategy costs and buys.

Usage:
  fetchbench [flags]           run the chosen strategies and print the comparison
  fetchbench get [flags]       fetch with one strategy and print the documents (see fetchbench get --help)
  fetchbench serve [flags]     run the fake SWAPI in the foreground (see fetchbench serve --help)
  fetchbench lesson NAME       reproduce a classic lesson: restaurant, gather or workers (see fetchbench lesson --help)

Examples:
  # all four strategies against the built-in fake SWAPI (100 ms per request)
  fetchbench --offline

  # one strategy, 50 requests, at most 5 in flight, against the real SWAPI
  fetchbench -s semaphore -c 5 -n 50

  # stream the names of people 1..9 to jq; stdout carries only records
  fetchbench --offline -n 9 -s unbounded --records - -q | jq -r .name

  # per-request records as CSV to a file, a markdown summary to paste in a PR
  fetchbench --offline --ids 1-30 --records runs.csv -o markdown

  # the staircase of sequential against the block of unbounded, as waterfalls
  fetchbench --offline -n 8 --timeline

  # where more concurrency stops paying: one row per level, then the knee and Little's law
  fetchbench --offline --fake-workers 8 -s semaphore -c 1..32 -n 64

  # a CI gate: fail (exit 3) if any strategy errs or its p99 exceeds 500ms
  fetchbench --offline -s ratelimit -r 20 --fail-on 'errors>0,p99>500ms'

  # every person from swapi.tech, discovered from its list pages, under each strategy
  fetchbench --api tech --all

  # serve the fake SWAPI on 127.0.0.1:8080 with 4 server-side workers
  fetchbench serve --fake-latency 50ms --fake-workers 4

Exit codes: 0 done, 1 the run could not be performed, 2 usage error,
3 a threshold or deadline failed, 130 interrupted (after the partial report).

Flags:
`

// compareOptions holds the parsed flags of the comparison command. Values are checked as they
// are parsed (see flags.go); only combinations are checked by spec.
type compareOptions struct {
	target targetFlags

	strategies []fetcher.Strategy
	knobs      fetcher.Knobs  // -c and -r hold the first level of their sweeps
	slots      []int          // -c: semaphore levels, one run each
	rates      []float64      // -r: ratelimit levels, one run each
	run        fetcher.Config // the settings every strategy shares

	out        outputs
	repeat     int
	thresholds []report.Threshold
	cpuProfile string

	fake fakeFlags
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

	fs.VarP(cliflag.Choice(&o.out.summary, "table", report.Formats, func(s string) error {
		return cliflag.Valuef("unknown format %q (want table, json, csv, markdown or benchstat)", s)
	}), "output", "o", "summary format: table|json|csv|markdown|benchstat (Go benchmark lines, for benchstat)")
	fs.Var(cliflag.Int(&o.repeat, 1, 1, 1000), "repeat", "run everything K times, with -o benchstat: one line per run, so that benchstat has samples")
	addOutputFlags(fs, &o.out, "completion", "record order: completion|input", true)
	fs.Var(cliflag.Choice(&o.out.timeline, "", []string{"", "shared", "own"}, func(s string) error {
		return cliflag.Valuef("want shared or own, got %q", s)
	}), "timeline", "draw each run as a waterfall after the summary, on one time axis (--timeline=own: one per run)")
	fs.Lookup("timeline").NoOptDefVal = "shared"
	fs.StringVar(&o.out.html, "html", "", "write a self-contained HTML report with charts to FILE (it fetches nothing when opened)")
	fs.Var(cliflag.Parsed(&o.thresholds, "", cliflag.Colon, report.ParseThresholds),
		"fail-on", "thresholds per strategy, e.g. 'errors>0,p99>500ms,efficiency<0.9,rps<50' (exit 3 on breach)")

	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to FILE (for go tool pprof)")
	_ = fs.MarkHidden("cpuprofile")
	addFakeFlags(fs, &o.fake, 100*time.Millisecond)
	return fs
}

// compareSpec is the validated work of one invocation, built once from the options.
type compareSpec struct {
	configs    []fetcher.Config
	repeat     int // runs of the configs, one after another (-o benchstat)
	target     *targets.Spec
	discovery  fetcher.Config // the config --all reads the list pages with: the politest of configs
	thresholds []report.Threshold
	out        outputs
	cpuProfile string
}

// spec checks the combinations of flags (set reports whether a flag was given) and builds the
// spec. It does no I/O.
func (o *compareOptions) spec(set func(string) bool) (*compareSpec, error) {
	if o.out.records == "" && (set("records-format") || set("order")) {
		return nil, usagef("--records-format and --order need --records")
	}
	if o.repeat > 1 && o.out.summary != "benchstat" {
		return nil, usagef("--repeat needs -o benchstat (it compares repeated runs; the other formats show one)")
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
	var configs []fetcher.Config
	for _, s := range o.strategies {
		for _, k := range s.Levels(knobs, o.slots, o.rates) {
			c := o.run
			c.Strategy, c.Limits = s, s.Limits(k)
			configs = append(configs, c)
		}
	}
	discovery := o.run
	discovery.Strategy, discovery.Limits = fetcher.Politest(configs)
	return &compareSpec{configs: configs, target: target, discovery: discovery, repeat: o.repeat, thresholds: o.thresholds, out: out, cpuProfile: o.cpuProfile}, nil
}

// runCompare is the comparison command: run each strategy over the targets, report, judge.
func runCompare(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o compareOptions
	fs := newCompareFlags(&o)
	if err := parseFlags(fs, args, compareUsage, "", "see --help", stdout); err != nil {
		return err
	}
	sp, err := o.spec(fs.Changed)
	if err != nil {
		return err
	}
	if sp.cpuProfile != "" {
		stop, err := startProfile(sp.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	tg := sp.target
	stop, err := tg.Start()
	if err != nil {
		return err
	}
	defer stop()
	targets, discovered, err := tg.Resolve(ctx, stdin, discoverWith(sp.discovery))
	if err != nil {
		return err
	}
	if discovered != "" && !sp.out.quiet {
		fmt.Fprintln(stderr, "fetchbench: "+discovered)
	}
	run := compare.Spec{Configs: sp.configs, Targets: targets}
	files := compare.FilesNeeded(run, tg.Offline)
	if limit, ok := fdlimit.Raise(files.Need); !ok {
		return filesError(files, limit, fdlimit.SystemMax(), tg.Offline)
	}
	recs, summaryOut, err := sp.out.open(stdout, stderr)
	if err != nil {
		return err
	}
	defer recs.close()
	progress := showProgress(sp.out.progress, report.IsTerminal(stderr), sp.out.records == "-" && report.IsTerminal(stdout))
	var timelines []*report.Timeline
	html, err := sp.out.openHTML()
	if err != nil {
		return err
	}
	defer html.close()
	run.Consumers = func(cfg fetcher.Config) []report.Consumer {
		cs := recs.consumers()
		if h := html.consumer(cfg, targets.Len()); h != nil {
			cs = append(cs, h)
		}
		if progress {
			cs = append(cs, report.NewProgress(stderr, string(cfg.Strategy), targets.Len()))
		}
		if sp.out.timeline != "" {
			t := report.NewTimeline(report.RunLabel(cfg), targets.Len())
			timelines = append(timelines, t)
			cs = append(cs, t)
		}
		return cs
	}
	var all []report.Summary // every repetition's, for the thresholds
	for i := range sp.repeat {
		cmp, err := compare.Run(ctx, run)
		if i == sp.repeat-1 || err != nil || cmp.Interrupted() {
			if cerr := recs.close(); err == nil && cerr != nil {
				err = cerr
			}
		}
		var unreachable *compare.UnreachableError
		switch {
		case errors.As(err, &unreachable):
			return fmt.Errorf("%w%s", err, tg.UnreachableHint())
		case errors.Is(err, fetcher.ErrConfig):
			return usagef("%v", err)
		case err != nil:
			return fmt.Errorf("write records: %w", err)
		}
		if !sp.out.quiet {
			var werr error
			if i == 0 {
				werr = report.Write(summaryOut, sp.out.summary, cmp, report.IsTerminal(summaryOut))
			} else {
				werr = report.WriteBenchstat(summaryOut, cmp, false) // the header once per file
			}
			if werr != nil {
				return fmt.Errorf("write summary: %w", werr)
			}
		}
		if err := sp.out.drawTimelines(timelines, report.Sweeps(cmp), summaryOut, stderr); err != nil {
			return err
		}
		if i == sp.repeat-1 || cmp.Interrupted() {
			if err := html.write(cmp); err != nil {
				return err
			}
		}
		timelines = timelines[:0]
		if cmp.Interrupted() {
			fmt.Fprintln(stderr, "fetchbench: interrupted; the report above is partial")
			return &exitErr{code: exitInterrupted}
		}
		all = append(all, cmp.Summaries...)
	}
	failures := report.NewComparison(all).Failures(sp.thresholds)
	for _, f := range failures {
		fmt.Fprintln(stderr, "fetchbench: "+f)
	}
	if len(failures) > 0 {
		return &exitErr{code: exitThreshold}
	}
	return nil
}

// filesError says that f does not fit under the open-file limit (the hard limit, which Raise
// could not pass) and what would: fewer requests in flight, and raising the hard limit only
// when the system maximum (0: unknown) allows it.
func filesError(f compare.Files, limit, systemMax uint64, offline bool) error {
	perRequest := uint64(1)
	if offline {
		perRequest = 2
	}
	fits := 1
	if limit > compare.ReservedFiles+perRequest {
		fits = int((limit - compare.ReservedFiles) / perRequest)
	}
	cut := f.Strategy.CutFiles(fits)
	msg := fmt.Sprintf("%s with up to %d requests in flight needs about %d open files but the limit is %d; %s",
		f.Strategy, f.InFlight, f.Need, limit, cut)
	if systemMax == 0 || f.Need <= systemMax {
		msg += fmt.Sprintf(", or raise the hard limit as root (ulimit -Hn %d)", f.Need)
	}
	if offline {
		msg += ", or run the fake in its own process (fetchbench serve) to halve the need"
	}
	return errors.New(msg)
}

// startProfile starts the hidden --cpuprofile; stop ends it and closes the file.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, usagef("--cpuprofile: %v", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// showProgress decides --progress: always, never, or for auto when stderr is a terminal that
// does not also show the records (a progress line would run into them).
func showProgress(mode string, stderrTerminal, recordsOnTerminal bool) bool {
	return mode == "always" || mode == "auto" && stderrTerminal && !recordsOnTerminal
}
