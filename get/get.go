// Package get fetches documents under one strategy and shapes them for output: whole, as
// chosen members and paths, or as values scraped from HTML pages, with linked documents
// expanded and SWAPI resources discovered from their list pages.
package get

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/internal/verdict"
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
	// Scheduler runs the job; nil means fetcher.Schedule, in this process.
	Scheduler fetcher.Scheduler
}

// Output receives what Run produces. Its functions are never called concurrently.
type Output struct {
	// Document receives each document, one JSON value on one line without a newline.
	Document func(doc []byte) error
	// Failure receives one line per target, list page or link that could not be fetched,
	// every URL's password in it masked (textsafe.Redact).
	Failure func(msg string)
	// Consumers, when set, returns further consumers of one run's records (records file,
	// progress line); Run closes them when the run ends.
	Consumers func(cfg fetcher.Config) []report.Consumer
	// OptionNamer names the options that Failure's lines refer to: fields "get.Shape.Fields",
	// "get.Shape.Expand" and "targets.Config.API" (swapi.ShapeError); nil words them.
	OptionNamer naming.Namer
}

// Result is how a Run went.
type Result struct {
	Documents int // documents printed
	Failed    int // targets or list pages that could not be fetched
	Problems  int // links left unexpanded
	Expanded  int // distinct linked URLs fetched
	// Discovery is set when Job.All was.
	Discovery *Discovery
	// Summary is the strategy's run: every request it made (targets, list pages, links).
	Summary *report.Summary
	// Unreachable is why every request failed before connecting ("connection refused"...),
	// or "" when some request connected.
	Unreachable string
	Interrupted bool
}

// Discovery is what reading a resource's list pages found.
type Discovery struct {
	Resource string
	Items    int // items listed
	Requests int // list pages requested
	Failed   int // list pages that could not be fetched or read
	Refused  int // items refused: no numeric id
	// Duplicates are items listed again with an id listed before: each id is fetched once.
	Duplicates int
	// Claimed is the page count page 1 claimed when it was more than MaxPages (only
	// MaxPages were read), else 0.
	Claimed int
	Wall    time.Duration // page 1 requested → last page read
	// Summary is the run of Discover's list requests; nil for get's own --all, whose pages
	// are part of its run.
	Summary *report.Summary
	MinID   int
	MaxID   int
}

// singular names one item of a SWAPI resource: "person" of people, "planet" of planets.
func singular(resource string) string {
	switch resource {
	case "people":
		return "person"
	case "species":
		return resource
	}
	return strings.TrimSuffix(resource, "s")
}

// String is one line: "discovered 82 people (ids 1–83) in 9 requests, 0.42s".
func (d *Discovery) String() string {
	s := fmt.Sprintf("discovered %d %s", d.Items, plural.Noun(d.Items, singular(d.Resource), d.Resource))
	if d.MaxID > 0 {
		s += fmt.Sprintf(" (ids %d–%d)", d.MinID, d.MaxID)
	}
	s += fmt.Sprintf(" in %s, %s", plural.N(d.Requests, "list request", "list requests"), d.Wall.Round(time.Millisecond))
	if d.Failed > 0 {
		s += fmt.Sprintf("; %s failed", plural.N(d.Failed, "list page", "list pages"))
	}
	if d.Refused > 0 {
		s += fmt.Sprintf("; %s refused (no numeric id)", plural.N(d.Refused, "item", "items"))
	}
	if d.Duplicates > 0 {
		s += fmt.Sprintf("; %s listed again, taken once", plural.N(d.Duplicates, "item", "items"))
	}
	if d.Claimed > 0 {
		s += fmt.Sprintf("; page 1 claimed %d pages, capped: only the first %d were read", d.Claimed, MaxPages)
	}
	return s
}

// cappedLine says, as soon as page 1 (at url) is read, that it claimed more than MaxPages.
func cappedLine(url string, claimed int) string {
	return fmt.Sprintf("list page 1 %s claims %d pages; capped: only the first %d are read", url, claimed, MaxPages)
}

// Verdict is an error Is verdict.ErrBreached when the list pages were refused in part (page 1
// claimed more than MaxPages), else nil.
func (d *Discovery) Verdict() error {
	if d.Claimed > 0 {
		return verdict.Breached("")
	}
	return nil
}

