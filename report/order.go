package report

import (
	"fmt"
	"strconv"
	"strings"
)

// Order bias: latency that grows with each run of a comparison, whatever the strategy, is the
// mark of a stateful server (swapi.tech slows every request after its 5th in a window) taxing
// the later runs for the earlier ones.
const (
	biasMinRuns = 3   // runs needed to call a growth steady
	biasStep    = 1.2 // each run's p50 at least this times the previous one's
	biasTotal   = 2.0 // and the last's at least this times the first's
	biasFloorMS = 10  // and each run's p50 at least this many ms above the previous one's
)

// OrderBias returns a line saying that p50 latency grew steadily with run order, and what to do
// about it, when it did: over at least three runs, each run's p50 at least 20 % above the
// previous one's (and 10 ms, above a loaded machine's jitter) and the last at least twice the
// first. "" otherwise.
func (c Comparison) OrderBias() string {
	s := c.Summaries
	if len(s) < biasMinRuns || s[0].LatencyP50MS <= 0 {
		return ""
	}
	for i := 1; i < len(s); i++ {
		if s[i].LatencyP50MS < max(biasStep*s[i-1].LatencyP50MS, s[i-1].LatencyP50MS+biasFloorMS) {
			return ""
		}
	}
	if s[len(s)-1].LatencyP50MS < biasTotal*s[0].LatencyP50MS {
		return ""
	}
	p50s := make([]string, len(s))
	names := make([]string, len(s))
	for i, sum := range s {
		p50s[i] = fmtMS(sum.LatencyP50MS)
		names[i] = string(sum.Strategy)
	}
	return fmt.Sprintf("run order: p50 latency grew with every run (%s, running %s in that order), whatever the strategy: "+
		"the server may be stateful (a slow-down or a quota) and tax each run for the ones before it; "+
		"rerun with %s, which rotates the order",
		strings.Join(p50s, " → "), strings.Join(names, ", "),
		c.OptionNamer.Option("session.Plan.Repeat", strconv.Itoa(len(s)), fmt.Sprintf("%d repetitions", len(s))))
}

// fmtMS writes a latency in milliseconds as 850ms or 2.5s.
func fmtMS(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	return fmt.Sprintf("%.0fms", ms)
}
