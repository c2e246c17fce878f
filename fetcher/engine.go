package fetcher

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"

	"github.com/fetchbench/fetchbench/internal/gauge"
	"github.com/fetchbench/fetchbench/ratelimit"
)

// errBodyTooLarge is the error of a response whose body exceeds Config.MaxBody.
var errBodyTooLarge = errors.New("body too large")

const attemptKey = "fetchbench.attempt"

// attempt is one request on the wire, filled in by the collector's callbacks.
type attempt struct {
	sent       time.Time     // request headers about to be written
	intended   time.Time     // paced: the slot of sent's token in the schedule
	waited     time.Duration // paced: time spent waiting for the token
	done       time.Time     // body read or error
	status     int
	bytes      int64
	ttfb       time.Duration
	name       string
	retryAfter string
	location   bool // the answer carried a Location header
	cached     bool // answered from Config.CacheDir
	body       []byte
	ctype      string
	html       map[string]string
	err        error
	class      ErrorClass
}

// engine is one strategy's colly collector on its own transport.
type engine struct {
	c         *colly.Collector
	transport *http.Transport
	header    http.Header      // every request's header, shared and never written to
	pacer     *ratelimit.Pacer // nil: starts are not paced
	maxBody   int64
	inFlight  gauge.Gauge  // requests on the wire
	dials     atomic.Int64 // connections established
}

