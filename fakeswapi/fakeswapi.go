// Package fakeswapi serves a fake Star Wars API (SWAPI) with latency, throttling and fault knobs.
//
// It serves the real data sets (the fixtures swapi.dev and swapi.py4e.com load, embedded;
// its own placeholder opening crawls) in the shapes and with the behaviour of the public
// server its Options.Dialect names: swapi.dev's Django REST framework views (the default),
// swapi.py4e.com's (the same code, its own data), swapi.tech's Express app or swapi.info's
// static files behind their rewrites. Its fidelity tests replay what those servers answered.
// Links point back at the base URL the client used (scheme and Host header), so the fake
// works behind httptest's random port.
//
// Options.Profile "live" adds each server's real limits; the knobs (latency, workers, rate,
// faults), /__stats and /delay/{d} are the same in every dialect.
//
// Besides the API under /api/, a Server answers GET /__stats with its Stats as JSON and
// POST /__stats/reset by resetting them. Those two endpoints bypass every knob.
package fakeswapi

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"golang.org/x/time/rate"

	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/internal/waitctx"
)

// Defaults applied by New for zero-valued Options fields.
const (
	DefaultSlowBody      = time.Second // SlowBody when zero
	DefaultOversizeBytes = 11 << 20    // OversizeBytes when zero: 11 MiB
)

// minOversize is the smallest valid oversize body: {"padding":""}.
const minOversize = int64(len(oversizePrefix) + len(oversizeSuffix))

