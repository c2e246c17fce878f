// Package targets owns where a run's targets come from: a URL list, a URL template or SWAPI
// ids, and the API they are under (its dialect and base URL, or the built-in fake offline).
package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/swapi"
)

// InputError is bad input from the user: a URL template, base URL, URL list or id list that
// does not parse, or a URL list that cannot be opened. Field names the input by its field:
// "API" (Config.API), "BaseURL" (Config.BaseURL), or Source's "Template", "IDs" or "URLs";
// Arg, when not "", is where it was read: "-" (stdin) for IDs, a file name or "stdin" for URLs.
type InputError struct {
	Field, Arg string
	Err        error
}

func (e *InputError) Error() string {
	if e.Arg != "" {
		return e.Field + " " + e.Arg + ": " + e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// ErrInterrupted is wrapped by the error of a read of stdin or a discovery cut short because
// its ctx was done.
var ErrInterrupted = verdict.ErrInterrupted

// Source says where the targets come from: a URL list (URLs), or ids (Count, IDs, IDsStdin,
// All) shaped by Template, or by Resource under the base URL.
type Source struct {
	URLs     string // a file with one URL per line, "-" for stdin; "" means ids
	Template string // a URL with {id}; "" means Resource under the base URL
	Resource string // a SWAPI resource ("people")
	Count    int    // ids 1..Count when IDs is nil and IDsStdin is not set
	IDs      []int
	IDsStdin bool // the ids are read from stdin
	All      bool // every item of Resource, discovered from the API's list pages
}

// Config is where the targets are, as the user asked; New checks it.
type Config struct {
	// Offline aims at the built-in fake SWAPI, which the caller starts in Dialect's shapes
	// and aims the spec at (Spec.Aim).
	Offline bool
	// FakeTimeScale is the fake's time scale (fakeswapi.Options.TimeScale), which scales
	// the quota window when offline; 0 means 1.
	FakeTimeScale float64
	// API names the dialect; "" means Dev offline, the one of BaseURL's host when BaseURLSet,
	// else swapi.Default.
	API string
	// BaseURL is the API root when BaseURLSet, else the dialect's.
	BaseURL    string
	BaseURLSet bool
	Source     Source
}

// Spec is where a run's targets are and how to reach them, checked.
type Spec struct {
	Offline bool
	Dialect *swapi.Dialect
	// Base is the base URL: the fake's once Aim has been called.
	Base      string
	Source    Source
	timeScale float64
}

// New resolves the dialect and the base URL of cfg and checks the URL template the ids will
// be shaped by. It does no I/O.
func New(cfg Config) (*Spec, error) {
	sp := &Spec{Offline: cfg.Offline, timeScale: cfg.FakeTimeScale, Base: cfg.BaseURL, Source: cfg.Source}
	switch {
	case cfg.API != "":
		d, err := swapi.Lookup(cfg.API)
		if err != nil {
			return nil, &InputError{Field: "API", Err: err}
		}
		sp.Dialect = d
	case cfg.Offline:
		sp.Dialect = swapi.Dev
	case cfg.BaseURLSet:
		sp.Dialect = swapi.ForBaseURL(cfg.BaseURL)
	default:
		sp.Dialect = swapi.Default
	}
	if !cfg.BaseURLSet {
		sp.Base = sp.Dialect.BaseURL
	}
	if !cfg.Offline && cfg.Source.URLs == "" {
		if _, err := sp.Source.tmpl(sp.Dialect, sp.Base); err != nil { // fail before any I/O
			return nil, err
		}
	}
	return sp, nil
}

// QuotaWindow is the dialect's quota window (swapi.Dialect.QuotaWindow), scaled as the fake's
// live profile is when offline.
func (s *Spec) QuotaWindow() time.Duration {
	w := s.Dialect.QuotaWindow
	if s.Offline && s.timeScale > 0 {
		w = time.Duration(float64(w) * s.timeScale)
	}
	return w
}

// Aim aims an offline spec at the started fake's base URL; online, it does nothing.
func (s *Spec) Aim(base string) {
	if s.Offline {
		s.Base = base
	}
}

// CacheNames names the started fake's origin for fetcher.Config.CacheNames, so that its
// answers are kept across runs although its port changes: "fake-" and its dialect. Nil when
// not offline.
func (s *Spec) CacheNames() map[string]string {
	u, err := url.Parse(s.Base)
	if !s.Offline || err != nil {
		return nil
	}
	return map[string]string{u.Scheme + "://" + u.Host: "fake-" + s.Dialect.Name}
}

// Discover lists every item of resource under base from the API's list pages, in dialect d's
// shapes, and returns them as targets with a one-line account of the listing.
type Discover func(ctx context.Context, d *swapi.Dialect, base, resource string) (fetcher.Targets, string, error)

// Resolve reads the ids or URLs (from stdin or a file) once, or with Source.All calls
// discover (which may be nil without All), and builds the targets; discovered is discover's
// account, "" without All. A read of stdin, or a discovery, cut short because ctx is done
// returns an error wrapping ErrInterrupted; bad input is an *InputError.
func (s *Spec) Resolve(ctx context.Context, stdin io.Reader, discover Discover) (ts fetcher.Targets, discovered string, err error) {
	if !s.Source.All {
		ts, err := s.Source.targets(ctx, s.Dialect, s.Base, stdin)
		return ts, "", err
	}
	ts, discovered, err = discover(ctx, s.Dialect, s.Base, s.Source.Resource)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", fmt.Errorf("%w during discovery", ErrInterrupted)
		}
		if errors.Is(err, fetcher.ErrNoAnswer) && !s.Offline {
			return nil, "", &UnreachableError{Err: err, Others: s.Others()}
		}
		return nil, "", err
	}
	return ts, discovered, nil
}

