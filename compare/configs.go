package compare

// This file owns turning the chosen strategies and their levels into a comparison's runs.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/plural"
	"github.com/fetchbench/fetchbench/swapi"
)

// Configs are a comparison's runs: for each strategy in order, one config per level of its
// sweep (Strategy.Levels of knobs, slots and rates), each a copy of base with that strategy
// and its limits.
func Configs(base fetcher.Config, strategies []fetcher.Strategy, knobs fetcher.Knobs, slots []int, rates []float64) []fetcher.Config {
	var configs []fetcher.Config
	for _, s := range strategies {
		for _, k := range s.Levels(knobs, slots, rates) {
			c := base
			c.Strategy, c.Limits = s, s.Limits(k)
			configs = append(configs, c)
		}
	}
	return configs
}

// Plan is Configs with the quota and capacity every run shares: each respects the server's
// stated quota as quota says, or when quota is nil as its strategy does by default
// (Strategy.RespectsQuota); capacity is the server's known capacity (0 unknown). Discovery is
// the config the list pages are read with: base with the politest of the configs' strategies
// and limits, respecting the quota when any config does. Every record is named by the SWAPI
// name scan (swapi.Namer).
func Plan(base fetcher.Config, strategies []fetcher.Strategy, knobs fetcher.Knobs, slots []int, rates []float64, quota *bool, capacity int) (configs []fetcher.Config, discovery fetcher.Config) {
	base.Namer = swapi.Namer{}
	configs = Configs(base, strategies, knobs, slots, rates)
	for i, c := range configs {
		configs[i].RespectQuota = c.Strategy.RespectsQuota()
		if quota != nil {
			configs[i].RespectQuota = *quota
		}
		configs[i].Capacity = capacity
	}
	discovery = base
	discovery.Strategy, discovery.Limits = fetcher.Politest(configs)
	discovery.RespectQuota = slices.ContainsFunc(configs, func(c fetcher.Config) bool { return c.RespectQuota })
	return configs, discovery
}

// LongRun is how long pacing must make a run before PacingNote speaks.
const LongRun = time.Minute

// PacingNote is one line saying how long the rates of configs alone make their runs over n
// requests each, repeat times, when that is more than LongRun: "ratelimit at 0.001 req/s
// (burst 1) takes at least 5h16m39s for 20 requests". "" when it is shorter or nothing is
// paced.
func PacingNote(configs []fetcher.Config, n, repeat int) string {
	var total time.Duration
	var parts []string
	for _, c := range configs {
		w := min(c.Limits.PacedWall(n), maxWall)
		if w == 0 {
			continue
		}
		total = min(total+w, maxWall) // each is at most maxWall: no overflow
		parts = append(parts, fmt.Sprintf("%s at %s req/s (burst %d)", c.Strategy, num(c.Limits.Rate), max(c.Limits.Burst, 1)))
	}
	if repeat > 1 {
		total = time.Duration(min(float64(total)*float64(repeat), float64(maxWall)))
	}
	if total <= LongRun {
		return ""
	}
	how := "takes"
	if len(parts) > 1 || repeat > 1 {
		how = "take"
	}
	rep := ""
	if repeat > 1 {
		rep = fmt.Sprintf(", %d times,", repeat)
	}
	return fmt.Sprintf("%s%s %s %s for %s", strings.Join(parts, ", then "), rep, how, atLeast(total), plural.N(n, "request", "requests"))
}

// PacingNoteEach is PacingNote when the number of requests is not known in advance: one line
// saying how long each request past the burst waits for its start under c, when that is more
// than LongRun, else "".
func PacingNoteEach(c fetcher.Config) string {
	burst := max(c.Limits.Burst, 1)
	gap := c.Limits.PacedWall(burst + 1)
	if gap <= LongRun {
		return ""
	}
	first := "the first request"
	if burst > 1 {
		first = fmt.Sprintf("the first %d requests", burst)
	}
	return fmt.Sprintf("%s at %s req/s: every request after %s waits %s for its start", c.Strategy, num(c.Limits.Rate), first, span(gap))
}

// maxWall is the longest time PacingNote names; longer ones read "more than 100 years".
const maxWall = 100 * 365 * 24 * time.Hour

// atLeast formats d to the second: "at least 16m40s", or "more than 100 years".
func atLeast(d time.Duration) string {
	if d >= maxWall {
		return span(d)
	}
	return "at least " + span(d)
}

// span formats d to the second: "16m40s", or "more than 100 years".
func span(d time.Duration) string {
	if d >= maxWall {
		return "more than 100 years"
	}
	return d.Round(time.Second).String()
}

// num formats a configuration number without exponent or trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Rotate returns configs rotated left by k (modulo their number): repetition k of a comparison
// starts with its k-th run, so that over len(configs) repetitions every run takes every place
// in the order, and a stateful server (a slow-down, a quota) taxes each alike.
func Rotate(configs []fetcher.Config, k int) []fetcher.Config {
	if len(configs) == 0 {
		return nil
	}
	k %= len(configs)
	return append(append([]fetcher.Config(nil), configs[k:]...), configs[:k]...)
}
