package report

import (
	"errors"
	"fmt"
	"github.com/fetchbench/fetchbench/internal/plural"
	"strconv"
	"strings"
	"time"
)

// Threshold is one condition that fails a run when it holds for any strategy, e.g. "p99>500ms".
type Threshold struct {
	Metric string  // one of ThresholdMetrics
	Op     string  // ">", ">=", "<" or "<="
	Value  float64 // milliseconds for duration metrics, a plain number otherwise
	Text   string  // the condition as written
}

// metric reads one number from a summary; dur marks values in milliseconds.
type metric struct {
	get func(*Summary) float64
	dur bool
}

var metrics = map[string]metric{
	"errors":     {get: func(s *Summary) float64 { return float64(s.Errors) }},
	"error_rate": {get: func(s *Summary) float64 { return ratio(s.Errors, s.Requests) }},
	"ok":         {get: func(s *Summary) float64 { return float64(s.OK) }},
	"rps":        {get: func(s *Summary) float64 { return s.ReqPerSec }},
	"efficiency": {get: func(s *Summary) float64 { return s.Efficiency }},
	"speedup":    {get: func(s *Summary) float64 { return s.Speedup }},
	"wall":       {get: func(s *Summary) float64 { return s.WallMS }, dur: true},
	"mean":       {get: func(s *Summary) float64 { return s.LatencyMeanMS }, dur: true},
	"p50":        {get: func(s *Summary) float64 { return s.LatencyP50MS }, dur: true},
	"p90":        {get: func(s *Summary) float64 { return s.LatencyP90MS }, dur: true},
	"p95":        {get: func(s *Summary) float64 { return s.LatencyP95MS }, dur: true},
	"p99":        {get: func(s *Summary) float64 { return s.LatencyP99MS }, dur: true},
	"p999":       {get: func(s *Summary) float64 { return s.LatencyP999MS }, dur: true},
	"max":        {get: func(s *Summary) float64 { return s.LatencyMaxMS }, dur: true},
}

// ThresholdMetrics lists the metric names ParseThresholds accepts.
var ThresholdMetrics = []string{"errors", "error_rate", "ok", "rps", "efficiency", "speedup", "wall", "mean", "p50", "p90", "p95", "p99", "p999", "max"}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// ErrThreshold is wrapped by every error of ParseThresholds.
var ErrThreshold = errors.New("bad threshold")

// ParseThresholds parses a comma list of conditions "metric op value". Duration metrics take a
// Go duration ("500ms", "1.5s"); error_rate takes a fraction or a percentage ("0.01", "1%").
// An empty string gives no thresholds.
func ParseThresholds(s string) ([]Threshold, error) {
	var out []Threshold
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		i := strings.IndexAny(part, "<>")
		if i < 0 {
			return nil, fmt.Errorf("%w %q: want metric>value or metric<value", ErrThreshold, part)
		}
		name := strings.TrimSpace(part[:i])
		op := part[i : i+1]
		rest := part[i+1:]
		if strings.HasPrefix(rest, "=") {
			op += "="
			rest = rest[1:]
		}
		rest = strings.TrimSpace(rest)
		m, ok := metrics[name]
		if !ok {
			return nil, fmt.Errorf("%w %q: unknown metric %q (want %s)", ErrThreshold, part, name, strings.Join(ThresholdMetrics, ", "))
		}
		v, err := thresholdValue(name, m, rest)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrThreshold, part, err)
		}
		out = append(out, Threshold{Metric: name, Op: op, Value: v, Text: name + op + rest})
	}
	return out, nil
}

func thresholdValue(name string, m metric, s string) (float64, error) {
	if m.dur {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%s wants a duration such as 500ms: %q", name, s)
		}
		return float64(d) / float64(time.Millisecond), nil
	}
	scale := 1.0
	if name == "error_rate" && strings.HasSuffix(s, "%") {
		s, scale = strings.TrimSuffix(s, "%"), 0.01
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v > 1e300 || v < -1e300 {
		return 0, fmt.Errorf("%s wants a number: %q", name, s)
	}
	return v * scale, nil
}

// Holds reports whether the condition is true for s (a breach). Speedup and efficiency are
// unknown (never breach) when 0: no sequential run to compare with, or no wall time.
func (t Threshold) Holds(s *Summary) bool {
	m, ok := metrics[t.Metric]
	if !ok {
		return false
	}
	v := m.get(s)
	if v == 0 && (t.Metric == "speedup" || t.Metric == "efficiency") {
		return false
	}
	switch t.Op {
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	}
	return false
}

// Breach is a threshold that held for a strategy.
type Breach struct {
	Strategy  string
	Threshold Threshold
	Actual    float64 // the metric's value, in the threshold's unit
}

// String reads like "semaphore: p99>500ms (p99 = 612ms)".
func (b Breach) String() string {
	actual := strconv.FormatFloat(b.Actual, 'g', 4, 64)
	if metrics[b.Threshold.Metric].dur {
		actual = humanMS(b.Actual)
	}
	return fmt.Sprintf("%s: %s (%s = %s)", b.Strategy, b.Threshold.Text, b.Threshold.Metric, actual)
}

// CheckThresholds returns every (strategy, threshold) pair that breached, in order.
func CheckThresholds(ths []Threshold, sums []Summary) []Breach {
	var out []Breach
	for i := range sums {
		for _, t := range ths {
			if t.Holds(&sums[i]) {
				out = append(out, Breach{Strategy: string(sums[i].Strategy), Threshold: t, Actual: metrics[t.Metric].get(&sums[i])})
			}
		}
	}
	return out
}

// Failures lists, one line each, every run whose deadline passed and every threshold breached
// (see CheckThresholds): "semaphore: deadline exceeded (3 of 20 requests cancelled)",
// "threshold breached: semaphore: errors>0 (errors = 1)". Strategy names are sanitized.
func (c Comparison) Failures(ths []Threshold) []string {
	var out []string
	for _, s := range c.Summaries {
		if s.DeadlineExceeded {
			out = append(out, fmt.Sprintf("%s: deadline exceeded (%d of %s cancelled)", Sanitize(string(s.Strategy)), s.Cancelled, plural.N(s.Requests, "request", "requests")))
		}
	}
	for _, b := range CheckThresholds(ths, c.Summaries) {
		out = append(out, "threshold breached: "+b.String())
	}
	return out
}
