package redispool

// This file owns what goes over Redis: a job's spec, its items and its records.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/swapi"
)

// spec is a job as workers read it: every field of a fetcher.Config but the coordinator's
// own (coordinatorOnly), and the job's own fields before them.
type spec struct {
	ID           string             `json:"id"`
	Coordinator  string             `json:"coordinator"`
	Lease        time.Duration      `json:"lease"`
	Start        time.Time          `json:"start"`                // the run's start: when base items were queued
	DeadlineAt   time.Time          `json:"deadline_at,omitzero"` // when the run's deadline passes
	Strategy     fetcher.Strategy   `json:"strategy"`
	Limits       fetcher.Limits     `json:"limits"`
	Timeout      time.Duration      `json:"timeout"`
	Retries      int                `json:"retries"`
	BackoffBase  time.Duration      `json:"backoff_base"`
	BackoffCap   time.Duration      `json:"backoff_cap"`
	MaxRetry     time.Duration      `json:"max_retry_after"`
	MaxBody      int64              `json:"max_body"`
	Insecure     bool               `json:"insecure"`
	RootCAs      string             `json:"root_cas,omitempty"` // PEM
	HTTP1        bool               `json:"http1,omitempty"`
	NoProxy      bool               `json:"no_proxy,omitempty"`
	UserAgent    string             `json:"user_agent,omitempty"`
	KeepBody     bool               `json:"keep_body,omitempty"`
	HTML         []fetcher.Selector `json:"html,omitempty"`
	Scope        []string           `json:"scope"` // hosts; empty: any http(s) host
	Capacity     int                `json:"capacity,omitempty"`
	RespectQuota bool               `json:"respect_quota,omitempty"`
	QuotaWindow  time.Duration      `json:"quota_window,omitempty"`
	Phase        string             `json:"phase,omitempty"`
	MaxQuotaWait time.Duration      `json:"max_quota_wait,omitempty"`
	Namer        string             `json:"namer,omitempty"` // the Config's Namer by namerName
}

// coordinatorOnly are the fields of fetcher.Config a job's spec leaves out, each with why;
// specOf and spec.config carry every other one (TestSpecCarriesEveryConfigField).
var coordinatorOnly = map[string]string{
	"Transport":   "the coordinator's own connections (a proxy, a test's network); a worker dials with its own",
	"CacheDir":    "a directory on the coordinator's disk",
	"CacheNames":  "the names of the origins in CacheDir",
	"OnQuotaWait": "a callback in the coordinator's process; a worker says each wait in its log",
	"Follow":      "the coordinator calls it with each record the workers send back",
}

func specOf(id, coordinator string, lease time.Duration, start time.Time, cfg fetcher.Config) spec {
	s := spec{ID: id, Coordinator: coordinator, Lease: lease, Start: start, Strategy: cfg.Strategy, Limits: cfg.Limits,
		Timeout: cfg.Timeout, Retries: cfg.Retries, BackoffBase: cfg.BackoffBase, BackoffCap: cfg.BackoffCap,
		MaxRetry: cfg.MaxRetryAfter, MaxBody: cfg.MaxBody, Insecure: cfg.Insecure, RootCAs: string(cfg.RootCAs.PEM()),
		HTTP1: cfg.HTTP1, NoProxy: cfg.NoProxy, UserAgent: cfg.UserAgent, KeepBody: cfg.KeepBody, HTML: cfg.HTML,
		Scope: cfg.Scope.HostList(), Capacity: cfg.Capacity, RespectQuota: cfg.RespectQuota,
		QuotaWindow: cfg.QuotaWindow, Phase: cfg.Phase, MaxQuotaWait: cfg.MaxQuotaWait, Namer: namerName(cfg.Namer)}
	if cfg.Deadline > 0 {
		s.DeadlineAt = start.Add(cfg.Deadline)
	}
	return s
}

