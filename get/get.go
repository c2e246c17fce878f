// Package get fetches documents under one strategy and shapes them for output: whole, as
// chosen members and paths, or as values scraped from HTML pages, with linked documents
// expanded and SWAPI resources discovered from their list pages.
package get

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/swapi"
)

// Job is what to fetch and how to shape it.
type Job struct {
	// Config is the strategy and its settings; KeepBody, HTML and Follow are set by Run.
	Config fetcher.Config
	// Targets are fetched unless All is set.
	Targets fetcher.Targets
	// All discovers every item of Resource under Base from the dialect's list pages instead.
	All      bool
	Base     string
	Resource string
	// Dialect shapes list pages and detail documents; nil means swapi.Dev.
	Dialect *swapi.Dialect
	Shape   Shape
	// InputOrder prints documents in input order (list order with All), else as they complete.
	InputOrder bool
}

// Output receives what Run produces. Its functions are never called concurrently.
type Output struct {
	// Document receives each document, one JSON value on one line without a newline.
	Document func(doc []byte) error
	// Failure receives one line per target, list page or link that could not be fetched.
	Failure func(msg string)
	// Consumers, when set, returns further consumers of one run's records (records file,
	// progress line); Run closes them when the run ends.
	Consumers func(cfg fetcher.Config) []report.Consumer
}

// Result is how a Run went.
type Result struct {
	Documents int // documents printed
	Failed    int // targets or list pages that could not be fetched
	Problems  int // links left unexpanded
	Expanded  int // distinct linked URLs fetched
	// Discovery is set when Job.All was.
	Discovery *Discovery
	// Summary is the strategy's run: the detail documents, or with All and lists carrying
	// full documents, list pages 2..K (page 1 alone when there is one page).
	Summary *report.Summary
	// Unreachable is why every request failed before connecting ("connection refused"...),
	// or "" when some request connected.
	Unreachable string
	Interrupted bool
}

// Discovery is what reading a resource's list pages found.
type Discovery struct {
	Resource string
	Items    int           // items listed
	Requests int           // list pages requested
	Failed   int           // list pages that could not be fetched or read
	Wall     time.Duration // page 1 requested → last page read
	MinID    int
	MaxID    int
}

// String is one line: "discovered 82 people (ids 1–83) in 9 requests, 0.42s".
func (d *Discovery) String() string {
	s := fmt.Sprintf("discovered %d %s", d.Items, d.Resource)
	if d.MaxID > 0 {
		s += fmt.Sprintf(" (ids %d–%d)", d.MinID, d.MaxID)
	}
	unit := "requests"
	if d.Requests == 1 {
		unit = "request"
	}
	s += fmt.Sprintf(" in %d list %s, %s", d.Requests, unit, d.Wall.Round(time.Millisecond))
	if d.Failed > 0 {
		s += fmt.Sprintf("; %d list pages failed", d.Failed)
	}
	return s
}

func (d *Discovery) add(items []swapi.Item) {
	for _, it := range items {
		d.Items++
		if it.ID > 0 && (d.MinID == 0 || it.ID < d.MinID) {
			d.MinID = it.ID
		}
		d.MaxID = max(d.MaxID, it.ID)
	}
}

// ErrNoDiscovery is returned by Discover when the list pages cannot all be read.
var ErrNoDiscovery = errors.New("discovery failed")

// Discover reads every list page of resource under base under cfg, page 1 alone and then
// pages 2..K, and returns the detail URLs of the items it lists, in list order, built with the
// dialect's URL shape. It fails, wrapping ErrNoDiscovery, when a page cannot be fetched or read.
func Discover(ctx context.Context, cfg fetcher.Config, d *swapi.Dialect, base, resource string) (fetcher.TargetList, *Discovery, error) {
	var (
		mu      sync.Mutex
		targets fetcher.TargetList
		pages   = map[int][]swapi.Item{}
		failure error
	)
	onPage := func(page int, rec *fetcher.Record, p swapi.Page, err error, _ func(string) fetcher.Record) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && failure == nil {
			failure = fmt.Errorf("%w: %s list page %d (%s): %v", ErrNoDiscovery, resource, page, rec.URL, err)
		}
		pages[page] = p.Items
	}
	disc, _, err := list(ctx, cfg, d, base, resource, onPage, nil)
	if err != nil {
		return nil, disc, err
	}
	if failure != nil {
		return nil, disc, failure
	}
	for page := 1; page <= len(pages); page++ {
		for _, it := range pages[page] {
			u := it.URL
			if it.ID > 0 {
				u = d.DetailURL(base, resource, it.ID)
			}
			targets = append(targets, fetcher.Target{ID: it.ID, URL: u})
		}
	}
	if len(targets) == 0 {
		return nil, disc, fmt.Errorf("%w: the %s list is empty", ErrNoDiscovery, resource)
	}
	return targets, disc, nil
}

