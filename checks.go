package main

// This file owns the checks of flag combinations the commands share or that no command file
// holds: the targets', the comparison's, get's, crawl's, serve's and the pool's. Each error is
// bad input naming the flags.

import (
	"crypto/x509"
	"errors"
	"strings"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/redispool"
	"github.com/fetchbench/fetchbench/report"
)

// checkTargetFlags checks the combinations of the target flags: set reports whether a flag
// was given, all is --all, offline --offline and fakeH2 --fake-h2.
func checkTargetFlags(set func(string) bool, all, offline, fakeH2 bool) error {
	switch {
	case set("ids") && set("count"):
		return usagef("--ids and -n/--count both choose ids; give one")
	case all && (set("ids") || set("count")):
		return usagef("--all fetches every item; drop --ids and -n")
	case all && (set("urls") || set("url-template")):
		return usagef("--all discovers a SWAPI --resource; it cannot be combined with --urls or --url-template")
	case set("urls") && (set("ids") || set("count") || set("url-template") || set("resource") || set("base-url")):
		return usagef("--urls names every target itself; drop --ids, -n, --url-template, --resource and --base-url")
	case set("url-template") && (set("resource") || set("base-url")):
		return usagef("--url-template replaces --resource and --base-url; give one")
	case offline && (set("urls") || set("url-template") || set("base-url")):
		return usagef("--offline aims at the built-in fake; it cannot be combined with --urls, --url-template or --base-url")
	case fakeH2 && !offline:
		return usagef("--fake-h2 needs --offline (for a fake of your own: fetchbench serve --tls)")
	}
	return nil
}

// checkCompareFlags checks the combinations of the comparison's output flags: records is
// --records ("" none), formatOrOrderSet whether --records-format or --order was given, repeat
// --repeat and summary -o.
func checkCompareFlags(records string, formatOrOrderSet bool, repeat int, summary string) error {
	if records == "" && formatOrOrderSet {
		return usagef("--records-format and --order need --records")
	}
	if repeat > 1 && (summary == "json" || summary == "csv") {
		return usagef("--repeat needs -o table, markdown or benchstat (one %s document per repetition would not read as one)", summary)
	}
	return nil
}

// checkGetFlags checks the combinations of get's output flags: records is --records ("" none),
// formatSet whether --records-format was given, cache --cache and redis --redis ("" none).
func checkGetFlags(records string, formatSet bool, cache, redis string) error {
	switch {
	case records == "" && formatSet:
		return usagef("--records-format needs --records")
	case records == "-":
		return usagef("--records -: stdout carries the documents; write the records to a file")
	case cache != "" && redis != "":
		return usagef("--cache keeps answers in this process's directory; it cannot be combined with --redis")
	}
	return nil
}

// crawlFlags are the crawl command's values its combinations are checked on.
type crawlFlags struct {
	offline, site bool     // --offline, --offline-site
	seeds         []string // the URLs to start from
	records       string   // --records: "" none, "-" stdout
	recordsFormat string   // --records-format as given, "" when not
	formatSet     bool     // --records-format was given
	inputOrder    bool     // --order input
	state         string   // --state
	strategies    int      // how many strategies -s names
}

// check checks the combinations of f and that each seed is an absolute http(s) URL (not with
// a fake, whose root is the seed).
func (f crawlFlags) check() error {
	offline := f.offline || f.site
	switch {
	case f.offline && f.site:
		return usagef("--offline and --offline-site each start a fake; give one")
	case offline && len(f.seeds) > 0:
		return usagef("--offline and --offline-site crawl the fake from its root; drop the URLs")
	case !offline && len(f.seeds) == 0:
		return usagef("crawl needs a URL to start from, or --offline (see fetchbench crawl --help)")
	case f.records == "" && f.formatSet:
		return usagef("--records-format needs --records")
	case f.state != "" && f.strategies > 1:
		return usagef("--state resumes one crawl: give one strategy with -s")
	case f.state != "" && f.inputOrder:
		return usagef("--state writes records as they complete: drop --order input")
	case f.state != "" && (f.recordsFormat == "csv" || (f.recordsFormat == "" && report.FormatFromPath(f.records) == "csv")):
		return usagef("--state appends to --records: use NDJSON records")
	case f.records == "-" && f.strategies <= 1:
		return usagef("--records -: stdout carries the documents; write the records to a file")
	}
	if !offline {
		for _, s := range f.seeds {
			if _, err := fetcher.NormalizeURL(s); err != nil {
				return usagef("crawl: %v", err)
			}
		}
	}
	return nil
}