// config is the fetcher.Config a worker runs s under, its deadline what is left of the run's.
// It fails when s's certificate authorities do not parse.
func (s *spec) config(now time.Time) (fetcher.Config, error) {
	cfg := fetcher.Config{Strategy: s.Strategy, Limits: s.Limits, Timeout: s.Timeout, Retries: s.Retries,
		BackoffBase: s.BackoffBase, BackoffCap: s.BackoffCap, MaxRetryAfter: s.MaxRetry, MaxBody: s.MaxBody,
		Insecure: s.Insecure, HTTP1: s.HTTP1, NoProxy: s.NoProxy, UserAgent: s.UserAgent, KeepBody: s.KeepBody,
		HTML: s.HTML, Scope: scopeOf(s.Scope), Capacity: s.Capacity, RespectQuota: s.RespectQuota,
		QuotaWindow: s.QuotaWindow, Phase: s.Phase, MaxQuotaWait: s.MaxQuotaWait, Namer: namers[s.Namer]}
	if !s.DeadlineAt.IsZero() {
		cfg.Deadline = max(s.DeadlineAt.Sub(now), time.Nanosecond)
	}
	if s.RootCAs != "" {
		var err error
		if cfg.RootCAs, err = fetcher.ParseCACerts([]byte(s.RootCAs)); err != nil {
			return cfg, fmt.Errorf("the job's certificate authorities: %w", err)
		}
	}
	return cfg, nil
}

// namers are the fetcher.Namers a job spec carries, by name: a func cannot cross Redis, so
// a worker runs the one its coordinator's Config names.
var namers = map[string]fetcher.Namer{"swapi": swapi.Namer{}}

// namerName is n's name in namers; "" for none or one a spec cannot carry.
func namerName(n fetcher.Namer) string {
	switch n.(type) {
	case swapi.Namer:
		return "swapi"
	}
	return ""
}

// scopeOf is the scope of hosts (fetcher.Scope.Hosts).
func scopeOf(hosts []string) fetcher.Scope {
	if len(hosts) == 0 {
		return fetcher.Scope{}
	}
	urls := make([]string, len(hosts))
	for i, h := range hosts {
		urls[i] = "http://" + h
	}
	return fetcher.NewScope(urls...)
}

// itemArgs appends it as the eight arguments the enqueue script takes: seq, url, id, kind,
// depth, parent, queued (Unix ns; 0 for the run's start), and the URL key a pushed item is
// deduplicated by ("" for an item that is not pushed).
func itemArgs(args []any, it fetcher.Item, key string) []any {
	var queued int64
	if !it.Queued.IsZero() {
		queued = it.Queued.UnixNano()
	}
	return append(args, it.Seq, it.URL, it.ID, string(it.Kind), it.Depth, it.Parent, queued, key)
}

// itemOf reads a work stream entry's fields back; base is the run's start.
func itemOf(values map[string]any, start time.Time) (fetcher.Item, error) {
	str := func(k string) string { s, _ := values[k].(string); return s }
	num := func(k string) (int64, error) { return strconv.ParseInt(str(k), 10, 64) }
	var it fetcher.Item
	seq, err := num("s")
	if err != nil {
		return it, fmt.Errorf("work entry: seq: %w", err)
	}
	id, _ := num("i")
	depth, _ := num("d")
	parent, _ := num("p")
	queued, _ := num("q")
	it = fetcher.Item{Target: fetcher.Target{ID: int(id), URL: str("u")}, Seq: int(seq), Kind: fetcher.Kind(str("k")),
		Depth: int(depth), Parent: int(parent), Queued: start}
	if queued != 0 {
		it.Queued = time.Unix(0, queued)
	}
	return it, nil
}

// wireRecord is a fetcher.Record on the results stream; the coordinator knows its strategy
// and parameters. Durations are nanoseconds, StartAt Unix nanoseconds.
type wireRecord struct {
	Seq         int                `json:"s"`
	ID          int                `json:"i,omitempty"`
	URL         string             `json:"u"`
	FinalURL    string             `json:"fu,omitempty"`
	StartAt     int64              `json:"at"`
	Kind        fetcher.Kind       `json:"k,omitempty"`
	Depth       int                `json:"d,omitempty"`
	Parent      int                `json:"p,omitempty"`
	Worker      string             `json:"w,omitempty"`
	Proto       string             `json:"pr,omitempty"`
	ConnReused  bool               `json:"cr,omitempty"`
	Proxy       string             `json:"px,omitempty"`
	Limit       int                `json:"lim,omitempty"`
	Start       time.Duration      `json:"st"`
	Intended    time.Duration      `json:"in"`
	Queue       time.Duration      `json:"q,omitempty"`
	Latency     time.Duration      `json:"l,omitempty"`
	TTFB        time.Duration      `json:"tt,omitempty"`
	Total       time.Duration      `json:"to,omitempty"`
	Response    time.Duration      `json:"r,omitempty"`
	Late        bool               `json:"late,omitempty"`
	Status      int                `json:"c,omitempty"`
	Bytes       int64              `json:"b,omitempty"`
	Err         string             `json:"e,omitempty"`
	Class       fetcher.ErrorClass `json:"ec,omitempty"`
	Attempts    int                `json:"a,omitempty"`
	Name        string             `json:"n,omitempty"`
	Note        string             `json:"no,omitempty"`
	Body        []byte             `json:"body,omitempty"`
	ContentType string             `json:"ct,omitempty"`
	HTML        map[string]string  `json:"h,omitempty"`
}

