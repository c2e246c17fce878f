package main

import (
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
func (s targetSource) targets(base string, stdin io.Reader) (fetcher.Targets, error) {
	if s.urls != "" {
		return readURLs(s.urls, stdin)
	}
	tmpl, err := s.tmpl(base)
	if err != nil {
		return nil, err
	}
	ids := s.ids
	if s.idsStdin {
		if ids, err = fetcher.ReadIDs(stdin); err != nil {
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
