package fetcher

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"

	"github.com/fetchbench/fetchbench/internal/gauge"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// errBodyTooLarge is the error of a response whose body exceeds Config.MaxBody.
var errBodyTooLarge = errors.New("body too large")

// attempt is one request on the wire, filled in by the collector's callbacks.
type attempt struct {
	asked      time.Time     // colly about to send the request
	sent       time.Time     // the request about to be written on its connection
	intended   time.Time     // paced: the slot of sent's token in the schedule
	waited     time.Duration // paced: time spent waiting for the token
	done       time.Time     // body read or error
	status     int
	bytes      int64
	ttfb       time.Duration
	name       string
	retryAfter string
	proto      string // the response's protocol
	reused     bool   // the request went on a connection used before
	proxy      string // the proxy it went through, password masked
	location   bool   // the answer carried a Location header
	final      string // the URL a followed redirect led to, without user information; "" when none was
	cached     bool   // answered from Config.CacheDir
	body       []byte // read by bodyTransport, or colly's when bodyRead is false
	bodyRead   bool   // body was read by bodyTransport
	ctype      string
	html       map[string]string
	err        error
	class      ErrorClass
}

// engine is what one strategy's workers share: the transport and its connections, the
// pacer, the header, the gauges.
type engine struct {
	cfg       *Config
	ctx       context.Context // the run's
	transport *http.Transport
	header    http.Header // every request's header, shared and never written to
	pacer     Pacer       // nil: starts are not paced
	maxBody   int64
	timeout   time.Duration
	inFlight  gauge.Gauge  // requests on the wire
	dials     atomic.Int64 // connections established
	scraper   *scraper     // nil without Config.HTML; shared by the workers
	quota     *quotaGate   // nil unless Config.RespectQuota; told of every answer's quota
}

// newEngine returns the engine of one run; with a pacer every attempt takes its token just
// before its request is written, where its start is stamped.
func newEngine(ctx context.Context, cfg *Config, slots int, pacer Pacer) *engine {
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	tr := base.Clone()
	idle := max(slots, 100)
	tr.MaxIdleConnsPerHost = idle
	tr.MaxIdleConns = max(tr.MaxIdleConns, idle)
	tr.MaxResponseHeaderBytes = maxHeaderBytes
	if cfg.Insecure || cfg.RootCAs != nil {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		tr.TLSClientConfig.InsecureSkipVerify = cfg.Insecure
		if cfg.RootCAs != nil {
			tr.TLSClientConfig.RootCAs = cfg.RootCAs.Pool()
		}
	}
	if cfg.HTTP1 {
		p := new(http.Protocols)
		p.SetHTTP1(true)
		tr.Protocols = p
		// Cloning Go's default transport copies a TLS config that already offers h2 by ALPN;
		// a server would pick it and the HTTP/1.1 client could not speak it.
		if tr.TLSClientConfig != nil {
			tr.TLSClientConfig.NextProtos = slices.DeleteFunc(slices.Clone(tr.TLSClientConfig.NextProtos), func(p string) bool { return p == "h2" })
		}
	}
	if cfg.NoProxy {
		tr.Proxy = nil
	}
	e := &engine{cfg: cfg, ctx: ctx, transport: tr, maxBody: cfg.MaxBody, timeout: cfg.Timeout, pacer: pacer}
	if e.maxBody <= 0 {
		e.maxBody = DefaultMaxBody
	}
	if len(cfg.HTML) > 0 {
		e.scraper = newScraper(cfg.HTML, e.maxBody)
	}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "fetchbench/" + Version
	}
	// colly adds User-Agent and Accept when missing, writing to the header: with both present
	// it only reads it, so one header serves every request. Asking for gzip here rather than
	// leaving it to the transport spares the transport a header map per request;
	// boundedTransport decodes gzip either way.
	e.header = http.Header{"User-Agent": {ua}, "Accept": {"*/*"}, "Accept-Encoding": {"gzip"}}
	countDials(tr, &e.dials)
	return e
}