// UnreachableError is a discovery that got no answer from a live API (Err wraps
// fetcher.ErrNoAnswer); Others are the SWAPIs to suggest instead (Spec.Others).
type UnreachableError struct {
	Err    error
	Others []*swapi.Dialect
}

func (e *UnreachableError) Error() string {
	names := make([]string, len(e.Others))
	for i, d := range e.Others {
		names[i] = d.Name
	}
	return e.Err.Error() + "; is it up? other SWAPIs: " + strings.Join(names, ", ")
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Others are the SWAPIs to suggest when s's cannot be reached, in swapi.Suggested's order;
// nil offline (the fake is in this process).
func (s *Spec) Others() []*swapi.Dialect {
	if s.Offline {
		return nil
	}
	var others []*swapi.Dialect
	for _, d := range swapi.Suggested {
		if d != s.Dialect {
			others = append(others, d)
		}
	}
	return others
}

// tmpl is the URL template of the ids under base.
func (s Source) tmpl(d *swapi.Dialect, base string) (string, error) {
	if s.Template != "" {
		if _, err := fetcher.TemplateTargets(s.Template, nil); err != nil {
			return "", &InputError{Field: "Template", Err: err}
		}
		return s.Template, nil
	}
	tmpl, err := resourceTemplate(d, base, s.Resource)
	if err != nil {
		return "", &InputError{Field: "BaseURL", Err: err}
	}
	return tmpl, nil
}

// targets reads the ids or URLs (from stdin or a file) once and builds the targets against
// base, the SWAPI base URL.
func (s Source) targets(ctx context.Context, d *swapi.Dialect, base string, stdin io.Reader) (fetcher.Targets, error) {
	if s.URLs != "" {
		return readCtx(ctx, s.URLs == "-", func() (fetcher.Targets, error) { return readURLs(s.URLs, stdin) })
	}
	tmpl, err := s.tmpl(d, base)
	if err != nil {
		return nil, err
	}
	ids := s.IDs
	if s.IDsStdin {
		ids, err = readCtx(ctx, true, func() ([]int, error) { return readIDs(stdin) })
		if errors.Is(err, ErrInterrupted) {
			return nil, err
		}
		if err != nil {
			return nil, &InputError{Field: "IDs", Arg: "-", Err: fmt.Errorf("stdin %w", err)}
		}
	}
	if ids == nil {
		return fetcher.RangeTargets(tmpl, s.Count)
	}
	return fetcher.TemplateTargets(tmpl, ids)
}

// readURLs reads the URL list of the file name, or of stdin when name is "-".
func readURLs(name string, stdin io.Reader) (fetcher.Targets, error) {
	r, label := stdin, "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, &InputError{Field: "URLs", Err: err}
		}
		defer f.Close()
		r, label = f, name
	}
	ts, err := readURLList(r)
	if err != nil {
		return nil, &InputError{Field: "URLs", Arg: label, Err: err}
	}
	return ts, nil
}

// errInterruptedReading is the error of a read of stdin cut short because its ctx was done.
var errInterruptedReading = fmt.Errorf("%w while reading stdin", ErrInterrupted)

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
