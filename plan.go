package main

import (
	"io"
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
)

// benchPlan is the validated work of one invocation.
type benchPlan struct {
	configs    []fetcher.Config
	ids        []int           // ids to fetch, when targets come from --ids
	count      int             // fetch ids 1..count when ids is nil
	targets    fetcher.Targets // built once the base URL is known
	thresholds []report.Threshold
	fakeOpts   fakeswapi.Options
}

// plan validates the options and reads ids or URLs (from stdin or a file) once.
func (o *benchOptions) plan(fs *pflag.FlagSet, stdin io.Reader) (*benchPlan, error) {
	p := &benchPlan{}
	set := fs.Changed
	strategies, err := fetcher.ParseStrategies(o.strategies)
	if err != nil {
		return nil, usagef("-s/--strategy: %v", err)
	}
	switch {
	case o.concurrency < 1:
		return nil, usagef("-c/--concurrency must be at least 1, got %d", o.concurrency)
	case !(o.rate > 0) || o.rate > 1e9:
		return nil, usagef("-r/--rate must be a number of requests per second greater than 0, got %g", o.rate)
	case o.burst < 1:
		return nil, usagef("--burst must be at least 1, got %d", o.burst)
	case o.timeout <= 0:
		return nil, usagef("-t/--timeout must be greater than 0, got %v", o.timeout)
	case o.deadline < 0:
		return nil, usagef("--deadline must not be negative, got %v", o.deadline)
	case o.retries < 0 || o.retries > 100:
		return nil, usagef("--retries must be between 0 and 100, got %d", o.retries)
	case o.backoffBase <= 0 || o.backoffCap <= 0:
		return nil, usagef("--backoff-base and --backoff-cap must be greater than 0")
	case o.maxBody < 1:
		return nil, usagef("--max-body must be at least 1 byte")
	case o.count < 1 && !set("ids") && !set("urls"):
		return nil, usagef("-n/--count must be at least 1, got %d", o.count)
	}
	if err := fetcher.CheckResource(o.resource); err != nil {
		return nil, usagef("--resource: %v", err)
	}
	if !oneOf(o.output, report.Formats...) {
		return nil, usagef("-o/--output: unknown format %q (want table, json, csv or markdown)", o.output)
	}
	if o.recordsFormat != "" && !oneOf(o.recordsFormat, "ndjson", "csv") {
		return nil, usagef("--records-format: unknown format %q (want ndjson or csv)", o.recordsFormat)
	}
	if !oneOf(o.order, "completion", "input") {
		return nil, usagef("--order: want completion or input, got %q", o.order)
	}
	if !oneOf(o.progress, "auto", "always", "never") {
		return nil, usagef("--progress: want auto, always or never, got %q", o.progress)
	}
	if o.records == "" && (set("records-format") || set("order")) {
		return nil, usagef("--records-format and --order need --records")
	}
	if p.thresholds, err = report.ParseThresholds(o.failOn); err != nil {
		return nil, usagef("--fail-on: %v", err)
	}
	if p.fakeOpts, err = o.fake.options(); err != nil {
		return nil, err
	}

	// Target sources: ids (-n or --ids) shaped by --resource/--base-url or --url-template, or --urls.
	switch {
	case set("ids") && set("count"):
		return nil, usagef("--ids and -n/--count both choose ids; give one")
	case set("urls") && (set("ids") || set("count") || set("url-template") || set("resource") || set("base-url")):
		return nil, usagef("--urls names every target itself; drop --ids, -n, --url-template, --resource and --base-url")
	case set("url-template") && (set("resource") || set("base-url")):
		return nil, usagef("--url-template replaces --resource and --base-url; give one")
	case o.offline && (set("urls") || set("url-template") || set("base-url")):
		return nil, usagef("--offline aims at the built-in fake; it cannot be combined with --urls, --url-template or --base-url")
	case o.ids == "-" && o.urls == "-":
		return nil, usagef("--ids - and --urls - both read stdin")
	}
	switch {
	case set("urls"):
		if p.targets, err = readURLs(o.urls, stdin); err != nil {
			return nil, err
		}
	case set("ids") && o.ids == "-":
		if p.ids, err = fetcher.ReadIDs(stdin); err != nil {
			return nil, usagef("--ids -: stdin %v", err)
		}
	case set("ids"):
		if p.ids, err = fetcher.ParseIDs(o.ids); err != nil {
			return nil, usagef("--ids %s: %v", o.ids, err)
		}
	default:
		if o.count > fetcher.MaxIDs {
			return nil, usagef("-n/--count must be at most %d, got %d", fetcher.MaxIDs, o.count)
		}
		p.count = o.count
	}
	if !set("urls") && !o.offline {
		if p.targets, err = o.targets(o.baseURL, p); err != nil {
			return nil, err
		}
	}

	for _, s := range strategies {
		cfg := fetcher.Config{
			Strategy:    s,
			Timeout:     o.timeout,
			Deadline:    o.deadline,
			Retries:     o.retries,
			BackoffBase: o.backoffBase,
			BackoffCap:  o.backoffCap,
			MaxBody:     int64(o.maxBody),
			Insecure:    o.insecure,
		}
		switch s {
		case fetcher.Semaphore:
			cfg.Concurrency = o.concurrency
		case fetcher.RateLimit:
			cfg.Rate, cfg.Burst = o.rate, o.burst
			if set("concurrency") {
				cfg.Concurrency = o.concurrency
			}
		}
		p.configs = append(p.configs, cfg)
	}
	return p, nil
}

// targets builds the request list for ids against base (SWAPI shape) or --url-template.
func (o *benchOptions) targets(base string, p *benchPlan) (fetcher.Targets, error) {
	tmpl := o.urlTemplate
	if tmpl == "" {
		var err error
		if tmpl, err = fetcher.ResourceTemplate(base, o.resource); err != nil {
			return nil, usagef("--base-url: %v", err)
		}
	}
	var ts *fetcher.Templated
	var err error
	if p.ids != nil {
		ts, err = fetcher.TemplateTargets(tmpl, p.ids)
	} else {
		ts, err = fetcher.RangeTargets(tmpl, p.count)
	}
	if err != nil {
		return nil, usagef("--url-template: %v", err)
	}
	return ts, nil
}

func readURLs(name string, stdin io.Reader) (fetcher.Targets, error) {
	r := stdin
	label := "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("--urls: %v", err)
		}
		defer f.Close()
		r, label = f, name
	}
	ts, err := fetcher.ReadURLs(r)
	if err != nil {
		return nil, usagef("--urls %s: %v", label, err)
	}
	return ts, nil
}

func oneOf(s string, options ...string) bool { return slices.Contains(options, s) }
