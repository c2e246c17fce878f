package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/plural"
)

// human formats d for people: "0", "850µs", "1.23ms", "12.3ms", "123ms", "2.05s".
// Below a second it keeps three significant digits; from a second up, two decimals.
func human(d time.Duration) string {
	us := d.Round(time.Microsecond) / time.Microsecond
	switch {
	case us == 0:
		return "0"
	case us < 0:
		return "-" + human(-d)
	case us < 1000:
		return strconv.FormatInt(int64(us), 10) + "µs"
	}
	ms := float64(us) / 1000
	switch {
	case ms < 9.995:
		return strconv.FormatFloat(ms, 'f', 2, 64) + "ms"
	case ms < 99.95:
		return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
	case ms < 999.5:
		return strconv.FormatFloat(ms, 'f', 0, 64) + "ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 2, 64) + "s"
}

// humanMS is human for a millisecond value.
func humanMS(ms float64) string { return human(dur(ms)) }

// rateString formats a per-second rate: three significant digits, no exponent.
func rateString(r float64) string {
	switch {
	case r < 9.995:
		return strconv.FormatFloat(r, 'f', 2, 64)
	case r < 99.95:
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// idealString formats an ideal wall, or "-" when there is none.
func idealString(ms float64) string {
	if ms <= 0 {
		return "-"
	}
	return humanMS(ms)
}

// speedupString formats a speedup as "4.9x", or "-" when unknown.
func speedupString(x float64) string {
	if x <= 0 {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', 1, 64) + "x"
}

// percent is e as a whole percentage, the one rounding both efficiency forms share.
func percent(e float64) int { return int(math.Round(e * 100)) }

// efficiencyString formats an efficiency as "0.97", or "-" when unknown; one that shows
// above 1.00, which measured records cannot give (see Summary.Impossible), is flagged "1.14!".
func efficiencyString(e float64) string {
	if e <= 0 {
		return "-"
	}
	p := percent(e)
	flag := ""
	if p > 100 {
		flag = "!"
	}
	return fmt.Sprintf("%d.%02d%s", p/100, p%100, flag)
}

// num formats a configuration number without exponent or trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Params is the short form of a summary's parameters: "-", "c=10", "r=10/s b=1",
// "r=10/s b=1 c=5"; for a limit that adapted, the limit it settled on: "c≈8".
func Params(s Summary) string {
	if s.LimitSettled > 0 {
		return "c≈" + strconv.Itoa(s.LimitSettled)
	}
	return s.Strategy.Params(s.Limits())
}

// Limits are the limits the summary's run had.
func (s Summary) Limits() fetcher.Limits {
	l := fetcher.Limits{Slots: s.Concurrency, Rate: s.Rate, Burst: s.Burst, Floor: s.MinConcurrency}
	if s.Strategy.Serial() {
		l.Slots = 1
	}
	return l
}

// strategyCell is the strategy name with a run-state mark, sanitized.
func strategyCell(s Summary) string {
	name := Sanitize(string(s.Strategy))
	switch {
	case s.Interrupted:
		return name + " (interrupted)"
	case s.DeadlineExceeded:
		return name + " (deadline)"
	case s.ManyLate():
		return name + " (late)"
	}
	return name
}

// DescribeDiscovery is one line on a discovery run (Comparison.Discovery): "discovery: 9
// list requests as ratelimit r=10/s b=1 c=4, 9 ok, in 803ms (p50 2.41ms)".
func DescribeDiscovery(s Summary) string {
	line := fmt.Sprintf("discovery: %s as %s %s, %d ok", plural.N(s.Requests, "list request", "list requests"), Sanitize(string(s.Strategy)), Params(s), s.OK)
	if s.Errors > 0 {
		line += fmt.Sprintf(", %d failed (%s)", s.Errors, errorList(s.ErrorClasses))
	}
	return line + fmt.Sprintf(", in %s (p50 %s)", humanMS(s.WallMS), humanMS(s.LatencyP50MS))
}

// Describe says in plain words what one strategy did, e.g.
// "semaphore: at most 10 in flight, 4.9x faster than sequential, 97% of ideal".
// Its text is sanitized for a terminal.
func Describe(s Summary) string {
	var parts []string
	if d := s.Strategy.Describe(s.Limits(), s.Requests, s.PeakInFlight); d != "" {
		parts = append(parts, d)
	}
	switch {
	case s.LimitSettled > 0 && s.Capacity > 0:
		parts = append(parts, fmt.Sprintf("settled at %d where the server serves %d at once", s.LimitSettled, s.Capacity))
	case s.LimitSettled > 0:
		parts = append(parts, fmt.Sprintf("settled at %d", s.LimitSettled))
	}
	parts = append(parts, plural.N(s.Requests, "request", "requests")+" in "+humanMS(s.WallMS))
	if s.Speedup > 0 && !s.Strategy.Baseline() {
		if s.Speedup >= 1 {
			parts = append(parts, speedupString(s.Speedup)+" faster than sequential")
		} else {
			parts = append(parts, speedupString(1/s.Speedup)+" slower than sequential")
		}
	}
	if s.Impossible() {
		parts = append(parts, fmt.Sprintf("%d%% of ideal — impossible: the ideal %s is longer than the wall %s, so the records do not come from one run as measured",
			percent(s.Efficiency), humanMS(s.IdealMS), humanMS(s.WallMS)))
	} else if s.Efficiency > 0 {
		parts = append(parts, fmt.Sprintf("%d%% of ideal", percent(s.Efficiency)))
	}
	line := Sanitize(string(s.Strategy)) + ": " + strings.Join(parts, ", ")
	var notes []string
	if s.Errors > 0 {
		notes = append(notes, "errors: "+errorList(s.ErrorClasses))
	}
	if s.ErrorSample != "" {
		notes = append(notes, "e.g. "+Sanitize(clip(s.ErrorSample, 100)))
	}
	if s.Retried > 0 {
		notes = append(notes, fmt.Sprintf("%d retried (%d attempts)", s.Retried, s.Attempts))
	}
	if s.LateStarts > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d started more than 1ms behind schedule, response p99 %s (latency p99 %s)",
			s.LateStarts, s.Requests, humanMS(s.ResponseP99MS), humanMS(s.LatencyP99MS)))
	}
	if t := transportNote(s); t != "" {
		notes = append(notes, t)
	}
	if s.DeadlineExceeded {
		notes = append(notes, "deadline exceeded")
	}
	if s.Interrupted {
		notes = append(notes, "interrupted")
	}
	if len(notes) > 0 {
		line += "; " + strings.Join(notes, "; ")
	}
	return line
}

// errorList lists error classes with their counts, known classes in fetcher.ErrorClasses
// order, then any others by name: "3 http 4xx, 1 timeout".
func errorList(classes map[fetcher.ErrorClass]int) string {
	var parts []string
	seen := make(map[fetcher.ErrorClass]bool, len(fetcher.ErrorClasses))
	for _, c := range fetcher.ErrorClasses {
		seen[c] = true
		if n := classes[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	var other []fetcher.ErrorClass
	for c, n := range classes {
		if !seen[c] && n > 0 {
			other = append(other, c)
		}
	}
	slices.Sort(other)
	for _, c := range other {
		name := string(c)
		if name == "" {
			name = "unclassified"
		}
		parts = append(parts, fmt.Sprintf("%d %s", classes[c], Sanitize(name)))
	}
	return strings.Join(parts, ", ")
}

// clip shortens s to at most n runes, marking a cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// transportNote names the protocols and connections of a run unless they are plain HTTP/1.1
// keep-alive: "HTTP/2.0: 100 requests over 1 connection". An unpaced HTTP/1.1 run is not kept
// alive when most of its requests opened a connection and it opened more than it ever had
// requests in flight (or slots); a paced run is not judged, its requests taking connections
// before their tokens. "" when the records do not say.
func transportNote(s Summary) string {
	total := 0
	for _, n := range s.Protocols {
		total += n
	}
	h1 := s.Protocols["HTTP/1.1"]
	closed := s.Rate == 0 && s.Connections > max(s.PeakInFlight, s.Concurrency, 1) && 2*s.Connections > total
	if total == 0 || (h1 == total && !closed) {
		return ""
	}
	names := slices.Collect(maps.Keys(s.Protocols))
	slices.SortFunc(names, func(a, b string) int {
		if c := s.Protocols[b] - s.Protocols[a]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	proto := Sanitize(names[0])
	if len(names) > 1 {
		var parts []string
		for _, n := range names {
			parts = append(parts, fmt.Sprintf("%d %s", s.Protocols[n], Sanitize(n)))
		}
		proto = strings.Join(parts, ", ")
	}
	line := fmt.Sprintf("%s: %s over %s", proto, plural.N(total, "request", "requests"), plural.N(s.Connections, "connection", "connections"))
	switch {
	case h1 == total:
		line += fmt.Sprintf(" for at most %d in flight: connections were not kept alive", s.PeakInFlight)
	case h1 == 0 && s.Connections < s.PeakInFlight:
		line += " (multiplexed: requests in flight share connections)"
	}
	return line
}

// ProxyLine says in one line which proxy the requests went through, "" when none did:
// "proxy: 20 of 20 requests went through http://127.0.0.1:3128 (...)".
func (c Comparison) ProxyLine() string {
	var proxies []string
	proxied, requests := 0, 0
	for _, s := range c.Summaries {
		requests += s.Requests
		proxied += s.Proxied
		if s.Proxy != "" && !slices.Contains(proxies, s.Proxy) {
			proxies = append(proxies, s.Proxy)
		}
	}
	if proxied == 0 {
		return ""
	}
	for i := range proxies {
		proxies[i] = Sanitize(proxies[i])
	}
	return fmt.Sprintf("proxy: %d of %d requests went through %s (HTTPS_PROXY / HTTP_PROXY from the environment; %s ignores them)",
		proxied, requests, strings.Join(proxies, ", "), c.OptionNamer.Option("fetcher.Config.NoProxy", "", "the no-proxy setting"))
}
