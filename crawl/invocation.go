package crawl

// This file owns a crawl invocation as a session's plan: the job crawled once per config per
// repetition, its lines, and the verdict of each crawl.

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/session"
)

// Documents receives an invocation's documents; Close flushes them. *get.Writer is one.
type Documents interface {
	Write(doc []byte) error
	Close() error
}

// Invocation is one crawl command: Job crawled with each of Configs.
type Invocation struct {
	// Job is what to crawl; its Config is replaced by each of Configs.
	Job Job
	// Configs has one config per strategy. With one, the first crawl's documents go to
	// Documents; with several, each crawls the same graph and no documents are written.
	Configs []fetcher.Config
	// Shape turns a page into its document (see Output.Shape); used with one config.
	Shape func(rec *fetcher.Record) []byte
	// Documents gets the documents of a single config's first crawl; it is closed after it.
	Documents Documents
	// Records, when not nil, are the records file: flushed before the state file names a
	// finished request.
	Records *report.RecordsOut
	// Talk, when not nil, gets the crawl's lines (Result.Lines) and its long waits for a host
	// (Output.OnWait) as they begin, each after "fetchbench: ", and after the strategy's name
	// when there are several configs.
	Talk io.Writer
	// OptionNamer names the limits in Talk's lines (see Result.Lines); nil words them.
	OptionNamer naming.Namer
}

// Plan is inv as a session's plan, repeated repeat times. A crawl's Verdict is an error Is
// verdict.ErrBreached past the deadline, with URLs left or pages failed. Its errors: bad
// input for bad seeds (ErrSeeds); ErrState; else Run's.
func Plan(inv Invocation, repeat int) session.Plan {
	several := len(inv.Configs) > 1
	p := session.Plan{Configs: inv.Configs, Repeat: repeat}
	if len(inv.Job.Seeds) > 0 {
		p.Host = inv.Job.Seeds[0]
	}
	p.Run = func(ctx context.Context, rep int, cfg fetcher.Config, cs []report.Consumer) (session.Outcome, error) {
		job := inv.Job
		job.Config = cfg
		out := Output{Consumers: func(fetcher.Config) []report.Consumer { return cs }}
		if inv.Talk != nil {
			prefix := "fetchbench: "
			if several {
				prefix += string(cfg.Strategy) + ": "
			}
			out.OnWait = WaitLines(inv.Talk, prefix)
		}
		docs := !several && rep == 0 && inv.Documents != nil
		if docs {
			out.Shape, out.Document = inv.Shape, inv.Documents.Write
		}
		if s := inv.Records.Stream(); s != nil {
			out.Flush = s.Flush
		}
		res, err := Run(ctx, job, out)
		if docs {
			if cerr := inv.Documents.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}
		if err != nil {
			return session.Outcome{}, runError(err)
		}
		if inv.Talk != nil {
			for _, l := range res.Lines(inv.OptionNamer) {
				if several {
					fmt.Fprintf(inv.Talk, "fetchbench: %s: %s\n", cfg.Strategy, l)
				} else {
					fmt.Fprintln(inv.Talk, "fetchbench: "+l)
				}
			}
		}
		o := session.Outcome{Summary: res.Outcome.Summary, Interrupted: res.Interrupted || ctx.Err() != nil, Unreachable: res.Outcome.Unreachable}
		if res.Outcome.Stats.DeadlineExceeded || res.Left > 0 || res.Failed > 0 {
			o.Verdict = verdict.Breached("")
		}
		return o, nil
	}
	return p
}

// runError is the error of a plan's run for Run's err: bad input for bad seeds, ErrState
// as a plan's own error (session.Failed).
func runError(err error) error {
	switch {
	case errors.Is(err, ErrSeeds):
		return badinput.Errorf("%v", err)
	case errors.Is(err, ErrState):
		return session.Failed(&badinput.FieldError{Field: "crawl.Job.State", Err: err})
	}
	return err
}
