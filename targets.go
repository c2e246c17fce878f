package main

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/fetchbench/fetchbench/fetcher"
)

// targetSource says where the targets come from: a URL list (--urls), or ids (-n, --ids,
// --ids -) shaped by --url-template or by --resource under the base URL.
type targetSource struct {
	urls     string // --urls FILE, "-" for stdin
	template string // --url-template; "" means --resource under the base URL
	resource string
	count    int   // ids 1..count when ids is nil and idsStdin is not set
	ids      []int // --ids
	idsStdin bool  // --ids -
}

// tmpl is the URL template of the ids under base.
func (s targetSource) tmpl(base string) (string, error) {
	if s.template != "" {
		if _, err := fetcher.TemplateTargets(s.template, nil); err != nil {
			return "", usagef("--url-template: %v", err)
		}
		return s.template, nil
	}
	tmpl, err := fetcher.ResourceTemplate(base, s.resource)
	if err != nil {
		return "", usagef("--base-url: %v", err)
	}
	return tmpl, nil
}

// targets reads the ids or URLs (from stdin or a file) once and builds the targets against
// base, the SWAPI base URL.
func (s targetSource) targets(ctx context.Context, base string, stdin io.Reader) (fetcher.Targets, error) {
	if s.urls != "" {
		return readCtx(ctx, s.urls == "-", func() (fetcher.Targets, error) { return readURLs(s.urls, stdin) })
	}
	tmpl, err := s.tmpl(base)
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