// Options configures a Server. The zero value serves the data set at full speed with no faults.
//
// A request to the API goes through these steps, in order:
//
//  1. Rate: when Rate > 0 and the token bucket is empty, answer 429 at once (no queue, no latency).
//  2. Workers: when Workers > 0, wait for a free worker slot; the slot is held until the
//     response is complete.
//  3. Latency: sleep Latency ± Jitter.
//  4. Faults: one uniform draw in [0,1) picks at most one fault from consecutive shares:
//     ErrorRate, then ResetRate, MalformedRate, SlowBodyRate, OversizeRate; the rates must sum
//     to at most 1. An error fault answers 500 to any request; the other faults apply to GET
//     requests whose answer has a JSON body (not to redirects or HEAD).
//
// A request whose context ends (the client went away, or the http.Server's base context was
// cancelled) while queued, sleeping or receiving a slow body stops at once: its worker slot is
// freed, it is no longer in flight, and its connection is aborted rather than answered.
//
// Jitter and faults are deterministic: the k-th request to arrive (counting from 0 since New
// or the last Reset, /__stats excluded) draws from a PRNG seeded with (Seed, k) only, so a
// sequential client sees the same sequence of outcomes on every run.
type Options struct {
	// Latency is added to every API request before it is answered. 0: none.
	Latency time.Duration
	// Jitter spreads the latency uniformly over [Latency-Jitter, Latency+Jitter], clamped at 0.
	// 0: a fixed latency.
	Jitter time.Duration

	// ErrorRate is the share of requests answered 500 with a JSON body, in [0,1].
	ErrorRate float64

	// Workers caps the number of requests served at once (a sync server with Workers
	// workers); the rest wait in a FIFO queue. 0: unlimited.
	Workers int
	// WorkerSteps change Workers during the run, each from its moment after New (or the
	// last Reset) on, in increasing order of At; nil: Workers throughout.
	WorkerSteps []WorkerStep

	// Rate is the sustained number of requests per second the server accepts (token bucket);
	// a request beyond it is answered 429 with a Retry-After header in whole seconds. 0: no limit.
	// With a rate every API answer states the quota (see QuotaHeaders).
	Rate float64
	// Burst is the token bucket size. 0 means 1. Ignored when Rate is 0.
	Burst int

	// Seed seeds the per-request PRNG behind Jitter and the fault draws. Any value is valid.
	Seed int64

	// ResetRate is the share of requests whose connection is cut abruptly after the status
	// line, the headers (with the full Content-Length) and half the body, in [0,1].
	ResetRate float64
	// MalformedRate is the share of requests answered 200 application/json with the first half
	// of the body only: invalid JSON with a consistent Content-Length. In [0,1].
	MalformedRate float64
	// SlowBodyRate is the share of requests whose headers are sent at once and whose body
	// is dripped in 10 flushed chunks spread over SlowBody. In [0,1].
	SlowBodyRate float64
	// SlowBody is how long a slow body takes to send. 0: DefaultSlowBody.
	SlowBody time.Duration
	// OversizeRate is the share of requests answered 200 with a valid JSON body of
	// OversizeBytes bytes, streamed. In [0,1].
	OversizeRate float64
	// OversizeBytes is the size of an oversize body in bytes, at least 14. 0: DefaultOversizeBytes.
	OversizeBytes int64

	// Dialect is the public SWAPI whose data, shapes and behaviour the fake has, one of
	// Dialects; "" is "dev".
	//
	// "dev" (swapi.dev) and "py4e" (swapi.py4e.com, with its own data: 87 people, 7 films, 61
	// planets, 37 starships) are Django REST framework: /api/people/1/ (no slash → 301),
	// lists {count,next,previous,results} 10 a page with ?page=K|last, ?search= (name, title or
	// model, all terms, any case), ?format=json|wookiee|api and the .json suffix (links follow
	// the format), /api/R/schema, Allow: GET, HEAD, OPTIONS, OPTIONS answered, 404
	// {"detail":"Not found"}, 406 for an Accept it cannot satisfy, and an HTML 404 off the API.
	//
	// "tech" (swapi.tech) wraps a detail as {"message":"ok","result":{"properties":{…},
	// "description","_id","uid","__v"}} with its models' members in its order, pages lists as
	// {"message","total_records","total_pages","previous","next","results":[{uid,name,url}]}
	// with ?page=K&limit=L (both needed; clamped as its code does), lists every film in full,
	// searches with ?name= (films ?title=) as a regular expression in any case (400 for one
	// that is not; an empty one lists as without it), answers ?format=wookiee with the whole
	// answer in Wookiee as one JSON string, answers the slash forms too, 404
	// {"message":"not found"} for an unknown id (01 too) and an HTML 404 off its routes; OPTIONS
	// gets 204 and other methods but GET a closed connection.
	//
	// "info" (swapi.info) answers /api/R, /api/R/, /api/R/all(.json) with a bare array of every
	// document, /api/R/:id, /api/R/:id/ and /api/R/:id.json (no leading zero), /api/R/schema(/),
	// its root in its member order, ignores the query, and answers the host's HTML 404 and 405.
	Dialect string

	// AbsoluteLinks writes swapi.info's links as its files do, https://swapi.info/api/…,
	// instead of back at the fake. Only with Dialect "info".
	AbsoluteLinks bool

	// Profile "live" adds the dialect's real limits, per client IP: swapi.tech's TechLimit per
	// TechWindow (then 429 text/html with Retry-After and X-RateLimit-* headers) and its
	// slow-down past TechDelayAfter requests; swapi.dev's DRFLimit per DRFWindow (429 with
	// DRF's throttle detail and Retry-After); swapi.py4e.com and swapi.info have none. "": none.
	Profile string
	// TimeScale multiplies the live profile's windows, delays and Retry-After, so that a
	// 15-minute window can be tested in seconds. 0 means 1.
	TimeScale float64

	// Log, when set, receives one line per API request: method, path and query, status,
	// duration, and the fault if any. Writes are serialized. nil: silent.
	Log io.Writer
}

// An OptionError reports an invalid Options field.
type OptionError struct {
	Field string // the Options field, e.g. "ErrorRate"; "" for the sum of the fault rates
	Msg   string // the value and what is wrong with it, e.g. "1.5 out of range [0,1]"
}

func (e *OptionError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return fieldWords(e.Field) + " " + e.Msg
}

