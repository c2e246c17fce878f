package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
)

// benchOptions holds the parsed flags of the benchmark command.
type benchOptions struct {
	offline     bool
	baseURL     string
	resource    string
	count       int
	ids         string
	urlTemplate string
	urls        string

	strategies  string
	concurrency int
	rate        float64
	burst       int

	timeout     time.Duration
	deadline    time.Duration
	retries     int
	backoffBase time.Duration
	backoffCap  time.Duration
	maxBody     sizeValue
	insecure    bool

	output        string
	records       string
	recordsFormat string
	order         string
	progress      string
	quiet         bool
	failOn        string
	cpuProfile    string

	fake fakeFlags
}

func newBenchFlags(o *benchOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("fetchbench", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.BoolVar(&o.offline, "offline", false, "start the built-in fake SWAPI on 127.0.0.1 and fetch from it")
	fs.StringVar(&o.baseURL, "base-url", "https://swapi.dev/api/", "SWAPI base URL")
	fs.StringVar(&o.resource, "resource", "people", "SWAPI resource: "+strings.Join(fetcher.Resources, "|"))
	fs.IntVarP(&o.count, "count", "n", 20, "fetch ids 1..N")
	fs.StringVar(&o.ids, "ids", "", "ids and ranges to fetch, e.g. 1-9,12 (- reads ids from stdin)")
	fs.StringVar(&o.urlTemplate, "url-template", "", "URL with {id}, e.g. 'http://host/api/people/{id}/'")
	fs.StringVar(&o.urls, "urls", "", "file with one URL per line (- for stdin)")

	fs.StringVarP(&o.strategies, "strategy", "s", "all", "comma list of sequential,unbounded,semaphore,ratelimit, or all")
	fs.IntVarP(&o.concurrency, "concurrency", "c", 10, "semaphore slots; with ratelimit, an in-flight cap when given")
	fs.Float64VarP(&o.rate, "rate", "r", 10, "ratelimit: requests started per second (one global token bucket)")
	fs.IntVar(&o.burst, "burst", 1, "ratelimit: token bucket size")

	fs.DurationVarP(&o.timeout, "timeout", "t", 10*time.Second, "per-attempt timeout, body included")
	fs.DurationVar(&o.deadline, "deadline", 0, "per-strategy deadline (0 = none); when it passes the rest is cancelled and the exit code is 3")
	fs.IntVar(&o.retries, "retries", 0, "retries on network errors, 429, 502, 503, 504 (exponential backoff, full jitter, Retry-After honoured)")
	fs.DurationVar(&o.backoffBase, "backoff-base", fetcher.DefaultBackoffBase, "first retry backoff ceiling")
	fs.DurationVar(&o.backoffCap, "backoff-cap", fetcher.DefaultBackoffCap, "largest retry backoff ceiling")
	o.maxBody = fetcher.DefaultMaxBody
	fs.Var(&o.maxBody, "max-body", "largest response body accepted (e.g. 512KiB, 10MiB)")
	fs.BoolVar(&o.insecure, "insecure", false, "skip TLS certificate verification")

	fs.StringVarP(&o.output, "output", "o", "table", "summary format: table|json|csv|markdown")
	fs.StringVar(&o.records, "records", "", "write one record per request to FILE (- for stdout)")
	fs.StringVar(&o.recordsFormat, "records-format", "", "ndjson|csv (default: from the file extension, else ndjson)")
	fs.StringVar(&o.order, "order", "completion", "record order: completion|input")
	fs.StringVar(&o.progress, "progress", "auto", "progress on stderr: auto|always|never")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print no summary")
	fs.StringVar(&o.failOn, "fail-on", "", "thresholds per strategy, e.g. 'errors>0,p99>500ms,efficiency<0.9,rps<50' (exit 3 on breach)")

	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to FILE (for go tool pprof)")
	_ = fs.MarkHidden("cpuprofile")
	addFakeFlags(fs, &o.fake, 100*time.Millisecond)
	return fs
}

// runBench is the benchmark command: parse, build targets, run each strategy, report.
func runBench(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o benchOptions
	fs := newBenchFlags(&o)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return writeUsage(stdout, fs)
		}
		return usagef("%v (see --help)", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see --help)", fs.Arg(0))
	}
	plan, err := o.plan(fs, stdin)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return usagef("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if o.offline {
		base, stop, err := startFake(plan.fakeOpts)
		if err != nil {
			return fmt.Errorf("start the fake SWAPI: %w", err)
		}
		defer stop()
		if plan.targets, err = o.targets(base, plan); err != nil {
			return err
		}
	}
	if err := checkFDs(plan, o.offline); err != nil {
		return err
	}

	rec, closeRec, err := openRecords(&o, stdout)
	if err != nil {
		return err
	}
	summaryOut := stdout
	if o.records == "-" {
		summaryOut = stderr
	}
	prog := newProgress(stderr, o.progress, plan.targets.Len())

	var sums []report.Summary
	var connectFailures int
	interrupted := false
	for _, cfg := range plan.configs {
		coll := report.NewCollector(cfg)
		prog.start(cfg.Strategy)
		var order *report.Reorderer
		if rec != nil && o.order == "input" {
			order = report.NewReorderer(rec.write)
		}
		var recErr error
		stats, err := fetcher.Run(ctx, cfg, plan.targets, func(r fetcher.Record) {
			coll.Add(r)
			prog.add(r)
			if connectFailure(&r) {
				connectFailures++
			}
			switch {
			case recErr != nil:
			case order != nil:
				recErr = order.Add(r)
			case rec != nil:
				recErr = rec.write(r)
			}
		})
		prog.stop()
		if err != nil {
			return usagef("%v", err)
		}
		if order != nil && recErr == nil {
			recErr = order.Flush()
		}
		if recErr != nil {
			return fmt.Errorf("write records: %w", recErr)
		}
		sums = append(sums, coll.Summary(stats))
		if stats.Interrupted || ctx.Err() != nil {
			interrupted = true
			break
		}
	}
	if err := closeRec(); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	sums = report.Compare(sums)

	if connectFailures > 0 && connectFailures == recordCount(sums) {
		return fmt.Errorf("every request failed to connect to %s (%s); is it up? try --offline to use the built-in fake SWAPI",
			hostOf(plan.targets.At(0).URL), failurePhrase(firstClass(sums)))
	}
	if !o.quiet {
		if err := report.Write(summaryOut, o.output, sums); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	if interrupted {
		fmt.Fprintln(stderr, "fetchbench: interrupted; the report above is partial")
		return &exitErr{code: exitInterrupted}
	}
	return judge(stderr, sums, plan.thresholds)
}