func (d *Discovery) add(items []swapi.Item) {
	for _, it := range items {
		if it.Err != nil && it.Doc == nil {
			d.Refused++
			continue
		}
		d.Items++
		if it.ID > 0 && (d.MinID == 0 || it.ID < d.MinID) {
			d.MinID = it.ID
		}
		d.MaxID = max(d.MaxID, it.ID)
	}
}

// ErrNoDiscovery is returned by Discover when the list pages cannot all be read.
var ErrNoDiscovery = errors.New("discovery failed")

// MaxPages caps the list pages one resource's discovery reads, whatever its pages claim
// (the public SWAPIs have at most 9 per resource).
const MaxPages = 1000

// Empty is the error of a discovery that found no item, or nil.
func (d *Discovery) Empty() error {
	if d.Items > 0 || d.Failed > 0 {
		return nil
	}
	return fmt.Errorf("%w: the %s list is empty", ErrNoDiscovery, d.Resource)
}

// pageError is the error of list page k of resource, fetched as rec, that failed with err.
func pageError(resource string, k int, rec *fetcher.Record, err error) error {
	if rec.Status == 0 && !errors.Is(err, swapi.ErrListPage) && rec.Class != fetcher.ClassRedirect {
		err = fmt.Errorf("%w: %v", fetcher.ErrNoAnswer, err)
	}
	return fmt.Errorf("%w: %s list page %d (%s): %w", ErrNoDiscovery, resource, k, rec.URL, err)
}

// Discover reads every list page of resource under base under cfg, in one run of the
// scheduler (page 1, then the pages it announces), and returns the detail URLs of the items
// they list, in list order, built with the dialect's URL shape from their ids (never the URL
// an item names). It fails, wrapping ErrNoDiscovery, when a page cannot be fetched or read,
// an item has no numeric id, or the list is empty; when a page got no answer at all, the
// error also wraps fetcher.ErrNoAnswer. Requests stay on base's host (cfg.Scope, when zero).
// sched runs the list pages; nil means fetcher.Schedule. Each page's record goes to
// consumers too, which Discover closes; Discovery.Summary is the run's summary. An id listed
// again is one target. note, when not nil, gets one line as soon as page 1 is read when it
// claims more than MaxPages pages.
func Discover(ctx context.Context, sched fetcher.Scheduler, cfg fetcher.Config, d *swapi.Dialect, base, resource string, note func(string), consumers ...report.Consumer) (fetcher.TargetList, *Discovery, error) {
	var (
		mu      sync.Mutex
		failure error
	)
	items := map[int][]swapi.Item{} // by page number
	onPage := func(page int, rec *fetcher.Record, p swapi.Page, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && failure == nil {
			failure = pageError(resource, page, rec, err)
		}
		for i, it := range p.Items {
			if it.Err != nil && failure == nil {
				failure = fmt.Errorf("%w: %s list page %d (%s): %v; refused", ErrNoDiscovery, resource, page, rec.URL, it.Err)
			}
			p.Items[i].Doc = nil
		}
		items[page] = p.Items
	}
	l := newLister(d, base, resource, onPage, note)
	if cfg.Scope.IsZero() {
		cfg.Scope = fetcher.NewScope(base)
	}
	cfg.KeepBody, cfg.Follow = true, l.follow
	f := l.frontier(cfg.Scope)
	r, err := compare.Once(ctx, sched, cfg, f, fetcher.GatesFor(cfg.Limits), consumers)
	l.done()
	if err != nil {
		return nil, l.disc, err
	}
	l.disc.Summary = &r.Summary
	if failure != nil {
		return nil, l.disc, failure
	}
	var targets fetcher.TargetList
	for page := 1; page <= len(items); page++ {
		for _, it := range items[page] {
			targets = append(targets, fetcher.Target{ID: it.ID, URL: d.DetailURL(base, resource, it.ID)})
		}
	}
	if err := l.disc.Empty(); err != nil {
		return nil, l.disc, err
	}
	return targets, l.disc, nil
}

// pageFunc is called, in the page's Follow, with each list page's record and its parsed
// content, or err when the page could not be fetched or read. Pages are handed over in page
// order, one at a time.
type pageFunc func(page int, rec *fetcher.Record, p swapi.Page, err error)