// pageFunc is called, in the page's goroutine, with each list page's record and its parsed
// content, or err when the page could not be fetched or read. fetch sends one more request
// through the strategy's limits.
type pageFunc func(page int, rec *fetcher.Record, p swapi.Page, err error, fetch func(string) fetcher.Record)

// list fetches page 1 alone, then pages 2..K, each under cfg with its Follow set to call onPage. It
// returns the discovery, its runs (page 1's, then that of pages 2..K if there was one), and
// an error only for an invalid cfg.
func list(ctx context.Context, cfg fetcher.Config, d *swapi.Dialect, base, resource string, onPage pageFunc,
	consumers func(fetcher.Config) []report.Consumer) (*Discovery, []*runResult, error) {
	disc := &Discovery{Resource: resource}
	var mu sync.Mutex
	pages := 1
	follow := func(first int) func(*fetcher.Record, func(string) fetcher.Record) {
		return func(rec *fetcher.Record, fetch func(string) fetcher.Record) {
			page := first + rec.Seq
			var p swapi.Page
			err := errors.New(rec.Err)
			if rec.OK() {
				p, err = d.ParsePage(rec.Body)
			}
			if err == nil && first == 1 {
				pages = max(p.Pages, 1)
			}
			mu.Lock()
			if err != nil {
				disc.Failed++
			} else {
				disc.add(p.Items)
			}
			mu.Unlock()
			onPage(page, rec, p, err, fetch)
			rec.Body = nil
		}
	}
	start := time.Now()
	one := cfg
	one.KeepBody, one.Follow = true, follow(1)
	first, err := runOnce(ctx, one, fetcher.TargetList{{URL: d.ListURL(base, resource, 1)}}, consumers)
	if err != nil {
		return disc, nil, err
	}
	disc.Requests = 1
	if pages < 2 || first.stats.Interrupted || ctx.Err() != nil {
		disc.Wall = time.Since(start)
		return disc, []*runResult{first}, nil
	}
	rest := make(fetcher.TargetList, 0, pages-1)
	for k := 2; k <= pages; k++ {
		rest = append(rest, fetcher.Target{ID: k, URL: d.ListURL(base, resource, k)})
	}
	cfg.KeepBody, cfg.Follow = true, follow(2)
	res, err := runOnce(ctx, cfg, rest, consumers)
	disc.Requests += len(rest)
	disc.Wall = time.Since(start)
	if err != nil {
		return disc, nil, err
	}
	return disc, []*runResult{first, res}, nil
}

// runResult is one fetcher run's summary and stats.
type runResult struct {
	summary report.Summary
	stats   fetcher.RunStats
	never   string // the class shared by every record when none connected, else ""
}

// runOnce runs cfg over targets with a summary collector and the given consumers.
func runOnce(ctx context.Context, cfg fetcher.Config, targets fetcher.Targets, consumers func(fetcher.Config) []report.Consumer) (*runResult, error) {
	coll := report.NewCollector(cfg)
	tee := report.Tee{coll}
	if consumers != nil {
		tee = append(tee, consumers(cfg)...)
	}
	never, first := true, ""
	stats, err := fetcher.Run(ctx, cfg, targets, func(r fetcher.Record) {
		if first == "" {
			first = string(r.Class)
		}
		never = never && r.NeverConnected()
		tee.Add(r)
	})
	if cerr := tee.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	res := &runResult{summary: coll.Summary(stats), stats: stats}
	if never && stats.Connections == 0 && targets.Len() > 0 {
		res.never = first
	}
	return res, nil
}

