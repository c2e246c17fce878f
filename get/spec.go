package get

// This file owns the way from a get command's parsed values to its Job: the documents'
// shape, their format, the run's config and its targets.

import (
	"context"
	"io"
	"strconv"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/swapi"
	"github.com/fetchbench/fetchbench/targets"
)

// ParseShape builds the documents' shape from the members to keep, the NAME=PATH fields and
// the members to expand; its errors are bad input in field "get.Shape.Fields" (badinput.FieldError).
func ParseShape(keep, fields, expand []string) (Shape, error) {
	shape := Shape{Keep: keep, Expand: expand}
	for _, f := range fields {
		fd, err := ParseField(f)
		if err != nil {
			return Shape{}, &badinput.FieldError{Field: "get.Shape.Fields", Arg: strconv.Quote(f), Err: err, Bad: true}
		}
		shape.Fields = append(shape.Fields, fd)
	}
	if err := shape.Check(); err != nil {
		return Shape{}, badinput.Field("get.Shape.Fields", err)
	}
	return shape, nil
}

// PrepareCache is fetcher.PrepareCacheDir of dir ("" none: false, nil); its error is bad input
// in field "get.Cache" (badinput.FieldError). readOnly: entries are read from dir but new ones cannot be kept.
func PrepareCache(dir string) (readOnly bool, err error) {
	if dir == "" {
		return false, nil
	}
	if readOnly, err = fetcher.PrepareCacheDir(dir); err != nil {
		return false, badinput.Field("get.Cache", err)
	}
	return readOnly, nil
}

// DefaultFormat is format, or when "" the documents' default: table on a terminal, else ndjson.
func DefaultFormat(format string, terminal bool) string {
	switch {
	case format != "":
		return format
	case terminal:
		return "table"
	}
	return "ndjson"
}

// RunConfig is run with strategy s at knobs' limits, answers kept in cacheDir ("" none), the
// server's quota respected when quota is set, and trust as its CA roots when not nil, and
// records named by the SWAPI name scan (swapi.Namer).
func RunConfig(run fetcher.Config, s fetcher.Strategy, knobs fetcher.Knobs, cacheDir string, quota bool, trust *fetcher.CACerts) fetcher.Config {
	cfg := run
	cfg.Strategy, cfg.Limits, cfg.CacheDir, cfg.RespectQuota = s, s.Limits(knobs), cacheDir, quota
	cfg.Namer = swapi.Namer{}
	if trust != nil {
		cfg.RootCAs = trust
	}
	return cfg
}

// NewJob is the job that fetches tg (started) with cfg: quota waits said on quotaLines, the
// offline fake's cache names, and, unless tg discovers every item, its targets resolved
// (stdin read when they come from it). Its errors are tg.Resolve's.
func NewJob(ctx context.Context, tg *targets.Spec, cfg fetcher.Config, shape Shape, inputOrder bool, sched fetcher.Scheduler, stdin io.Reader, quotaLines io.Writer) (Job, error) {
	cfg.OnQuotaWait, cfg.QuotaWindow = fetcher.QuotaWaitLines(quotaLines, cfg.Strategy), tg.QuotaWindow()
	if tg.Offline && cfg.CacheDir != "" {
		cfg.CacheNames = tg.CacheNames()
	}
	job := Job{Config: cfg, All: tg.Source.All, Base: tg.Base, Resource: tg.Source.Resource, Dialect: tg.Dialect,
		Shape: shape, InputOrder: inputOrder, Scheduler: sched}
	if !job.All {
		var err error
		if job.Targets, _, err = tg.Resolve(ctx, stdin, nil); err != nil {
			return Job{}, err
		}
	}
	return job, nil
}
