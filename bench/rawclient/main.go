// Command rawclient is the floor of a Go HTTP client, for bench/run.sh to
// compare fetchbench and hey against: C worker goroutines share one tuned
// *http.Transport (up to C idle keep-alive connections to the host), take the
// next request index from an atomic counter until N requests have been made,
// read every body fully into io.Discard and close it. Non-2xx answers and
// transport or body errors count as errors. It prints one line to stdout:
//
//	requests=N ok=K errors=E wall_s=X req_per_sec=Y
//
// Usage:
//
//	rawclient -n N -c C URL
//
// It sets no timeouts (the caller bounds the run) and exits 1 on a usage error,
// else 0 whatever the errors; the first error is printed to stderr.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	fs := flag.NewFlagSet("rawclient", flag.ContinueOnError)
	n := fs.Int("n", 1000, "total requests")
	c := fs.Int("c", 50, "worker goroutines (and idle connections kept per host)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: rawclient -n N -c C URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		os.Exit(1)
	}
	if fs.NArg() != 1 || *n < 1 || *c < 1 {
		fs.Usage()
		os.Exit(1)
	}
	url := fs.Arg(0)
	if r, err := http.NewRequest(http.MethodGet, url, nil); err != nil || r.URL.Host == "" ||
		(r.URL.Scheme != "http" && r.URL.Scheme != "https") {
		fmt.Fprintf(os.Stderr, "rawclient: %q is not an http(s) URL\n", url)
		os.Exit(1)
	}
	workers := min(*c, *n)

	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        workers,
		MaxIdleConnsPerHost: workers,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: tr}

	var (
		next, ok, errs atomic.Int64
		firstErr       sync.Once
		wg             sync.WaitGroup
	)
	fail := func(msg string) {
		errs.Add(1)
		firstErr.Do(func() { fmt.Fprintln(os.Stderr, "rawclient: first error:", msg) })
	}
	total := int64(*n)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			// One request per worker, reused: allowed once the previous
			// response's body is closed.
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			for next.Add(1) <= total {
				resp, err := client.Do(req)
				if err != nil {
					fail(err.Error())
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					fail("reading body: " + err.Error())
				case resp.StatusCode < 200 || resp.StatusCode > 299:
					fail(resp.Status)
				default:
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start).Seconds()
	fmt.Printf("requests=%d ok=%d errors=%d wall_s=%.3f req_per_sec=%.1f\n",
		total, ok.Load(), errs.Load(), wall, float64(total)/wall)
}
