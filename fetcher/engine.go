package fetcher

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
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
	inFlight  atomic.Int64
	peak      atomic.Int64
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
		n := e.inFlight.Add(1)
		for {
			p := e.peak.Load()
			if n <= p || e.peak.CompareAndSwap(p, n) {
				break
			}
		}
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
		e.inFlight.Add(-1)
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

// swapiName returns the top-level string "name" member of a JSON object body, else its string
// "title" member, else "" (the last of duplicate members counts). It fails only on invalid JSON.
func swapiName(body []byte) (string, error) {
	if !json.Valid(body) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return "", err
		}
		return "", errors.New("invalid JSON")
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return "", nil
	}
	i++
	var name, title string
	var hasName bool
	for {
		i = skipSpace(body, i)
		if body[i] == '}' {
			if hasName {
				return name, nil
			}
			return title, nil
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		keyEnd := stringEnd(body, i)
		key := string(body[i+1 : keyEnd-1])
		i = skipSpace(body, keyEnd)
		i = skipSpace(body, i+1) // past ':'
		end := valueEnd(body, i)
		if key == "name" || key == "title" {
			var v string
			isString := body[i] == '"'
			if isString {
				if err := json.Unmarshal(body[i:end], &v); err != nil {
					return "", err
				}
			}
			if key == "name" {
				name, hasName = v, isString
			} else {
				title = v
			}
		}
		i = end
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i] == '"'.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the valid JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i = stringEnd(b, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}