// crawlFormat is the -o format of a crawl with several strategies (the summary's: table by
// default, never ndjson) or one (the documents': table on a terminal, else ndjson by default,
// never markdown).
func crawlFormat(format string, several, terminal bool) (string, error) {
	switch {
	case several && format == "":
		return "table", nil
	case several && format == "ndjson":
		return "", usagef("-o: with several strategies the summary is table, json, csv or markdown")
	case !several && format == "markdown":
		return "", usagef("-o: the documents are ndjson, json, csv or table")
	case format == "":
		if terminal {
			return "table", nil
		}
		return "ndjson", nil
	}
	return format, nil
}

// checkServe checks the combinations of serve's flags behind f: --tls and --h2c exclude each
// other, --cert needs --tls, --absolute-links needs --dialect info.
func checkServe(f fakeswapi.Foreground) error {
	switch {
	case f.TLS && f.H2C:
		return usagef("serve: --tls and --h2c exclude each other (--tls already speaks HTTP/2)")
	case f.CertFile != "" && !f.TLS:
		return usagef("serve: --cert needs --tls")
	case f.Options.AbsoluteLinks && f.Options.Dialect != "info":
		return usagef("--absolute-links needs --dialect info (only swapi.info's files link absolutely)")
	}
	return nil
}

// checkAddr is fakeswapi.CheckAddr's verdict on --addr, public being --public; the message
// offers the default address as the example.
func checkAddr(addr string, public bool) error {
	switch err := fakeswapi.CheckAddr(addr, public); {
	case errors.Is(err, fakeswapi.ErrNotLoopback):
		return usagef("--addr %s is not a loopback address; add --public to serve on the network", addr)
	case err != nil:
		return usagef("--addr %s: want host:port, e.g. %s", addr, defaultServeAddr)
	}
	return nil
}

// resolveRedisURL is the pool's Redis URL: flag (--redis) when given, else env (the value of
// redispool.EnvURL). It checks that cacert (--redis-cacert) goes with a rediss:// URL; its
// errors start with prefix ("worker: " or "") and never show a password.
func resolveRedisURL(flag, env string, cacert *x509.CertPool, prefix string) (string, error) {
	url := flag
	if url == "" && env != "" {
		if _, err := redispool.ParseURL(env); err != nil {
			return "", usagef("%s%s: %v", prefix, redispool.EnvURL, err)
		}
		url = env
	}
	switch {
	case cacert == nil:
	case url == "":
		return "", usagef("%s--redis-cacert: only with a rediss:// URL (--redis or %s)", prefix, redispool.EnvURL)
	case !strings.HasPrefix(strings.ToLower(url), "rediss://"):
		return "", usagef("%s--redis-cacert: %s is not a rediss:// URL (TLS)", prefix, redispool.Redact(url))
	}
	return url, nil
}

// workerName is the worker command's --name: name, or redispool.DefaultName when it was not
// given (set false); a given name that is blank is bad input.
func workerName(name string, set bool) (string, error) {
	switch {
	case set && strings.TrimSpace(name) == "":
		return "", usagef("worker: --name must not be empty")
	case name == "":
		return redispool.DefaultName(), nil
	}
	return name, nil
}
