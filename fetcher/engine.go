package fetcher

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/fetchbench/fetchbench/internal/gauge"
)

// errBodyTooLarge is the error of a response whose body exceeds Config.MaxBody.
var errBodyTooLarge = errors.New("body too large")

const attemptKey = "fetchbench.attempt"

// attempt is one request on the wire, filled in by the collector's callbacks.
type attempt struct {
	sent       time.Time // request headers about to be written
	done       time.Time // body read or error
	status     int
	bytes      int64
	ttfb       time.Duration
	name       string
	retryAfter string
	err        error
	class      ErrorClass
}

// engine is one strategy's colly collector on its own transport.
type engine struct {
	c         *colly.Collector
	transport *http.Transport
	maxBody   int64
	inFlight  gauge.Gauge // requests on the wire
}

func newEngine(ctx context.Context, cfg *Config, slots int) *engine {
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	tr := base.Clone()
	idle := max(slots, 100)
	tr.MaxIdleConnsPerHost = idle
	tr.MaxIdleConns = max(tr.MaxIdleConns, idle)
	if cfg.Insecure {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		tr.TLSClientConfig.InsecureSkipVerify = true
	}

	e := &engine{transport: tr, maxBody: cfg.MaxBody}
	if e.maxBody <= 0 {
		e.maxBody = DefaultMaxBody
	}
	c := colly.NewCollector()
	// Fields are set after NewCollector so COLLY_* environment variables cannot change a run.
	c.Async = false
	c.AllowURLRevisit = true
	c.ParseHTTPErrorResponse = true
	c.IgnoreRobotsTxt = true
	c.TraceHTTP = true
	c.MaxDepth = 0
	c.MaxRequests = 0
	c.CacheDir = ""
	c.DetectCharset = false
	c.AllowedDomains = nil
	c.DisallowedDomains = nil
	c.URLFilters = nil
	c.DisallowedURLFilters = nil
	c.MaxBodySize = int(e.maxBody) + 1
	c.UserAgent = cfg.UserAgent
	if c.UserAgent == "" {
		c.UserAgent = "fetchbench/" + Version
	}
	c.Context = ctx
	c.WithTransport(tr)
	c.DisableCookies()
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c.SetRequestTimeout(timeout)

	c.OnRequestHeaders(func(r *colly.Request) {
		a := r.Ctx.GetAny(attemptKey).(*attempt)
		a.sent = time.Now()
		e.inFlight.Inc()
	})
	c.OnResponse(func(r *colly.Response) {
		a := r.Ctx.GetAny(attemptKey).(*attempt)
		a.done = time.Now()
		a.status = r.StatusCode
		a.bytes = int64(len(r.Body))
		if r.Trace != nil {
			a.ttfb = r.Trace.FirstByteDuration
		}
		if r.Headers != nil {
			a.retryAfter = r.Headers.Get("Retry-After")
		}
		if a.bytes > e.maxBody {
			a.bytes = e.maxBody
			a.err = fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, e.maxBody)
			a.class = ClassBodyTooBig
			return
		}
		a.class = statusClass(a.status)
		if a.class != ClassNone {
			a.err = httpError(a.status, r.Body)
		}
		if r.Headers != nil && strings.Contains(r.Headers.Get("Content-Type"), "json") {
			name, err := swapiName(r.Body)
			if err != nil && a.class == ClassNone {
				a.err = fmt.Errorf("invalid json: %w", err)
				a.class = ClassInvalidJSON
			}
			a.name = name
		}
	})
	c.OnError(func(r *colly.Response, err error) {
		a := r.Ctx.GetAny(attemptKey).(*attempt)
		a.done = time.Now()
		if r.StatusCode != 0 {
			a.status = r.StatusCode
		}
		a.err = err
	})
	e.c = c
	return e
}

// do sends one attempt and blocks until it is finished.
func (e *engine) do(u string) *attempt {
	a := &attempt{}
	cctx := colly.NewContext()
	cctx.Put(attemptKey, a)
	err := e.c.Request(http.MethodGet, u, nil, cctx, nil)
	if !a.sent.IsZero() {
		e.inFlight.Dec()
	}
	if a.done.IsZero() {
		a.done = time.Now()
	}
	if a.err == nil && err != nil {
		a.err = err
	}
	if a.err != nil && a.class == ClassNone {
		a.class = Classify(a.err)
	}
	return a
}

func (e *engine) close() { e.transport.CloseIdleConnections() }

// httpError describes a 4xx/5xx answer with the start of its body, which often says why.
func httpError(status int, body []byte) error {
	const max = 120
	snippet := strings.Join(strings.Fields(string(body[:min(len(body), max)])), " ")
	if len(body) > max {
		snippet += "…"
	}
	if snippet == "" {
		return fmt.Errorf("http %d %s", status, http.StatusText(status))
	}
	return fmt.Errorf("http %d %s: %s", status, http.StatusText(status), snippet)
}

// statusClass maps an HTTP status to its error class; 1xx–3xx are not errors.
func statusClass(status int) ErrorClass {
	switch {
	case status >= 500:
		return ClassHTTP5xx
	case status >= 400:
		return ClassHTTP4xx
	}
	return ClassNone
}
