package crawl

// This file owns a crawl invocation: the job crawled once per strategy, its lines, the
// records' closing and the comparison of its runs.

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/targets"
)

// Documents receives an invocation's documents; Close flushes them. *get.Writer is one.
type Documents interface {
	Write(doc []byte) error
	Close() error
}

// Invocation is one crawl command: Job crawled with each of Configs, one after another.
type Invocation struct {
	// Job is what to crawl; its Config is replaced by each of Configs.
	Job Job
	// Configs has one config per strategy. With one, the crawl's documents go to Documents;
	// with several, each crawls the same graph and no documents are written.
	Configs []fetcher.Config
	// Shape turns a page into its document (see Output.Shape); used with one config.
	Shape func(rec *fetcher.Record) []byte
	// Documents gets the documents of a single config's crawl; Invoke closes it.
	Documents Documents
	// Records, when not nil, are the records file; Invoke closes it, also on an error.
	Records *report.RecordsOut
	// Views gives each run its further consumers (records, timelines, HTML report).
	Views *report.Outputs
	// Talk, when not nil, gets the crawl's lines (Result.Lines), each after "fetchbench: ",
	// and after the strategy's name when there are several configs.
	Talk io.Writer
	// Fake, when not nil, is the fake SWAPI started for the crawl; Site starts the fake HTML
	// site instead. Either one is the crawl's seed.
	Fake *fakeswapi.Options
	Site bool
	// Destination gets the reports of the runs; Invoke closes its HTML.
	report.Destination
}

// Invoke crawls inv.Job once per config, stopping after an interrupted crawl, writes the
// summary, timelines and HTML report of the runs, and returns the command's verdict: nil;
// bad input for fetcher.ErrConfig and ErrSeeds; ErrState after "--state: "; a write's error
// after "write: " (one config) or "write records: " (the records file of several); else the
// last crawl's Result.Err.
func Invoke(ctx context.Context, inv Invocation) error {
	defer inv.Records.Close()
	if inv.HTML != nil {
		defer inv.HTML.Close()
	}
	stop, err := startSeed(&inv)
	if err != nil {
		return err
	}
	defer stop()
	cmp, last, err := crawlEach(ctx, inv)
	if err != nil {
		return err
	}
	if err := inv.Views.Finish(cmp, inv.Destination); err != nil {
		return err
	}
	return last.Err(inv.Job.Seeds)
}

// startSeed starts inv's fake, if any, and makes it the seed; stop stops it.
func startSeed(inv *Invocation) (stop func(), err error) {
	var running interface {
		Close()
	}
	switch {
	case inv.Fake != nil:
		r, err := targets.StartFake(*inv.Fake)
		if err != nil {
			return nil, err
		}
		running, inv.Job.Seeds = r, []string{r.URL}
	case inv.Site:
		r, err := fakeswapi.StartSite(fakeswapi.SiteOptions{CrawlDelay: fakeswapi.SiteCrawlDelay})
		if err != nil {
			return nil, fmt.Errorf("start the fake site: %w", err)
		}
		running, inv.Job.Seeds = r, []string{r.URL}
	default:
		return func() {}, nil
	}
	return running.Close, nil
}

// crawlEach crawls inv.Job once per config and returns the comparison of the runs and the
// last crawl's result.
func crawlEach(ctx context.Context, inv Invocation) (report.Comparison, Result, error) {
	several := len(inv.Configs) > 1
	var sums []report.Summary
	var last Result
	for _, cfg := range inv.Configs {
		job := inv.Job
		job.Config = cfg
		out := Output{Consumers: func(cfg fetcher.Config) []report.Consumer { return inv.Views.Consumers(cfg, 0) }}
		if !several {
			out.Shape, out.Document = inv.Shape, inv.Documents.Write
			if inv.Records != nil {
				out.Flush = inv.Records.Stream().Flush
			}
		}
		res, err := Run(ctx, job, out)
		if !several {
			if cerr := inv.Documents.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if cerr := inv.Records.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}
		if err != nil {
			return report.Comparison{}, Result{}, invokeError(err)
		}
		last = res
		sums = append(sums, res.Outcome.Summary)
		if inv.Talk != nil {
			for _, l := range res.Lines() {
				if several {
					fmt.Fprintf(inv.Talk, "fetchbench: %s: %s\n", cfg.Strategy, l)
				} else {
					fmt.Fprintln(inv.Talk, "fetchbench: "+l)
				}
			}
		}
		if res.Interrupted || ctx.Err() != nil {
			break
		}
	}
	if err := inv.Records.Close(); err != nil {
		return report.Comparison{}, Result{}, fmt.Errorf("write records: %w", err)
	}
	return report.NewComparison(sums), last, nil
}

// invokeError is the error of Invoke for Run's err.
func invokeError(err error) error {
	switch {
	case errors.Is(err, fetcher.ErrConfig), errors.Is(err, ErrSeeds):
		return badinput.Errorf("%v", err)
	case errors.Is(err, ErrState):
		return &badinput.FieldError{Field: "crawl.Job.State", Err: err}
	}
	return fmt.Errorf("write: %w", err)
}