// appendRecord appends r as one line of JSON.
func appendRecord(b []byte, r *fetcher.Record) ([]byte, error) {
	w := wireRecord{Seq: r.Seq, ID: r.ID, URL: r.URL, FinalURL: r.FinalURL, StartAt: r.StartAt.UnixNano(), Kind: r.Kind, Depth: r.Depth,
		Parent: r.Parent, Worker: r.Worker, Proto: r.Proto, ConnReused: r.ConnReused, Proxy: r.Proxy, Limit: r.Limit, Start: r.Start, Intended: r.Intended, Queue: r.Queue, Latency: r.Latency,
		TTFB: r.TTFB, Total: r.Total, Response: r.Response, Late: r.Late, Status: r.Status, Bytes: r.Bytes,
		Err: r.Err, Class: r.Class, Attempts: r.Attempts, Name: r.Name, Note: r.Note, Body: r.Body,
		ContentType: r.ContentType, HTML: r.HTML}
	j, err := json.Marshal(&w)
	if err != nil {
		return b, err
	}
	b = append(b, j...)
	return append(b, '\n'), nil
}

// decodeRecords calls f with each record of a batch written by appendRecord, in order.
func decodeRecords(batch []byte, f func(fetcher.Record)) error {
	for len(batch) > 0 {
		line := batch
		if i := bytes.IndexByte(batch, '\n'); i >= 0 {
			line, batch = batch[:i], batch[i+1:]
		} else {
			batch = nil
		}
		if len(line) == 0 {
			continue
		}
		var w wireRecord
		if err := json.Unmarshal(line, &w); err != nil {
			return fmt.Errorf("results entry: %w", err)
		}
		f(fetcher.Record{Seq: w.Seq, ID: w.ID, URL: w.URL, FinalURL: w.FinalURL, StartAt: time.Unix(0, w.StartAt), Kind: w.Kind,
			Depth: w.Depth, Parent: w.Parent, Worker: w.Worker, Proto: w.Proto, ConnReused: w.ConnReused, Proxy: w.Proxy, Limit: w.Limit, Start: w.Start, Intended: w.Intended, Queue: w.Queue,
			Latency: w.Latency, TTFB: w.TTFB, Total: w.Total, Response: w.Response, Late: w.Late, Status: w.Status,
			Bytes: w.Bytes, Err: w.Err, Class: w.Class, Attempts: w.Attempts, Name: w.Name, Note: w.Note,
			Body: w.Body, ContentType: w.ContentType, HTML: w.HTML})
	}
	return nil
}

// refusal is a worker's *fetcher.QuotaWaitError as the job hash's field "refused" holds it.
func refusal(err *fetcher.QuotaWaitError) ([]byte, error) { return json.Marshal(err) }

// refusalOf reads a refusal back; nil for "" or one that does not parse.
func refusalOf(s string) *fetcher.QuotaWaitError {
	if s == "" {
		return nil
	}
	var err fetcher.QuotaWaitError
	if json.Unmarshal([]byte(s), &err) != nil {
		return nil
	}
	return &err
}

// asRefusal is err's *fetcher.QuotaWaitError, or nil.
func asRefusal(err error) *fetcher.QuotaWaitError {
	var refused *fetcher.QuotaWaitError
	if errors.As(err, &refused) {
		return refused
	}
	return nil
}
