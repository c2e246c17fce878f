package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

const (
	defaultServeAddr    = "127.0.0.1:8080"
	defaultServeLatency = 100 * time.Millisecond // the same as --offline
	shutdownTimeout     = 2 * time.Second
)

const serveUsageHeader = `fetchbench serve runs the fake SWAPI in the foreground until interrupted (Ctrl-C).

The API is under /api/ (people, planets, films, species, vehicles, starships, with SWAPI's
ids, fields and paging). GET /__stats reports what the server observed; POST /__stats/reset
clears it. It listens on a loopback address only, unless --public is given.
On start it prints "fake SWAPI listening on http://ADDR/api/" to stderr; stdout stays empty.

Usage:
  fetchbench serve [flags]

Examples:
  # a sync server with 4 workers and 50 ms per request, on 127.0.0.1:8080
  fetchbench serve --fake-latency 50ms --fake-workers 4

  # a free port, one log line per request on stderr
  fetchbench serve --addr 127.0.0.1:0 -v

  # a throttled API: 5 requests/s, then 429 with Retry-After
  fetchbench serve --fake-rate 5 --fake-burst 5

Flags:
`

// serveOptions holds the parsed flags of the serve command.
type serveOptions struct {
	addr    string
	public  bool
	verbose bool
	fake    fakeFlags
}

func newServeFlags(o *serveOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringVar(&o.addr, "addr", defaultServeAddr, "host:port to listen on (port 0 picks a free port)")
	fs.BoolVar(&o.public, "public", false, "allow a non-loopback --addr, serving on the network")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "log one line per request to stderr")
	addFakeFlags(fs, &o.fake, defaultServeLatency)
	return fs
}

// runServe is the serve command: it serves the fake SWAPI until ctx is cancelled, then shuts
// down gracefully and returns nil.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o serveOptions
	fs := newServeFlags(&o)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			_, err := io.WriteString(stdout, serveUsageHeader+fs.FlagUsagesWrapped(100))
			return err
		}
		return usagef("serve: %v (see fetchbench serve --help)", err)
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q (see fetchbench serve --help)", fs.Arg(0))
	}
	opts, err := o.fake.options()
	if err != nil {
		return err
	}
	if err := checkAddr(o.addr, o.public); err != nil {
		return err
	}
	logw := &lockedWriter{w: stderr}
	if o.verbose {
		opts.Log = logw
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return serve(ctx, ln, fakeswapi.New(opts), logw)
}

// checkAddr requires host:port with a numeric port, and a loopback host unless public.
func checkAddr(addr string, public bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return usagef("--addr %s: want host:port, e.g. %s", addr, defaultServeAddr)
	}
	if !public && !isLoopback(host) {
		return usagef("--addr %s is not a loopback address; add --public to serve on the network", addr)
	}
	return nil
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// serve runs h on ln until ctx is done, then shuts down within shutdownTimeout. Requests in
// progress see their context cancelled at once. It closes ln and returns nil after a clean
// stop, or the error that stopped serving.
func serve(ctx context.Context, ln net.Listener, h http.Handler, stderr io.Writer) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          log.New(stderr, "fetchbench serve: ", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "fake SWAPI listening on http://%s/api/\n", ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close() //nolint:errcheck // closing is all that is left to do
	}
	<-errc
	return nil
}

// lockedWriter serializes writes from the request log, the server's error log and serve itself.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// fakeFlags holds the fake SWAPI knobs shared by serve and the benchmark's --offline; the flags
// write straight into opts.
type fakeFlags struct {
	opts fakeswapi.Options
}

// fakeFlagNames maps an Options field to its flag.
var fakeFlagNames = map[string]string{
	"Latency":       "fake-latency",
	"Jitter":        "fake-jitter",
	"ErrorRate":     "fake-error-rate",
	"Workers":       "fake-workers",
	"Rate":          "fake-rate",
	"Burst":         "fake-burst",
	"Seed":          "fake-seed",
	"ResetRate":     "fake-reset-rate",
	"MalformedRate": "fake-malformed-rate",
	"SlowBodyRate":  "fake-slow-body-rate",
	"SlowBody":      "fake-slow-body",
	"OversizeRate":  "fake-oversize-rate",
	"OversizeBytes": "fake-oversize-bytes",
}

// addFakeFlags registers the --fake-* flags on fs, storing into f.
func addFakeFlags(fs *pflag.FlagSet, f *fakeFlags, defaultLatency time.Duration) {
	o := &f.opts
	fs.DurationVar(&o.Latency, "fake-latency", defaultLatency, "fake SWAPI: latency added to every request")
	fs.DurationVar(&o.Jitter, "fake-jitter", 0, "fake SWAPI: spread the latency uniformly by ± this much")
	fs.Float64Var(&o.ErrorRate, "fake-error-rate", 0, "fake SWAPI: share of requests answered 500 (0..1)")
	fs.IntVar(&o.Workers, "fake-workers", 0,
		"fake SWAPI: requests served at once, the rest queue: a sync server with K workers (0 = unlimited)")
	fs.Float64Var(&o.Rate, "fake-rate", 0,
		"fake SWAPI: requests per second accepted, the rest get 429 + Retry-After (0 = no limit)")
	fs.IntVar(&o.Burst, "fake-burst", 1, "fake SWAPI: token bucket size for --fake-rate")
	fs.Int64Var(&o.Seed, "fake-seed", 1, "fake SWAPI: seed of the jitter and fault draws (same seed, same sequence)")
	fs.Float64Var(&o.ResetRate, "fake-reset-rate", 0, "fake SWAPI: share of connections cut mid-body (0..1)")
	fs.Float64Var(&o.MalformedRate, "fake-malformed-rate", 0,
		"fake SWAPI: share of 200 answers with truncated JSON (0..1)")
	fs.Float64Var(&o.SlowBodyRate, "fake-slow-body-rate", 0,
		"fake SWAPI: share of bodies dripped over --fake-slow-body (0..1)")
	fs.DurationVar(&o.SlowBody, "fake-slow-body", fakeswapi.DefaultSlowBody, "fake SWAPI: how long a slow body takes")
	fs.Float64Var(&o.OversizeRate, "fake-oversize-rate", 0,
		"fake SWAPI: share of 200 answers with a --fake-oversize-bytes body (0..1)")
	o.OversizeBytes = fakeswapi.DefaultOversizeBytes
	fs.Var((*sizeValue)(&o.OversizeBytes), "fake-oversize-bytes", "fake SWAPI: size of an oversize body (e.g. 64KiB, 11MiB)")
}

// options validates the flags into fakeswapi.Options; an invalid value is a usage error naming its flag.
func (f *fakeFlags) options() (fakeswapi.Options, error) {
	o := f.opts
	err := o.Validate()
	if err == nil {
		return o, nil
	}
	var oe *fakeswapi.OptionError
	if errors.As(err, &oe) {
		if name, ok := fakeFlagNames[oe.Field]; ok {
			return fakeswapi.Options{}, usagef("--%s %s", name, oe.Msg)
		}
		if oe.Field == "" {
			sum := o.ErrorRate + o.ResetRate + o.MalformedRate + o.SlowBodyRate + o.OversizeRate
			return fakeswapi.Options{}, usagef("the --fake-*-rate fault shares sum to %g, more than 1 "+
				"(error, reset, malformed, slow body and oversize exclude each other)", sum)
		}
	}
	return fakeswapi.Options{}, usagef("fake SWAPI flags: %v", err)
}