// fieldWords turns "SlowBodyRate" into "slow body rate".
func fieldWords(field string) string {
	var b strings.Builder
	for i, r := range field {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Validate reports the first invalid field as an *OptionError, or nil.
func (o Options) Validate() error {
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"Latency", o.Latency}, {"Jitter", o.Jitter}, {"SlowBody", o.SlowBody}} {
		if d.v < 0 {
			return &OptionError{d.field, d.v.String() + " is negative"}
		}
	}
	d, ok := parseDialect(o.Dialect)
	if !ok {
		return &OptionError{"Dialect", strconv.Quote(o.Dialect) + " is not one of " + strings.Join(Dialects, ", ")}
	}
	if o.AbsoluteLinks && d != dialectInfo {
		return &OptionError{"AbsoluteLinks", "needs the info dialect (swapi.info's files link absolutely)"}
	}
	if o.Profile != "" && o.Profile != "live" {
		return &OptionError{"Profile", strconv.Quote(o.Profile) + " is not live"}
	}
	if !(o.TimeScale >= 0) || math.IsInf(o.TimeScale, 1) {
		return &OptionError{"TimeScale", formatFloat(o.TimeScale) + " is not a finite number ≥ 0"}
	}
	sum := 0.0
	for _, f := range []struct {
		field string
		v     float64
	}{
		{"ErrorRate", o.ErrorRate},
		{"ResetRate", o.ResetRate},
		{"MalformedRate", o.MalformedRate},
		{"SlowBodyRate", o.SlowBodyRate},
		{"OversizeRate", o.OversizeRate},
	} {
		if !(f.v >= 0 && f.v <= 1) {
			return &OptionError{f.field, formatFloat(f.v) + " out of range [0,1]"}
		}
		sum += f.v
	}
	if sum > 1+1e-9 {
		return &OptionError{"", "fault rates (error, reset, malformed, slow body, oversize) sum to " +
			formatFloat(sum) + ", more than 1"}
	}
	switch {
	case o.Workers < 0:
		return &OptionError{"Workers", strconv.Itoa(o.Workers) + " is negative"}
	case !stepsValid(o.WorkerSteps):
		return &OptionError{"WorkerSteps", "must have counts ≥ 0 at increasing moments after 0s"}
	case !(o.Rate >= 0) || math.IsInf(o.Rate, 1):
		return &OptionError{"Rate", formatFloat(o.Rate) + " is not a finite number ≥ 0"}
	case o.Burst < 0:
		return &OptionError{"Burst", strconv.Itoa(o.Burst) + " is negative"}
	case o.OversizeBytes < 0 || (o.OversizeBytes > 0 && o.OversizeBytes < minOversize):
		return &OptionError{"OversizeBytes", strconv.FormatInt(o.OversizeBytes, 10) +
			" out of range (0 or at least " + strconv.FormatInt(minOversize, 10) + ")"}
	}
	return nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Server is the fake SWAPI, an http.Handler. Its methods are safe for concurrent use.
type Server struct {
	opts  Options
	cat   *catalog
	sites siteCache
	pool  atomic.Pointer[pool]         // worker slots; nil: unlimited throughout
	lim   atomic.Pointer[rate.Limiter] // nil: no rate limit
	live  limiter                      // nil: no live profile
	stats *counters
	logMu sync.Mutex
}

// New returns a Server for opts. It fails with opts.Validate's error (an *OptionError), or
// if the embedded data set is broken.
func New(opts Options) (*Server, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	d, _ := parseDialect(opts.Dialect)
	cat, err := loadCatalog(d)
	if err != nil {
		return nil, fmt.Errorf("fakeswapi: embedded data set: %w", err)
	}
	if opts.SlowBody == 0 {
		opts.SlowBody = DefaultSlowBody
	}
	if opts.OversizeBytes == 0 {
		opts.OversizeBytes = DefaultOversizeBytes
	}
	if opts.Burst == 0 {
		opts.Burst = 1
	}
	if opts.TimeScale == 0 {
		opts.TimeScale = 1
	}
	s := &Server{opts: opts, cat: cat, stats: newCounters()}
	s.pool.Store(s.newPool())
	if opts.Profile == "live" {
		s.live = newLiveLimiter(d, opts.TimeScale)
	}
	s.lim.Store(s.newLimiter())
	return s, nil
}

func (s *Server) newPool() *pool {
	if s.opts.Workers == 0 && len(s.opts.WorkerSteps) == 0 {
		return nil
	}
	return newPool(s.opts.Workers, s.opts.WorkerSteps)
}

func stepsValid(steps []WorkerStep) bool {
	var prev time.Duration
	for _, st := range steps {
		if st.Workers < 0 || st.At <= prev {
			return false
		}
		prev = st.At
	}
	return true
}

func (s *Server) newLimiter() *rate.Limiter {
	if s.opts.Rate == 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(s.opts.Rate), s.opts.Burst)
}

