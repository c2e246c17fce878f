// Package crawl walks an API or a site from seed URLs: every distinct URL in scope once,
// each request through the one scheduler under the chosen strategy, polite per host, and
// resumable from a state file.
package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/swapi"
)

// DefaultMaxPages is Job.MaxPages's default: enough for a whole API, few enough that a trap
// of endless links stops.
const DefaultMaxPages = 100_000

// Job is what to crawl and how.
type Job struct {
	// Config is the strategy, its limits and the request settings; KeepBody, Follow and Scope
	// are set by Run. Its UserAgent is also the name looked up in robots.txt.
	Config fetcher.Config
	// Seeds are the absolute http(s) URLs the crawl starts from, at depth 0.
	Seeds []string
	// Scope is how far from the seeds links are followed; "" means fetcher.ScopeHost.
	Scope fetcher.ScopeMode
	// Depth is the most hops from a seed followed; < 0 means unlimited.
	Depth int
	// MaxPages caps the URLs admitted, seeds included (robots.txt files aside); 0 means
	// DefaultMaxPages.
	MaxPages int
	// PerHost applies the strategy's limits (Config.Limits) to each host separately instead
	// of to the whole crawl.
	PerHost bool
	// IgnoreRobots skips robots.txt: nothing is disallowed and there is no Crawl-delay.
	IgnoreRobots bool
	// State, when set, is the path of the state file: read when it exists (the crawl goes on
	// from it), kept up to date while the crawl runs.
	State string
}

// Output receives what Run produces.
type Output struct {
	// Shape, when set, turns each successful page into the document to print (nil: none);
	// it is called concurrently, with the page's body.
	Shape func(rec *fetcher.Record) []byte
	// Document receives each document, in completion order; never concurrently.
	Document func(doc []byte) error
	// Consumers, when set, returns further consumers of the run's records (records file,
	// timeline, HTML report); Run closes them.
	Consumers func(cfg fetcher.Config) []report.Consumer
	// Flush, when set, is called before a finished request is written into the state file,
	// so that the records file holds its record first (it flushes the records).
	Flush func() error
	// OnWait, when set, is told of every wait for a host longer than WaitNoticeAfter (its
	// Crawl-delay, its rest after a 429 or 503) as it begins; it is called concurrently for
	// different hosts. WaitLines writes them.
	OnWait func(Wait)
}

// Result is how a crawl went.
type Result struct {
	Counts
	Outcome compare.Outcome
	// MaxPages and Depth are the limits applied (Depth < 0: none), for the lines that say
	// why links were not followed.
	MaxPages, Depth int
	// Resumed is set when the crawl went on from a state file.
	Resumed bool
	// Interrupted is set when ctx ended before the crawl did: some URLs are left (Left).
	Interrupted bool
}

// ErrSeeds is wrapped by the error of a job without seeds or with a seed that is not an
// absolute http(s) URL, or of a state file written by a crawl of other seeds.
var ErrSeeds = errors.New("crawl seeds")