// worker is the request machinery one goroutine reuses for each of its attempts: a
// synchronous colly collector of its own on the engine's transport, its colly context, its
// exchange context and its attempt. Reusing them spares every request a context map, a
// deadline timer and a context chain.
type worker struct {
	e    *engine
	c    *colly.Collector
	cctx *colly.Context
	x    *exchange
	a    attempt
}

// newWorker returns a worker on e; close it when done.
func (e *engine) newWorker() *worker {
	w := &worker{e: e, cctx: colly.NewContext()}
	// The trace is the worker's, found through its exchange context by every request it
	// sends: it notes whether the connection was used before, and in a paced run takes the
	// token once the request has its connection, so that a dial never sits between a start
	// and the wire.
	run := httptrace.WithClientTrace(e.ctx, &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		w.a.reused = info.Reused
		if e.pacer != nil {
			w.pace()
		}
	}})
	w.x = newExchange(run)
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
	c.UserAgent = e.header.Get("User-Agent")
	c.Context = w.x
	var rt http.RoundTripper = &boundedTransport{base: e.transport, max: e.maxBody, x: w.x, a: &w.a}
	if e.cfg.CacheDir != "" {
		rt = &cacheTransport{next: rt, dir: e.cfg.CacheDir, max: e.maxBody, names: e.cfg.CacheNames}
	}
	rt = &bodyTransport{next: rt, max: e.maxBody, a: &w.a}
	c.WithTransport(rt)
	c.DisableCookies()
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		err := e.followRedirect(req, via)
		if err == nil {
			w.a.final = withoutUser(req.URL)
		}
		return err
	})
	c.SetRequestTimeout(0) // the exchange context applies the timeout

	a := &w.a
	scr := e.scraper // colly's OnHTML would build every match's element: see scraper
	c.OnRequestHeaders(func(r *colly.Request) {
		a.asked = time.Now()
		if e.pacer == nil {
			w.start(a.asked)
		}
		w.x.arm(a.asked, e.timeout) // a paced attempt re-arms once it has its token
	})
	c.OnResponseHeaders(func(r *colly.Response) {
		if a.sent.IsZero() {
			w.start(a.asked) // answered without a connection: from the cache
		}
		a.ttfb = time.Since(a.sent)
		a.status = r.StatusCode
		a.retryAfter = r.Headers.Get("Retry-After")
		if e.quota != nil {
			if q, ok := ParseQuota(*r.Headers, time.Now()); ok {
				e.quota.observe(q, int(e.inFlight.Value())-1, time.Now())
			}
		}
		a.location = r.Headers.Get("Location") != ""
		a.cached = r.Headers.Get(cacheHeader) != ""
	})
	c.OnResponse(func(r *colly.Response) {
		a.done = time.Now()
		a.status = r.StatusCode
		if !a.bodyRead {
			a.body = r.Body
		}
		body := a.body
		a.bytes = int64(len(body))
		if e.cfg.KeepBody {
			a.ctype = r.Headers.Get("Content-Type")
		} else {
			a.body = nil
		}
		if a.err = statusError(a.status, a.location, body); a.err != nil {
			a.class = statusClass(a.status)
		}
		if r.Headers != nil && strings.Contains(r.Headers.Get("Content-Type"), "json") {
			name, err := e.name(body)
			if err != nil && a.class == ClassNone {
				a.err = fmt.Errorf("invalid json: %w", err)
				a.class = ClassInvalidJSON
			}
			a.name = name
		} else if a.class == ClassNone && nested(r.Headers, body) && textsafe.TooDeep(body, textsafe.MaxDepth) {
			// Not JSON by its type, but a path may still be evaluated on it (get --field).
			a.err = fmt.Errorf("invalid json: nested deeper than %d levels", textsafe.MaxDepth)
			a.class = ClassInvalidJSON
		}
		if scr != nil && r.Headers != nil && strings.Contains(strings.ToLower(r.Headers.Get("Content-Type")), "html") {
			a.html = scr.scrape(body)
		}
	})
	c.OnError(func(r *colly.Response, err error) {
		a.done = time.Now()
		if a.sent.IsZero() {
			if a.err != nil {
				return // given up waiting for a token: a.err says why
			}
			w.start(a.asked) // failed before it had a connection
		}
		if r.StatusCode != 0 {
			a.status = r.StatusCode
		}
		if errors.Is(err, errBodyTooLarge) {
			a.bytes = e.maxBody
		}
		a.err = err
	})
	w.c = c
	return w
}