// lister reads a resource's list pages as work of one scheduler run: page 1 is pushed first,
// and its Follow pushes the pages it announces (at most MaxPages).
type lister struct {
	d              *swapi.Dialect
	base, resource string
	onPage         pageFunc
	capped         func(line string)
	f              *fetcher.Frontier
	start          time.Time

	mu    sync.Mutex
	disc  *Discovery
	pages map[int]int           // page number by Seq
	ids   map[int]bool          // the ids listed so far
	turn  map[int]chan struct{} // closed once page k's onPage has run
	total int                   // pages announced by page 1 (capped)
	// lastEnd is when the last list page's answer was in (its Follow began).
	lastEnd time.Time
}

// newLister returns a lister of resource's pages under base that hands each to onPage and, when
// page 1 claims more than MaxPages, says so to capped (nil: nowhere) before pushing the others.
func newLister(d *swapi.Dialect, base, resource string, onPage pageFunc, capped func(line string)) *lister {
	return &lister{d: d, base: base, resource: resource, onPage: onPage, capped: capped, disc: &Discovery{Resource: resource},
		pages: map[int]int{}, ids: map[int]bool{}, turn: map[int]chan struct{}{}}
}

// frontier returns a new frontier holding page 1, admitting work within scope.
func (l *lister) frontier(scope fetcher.Scope) *fetcher.Frontier {
	l.f = fetcher.NewFrontier(nil, scope)
	l.start = time.Now()
	l.push(1, 0)
	return l.f
}

// push pushes list page k, found on the page of Seq parent.
func (l *lister) push(k, parent int) {
	depth := 0
	if k > 1 {
		depth = 1
	}
	// The page is known by its Seq before its record can reach follow: l.mu is held across
	// the push (a fast answer would otherwise find no page, and the pages after it wait
	// forever for its turn).
	l.mu.Lock()
	defer l.mu.Unlock()
	l.turn[k] = make(chan struct{})
	it, _ := l.f.Push(fetcher.Target{ID: k, URL: l.d.ListURL(l.base, l.resource, k)}, fetcher.KindPage, depth, parent)
	l.pages[it.Seq] = k
}

// page is the page number of a list page's record, or 0 when rec is not one.
func (l *lister) page(rec *fetcher.Record) int {
	if rec.Kind != fetcher.KindPage {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pages[rec.Seq]
}

// follow is the Follow of a list page: it parses the page, pushes the pages page 1 announces,
// and hands the page to onPage after the page before it.
func (l *lister) follow(rec *fetcher.Record) {
	k := l.page(rec)
	if k == 0 {
		return
	}
	l.mu.Lock()
	l.lastEnd = time.Now()
	l.mu.Unlock()
	var p swapi.Page
	err := errors.New(rec.Err)
	if rec.OK() {
		p, err = l.d.ParsePage(rec.Body)
	}
	rec.Body = nil
	if k == 1 {
		total := 1
		if err == nil {
			total = min(max(p.Pages, 1), MaxPages)
		}
		l.mu.Lock()
		l.total = total
		if err == nil && p.Pages > MaxPages {
			l.disc.Claimed = p.Pages
		}
		l.mu.Unlock()
		if err == nil && p.Pages > MaxPages && l.capped != nil {
			l.capped(cappedLine(rec.URL, p.Pages))
		}
		for n := 2; n <= total; n++ {
			l.push(n, rec.Seq)
		}
	} else {
		l.mu.Lock()
		prev := l.turn[k-1]
		l.mu.Unlock()
		<-prev
	}
	l.mu.Lock()
	l.disc.Requests++
	if err != nil {
		l.disc.Failed++
	} else {
		p.Items = l.firstListed(p.Items)
		l.disc.add(p.Items)
	}
	l.mu.Unlock()
	l.onPage(k, rec, p, err)
	l.mu.Lock()
	close(l.turn[k])
	l.mu.Unlock()
}

// firstListed is items without those whose id was listed before (on this page or an earlier
// one), counted as duplicates. l.mu is held.
func (l *lister) firstListed(items []swapi.Item) []swapi.Item {
	kept := items[:0]
	for _, it := range items {
		if it.Err == nil && it.ID > 0 {
			if l.ids[it.ID] {
				l.disc.Duplicates++
				continue
			}
			l.ids[it.ID] = true
		}
		kept = append(kept, it)
	}
	return kept
}

// done stamps the discovery's wall: page 1 requested → the last page answered.
func (l *lister) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.lastEnd.IsZero() {
		l.disc.Wall = l.lastEnd.Sub(l.start)
	}
}