// Seeds normalises seed URLs (fetcher.NormalizeURL), failing on the first that is not an
// absolute http(s) URL.
func Seeds(raw []string) ([]string, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: no URL to start from", ErrSeeds)
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		u, err := fetcher.NormalizeURL(r)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSeeds, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// Run crawls job in one run of the scheduler and hands its records to the collector and
// out's consumers. It fails on bad seeds (ErrSeeds), an unknown scope, an unusable state
// file (ErrState), an invalid config (fetcher.ErrConfig), or a consumer's, Document's or the
// state file's error; an interrupted crawl is not an error (Outcome.Stats.Interrupted), and
// with a state file what was left is kept there.
func Run(ctx context.Context, job Job, out Output) (Result, error) {
	seeds, err := Seeds(job.Seeds)
	if err != nil {
		return Result{}, err
	}
	scope, err := fetcher.NewScopeMode(job.Scope, seeds...)
	if err != nil {
		return Result{}, err
	}
	cfg := job.Config
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg.Scope = scope.Hosts() // robots.txt lies at a host's root, outside a prefix
	cfg.KeepBody = true
	cfg.Namer = swapi.Namer{}
	agent := cfg.UserAgent
	if agent == "" {
		agent = "fetchbench/" + fetcher.Version
	}
	opt := &options{scope: scope, depth: job.Depth, maxPages: job.MaxPages, robots: !job.IgnoreRobots,
		agent: strings.TrimSpace(strings.Split(agent, "/")[0]), maxWait: cfg.MaxRetryAfter, onWait: out.OnWait}
	if opt.maxPages <= 0 {
		opt.maxPages = DefaultMaxPages
	}
	if opt.maxWait <= 0 {
		opt.maxWait = fetcher.DefaultMaxRetryAfter
	}
	gates := fetcher.GatesFor(cfg.Limits)
	if job.PerHost {
		opt.keyed, opt.perHost = true, cfg.Limits
		gates = fetcher.Gates{Admission: unlimited{}}
	}

	fctx, stopLanes := context.WithCancel(ctx)
	defer stopLanes()
	f := newFrontier(fctx, opt)
	res := Result{MaxPages: opt.maxPages, Depth: opt.depth}
	var saved *saved
	if job.State != "" {
		unlock, err := lockState(job.State)
		if err != nil {
			return res, err
		}
		defer unlock()
		if saved, err = loadState(job.State); err != nil {
			return res, err
		}
		if saved != nil && !saved.sameSeeds(seeds) {
			return res, fmt.Errorf("%w: %s was written by a crawl of %s", ErrSeeds, textsafe.Sanitize(job.State),
				textsafe.Sanitize(strings.Join(saved.seeds, " ")))
		}
	}
	if saved != nil {
		res.Resumed = true
		f.seen.restore(saved.next, saved.seen)
		for _, k := range sortedPending(saved.pending) {
			f.resume(k.item, k.started)
		}
		f.mu.Lock()
		f.admitted = saved.admitted // the pages of every run, those left included
		f.mu.Unlock()
		saved.seen = nil
	}
	if job.State != "" {
		var pending []keptItem
		if saved != nil {
			pending = sortedPending(saved.pending)
		}
		j, err := writeState(job.State, seeds, f.seen.nextSeq(), f.admittedCount(), f.eachSeen, pending)
		if err != nil {
			return res, err
		}
		f.journal = j
	}
	if saved == nil {
		for _, s := range seeds {
			f.seed(s)
		}
	}

	var docs sync.Map // by Seq
	cfg.Follow = func(rec *fetcher.Record) {
		defer func() { rec.Body = nil }()
		if rec.Kind == fetcher.KindRobots {
			f.setRobots(rec)
			return
		}
		if f.wasInFlight(rec.Seq) {
			note := "resumed: was in flight when the crawl stopped, so the server may have seen it before"
			if rec.Note != "" {
				note = rec.Note + "; " + note
			}
			rec.Note = note
		}
		if rec.FinalURL != "" && rec.Class != fetcher.ClassCancelled {
			f.landed(rec.FinalURL)
		}
		if !rec.OK() {
			return
		}
		if out.Shape != nil {
			if doc := out.Shape(rec); doc != nil {
				docs.Store(rec.Seq, doc)
			}
		}
		page, err := url.Parse(rec.Final())
		if err != nil {
			return
		}
		var found []string
		_, dropped := links(page, rec.ContentType, rec.Body, func(u string) { found = append(found, u) })
		f.unusable(dropped)
		f.links(found, rec.Depth+1, rec.Seq)
	}
	var docErr error
	consumers := []report.Consumer{&printer{docs: &docs, write: func(doc []byte) error {
		if docErr == nil && out.Document != nil {
			docErr = out.Document(doc)
		}
		return docErr
	}}, report.Check(func() error { return docErr })}
	if out.Consumers != nil {
		consumers = append(consumers, out.Consumers(cfg)...)
	}
	if f.journal != nil {
		consumers = append(consumers, &stateWriter{j: f.journal, flush: out.Flush})
	}
	o, err := compare.Once(ctx, nil, cfg, f, gates, consumers)
	stopLanes()
	f.stop()
	left := f.left()
	res.Counts = f.snapshotCounts()
	if err == nil && f.cutShort() && !o.Stats.Interrupted && !o.Stats.DeadlineExceeded {
		// No record was cancelled (the URLs left stay for the state file): the row is marked
		// as the scheduler marks a run it cut short.
		switch {
		case ctx.Err() != nil:
			o.Stats.Interrupted, o.Summary.Interrupted = true, true
		case cfg.Deadline > 0:
			o.Stats.DeadlineExceeded, o.Summary.DeadlineExceeded = true, true
		}
	}
	res.Outcome = o
	res.Interrupted = o.Stats.Interrupted || (ctx.Err() != nil && len(left) > 0)
	if f.journal != nil {
		jerr := f.journal.close()
		if err == nil && jerr != nil {
			err = jerr
		}
		if j, serr := writeState(job.State, seeds, f.seen.nextSeq(), f.admittedCount(), f.eachSeen, left); serr == nil {
			serr = j.close()
			if err == nil {
				err = serr
			}
		} else if err == nil {
			err = serr
		}
	}
	return res, err
}

// eachSeen calls fn with the hash of every URL admitted (robots.txt requests aside: every
// run reads them again); the lanes have stopped or not started.
func (f *frontier) eachSeen(fn func(uint64)) {
	f.mu.Lock()
	robots := make(map[uint64]bool, len(f.hosts))
	for _, h := range f.hosts {
		for _, scheme := range []string{"http", "https"} {
			robots[keyHash(robotsKey(scheme, h.key))] = true
		}
	}
	f.mu.Unlock()
	f.seen.each(robots, fn)
}

// admittedCount is how many pages were admitted, against MaxPages.
func (f *frontier) admittedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.admitted
}

