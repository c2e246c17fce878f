package main

// This file owns the serve command: its usage and flags (fakeswapi.ServeForeground serves).

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/cliflag"
)

const (
	defaultServeAddr    = "127.0.0.1:8080"
	defaultServeLatency = 100 * time.Millisecond // the same as --offline
)

// serveOptions holds the parsed flags of the serve command.
type serveOptions struct {
	fg      fakeswapi.Foreground // its Options come from fake
	public  bool
	verbose bool
	fake    fakeFlags
}

func newServeFlags(o *serveOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringVar(&o.fg.Addr, "addr", defaultServeAddr, "host:port to listen on (port 0 picks a free port)")
	fs.BoolVar(&o.public, "public", false, "allow a non-loopback --addr, serving on the network")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "log one line per request to stderr")
	fs.BoolVar(&o.fg.TLS, "tls", false, "serve https with HTTP/2 (and HTTP/1.1) on a self-signed certificate made at start; its fingerprint is printed")
	fs.StringVar(&o.fg.CertFile, "cert", "", "with --tls, write the certificate (PEM) to FILE, for fetchbench --cacert FILE")
	fs.BoolVar(&o.fg.H2C, "h2c", false, "also accept unencrypted HTTP/2 with prior knowledge (curl --http2-prior-knowledge)")
	fs.Var(cliflag.Choice(&o.fake.opts.Dialect, "dev", fakeswapi.Dialects, func(s string) error {
		return cliflag.Valuef("unknown dialect %q (want dev, py4e, tech or info)", s)
	}), "dialect", "answer in the shapes of swapi.dev (dev), swapi.py4e.com (py4e), swapi.tech (tech) or swapi.info (info)")
	fs.BoolVar(&o.fg.Site, "site", false, "serve the fake HTML site (robots.txt, sitemap, endless calendar, /gen/ pages) instead of the API, for crawl")
	fs.BoolVar(&o.fake.opts.AbsoluteLinks, "absolute-links", false, "with --dialect info: link to https://swapi.info/api/… as its files do, not back at the fake")
	addProfileFlags(fs, &o.fake, "")
	addFakeFlags(fs, &o.fake, defaultServeLatency)
	return fs
}

// runServe is the serve command: it serves the fake SWAPI until ctx is cancelled, then shuts
// down gracefully and returns nil.
func runServe(ctx context.Context, e *env, args []string) error {
	stdout, stderr := e.stdout, e.stderr
	var o serveOptions
	fs := newServeFlags(&o)
	if err := parseFlags(fs, args, usage("serve"), "serve: ", "see fetchbench serve --help", stdout); err != nil {
		return err
	}
	fg := o.fg
	fg.OptionNamer = flagName
	var err error
	if fg.Options, err = o.fake.options(); err != nil {
		return err
	}
	if err := checkAddr(fg.Addr, o.public); err != nil {
		return err
	}
	if o.verbose {
		fg.Options.Log = stderr
	}
	if err := checkServe(fg); err != nil {
		return err
	}
	return fakeswapi.ServeForeground(ctx, fg, stderr)
}
