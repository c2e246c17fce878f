package fakeswapi

// This file owns the live profile: each public SWAPI's real limits, per client.

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Profiles lists the Options.Profile values: "" (only the knobs) and "live" (the dialect's
// real limits as well).
var Profiles = []string{"", "live"}

// The real limits of the public SWAPIs (Options.Profile "live"), before Options.TimeScale.
const (
	// TechLimit GETs under /api per TechWindow per client, then 429 until the window ends; the
	// windows are one clock for every client.
	TechLimit  = 100
	TechWindow = 15 * time.Minute
	// TechDelayAfter requests per window are answered at once; request n after them waits
	// (n−TechDelayAfter)×TechDelayStep first (swapi.tech's express-slow-down).
	TechDelayAfter = 5
	TechDelayStep  = 100 * time.Millisecond
	// DRFLimit requests per DRFWindow per client on swapi.dev (DRF's anonymous throttle, a
	// sliding window). swapi.py4e.com removed its throttle in December 2023: it has no limit.
	DRFLimit  = 10000
	DRFWindow = 24 * time.Hour
)

// maxClients bounds the clients a limit remembers; past it, clients whose window has ended
// are forgotten.
const maxClients = 4096

var techTooMany = newBody([]byte("Maximum requests reached. Try again later."))

// limiter is a live profile's limit. admit counts a request of client at now and returns how
// long to delay it, or the answer refusing it; header holds headers for every answer. counts
// tells whether the limit applies to r at all.
type limiter interface {
	counts(r *http.Request) bool
	admit(client string, now time.Time) (delay time.Duration, refuse *response, header http.Header)
	reset()
}

// newLimiter is the live limit of dialect d with durations multiplied by scale; nil for none.
func newLiveLimiter(d dialect, scale float64) limiter {
	sc := func(x time.Duration) time.Duration { return time.Duration(float64(x) * scale) }
	switch {
	case d == dialectTech:
		return &techLimiter{window: sc(TechWindow), step: sc(TechDelayStep),
			retryAfter: strconv.FormatInt(max(1, int64(math.Ceil(TechWindow.Seconds()*scale))), 10)}
	case d == dialectDev:
		return &drfLimiter{window: sc(DRFWindow)}
	}
	return nil
}

// techLimiter is swapi.tech's express-rate-limit and express-slow-down on its /api router, for
// GETs: a count per client in fixed windows of one clock for all clients (a memory store reset
// every window), from the first request. It states no X-RateLimit-Reset.
type techLimiter struct {
	window, step time.Duration
	retryAfter   string

	mu    sync.Mutex
	start time.Time      // the current window's start; zero before the first request
	seen  map[string]int // each client's requests in the current window
}

func (l *techLimiter) counts(r *http.Request) bool {
	return r.Method == http.MethodGet && (r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/"))
}

func (l *techLimiter) admit(client string, now time.Time) (time.Duration, *response, http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := now.Sub(l.start); l.start.IsZero() || d >= l.window {
		if l.start.IsZero() {
			l.start = now
		} else {
			l.start = l.start.Add(d.Truncate(l.window))
		}
		l.seen = map[string]int{}
	}
	if _, ok := l.seen[client]; !ok && len(l.seen) >= maxClients {
		client = "" // past maxClients, new clients share one count until the window ends
	}
	l.seen[client]++
	n := l.seen[client]
	h := http.Header{
		"X-Ratelimit-Limit":     {strconv.Itoa(TechLimit)},
		"X-Ratelimit-Remaining": {strconv.Itoa(max(0, TechLimit-n))},
	}
	if n > TechLimit {
		h.Set("Retry-After", l.retryAfter)
		h.Set("Access-Control-Allow-Origin", "*")
		return 0, &response{status: http.StatusTooManyRequests, ctype: htmlUTF8Type, body: techTooMany, header: h}, nil
	}
	if n <= TechDelayAfter {
		return 0, nil, h
	}
	return time.Duration(n-TechDelayAfter) * l.step, nil, h
}

func (l *techLimiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.start, l.seen = time.Time{}, nil
}

// drfLimiter is DRF's AnonRateThrottle: at most DRFLimit requests in any window per client.
type drfLimiter struct {
	window time.Duration

	mu      sync.Mutex
	history map[string][]time.Time // oldest first
}

func (l *drfLimiter) counts(*http.Request) bool { return true }

func (l *drfLimiter) admit(client string, now time.Time) (time.Duration, *response, http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.history == nil {
		l.history = map[string][]time.Time{}
	}
	if len(l.history) >= maxClients {
		for k, h := range l.history {
			if now.Sub(h[len(h)-1]) >= l.window {
				delete(l.history, k)
			}
		}
	}
	h := l.history[client]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= l.window {
		i++
	}
	h = h[i:]
	if len(h) >= DRFLimit {
		l.history[client] = h
		wait := (l.window - now.Sub(h[0])) / time.Duration(DRFLimit-len(h)+1)
		secs := max(1, int64(math.Ceil(wait.Seconds())))
		return 0, throttled(secs), nil
	}
	l.history[client] = append(h, now)
	return 0, nil, nil
}

func (l *drfLimiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.history = nil
}

// throttled is DRF's 429 answer: Retry-After in whole seconds and its detail.
func throttled(secs int64) *response {
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	b := fmt.Appendf(nil, `{"detail":"Request was throttled. Expected available in %d %s."}`, secs, unit)
	return &response{status: http.StatusTooManyRequests, ctype: jsonType, body: newBody(b),
		header: http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}}
}

// clientOf is the client a live limit counts r against: its remote IP.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