// judge reports deadline and threshold failures on stderr and returns exit code 3 if any.
func judge(stderr io.Writer, sums []report.Summary, ths []report.Threshold) error {
	failed := false
	for _, s := range sums {
		if s.DeadlineExceeded {
			fmt.Fprintf(stderr, "fetchbench: %s: deadline exceeded (%d of %d requests cancelled)\n", s.Strategy, s.Cancelled, s.Requests)
			failed = true
		}
	}
	for _, b := range report.CheckThresholds(ths, sums) {
		fmt.Fprintf(stderr, "fetchbench: threshold breached: %s\n", b)
		failed = true
	}
	if failed {
		return &exitErr{code: exitThreshold}
	}
	return nil
}

// recordCount is the number of records over all summaries.
func recordCount(sums []report.Summary) int {
	n := 0
	for _, s := range sums {
		n += s.Requests
	}
	return n
}

func connectFailure(r *fetcher.Record) bool {
	switch r.Class {
	case fetcher.ClassRefused, fetcher.ClassDNS:
		return true
	case fetcher.ClassTimeout:
		return r.Status == 0 && r.TTFB == 0
	}
	return false
}

func firstClass(sums []report.Summary) string {
	for _, c := range fetcher.ErrorClasses {
		for _, s := range sums {
			if s.ErrorClasses[c] > 0 {
				return string(c)
			}
		}
	}
	return "no response"
}

// failurePhrase says what a connect-failure class means.
func failurePhrase(c string) string {
	switch fetcher.ErrorClass(c) {
	case fetcher.ClassDNS:
		return "DNS lookup failed"
	case fetcher.ClassTimeout:
		return "timed out"
	}
	return c
}

func hostOf(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		host, _, _ := strings.Cut(rest, "/")
		return host
	}
	return u
}

// recordSink serializes record writes and periodic flushes.
type recordSink struct {
	mu sync.Mutex
	w  report.RecordWriter
}

func (s *recordSink) write(r fetcher.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(r)
}

func (s *recordSink) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Flush()
}

// openRecords opens --records; the returned close flushes and closes it. rec is nil without --records.
func openRecords(o *benchOptions, stdout io.Writer) (rec *recordSink, closeFn func() error, err error) {
	if o.records == "" {
		return nil, func() error { return nil }, nil
	}
	format := o.recordsFormat
	if format == "" {
		format = report.FormatFromPath(o.records)
	}
	var w io.Writer = stdout
	var f *os.File
	if o.records != "-" {
		if f, err = os.Create(o.records); err != nil {
			return nil, nil, usagef("--records: %v", err)
		}
		w = f
	}
	rw, err := report.NewRecordWriter(w, format)
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, nil, usagef("--records-format: %v", err)
	}
	rec = &recordSink{w: rw}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = rec.flush()
			}
		}
	}()
	return rec, func() error {
		close(done)
		wg.Wait()
		err := rec.flush()
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		return err
	}, nil
}