// Run fetches the job's documents in one run of the scheduler and hands them to out: with
// Job.All, the list pages' documents (when the dialect's lists carry them) and the detail
// documents they lead to; linked documents (Shape.Expand) are work of the same run. Every
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
	var res Result
	var problems []string
	var pmu sync.Mutex
	problem := func(msg string) {
		pmu.Lock()
		problems = append(problems, msg)
		pmu.Unlock()
	}

	cfg := job.Config
	if cfg.Scope.IsZero() && job.All {
		cfg.Scope = fetcher.NewScope(job.Base)
	}
	cfg.KeepBody = true
	cfg.HTML = shape.Selectors()

	type outcome struct {
		docs [][]byte
		fail string
	}
	var outcomes sync.Map // by Seq
	var f *fetcher.Frontier
	var l *lister
	links := newLinks(&shape, func(u string) string { return linkForm(d, job.Base, u) }, out.OptionNamer)
	if job.All {
		onPage := func(page int, rec *fetcher.Record, p swapi.Page, err error) {
			if err != nil {
				outcomes.Store(rec.Seq, outcome{fail: fmt.Sprintf("list page %d %s: %s", page, rec.URL, naming.Text(err, out.OptionNamer))})
				return
			}
			var full []swapi.Item
			for _, it := range p.Items {
				if it.Err != nil && it.Doc == nil {
					problem(fmt.Sprintf("list page %d %s: %v; refused", page, rec.URL, it.Err))
					continue
				}
				if it.Doc == nil {
					f.Push(fetcher.Target{ID: it.ID, URL: d.DetailURL(job.Base, job.Resource, it.ID)}, fetcher.KindTarget, rec.Depth+1, rec.Seq)
					continue
				}
				full = append(full, it)
			}
			o := outcome{docs: make([][]byte, len(full))}
			var wg sync.WaitGroup
			for i, it := range full {
				wg.Go(func() {
					// Relative links resolve against the URL the page came from, never the item's own claim.
					u := rec.URL
					if it.Err == nil {
						u = d.DetailURL(job.Base, job.Resource, it.ID)
					}
					item := fetcher.Record{Seq: rec.Seq, Depth: rec.Depth, URL: u, FinalURL: rec.Final(), Body: it.Doc, ContentType: "application/json"}
					o.docs[i] = documentOf(&shape, f, links, &item, problem)
				})
			}
			wg.Wait()
			outcomes.Store(rec.Seq, o)
		}
		l = newLister(d, job.Base, job.Resource, onPage, problem)
		f = l.frontier(cfg.Scope)
		res.Discovery = l.disc
	} else {
		f = fetcher.NewFrontier(job.Targets, cfg.Scope)
	}
	f.SetMaxOpen(cfg.Strategy.OpenDocuments(cfg.Limits), job.InputOrder)
	cfg.Follow = func(rec *fetcher.Record) {
		switch {
		case rec.Kind == fetcher.KindPage:
			l.follow(rec)
		case rec.Kind == fetcher.KindLink:
			links.keep(rec)
		case rec.OK():
			outcomes.Store(rec.Seq, outcome{docs: [][]byte{documentOf(&shape, f, links, rec, problem)}})
		default:
			outcomes.Store(rec.Seq, outcome{fail: rec.URL + ": " + rec.Err})
		}
		rec.Body = nil
	}

	var writeErr error
	print := func(r fetcher.Record) error {
		v, _ := outcomes.LoadAndDelete(r.Seq)
		o, _ := v.(outcome)
		pmu.Lock()
		ps := problems
		problems = nil
		pmu.Unlock()
		for _, p := range ps {
			res.Problems++
			out.Failure(textsafe.Redact(p))
		}
		if o.fail != "" {
			res.Failed++
			out.Failure(textsafe.Redact(o.fail))
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
	consumers := []report.Consumer{&printer{print: print, inputOrder: job.InputOrder}}
	if out.Consumers != nil {
		consumers = append(consumers, out.Consumers(cfg)...)
	}
	r, err := compare.Once(ctx, job.Scheduler, cfg, f, fetcher.GatesFor(cfg.Limits), consumers)
	if l != nil {
		l.done()
	}
	if err != nil {
		return res, err
	}
	res.Expanded = links.fetched()
	if line := links.stopped.line(); line != "" {
		res.Problems += links.stopped.count()
		out.Failure(textsafe.Redact(line))
	}
	res.Interrupted = r.Stats.Interrupted
	res.Summary = &r.Summary
	if res.Documents == 0 {
		res.Unreachable = r.Unreachable
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