func sortedPending(m map[int]keptItem) []keptItem {
	out := make([]keptItem, 0, len(m))
	for _, k := range m {
		out = append(out, k)
	}
	slicesSortBySeq(out)
	return out
}

// unlimited is the run-wide Admission of a PerHost crawl: the hosts' own gates limit it, and
// a record's queue time still counts from when its URL was admitted.
type unlimited struct{}

func (unlimited) Acquire(context.Context) (time.Duration, error) { return 0, nil }
func (unlimited) Release(fetcher.Feedback)                       {}
func (unlimited) Max() int                                       { return 0 }
func (unlimited) Limit() int                                     { return 0 }

// printer is the Consumer that prints each page's document as its record arrives.
type printer struct {
	docs  *sync.Map
	write func([]byte) error
}

func (p *printer) Add(r fetcher.Record) {
	if v, ok := p.docs.LoadAndDelete(r.Seq); ok {
		p.write(v.([]byte)) //nolint:errcheck // kept by Run
	}
}

func (p *printer) Close() error { return nil }

// stateWriter is the Consumer that writes each finished request into the state file once its
// record is flushed: a request cancelled by the stop stays to do, and robots.txt is read
// again by every run.
type stateWriter struct {
	j     *journal
	flush func() error
}

func (s *stateWriter) Add(r fetcher.Record) {
	if r.Kind == fetcher.KindRobots || r.Class == fetcher.ClassCancelled {
		return
	}
	if s.flush != nil {
		if err := s.flush(); err != nil {
			return
		}
	}
	s.j.done(r.Seq)
}

func (s *stateWriter) Close() error { return nil }

// Err is the state file's first error: the crawl stops there.
func (s *stateWriter) Err() error {
	s.j.mu.Lock()
	defer s.j.mu.Unlock()
	return s.j.err
}