// Run fetches the job's documents and hands them to out: with Job.All, the list pages first
// (their documents, when the dialect's lists carry them), then the detail documents. Every
// target, page and link that fails is reported to out.Failure. Run fails only on an invalid
// config or a consumer's or out.Document's error.
func Run(ctx context.Context, job Job, out Output) (Result, error) {
	d := job.Dialect
	if d == nil {
		d = swapi.Dev
	}
	shape := job.Shape
	if shape.Dialect == nil {
		shape.Dialect = d
	}
	exp := newExpander(&shape)
	var res Result
	var problems []string
	var pmu sync.Mutex
	problem := func(msg string) {
		pmu.Lock()
		problems = append(problems, msg)
		pmu.Unlock()
	}
	// flushProblems reports the link problems found so far; called from the sink only.
	flushProblems := func() {
		pmu.Lock()
		ps := problems
		problems = nil
		pmu.Unlock()
		for _, p := range ps {
			res.Problems++
			out.Failure(p)
		}
	}

	cfg := job.Config
	cfg.KeepBody = true
	cfg.HTML = shape.Selectors()
	var writeErr error
	type outcome struct {
		docs [][]byte
		fail string
	}
	// emitter returns the consumers of a run whose outcomes are keyed by offset + Seq.
	emitter := func(outcomes *sync.Map, offset int) func(fetcher.Config) []report.Consumer {
		return func(c fetcher.Config) []report.Consumer {
			print := func(r fetcher.Record) error {
				v, _ := outcomes.LoadAndDelete(offset + r.Seq)
				o, _ := v.(outcome)
				flushProblems()
				if o.fail != "" {
					res.Failed++
					out.Failure(o.fail)
				}
				for _, doc := range o.docs {
					if writeErr != nil {
						break
					}
					res.Documents++
					writeErr = out.Document(doc)
				}
				return nil
			}
			cs := []report.Consumer{&printer{print: print, inputOrder: job.InputOrder}}
			if out.Consumers != nil {
				cs = append(cs, out.Consumers(c)...)
			}
			return cs
		}
	}
	// A sequential run's fetches must not overlap: its documents and links go one by one.
	serial := cfg.Strategy.Serial()
	document := func(rec *fetcher.Record, fetch func(string) fetcher.Record) []byte {
		doc, isJSON := shape.unwrap(rec)
		if isJSON && len(shape.Expand) > 0 {
			doc = exp.expand(doc, rec.URL, serial, fetch, problem)
		}
		return shape.shape(doc, isJSON, rec.HTML)
	}

	connected := false
	never := ""
	note := func(r *runResult) {
		if r == nil {
			return
		}
		connected = connected || r.stats.Connections > 0
		if r.never != "" && never == "" {
			never = r.never
		}
		res.Interrupted = res.Interrupted || r.stats.Interrupted
	}

	targets := job.Targets
	if job.All {
		// Outcomes are keyed by page number; page 1 and pages 2..K are two runs.
		var pageOut sync.Map
		var idsMu sync.Mutex
		idsByPage := map[int][]int{}
		onPage := func(page int, rec *fetcher.Record, p swapi.Page, err error, fetch func(string) fetcher.Record) {
			if err != nil {
				pageOut.Store(page, outcome{fail: fmt.Sprintf("list page %d %s: %v", page, rec.URL, err)})
				return
			}
			var o outcome
			var full []swapi.Item
			for _, it := range p.Items {
				if it.Doc == nil {
					idsMu.Lock()
					idsByPage[page] = append(idsByPage[page], it.ID)
					idsMu.Unlock()
					continue
				}
				full = append(full, it)
			}
			o.docs = make([][]byte, len(full))
			each(len(full), serial, func(i int) {
				item := fetcher.Record{URL: cmp.Or(full[i].URL, rec.URL), Body: full[i].Doc, ContentType: "application/json"}
				o.docs[i] = document(&item, fetch)
			})
			pageOut.Store(page, o)
		}
		started := 0
		consumers := func(c fetcher.Config) []report.Consumer {
			started++
			return emitter(&pageOut, min(started, 2))(c) // page 1, then page 2 at Seq 0
		}
		disc, runs, err := list(ctx, cfg, d, job.Base, job.Resource, onPage, consumers)
		res.Discovery = disc
		if err != nil {
			return res, err
		}
		for _, r := range runs {
			note(r)
		}
		if len(idsByPage) == 0 {
			res.Expanded = exp.distinct()
			return finish(res, runs[len(runs)-1], connected, never, writeErr)
		}
		var tl fetcher.TargetList
		for page := 1; page <= disc.Requests; page++ {
			for _, id := range idsByPage[page] {
				tl = append(tl, fetcher.Target{ID: id, URL: d.DetailURL(job.Base, job.Resource, id)})
			}
		}
		targets = tl
	}
	if res.Interrupted || ctx.Err() != nil {
		res.Interrupted = true
		return finish(res, nil, connected, never, writeErr)
	}

	var outcomes sync.Map
	cfg.Follow = func(rec *fetcher.Record, fetch func(string) fetcher.Record) {
		var o outcome
		if rec.OK() {
			o.docs = [][]byte{document(rec, fetch)}
		} else {
			o.fail = rec.URL + ": " + rec.Err
		}
		rec.Body = nil
		outcomes.Store(rec.Seq, o)
	}
	r, err := runOnce(ctx, cfg, targets, emitter(&outcomes, 0))
	if err != nil {
		return res, err
	}
	note(r)
	res.Expanded = exp.distinct()
	return finish(res, r, connected, never, writeErr)
}

func finish(res Result, main *runResult, connected bool, never string, writeErr error) (Result, error) {
	if main != nil {
		s := main.summary
		res.Summary = &s
	}
	if !connected && never != "" && res.Documents == 0 {
		res.Unreachable = never
	}
	return res, writeErr
}

// printer is a Consumer that hands records to print in completion or input order.
type printer struct {
	print      func(fetcher.Record) error
	inputOrder bool
	reorder    *report.Reorderer
}

func (p *printer) Add(r fetcher.Record) {
	if !p.inputOrder {
		p.print(r) //nolint:errcheck // print never fails; write errors are kept by Run
		return
	}
	if p.reorder == nil {
		p.reorder = report.NewReorderer(p.print)
	}
	p.reorder.Add(r) //nolint:errcheck // as above
}

func (p *printer) Close() error {
	if p.reorder != nil {
		return p.reorder.Flush()
	}
	return nil
}
