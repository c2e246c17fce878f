package main

// This file owns the flags the commands share: parsing, and one add function per flag group
// (targets, limits, run, output; the fake's are in fakeflags.go).

import (
	"io"
	"math"
	"strings"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/swapi"
	"github.com/fetchbench/fetchbench/targets"
)

// parseFlags parses args into fs. For -h/--help it writes the usage (header, then the flags)
// to stdout and returns errHelp; every other problem, a positional argument included, is a
// usage error naming the flag, with prefix before and hint after pflag's own messages.
func parseFlags(fs *pflag.FlagSet, args []string, usage, prefix, hint string, stdout io.Writer) error {
	if err := cliflag.Parse(fs, args, usage, "", prefix, hint, stdout); err != nil || fs.NArg() == 0 {
		return err
	}
	return usagef("%sunexpected argument %q (%s)", prefix, fs.Arg(0), hint)
}

// addSummaryFlag registers -o, the summary's format, shared by the comparison and report.
func addSummaryFlag(fs *pflag.FlagSet, o *outputs, usage string) {
	fs.VarP(cliflag.Choice(&o.summary, "table", report.Formats, func(s string) error {
		return cliflag.Valuef("unknown format %q (want table, json, csv, markdown or benchstat)", s)
	}), "output", "o", usage)
}

// addViewFlags registers --timeline and --html (htmlUsage), shared by the comparison and report.
func addViewFlags(fs *pflag.FlagSet, o *outputs, htmlUsage string) {
	fs.Var(cliflag.Choice(&o.timeline, "", []string{"", "shared", "own"}, func(s string) error {
		return cliflag.Valuef("want shared or own, got %q", s)
	}), "timeline", "draw each run as a waterfall after the summary, on one time axis (--timeline=own: one per run)")
	fs.Lookup("timeline").NoOptDefVal = "shared"
	fs.StringVar(&o.html, "html", "", htmlUsage)
}

// targetFlags are the flags that choose the targets and the API, shared by the comparison
// and get.
type targetFlags struct {
	offline bool
	baseURL string
	api     string // --api: "" means from the base URL's host
	src     targets.Source
}

// addTargetFlags registers --offline, --base-url, --api and the target flags; count is -n's default.
func addTargetFlags(fs *pflag.FlagSet, t *targetFlags, count int) {
	fs.BoolVar(&t.offline, "offline", false, "start the built-in fake SWAPI on 127.0.0.1 and fetch from it")
	fs.StringVar(&t.baseURL, "base-url", "", "SWAPI base URL (default: the --api's, else "+swapi.Default.BaseURL+")")
	fs.Var(cliflag.Choice(&t.api, "", swapi.DialectNames(), func(s string) error {
		_, err := swapi.Lookup(s)
		return cliflag.Valuef("%v", err)
	}), "api", "SWAPI dialect: dev|py4e|tech|info (default: from the --base-url host, else "+swapi.Default.Name+
		" (swapi.dev has not answered since 2025-04); offline dev)")
	fs.Var(cliflag.Choice(&t.src.Resource, "people", swapi.Resources, func(s string) error { return cliflag.Valuef("%v", swapi.CheckResource(s)) }),
		"resource", "SWAPI resource: "+strings.Join(swapi.Resources, "|"))
	fs.VarP(cliflag.Int(&t.src.Count, count, 1, targets.MaxIDs), "count", "n", "fetch ids 1..N")
	fs.Var(cliflag.Parsed(&t.src.IDs, "", cliflag.Colon, targets.ParseIDs),
		"ids", "ids and ranges to fetch, e.g. 1-9,12 (- reads ids from stdin)")
	fs.BoolVar(&t.src.All, "all", false, "every item of --resource, discovered from the API's list pages")
	fs.StringVar(&t.src.Template, "url-template", "", "URL with {id}, e.g. 'http://host/api/people/{id}/'")
	fs.StringVar(&t.src.URLs, "urls", "", "file with one URL per line (- for stdin)")
}

