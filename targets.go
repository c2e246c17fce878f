package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/swapi"
)

// targetSource says where the targets come from: a URL list (--urls), or ids (-n, --ids,
// --ids -, --all) shaped by --url-template or by --resource under the base URL.
type targetSource struct {
	urls     string // --urls FILE, "-" for stdin
	template string // --url-template; "" means --resource under the base URL
	resource string
	count    int   // ids 1..count when ids is nil and idsStdin is not set
	ids      []int // --ids
	idsStdin bool  // --ids -
	all      bool  // --all: discover the ids from the list pages
}

// targetSpec is where the targets are and how to reach them, checked.
type targetSpec struct {
	offline bool
	fake    fakeswapi.Options
	base    string // the base URL; the fake's once started
	dialect *swapi.Dialect
	src     targetSource
	// discovery is the config --all reads the list pages with.
	discovery fetcher.Config
}

// dialectNames are the --api names.
func dialectNames() []string {
	var names []string
	for _, d := range swapi.Dialects {
		names = append(names, d.Name)
	}
	return names
}

// spec checks the target flags' combinations (set reports whether a flag was given) and
// resolves the dialect and the base URL. It does no I/O.
func (t *targetFlags) spec(set func(string) bool, fake fakeFlags) (targetSpec, error) {
	switch {
	case set("ids") && set("count"):
		return targetSpec{}, usagef("--ids and -n/--count both choose ids; give one")
	case t.src.all && (set("ids") || set("count")):
		return targetSpec{}, usagef("--all fetches every item; drop --ids and -n")
	case t.src.all && (set("urls") || set("url-template")):
		return targetSpec{}, usagef("--all discovers a SWAPI --resource; it cannot be combined with --urls or --url-template")
	case set("urls") && (set("ids") || set("count") || set("url-template") || set("resource") || set("base-url")):
		return targetSpec{}, usagef("--urls names every target itself; drop --ids, -n, --url-template, --resource and --base-url")
	case set("url-template") && (set("resource") || set("base-url")):
		return targetSpec{}, usagef("--url-template replaces --resource and --base-url; give one")
	case t.offline && (set("urls") || set("url-template") || set("base-url")):
		return targetSpec{}, usagef("--offline aims at the built-in fake; it cannot be combined with --urls, --url-template or --base-url")
	}
	opts, err := fake.options()
	if err != nil {
		return targetSpec{}, err
	}
	sp := targetSpec{offline: t.offline, fake: opts, base: t.baseURL, src: t.src}
	sp.src.idsStdin = set("ids") && t.src.ids == nil
	switch {
	case set("api"):
		sp.dialect, _ = swapi.Lookup(t.api) // checked while parsing
	case t.offline:
		sp.dialect = swapi.Dev
	default:
		sp.dialect = swapi.ForBaseURL(t.baseURL)
	}
	if !set("base-url") {
		sp.base = sp.dialect.BaseURL
	}
	sp.fake.Dialect = sp.dialect.Name
	if !t.offline && t.src.urls == "" {
		if _, err := sp.src.tmpl(sp.dialect, sp.base); err != nil { // fail before any I/O
			return targetSpec{}, err
		}
	}
	return sp, nil
}

// start starts the fake when offline and aims the spec at it; stop stops it.
func (t *targetSpec) start() (stop func(), err error) {
	if !t.offline {
		return func() {}, nil
	}
	running, err := startFake(t.fake)
	if err != nil {
		return nil, err
	}
	t.base = running.URL
	return running.Close, nil
}

// startFake starts the fake SWAPI with opts on a free port of 127.0.0.1.
func startFake(opts fakeswapi.Options) (*fakeswapi.Running, error) {
	fake, err := fakeswapi.New(opts)
	if err != nil {
		return nil, fmt.Errorf("start the fake SWAPI: %w", err)
	}
	running, err := fake.Start()
	if err != nil {
		return nil, fmt.Errorf("start the fake SWAPI: %w", err)
	}
	return running, nil
}

// resolve reads the ids or URLs (from stdin or a file) once, or discovers them with --all,
// and builds the targets.
func (t *targetSpec) resolve(ctx context.Context, stdin io.Reader) (fetcher.Targets, *get.Discovery, error) {
	if !t.src.all {
		ts, err := t.src.targets(ctx, t.dialect, t.base, stdin)
		return ts, nil, err
	}
	ts, disc, err := get.Discover(ctx, t.discovery, t.dialect, t.base, t.src.resource)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, &exitErr{code: exitInterrupted, err: errors.New("interrupted during discovery")}
		}
		return nil, nil, fmt.Errorf("%w%s", err, t.unreachableHint())
	}
	return ts, disc, nil
}

// unreachableHint follows the message that the API could not be reached: try the fake or a
// mirror. Offline there is nothing to suggest.
func (t *targetSpec) unreachableHint() string {
	if t.offline {
		return ""
	}
	var mirrors []string
	for _, d := range swapi.Dialects {
		if d != t.dialect {
			mirrors = append(mirrors, "--api "+d.Name)
		}
	}
	return "; is it up? try --offline to use the built-in fake SWAPI, or a mirror: " + strings.Join(mirrors, ", ")
}

// tmpl is the URL template of the ids under base.
func (s targetSource) tmpl(d *swapi.Dialect, base string) (string, error) {
	if s.template != "" {
		if _, err := fetcher.TemplateTargets(s.template, nil); err != nil {
			return "", usagef("--url-template: %v", err)
		}
		return s.template, nil
	}
	tmpl, err := fetcher.ResourceTemplate(d, base, s.resource)
	if err != nil {
		return "", usagef("--base-url: %v", err)
	}
	return tmpl, nil
}

// targets reads the ids or URLs (from stdin or a file) once and builds the targets against
// base, the SWAPI base URL.
func (s targetSource) targets(ctx context.Context, d *swapi.Dialect, base string, stdin io.Reader) (fetcher.Targets, error) {
	if s.urls != "" {
		return readCtx(ctx, s.urls == "-", func() (fetcher.Targets, error) { return readURLs(s.urls, stdin) })
	}
	tmpl, err := s.tmpl(d, base)
	if err != nil {
		return nil, err
	}
	ids := s.ids
	if s.idsStdin {
		ids, err = readCtx(ctx, true, func() ([]int, error) { return fetcher.ReadIDs(stdin) })
		var ee *exitErr
		if errors.As(err, &ee) {
			return nil, err
		}
		if err != nil {
			return nil, usagef("--ids -: stdin %v", err)
		}
	}
	if ids == nil {
		return fetcher.RangeTargets(tmpl, s.count)
	}
	return fetcher.TemplateTargets(tmpl, ids)
}

func readURLs(name string, stdin io.Reader) (fetcher.Targets, error) {
	r, label := stdin, "stdin"
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

// errInterruptedReading is the error of a read of stdin cut short by Ctrl-C.
var errInterruptedReading = &exitErr{code: exitInterrupted, err: errors.New("interrupted while reading stdin")}

// readCtx returns read's result; when fromStdin, it returns errInterruptedReading as soon as
// ctx is done instead: a read blocked on a terminal or an open pipe cannot be cancelled, so
// it is left behind in its goroutine for the process's exit to end.
func readCtx[T any](ctx context.Context, fromStdin bool, read func() (T, error)) (T, error) {
	if !fromStdin {
		return read()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, errInterruptedReading
	}
}