// Stats returns a snapshot of what the server observed since New or the last Reset.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// Reset zeroes the statistics, refills the token bucket and restarts the arrival count, so the
// next request draws the same jitter and fault as the first one after New did.
func (s *Server) Reset() {
	s.stats.reset()
	s.lim.Store(s.newLimiter())
	if old := s.pool.Swap(s.newPool()); old != nil {
		old.stop()
	}
	if s.live != nil {
		s.live.reset()
	}
}

// Warm renders the documents for requests addressed to host (the Host header, e.g.
// "127.0.0.1:8080") over plain HTTP now, so the first such request is not slowed by it.
func (s *Server) Warm(host string) {
	base := baseURL(false, host)
	if s.opts.AbsoluteLinks {
		base = InfoBase
	}
	s.sites.get(s.cat, base)
}

// outcome is how one request ended.
type outcome struct {
	status   int   // status line written; 0: none
	fault    fault // injected fault
	canceled bool  // the request's context ended first (client gone or server shutting down)
	abort    bool  // abort the connection rather than let net/http complete the response
}

var (
	noStore      = []string{"no-store"}
	allowGetHead = []string{"GET, HEAD"}
	allowPost    = []string{"POST"}
	zeroLength   = []string{"0"}

	errorBody     = newBody([]byte(`{"detail":"Internal server error (fakeswapi injected fault)"}`))
	oversizeChunk = []byte(strings.Repeat("x", 32<<10))
)

const (
	oversizePrefix = `{"padding":"`
	oversizeSuffix = `"}`
)

// ServeHTTP answers the API under /api/ and the /__stats endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/__stats" || strings.HasPrefix(r.URL.Path, "/__stats/") {
		s.serveStats(w, r)
		return
	}
	k, start := s.stats.arrive()
	o := s.serve(w, r, k)
	s.stats.finish(o)
	if s.opts.Log != nil {
		s.logRequest(r, o, time.Since(start))
	}
	if o.abort {
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, k uint64) outcome {
	ctx := r.Context()
	var slow time.Duration
	if s.live != nil && !strings.HasPrefix(r.URL.Path, "/delay/") && s.live.counts(r) {
		delay, refuse, h := s.live.admit(clientOf(r), time.Now())
		if refuse != nil {
			return s.write(w, r, *refuse)
		}
		copyHeader(w.Header(), h)
		slow = delay
	}
	if lim := s.lim.Load(); lim != nil {
		wait, ok := take(lim)
		QuotaHeaders(w.Header(), lim, time.Now())
		if !ok {
			secs := max(1, int64(math.Ceil(wait.Seconds())))
			return s.write(w, r, *throttled(secs))
		}
	}
	if slow > 0 && !waitctx.Sleep(ctx, slow) {
		return outcome{canceled: true, abort: true}
	}
	if p := s.pool.Load(); p != nil {
		if !p.acquire(ctx) {
			return outcome{canceled: true, abort: true}
		}
		defer p.release()
	}
	s.stats.enterService()
	defer s.stats.leaveService()

	if d, ok := strings.CutPrefix(r.URL.Path, "/delay/"); ok {
		return serveDelay(w, r, d)
	}
	jitter, pick := draws(s.opts.Seed, k)
	if d := s.latency(jitter); d > 0 && !waitctx.Sleep(ctx, d) {
		return outcome{canceled: true, abort: true}
	}

	f := s.fault(pick)
	if f == faultError {
		writeBody(w, r, http.StatusInternalServerError, errorBody)
		return outcome{status: http.StatusInternalServerError, fault: f}
	}
	rs := s.answer(r)
	if rs.abort {
		return outcome{abort: true}
	}
	if r.Method != http.MethodGet || !rs.isJSON() {
		f = faultNone
	}
	copyHeader(w.Header(), rs.header)
	switch f {
	case faultReset:
		return resetConn(w, rs.status, rs.body)
	case faultMalformed:
		writeBody(w, r, http.StatusOK, newBody(rs.body.b[:len(rs.body.b)/2]))
		return outcome{status: http.StatusOK, fault: f}
	case faultSlowBody:
		return drip(ctx, w, rs.status, rs.body, s.opts.SlowBody)
	case faultOversize:
		return writeOversize(w, s.opts.OversizeBytes)
	}
	return s.write(w, r, rs)
}