// name is the JSON answer body's name by Config.Namer, or, without one, "" and whether body
// is valid JSON.
func (e *engine) name(body []byte) (string, error) {
	if e.cfg.Namer != nil {
		return e.cfg.Namer.Name(body)
	}
	if json.Valid(body) {
		return "", nil
	}
	var v struct{}
	if err := json.Unmarshal(body, &v); err != nil { // the scanner's error, before any decoding
		return "", err
	}
	return "", errors.New("not a JSON value")
}

// nested reports whether body, not HTML by its Content-Type, opens with an object or an
// array: whether it may be read as a JSON document whose depth matters.
func nested(h *http.Header, body []byte) bool {
	if h != nil && strings.Contains(strings.ToLower(h.Get("Content-Type")), "html") {
		return false
	}
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// start stamps the attempt's start: its latency runs from here.
func (w *worker) start(at time.Time) {
	w.a.sent = at
	w.e.inFlight.Inc()
}

// pace takes the rate token of a request that has its connection, the first time (a redirect's
// next hop goes without), then starts it and gives it its full timeout. The wait for the token
// does not count against the timeout. When the run ends first, the exchange ends with it, and
// the transport abandons the request.
func (w *worker) pace() {
	a := &w.a
	if !a.sent.IsZero() || a.err != nil {
		return
	}
	w.x.pause()
	g, err := w.e.pacer.Take(w.e.ctx)
	if err != nil {
		a.err = err
		w.x.end(err)
		return
	}
	a.intended, a.waited = g.Intended, g.Wait
	w.start(g.At)
	w.x.arm(g.At, w.e.timeout)
}

// close releases the worker's timer and its hold on the run's context.
func (w *worker) close() { w.x.close() }

// MaxRedirects is how many redirects one attempt follows; the answer after that is an error
// of class ClassRedirect.
const MaxRedirects = 10

// followRedirect follows up to MaxRedirects redirects, then keeps the last answer; it refuses
// a redirect outside the run's Scope (the error wraps ErrOutOfScope), and drops the
// Authorization header when the host changes.
func (e *engine) followRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return http.ErrUseLastResponse
	}
	if err := e.cfg.Scope.Check(req.URL.String()); err != nil {
		return fmt.Errorf("redirect to %s: %w", redact(req.URL.String()), err)
	}
	if req.URL.Host != via[len(via)-1].URL.Host {
		req.Header.Del("Authorization")
	}
	return nil
}

// withoutUser is u without its user information.
func withoutUser(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	v := *u
	v.User = nil
	return v.String()
}

// do sends one attempt on w and blocks until it is finished. The attempt returned is w's, valid
// until w's next attempt.
func (w *worker) do(u string) *attempt {
	e := w.e
	w.a = attempt{}
	a := &w.a
	if err := e.cfg.Scope.Check(u); err != nil {
		a.done, a.err, a.class = time.Now(), err, ClassOther
		return a
	}
	err := w.c.Request(http.MethodGet, u, nil, w.cctx, e.header)
	w.x.disarm()
	if !a.sent.IsZero() {
		e.inFlight.Dec()
	}
	if a.done.IsZero() {
		a.done = time.Now()
	}
	if a.err == nil && err != nil {
		a.err = err
	}
	if a.err != nil && a.class == ClassNone && errors.Is(a.err, ErrOutOfScope) {
		a.class = ClassRedirect
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
