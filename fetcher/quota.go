package fetcher

// This file owns the server's quota: reading its headers, and the gate that keeps a run
// within it.

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/fetchbench/fetchbench/internal/waitctx"
)

// Quota is what a server says of its request quota in one response's headers.
type Quota struct {
	// Limit is the requests its policy allows per Window; 0 when not said.
	Limit int
	// Window is the policy's window; 0 when not said.
	Window time.Duration
	// Remaining is how many more requests it accepts before Reset.
	Remaining int
	// Reset is how long after the response the quota is restored; 0 when not said or within
	// the second.
	Reset time.Duration
}

// ParseQuota reads the quota h states at now, from the first of these that is present:
// RateLimit with RateLimit-Policy as draft-ietf-httpapi-ratelimit-headers has them since
// draft 9 (RateLimit: "p";r=5;t=30 and RateLimit-Policy: "p";q=100;w=60, the member with
// the fewest remaining chosen), its earlier forms (RateLimit: limit=100, remaining=5,
// reset=30, or RateLimit-Limit, -Remaining and -Reset, with RateLimit-Policy: 100;w=60), and
// X-RateLimit-Limit, -Remaining and -Reset, whose Reset is seconds from now or, past 10⁹, a
// Unix time in seconds or, past 10¹¹, in milliseconds. A reset beyond what a Duration holds
// (292 years) is taken as that far. ok is false when h states no remaining count.
func ParseQuota(h http.Header, now time.Time) (q Quota, ok bool) {
	if v := h.Get("RateLimit"); v != "" {
		if q, ok = parseRateLimit(v, h.Get("RateLimit-Policy")); ok {
			return q, true
		}
	}
	// The draft's fields come with a policy field; the older X- fields never do.
	for _, fields := range []struct{ prefix, policy string }{{"RateLimit-", "RateLimit-Policy"}, {"X-RateLimit-", ""}} {
		prefix := fields.prefix
		r, err := strconv.Atoi(strings.TrimSpace(h.Get(prefix + "Remaining")))
		if err != nil || r < 0 {
			continue
		}
		q = Quota{Remaining: r}
		if l, err := strconv.Atoi(strings.TrimSpace(h.Get(prefix + "Limit"))); err == nil && l > 0 {
			q.Limit = l
		}
		if t, err := strconv.ParseInt(strings.TrimSpace(h.Get(prefix+"Reset")), 10, 64); err == nil && t > 0 {
			q.Reset = resetIn(t, now)
		}
		if fields.policy != "" {
			q.Limit, q.Window = policy(h.Get(fields.policy), "", q.Limit)
		}
		return q, true
	}
	return Quota{}, false
}

// parseRateLimit reads a RateLimit field (either form) with its policy field.
func parseRateLimit(v, pol string) (Quota, bool) {
	var best Quota
	found := false
	ms := members(v)
	if len(ms) > 0 && (ms[0].name == "limit" || ms[0].name == "remaining" || ms[0].name == "reset") {
		one := member{params: map[string]string{}} // the draft-8 dictionary: one quota
		for _, m := range ms {
			for k, x := range m.params {
				one.params[k] = x
			}
		}
		ms = []member{one}
	}
	for _, m := range ms {
		r, rok := m.int("r", "remaining")
		if !rok || r < 0 {
			continue
		}
		if found && r >= best.Remaining {
			continue
		}
		q := Quota{Remaining: r}
		if t, ok := m.int("t", "reset"); ok && t > 0 {
			q.Reset = seconds(int64(t))
		}
		l, _ := m.int("limit")
		q.Limit, q.Window = policy(pol, m.name, l)
		best, found = q, true
	}
	return best, found
}

// policy is the quota and window of the member of a RateLimit-Policy field named name (or
// its first member when none has the name); limit when it says none.
func policy(v, name string, limit int) (int, time.Duration) {
	ms := members(v)
	if len(ms) == 0 {
		return limit, 0
	}
	m := ms[0]
	for _, x := range ms {
		if name != "" && x.name == name {
			m = x
			break
		}
	}
	q, ok := m.int("q")
	if !ok {
		q, ok = m.int("")
	}
	if !ok || q <= 0 {
		q = limit
	}
	var w time.Duration
	if s, ok := m.int("w"); ok && s > 0 {
		w = seconds(int64(s))
	}
	return q, w
}

// member is one member of a structured header list or dictionary: its name (a string
// item, or the key of a key=value item) and its parameters; a bare value is under "".
type member struct {
	name   string
	params map[string]string
}