// write writes rs (the body left out for HEAD).
func (s *Server) write(w http.ResponseWriter, r *http.Request, rs response) outcome {
	h := w.Header()
	copyHeader(h, rs.header)
	if rs.location != "" {
		h.Set("Location", rs.location)
	}
	if rs.ctype != nil {
		h["Content-Type"] = rs.ctype
	}
	h["Content-Length"] = rs.body.clen
	if rs.body.clen == nil {
		h["Content-Length"] = zeroLength
	}
	w.WriteHeader(rs.status)
	if r.Method != http.MethodHead && len(rs.body.b) > 0 {
		w.Write(rs.body.b) //nolint:errcheck // the client went away; nothing to do
	}
	return outcome{status: rs.status}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// draws returns the two uniform numbers in [0,1) of the k-th request: jitter and fault.
func draws(seed int64, k uint64) (jitter, fault float64) {
	p := rand.NewPCG(uint64(seed), splitmix(k))
	return float64(p.Uint64()>>11) * 0x1p-53, float64(p.Uint64()>>11) * 0x1p-53
}

// splitmix scrambles consecutive arrival indexes into unrelated PCG streams.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (s *Server) latency(u float64) time.Duration {
	d := s.opts.Latency
	if s.opts.Jitter > 0 {
		d += time.Duration((2*u - 1) * float64(s.opts.Jitter))
	}
	return max(d, 0)
}

func (s *Server) fault(u float64) fault {
	for _, f := range []struct {
		f    fault
		rate float64
	}{
		{faultError, s.opts.ErrorRate},
		{faultReset, s.opts.ResetRate},
		{faultMalformed, s.opts.MalformedRate},
		{faultSlowBody, s.opts.SlowBodyRate},
		{faultOversize, s.opts.OversizeRate},
	} {
		if u < f.rate {
			return f.f
		}
		u -= f.rate
	}
	return faultNone
}

// take takes a token from lim, or reports how long until one is available.
func take(lim *rate.Limiter) (wait time.Duration, ok bool) {
	now := time.Now()
	if lim.AllowN(now, 1) {
		return 0, true
	}
	secs := (1 - lim.TokensAt(now)) / float64(lim.Limit())
	return time.Duration(secs * float64(time.Second)), false
}

// answer returns the normal response to r in the server's dialect.
func (s *Server) answer(r *http.Request) response {
	switch s.cat.dialect {
	case dialectTech:
		return s.answerTech(r)
	case dialectInfo:
		return s.answerInfo(r)
	}
	return s.answerDRF(r)
}

// writeBody writes a JSON response; the body is left out for HEAD.
func writeBody(w http.ResponseWriter, r *http.Request, status int, b body) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = b.clen
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b.b) //nolint:errcheck // the client went away; nothing to do
	}
}

// resetConn sends the headers and half the body, then cuts the connection.
func resetConn(w http.ResponseWriter, status int, b body) outcome {
	o := outcome{status: status, fault: faultReset}
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = b.clen
	w.WriteHeader(status)
	w.Write(b.b[:len(b.b)/2]) //nolint:errcheck // the connection is cut next anyway
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		o.abort = true
		return o
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		o.abort = true
		return o
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) //nolint:errcheck // best effort: RST instead of FIN
	}
	conn.Close()
	return o
}