// addLimitFlags registers -c, -r and --burst into k; concurrency is -c's default. With slots
// and rates (the comparison), -c and -r take a level or a sweep of levels, one run each, and
// k holds the first; without (nil), one value each.
func addLimitFlags(fs *pflag.FlagSet, k *fetcher.Knobs, concurrency int, slots *[]int, rates *[]float64) {
	c, cUsage := cliflag.Int(&k.Concurrency, concurrency, 1, math.MaxInt), "semaphore slots; with ratelimit an in-flight cap, with adaptive the ceiling (256), when given"
	r, rUsage := cliflag.Rate(&k.Rate, 10), "ratelimit: requests started per second (one global token bucket)"
	if slots != nil {
		c = cliflag.Levels(slots, concurrency, &k.Concurrency, c)
		cUsage = "semaphore slots, or a sweep: 1,2,4 or 1..64 (doubling); with ratelimit, an in-flight cap, and adaptive's ceiling (default 256), when one level is given"
	}
	if rates != nil {
		r = cliflag.Levels(rates, 10, &k.Rate, r)
		rUsage += ", or a sweep: 5,10,20 or 5..40"
	}
	fs.VarP(c, "concurrency", "c", cUsage)
	fs.VarP(r, "rate", "r", rUsage)
	fs.Var(cliflag.Int(&k.Burst, 1, 1, math.MaxInt), "burst", "ratelimit: token bucket size")
	fs.Var(cliflag.Int(&k.MinConcurrency, 1, 1, math.MaxInt), "min-c", "adaptive: the lowest its limit goes")
}

// addRunFlags registers the per-request settings every strategy shares.
func addRunFlags(fs *pflag.FlagSet, c *fetcher.Config) {
	fs.VarP(cliflag.Duration(&c.Timeout, fetcher.DefaultTimeout, false), "timeout", "t", "per-attempt timeout, body included")
	fs.Var(cliflag.Duration(&c.Deadline, 0, true), "deadline", "per-strategy deadline (0 = none); when it passes the rest is cancelled and the exit code is 3")
	fs.Var(cliflag.Int(&c.Retries, 0, 0, 100), "retries", "retries on network errors, 429, 502, 503, 504 (exponential backoff, full jitter, Retry-After honoured)")
	fs.Var(cliflag.Duration(&c.BackoffBase, fetcher.DefaultBackoffBase, false), "backoff-base", "first retry backoff ceiling")
	fs.Var(cliflag.Duration(&c.BackoffCap, fetcher.DefaultBackoffCap, false), "backoff-cap", "largest retry backoff ceiling")
	fs.Var(cliflag.Duration(&c.MaxRetryAfter, fetcher.DefaultMaxRetryAfter, false), "max-retry-after", "longest server Retry-After waited for before a retry")
	fs.Var(cliflag.Duration(&c.MaxQuotaWait, fetcher.DefaultMaxQuotaWait, false), "max-quota-wait", "longest wait for the server's stated quota (its reset, its policy's pace); a longer one stops the run, exit 1")
	fs.Var(cliflag.Size(&c.MaxBody, fetcher.DefaultMaxBody, 1), "max-body", "largest response body accepted (e.g. 512KiB, 10MiB)")
	fs.BoolVar(&c.Insecure, "insecure", false, "skip TLS certificate verification")
	fs.Var(cliflag.Parsed(&c.RootCAs, "", cliflag.Colon, fetcher.ReadCACert), "cacert", "trust the CA certificates (PEM) in FILE instead of the system's, e.g. the one fetchbench serve --tls --cert FILE wrote")
	fs.BoolVar(&c.HTTP1, "http1", false, "speak HTTP/1.1 only, never HTTP/2")
	fs.BoolVar(&c.NoProxy, "no-proxy", false, "ignore HTTP_PROXY / HTTPS_PROXY: connect directly")
}

// addOutputFlags registers --records, --records-format, --order (default order; orderUsage
// says what it orders), --progress when progress is set (the comparison), and -q/--quiet.
func addOutputFlags(fs *pflag.FlagSet, o *outputs, order, orderUsage string, progress bool) {
	fs.StringVar(&o.records, "records", "", "write one record per request to FILE (- for stdout)")
	fs.Var(cliflag.Choice(&o.format, "", []string{"", "ndjson", "csv"}, func(s string) error {
		return cliflag.Valuef("unknown format %q (want ndjson or csv)", s)
	}), "records-format", "ndjson|csv (default: from the file extension, else ndjson)")
	fs.Var(cliflag.Choice(&o.order, order, []string{"completion", "input"}, func(s string) error {
		return cliflag.Valuef("want completion or input, got %q", s)
	}), "order", orderUsage)
	if progress {
		fs.Var(cliflag.Choice(&o.progress, "auto", []string{"auto", "always", "never"}, func(s string) error {
			return cliflag.Valuef("want auto, always or never, got %q", s)
		}), "progress", "progress line on stderr: auto|always|never (auto: on a terminal that does not also show the records)")
	}
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print no summary")
}

// given is a pointer to v when its flag was set, nil (the library's default) when not.
func given[T any](v T, set bool) *T {
	if !set {
		return nil
	}
	return &v
}