// newEngine returns the engine of one run; with a pacer every attempt takes its token just
// before its request is written, where its start is stamped.
func newEngine(ctx context.Context, cfg *Config, slots int, pacer *ratelimit.Pacer) *engine {
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	tr := base.Clone()
	idle := max(slots, 100)
	tr.MaxIdleConnsPerHost = idle
	tr.MaxIdleConns = max(tr.MaxIdleConns, idle)
	tr.MaxResponseHeaderBytes = maxHeaderBytes
	if cfg.Insecure {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		tr.TLSClientConfig.InsecureSkipVerify = true
	}

	e := &engine{transport: tr, maxBody: cfg.MaxBody, pacer: pacer}
	if e.maxBody <= 0 {
		e.maxBody = DefaultMaxBody
	}
	countDials(tr, &e.dials)
	c := colly.NewCollector()
	// NewCollector applies COLLY_* environment variables; every setting they reach is set
	// again here, so none of them can change a run.
	c.Async = false
	c.AllowURLRevisit = true
	c.ParseHTTPErrorResponse = true
	c.IgnoreRobotsTxt = true
	c.TraceHTTP = false
	c.MaxDepth = 0
	c.MaxRequests = 0
	c.CacheDir = ""
	c.DetectCharset = false
	c.AllowedDomains = nil
	c.DisallowedDomains = nil
	c.URLFilters = nil
	c.DisallowedURLFilters = nil
	c.MaxBodySize = 0 // boundedTransport applies the limit after decoding
	c.UserAgent = cfg.UserAgent
	if c.UserAgent == "" {
		c.UserAgent = "fetchbench/" + Version
	}
	// colly adds these two when missing, writing to the header: with both present it only
	// reads it, so one header serves every request.
	e.header = http.Header{"User-Agent": {c.UserAgent}, "Accept": {"*/*"}}
	c.Context = ctx
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var rt http.RoundTripper = &boundedTransport{base: tr, max: e.maxBody, timeout: timeout}
	if cfg.CacheDir != "" {
		rt = &cacheTransport{next: rt, dir: cfg.CacheDir}
	}
	c.WithTransport(rt)
	c.DisableCookies()
	c.SetRedirectHandler(followRedirect)
	c.SetRequestTimeout(0) // boundedTransport applies cfg.Timeout

	c.OnRequestHeaders(func(r *colly.Request) {
		a := r.Ctx.GetAny(attemptKey).(*attempt)
		if e.pacer == nil {
			a.sent = time.Now()
		} else {
			g, err := e.pacer.Take(ctx)
			if err != nil {
				a.err = err
				r.Abort()
				return
			}
			a.sent, a.intended, a.waited = g.At, g.Intended, g.Wait
		}
		e.inFlight.Inc()
	})
	c.OnResponseHeaders(func(r *colly.Response) {
		a := r.Ctx.GetAny(attemptKey).(*attempt)
		a.ttfb = time.Since(a.sent)
		a.status = r.StatusCode
		a.retryAfter = r.Headers.Get("Retry-After")
		a.location = r.Headers.Get("Location") != ""
		a.cached = r.Headers.Get(cacheHeader) != ""
	})
	c.OnResponse(func(r *colly.Response) {
		a := r.Ctx.GetAny(attemptKey).(*attempt)
		a.done = time.Now()
		a.status = r.StatusCode
		a.bytes = int64(len(r.Body))
		if cfg.KeepBody {
			a.body, a.ctype = r.Body, r.Headers.Get("Content-Type")
		}
		if a.err = statusError(a.status, a.location, r.Body); a.err != nil {
			a.class = statusClass(a.status)
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
	for _, sel := range cfg.HTML {
		c.OnHTML(sel.CSS, func(el *colly.HTMLElement) {
			a := el.Request.Ctx.GetAny(attemptKey).(*attempt)
			if _, done := a.html[sel.Name]; done {
				return // the first match counts
			}
			v := strings.TrimSpace(el.Text)
			if sel.Attr != "" {
				v = el.Attr(sel.Attr)
			}
			if a.html == nil {
				a.html = map[string]string{}
			}
			a.html[sel.Name] = v
		})
	}
	c.OnError(func(r *colly.Response, err error) {
		a := r.Ctx.GetAny(attemptKey).(*attempt)
		a.done = time.Now()
		if a.sent.IsZero() && a.err != nil {
			return // aborted while waiting for a token: a.err says why
		}
		if r.StatusCode != 0 {
			a.status = r.StatusCode
		}
		if errors.Is(err, errBodyTooLarge) {
			a.bytes = e.maxBody
		}
		a.err = err
	})
	e.c = c
	return e
}

// MaxRedirects is how many redirects one attempt follows; the answer after that is an error
// of class ClassRedirect.
const MaxRedirects = 10

// followRedirect follows up to MaxRedirects redirects, then keeps the last answer, and drops
// the Authorization header when the host changes.
func followRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return http.ErrUseLastResponse
	}
	if req.URL.Host != via[len(via)-1].URL.Host {
		req.Header.Del("Authorization")
	}
	return nil
}

// worker is the request state one goroutine reuses for each of its attempts.
type worker struct {
	cctx *colly.Context
	a    attempt
}

func newWorker() *worker {
	w := &worker{cctx: colly.NewContext()}
	w.cctx.Put(attemptKey, &w.a)
	return w
}

// do sends one attempt on w and blocks until it is finished. The attempt returned is w's, valid
// until w's next attempt.
func (e *engine) do(w *worker, u string) *attempt {
	w.a = attempt{}
	a := &w.a
	err := e.c.Request(http.MethodGet, u, nil, w.cctx, e.header)
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

// statusError is the error of an answer that is not a success: a 4xx/5xx with the start of
// its body, which often says why; a 3xx left after MaxRedirects or without a Location to
// follow; any other status outside 2xx. It is nil for a 2xx.
func statusError(status int, location bool, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	text := "http " + strconv.Itoa(status)
	if t := http.StatusText(status); t != "" {
		text += " " + t
	}
	switch {
	case status >= 300 && status < 400 && location:
		return fmt.Errorf("%s: stopped after %d redirects", text, MaxRedirects)
	case status >= 300 && status < 400:
		return fmt.Errorf("%s: redirect without a Location header", text)
	case status < 400 || status > 599:
		return fmt.Errorf("%s: unexpected status", text)
	}
	if snippet := bodySnippet(body); snippet != "" {
		return fmt.Errorf("%s: %s", text, snippet)
	}
	return errors.New(text)
}

// bodySnippet is the start of body, whitespace collapsed, cut on a rune boundary at about
// 120 bytes and marked "…" when cut.
func bodySnippet(body []byte) string {
	const max = 120
	cut := len(body)
	if cut > max {
		cut = max
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
	}
	snippet := strings.Join(strings.Fields(string(body[:cut])), " ")
	if cut < len(body) && snippet != "" {
		snippet += "…"
	}
	return snippet
}

// statusClass maps a status that is not a success to its error class.
func statusClass(status int) ErrorClass {
	switch {
	case status >= 200 && status < 300:
		return ClassNone
	case status >= 300 && status < 400:
		return ClassRedirect
	case status >= 400 && status < 500:
		return ClassHTTP4xx
	case status >= 500 && status < 600:
		return ClassHTTP5xx
	}
	return ClassOther
}