// drip sends the headers at once and the body in flushed chunks spread over total.
func drip(ctx context.Context, w http.ResponseWriter, status int, b body, total time.Duration) outcome {
	o := outcome{status: status, fault: faultSlowBody}
	stop := func() outcome {
		o.canceled, o.abort = true, true
		return o
	}
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = b.clen
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	rc.Flush() //nolint:errcheck // a failed flush shows up as a failed write below
	const chunks = 10
	n := min(chunks, len(b.b))
	pause := total / time.Duration(n)
	t := time.NewTimer(pause)
	defer t.Stop()
	for i := range n {
		select {
		case <-t.C:
		case <-ctx.Done():
			return stop()
		}
		t.Reset(pause)
		if _, err := w.Write(b.b[i*len(b.b)/n : (i+1)*len(b.b)/n]); err != nil {
			return stop()
		}
		if err := rc.Flush(); err != nil {
			return stop()
		}
	}
	return o
}

// writeOversize streams a valid JSON object of exactly size bytes.
func writeOversize(w http.ResponseWriter, size int64) outcome {
	o := outcome{status: http.StatusOK, fault: faultOversize}
	h := w.Header()
	h["Content-Type"] = jsonType
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, oversizePrefix); err != nil {
		return o
	}
	for pad := size - minOversize; pad > 0; {
		n := min(pad, int64(len(oversizeChunk)))
		if _, err := w.Write(oversizeChunk[:n]); err != nil {
			return o
		}
		pad -= n
	}
	io.WriteString(w, oversizeSuffix) //nolint:errcheck // the client went away; nothing to do
	return o
}

func (s *Server) logRequest(r *http.Request, o outcome, d time.Duration) {
	status := "-"
	if o.status != 0 {
		status = strconv.Itoa(o.status)
	}
	line := fmt.Sprintf("%s %s %s %s", r.Method, r.URL.RequestURI(), status, d.Round(time.Microsecond))
	if o.fault != faultNone {
		line += " fault=" + faultNames[o.fault]
	}
	if o.canceled {
		line += " canceled"
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	io.WriteString(s.opts.Log, textsafe.Sanitize(line)+"\n") //nolint:errcheck // logging is best effort
}

// serveStats answers GET /__stats and POST /__stats/reset.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Cache-Control"] = noStore
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/__stats":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h["Allow"] = allowGetHead
			writeBody(w, r, http.StatusMethodNotAllowed, newBody([]byte(`{"detail":"Method not allowed."}`)))
			return
		}
		b, err := encode(s.Stats())
		if err != nil {
			writeBody(w, r, http.StatusInternalServerError, errorBody)
			return
		}
		writeBody(w, r, http.StatusOK, newBody(b))
	case "/__stats/reset":
		if r.Method != http.MethodPost {
			h["Allow"] = allowPost
			writeBody(w, r, http.StatusMethodNotAllowed, newBody([]byte(`{"detail":"Method not allowed."}`)))
			return
		}
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeBody(w, r, http.StatusNotFound, drfNotFound)
	}
}

// MaxDelay is the longest /delay/{duration} the fake waits.
const MaxDelay = time.Minute

// serveDelay answers /delay/{d} (httpbin's endpoint, with a Go duration or a number of
// seconds) after d, holding its worker slot meanwhile: {"delay":"7.5s"}. A bad or too long d
// gets a 400.
func serveDelay(w http.ResponseWriter, r *http.Request, text string) outcome {
	d, err := time.ParseDuration(text)
	if err != nil {
		secs, ferr := strconv.ParseFloat(text, 64)
		d, err = time.Duration(secs*float64(time.Second)), ferr
	}
	if err != nil || d < 0 || d > MaxDelay {
		b := fmt.Appendf(nil, `{"detail":"delay wants a duration from 0 to %s, such as 7.5s or 7.5"}`, MaxDelay)
		writeBody(w, r, http.StatusBadRequest, newBody(b))
		return outcome{status: http.StatusBadRequest}
	}
	if !waitctx.Sleep(r.Context(), d) {
		return outcome{canceled: true, abort: true}
	}
	writeBody(w, r, http.StatusOK, newBody(fmt.Appendf(nil, `{"delay":%q}`, d.String())))
	return outcome{status: http.StatusOK}
}