// members splits a structured field loosely: members by ",", parameters by ";".
func members(v string) []member {
	var out []member
	for _, raw := range strings.Split(v, ",") {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		parts := strings.Split(raw, ";")
		m := member{params: map[string]string{}}
		for i, p := range parts {
			k, val, kv := strings.Cut(strings.TrimSpace(p), "=")
			k = strings.ToLower(strings.TrimSpace(k))
			switch {
			case i == 0 && !kv:
				if s := strings.Trim(k, `"`); s != k {
					m.name = s
				} else {
					m.params[""] = k
				}
			case kv:
				m.params[k] = strings.Trim(strings.TrimSpace(val), `"`)
				if i == 0 {
					m.name = k
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// int is the first of the parameters keys that holds an integer.
func (m member) int(keys ...string) (int, bool) {
	for _, k := range keys {
		if v, ok := m.params[k]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

func seconds(s int64) time.Duration { return time.Duration(min(s, 1<<31)) * time.Second }

// resetIn is how long after now a Reset field's value t (> 0) restores the quota: t seconds,
// or, past 10⁹, the Unix time t in seconds, or, past 10¹¹ (the year 5138 in seconds, 1973 in
// milliseconds), in milliseconds; never negative, and math.MaxInt64 (292 years) at most.
func resetIn(t int64, now time.Time) time.Duration {
	switch {
	case t <= 1e9:
		return seconds(t)
	case t < 1e11:
		return time.Duration(max(0, t-now.Unix())) * time.Second // < 10¹¹ s: no overflow
	}
	ms := max(0, t-now.UnixMilli()) // t ≤ MaxInt64 and now.UnixMilli() > 0: no overflow
	if ms > math.MaxInt64/int64(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(ms) * time.Millisecond
}

// QuotaWait is one wait for a server's quota: for its reset, or for its policy's pace.
type QuotaWait struct {
	Wait  time.Duration // how long the run waits
	Until time.Time     // when the wait ends
	Quota Quota         // what the server said last, Remaining less the requests started since
	// Pace is set when the wait is for the policy's pace (Quota.Limit per Quota.Window)
	// rather than for the quota's reset.
	Pace bool
	// Status, when not 0, is the status (429 or 503) of an answer whose Retry-After the run
	// waits for, rather than for its quota; Quota is then zero.
	Status int
}

// QuotaNoticeAfter is the shortest wait for a policy's pace that Config.OnQuotaWait is told
// of; every wait for a reset is told.
const QuotaNoticeAfter = 5 * time.Second

// QuotaWaitLines is the Config.OnQuotaWait of a run of s that writes one line to w per wait
// for the server's quota, saying what it waits for and until when.
func QuotaWaitLines(w io.Writer, s Strategy) func(QuotaWait) {
	return func(q QuotaWait) {
		wait, until := whole(q.Wait), clock(q.Until, q.Wait)
		if q.Status != 0 {
			fmt.Fprintf(w, "fetchbench: %s: the server answered %d with Retry-After; waiting %s, until %s (later such waits are not told)\n", s, q.Status, wait, until)
			return
		}
		if q.Pace {
			fmt.Fprintf(w, "fetchbench: %s: %s; waiting %s before the next request, until %s\n", s, q.said(), wait, until)
			return
		}
		fmt.Fprintf(w, "fetchbench: %s: %s; waiting %s for it to reset, until %s\n", s, q.said(), wait, until)
	}
}

// said is what the server said that makes q wait: its policy, or its spent quota.
func (q QuotaWait) said() string {
	if q.Pace {
		return fmt.Sprintf("the server's quota policy allows %d per %s", q.Quota.Limit, q.Quota.Window)
	}
	left := fmt.Sprintf("%d left", q.Quota.Remaining)
	if q.Quota.Limit > 0 {
		left = fmt.Sprintf("%d of %d left", q.Quota.Remaining, q.Quota.Limit)
	}
	return fmt.Sprintf("the server's quota is spent (%s)", left)
}

// whole is d rounded to the second, or cut to it where rounding up would overflow.
func whole(d time.Duration) time.Duration {
	if d > math.MaxInt64-time.Second {
		return d.Truncate(time.Second)
	}
	return d.Round(time.Second)
}

// clock is t as a wait of d ends: the time of day within a day, else the date too (local time).
func clock(t time.Time, d time.Duration) string {
	if d < 24*time.Hour {
		return t.Format(time.TimeOnly)
	}
	return t.Format(time.DateTime)
}

// QuotaWaitError is the error of a run stopped because the server's stated quota asked for a
// wait longer than Config.MaxQuotaWait: the wait it refused. It Is ErrUnfinished: a record
// was streamed for every item, those not started marked cancelled.
type QuotaWaitError struct {
	QuotaWait
	Max time.Duration // the longest wait allowed
}

func (e *QuotaWaitError) Error() string {
	what := "for it to reset"
	if e.Pace {
		what = "before the next request"
	}
	return fmt.Sprintf("%s: it asks for a wait of %s %s, until %s, longer than the %s a quota wait may last",
		e.said(), whole(e.Wait), what, clock(e.Until, e.Wait), e.Max)
}

// Is reports whether target is ErrUnfinished.
func (e *QuotaWaitError) Is(target error) bool { return target == ErrUnfinished }

// quotaGate keeps a run within the server's quota: before each attempt, take waits until
// the quota allows it. It never lets more attempts start than the server said remain before
// its reset (counting the requests in flight as already spent), waits for the reset when
// they are spent, and, when the server states a policy of Limit per Window, starts no faster
// than that on average, in bursts no larger than the most it ever said remained. A server
// that states what remains but not when it is restored (swapi.tech) is taken to restore it
// window after the first answer the gate saw since the last reset, when window is known. A
// wait longer than most is refused with a *QuotaWaitError. It is safe for concurrent use; a
// server that states no quota is never waited for.
type quotaGate struct {
	onWait func(QuotaWait)
	window time.Duration // the quota's window when answers state no reset; 0: unknown
	most   time.Duration // the longest wait taken

	mu      sync.Mutex
	known   bool      // avail and resetAt hold
	avail   int       // starts allowed before resetAt
	gen     int       // changes whenever a response sets avail or resetAt
	resetAt time.Time // when the quota is restored
	last    Quota
	told    time.Time // the reset last reported through onWait
	bucket  *rate.Limiter
	peak    int // the largest remaining ever stated, plus one
}

func newQuotaGate(onWait func(QuotaWait), window, most time.Duration) *quotaGate {
	return &quotaGate{onWait: onWait, window: window, most: most}
}

// observe takes in the quota stated by a response received at now while inFlight other
// requests were on the wire.
func (g *quotaGate) observe(q Quota, inFlight int, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	wasKnown, wasAvail, wasReset := g.known, g.avail, g.resetAt
	defer func() {
		if g.known != wasKnown || g.avail != wasAvail || !g.resetAt.Equal(wasReset) {
			g.gen++
		}
	}()
	avail, resetAt := q.Remaining-inFlight, now.Add(q.Reset)
	inferred := q.Reset == 0 && g.window > 0
	switch {
	case inferred && !g.known:
		g.avail, g.resetAt, g.known = avail, now.Add(g.window), true
	case inferred:
		g.avail = min(g.avail, avail)
	case !g.known || resetAt.After(g.resetAt.Add(time.Second)):
		g.avail, g.resetAt, g.known = avail, resetAt, true
	default:
		g.avail = min(g.avail, avail)
		g.resetAt = later(g.resetAt, resetAt)
	}
	g.last = q
	g.peak = max(g.peak, q.Remaining+1)
	if q.Limit > 0 && q.Window > 0 {
		r := rate.Limit(float64(q.Limit) / q.Window.Seconds())
		burst := max(1, min(q.Limit, g.peak))
		if g.bucket == nil {
			g.bucket = rate.NewLimiter(r, burst)
		} else {
			g.bucket.SetLimitAt(now, r)
			g.bucket.SetBurstAt(now, burst)
		}
	}
}

// giveBack returns the start a take counted (counted) and did not make, unless a response has
// set the count since (gen): then the server's own count holds.
func (g *quotaGate) giveBack(counted bool, gen int) {
	if !counted {
		return
	}
	g.mu.Lock()
	if g.known && g.gen == gen {
		g.avail++
	}
	g.mu.Unlock()
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// take waits until the quota allows one more attempt, or ctx is done, and returns the time
// it waited. It tells onWait of every wait for a reset (once per reset) and of every wait for
// the policy's pace longer than QuotaNoticeAfter, and refuses a wait longer than g.most with
// a *QuotaWaitError, before waiting.
func (g *quotaGate) take(ctx context.Context) (time.Duration, error) {
	begin := time.Now()
	for {
		g.mu.Lock()
		now := time.Now()
		if g.known && !now.Before(g.resetAt) {
			g.known = false
		}
		last := g.last
		if !g.known || g.avail > 0 {
			counted, gen := g.known, g.gen
			if counted {
				g.avail--
			}
			bucket := g.bucket
			g.mu.Unlock()
			if bucket == nil {
				return time.Since(begin), nil
			}
			res := bucket.ReserveN(now, 1)
			d := res.DelayFrom(now)
			if d <= 0 {
				return time.Since(begin), nil
			}
			w := QuotaWait{Wait: d, Until: now.Add(d), Quota: last, Pace: true}
			if d > g.most {
				res.Cancel()
				g.giveBack(counted, gen)
				return time.Since(begin), &QuotaWaitError{QuotaWait: w, Max: g.most}
			}
			if d > QuotaNoticeAfter && g.onWait != nil {
				g.onWait(w)
			}
			if !waitctx.Sleep(ctx, d) {
				res.Cancel()
				g.giveBack(counted, gen)
				return time.Since(begin), ctx.Err()
			}
			return time.Since(begin), nil
		}
		wait, resetAt, tell := g.resetAt.Sub(now), g.resetAt, !g.told.Equal(g.resetAt)
		last.Remaining = max(0, min(last.Remaining, g.avail))
		w := QuotaWait{Wait: wait, Until: resetAt, Quota: last}
		if wait > g.most {
			g.mu.Unlock()
			return time.Since(begin), &QuotaWaitError{QuotaWait: w, Max: g.most}
		}
		g.told = resetAt
		g.mu.Unlock()
		if tell && g.onWait != nil {
			g.onWait(w)
		}
		if !waitctx.Sleep(ctx, wait) {
			return time.Since(begin), ctx.Err()
		}
	}
}
