package crawl

// This file owns what a crawl says of its long waits for one host: its robots.txt
// Crawl-delay, and its rests after a 429 or 503 with a Retry-After.

import (
	"fmt"
	"io"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// WaitNoticeAfter is the shortest wait for a host that Output.OnWait is told of.
const WaitNoticeAfter = fetcher.QuotaNoticeAfter

// Wait is one wait of a crawl before a host's next request.
type Wait struct {
	Host  string        // the host and port, lowercased
	Wait  time.Duration // how long its next request waits
	Until time.Time     // when the wait ends
	// Status is the answer the host rests after (429 or 503); 0 when the wait is its
	// robots.txt's Crawl-delay.
	Status int
	// Asked is what the host asked for: its Crawl-delay, or its Retry-After (0 without one).
	// Cut, when not zero, is the longest wait a crawl takes (fetcher.Config.MaxRetryAfter), to
	// which Asked was cut.
	Asked, Cut time.Duration
}

// String says w in a line: "127.0.0.1:8080 answered 503 with Retry-After 1h0m0s, cut to the
// longest wait allowed (1m0s); resting the host 1m0s, until 15:04:05".
func (w Wait) String() string {
	host := textsafe.Sanitize(w.Host)
	asked := w.Asked.String()
	if w.Cut > 0 {
		asked += fmt.Sprintf(", cut to the longest wait allowed (%s)", w.Cut)
	}
	wait, until := w.Wait.Round(time.Second), w.Until.Format(time.TimeOnly)
	if w.Wait >= 24*time.Hour {
		until = w.Until.Format(time.DateTime)
	}
	switch {
	case w.Status == 0:
		return fmt.Sprintf("%s: its robots.txt asks for a Crawl-delay of %s; waiting %s before its next request, until %s", host, asked, wait, until)
	case w.Asked > 0:
		return fmt.Sprintf("%s answered %d with Retry-After %s; resting the host %s, until %s", host, w.Status, asked, wait, until)
	}
	return fmt.Sprintf("%s answered %d; resting the host %s, until %s", host, w.Status, wait, until)
}

// WaitLines is the Output.OnWait that writes each wait to w as one line after prefix; it is
// safe for concurrent use when w's Write is.
func WaitLines(w io.Writer, prefix string) func(Wait) {
	return func(wt Wait) { fmt.Fprintln(w, prefix+wt.String()) }
}

// rest is why a host rests: the status it answered and the Retry-After it asked for.
type rest struct {
	status int
	asked  time.Duration
}

// waitOf is the Wait of h until until, seen at now, and whether it is long enough to tell;
// f.mu is held.
func (f *frontier) waitOf(h *host, until, now time.Time) (Wait, bool) {
	w := Wait{Host: h.key, Wait: until.Sub(now), Until: until}
	if w.Wait <= WaitNoticeAfter {
		return Wait{}, false
	}
	if h.rest != nil && !h.notBefore.Before(until) {
		w.Status, w.Asked = h.rest.status, h.rest.asked
		if w.Asked > f.opt.maxWait {
			w.Cut = f.opt.maxWait
		}
		return w, true
	}
	if h.group != nil {
		w.Asked = h.group.CrawlDelay
		if w.Asked > h.delay {
			w.Cut = h.delay
		}
	}
	return w, true
}
