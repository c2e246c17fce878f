package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/fetchbench/fetchbench/fetcher"
)

// KneeShare is the share of the best throughput the knee of a sweep reaches.
const KneeShare = 0.9

// LittleTolerance is how far throughput may be from mean in-flight / mean latency for
// Little's law to count as holding.
const LittleTolerance = 0.1

// Sweep is the runs of one strategy at several levels of its parameter (semaphore slots, or
// ratelimit requests per second), in the order run, and what they show.
type Sweep struct {
	Strategy fetcher.Strategy `json:"strategy"`
	// Param is "c" (semaphore slots) or "r" (ratelimit requests per second).
	Param  string       `json:"param"`
	Levels []SweepLevel `json:"levels"`
	// Knee is the smallest level whose throughput reaches KneeShare of the best level's, 0
	// when the sweep shows none: when that is the highest level (throughput still grows) or
	// the best throughput is at the lowest level (more never helped). BestLevel is the level
	// of the best throughput, BestReqPerSec that throughput.
	Knee          float64 `json:"knee"`
	BestLevel     float64 `json:"best_level"`
	BestReqPerSec float64 `json:"best_req_per_sec"`
	// LittleHolds is set when Little's law holds at every level, within LittleTolerance.
	LittleHolds bool `json:"little_holds"`
}

// SweepLevel is one run of a sweep.
type SweepLevel struct {
	Level     float64 `json:"level"`
	ReqPerSec float64 `json:"req_per_sec"`
	// LatencyMeanMS and LatencyP50MS are the run's; MeanInFlight its time-average of requests
	// on the wire; LittleReqPerSec = MeanInFlight / mean latency, what Little's law predicts.
	LatencyMeanMS   float64 `json:"latency_mean_ms"`
	LatencyP50MS    float64 `json:"latency_p50_ms"`
	MeanInFlight    float64 `json:"mean_in_flight"`
	LittleReqPerSec float64 `json:"little_req_per_sec"`
}

// Sweeps finds the sweeps of c: each strategy run at two levels or more, in order of first
// appearance.
func Sweeps(c Comparison) []Sweep {
	var out []Sweep
	index := map[fetcher.Strategy]int{}
	for _, s := range c.Summaries {
		param, level, ok := sweepLevel(s)
		if !ok {
			continue
		}
		i, ok := index[s.Strategy]
		if !ok {
			i = len(out)
			index[s.Strategy] = i
			out = append(out, Sweep{Strategy: s.Strategy, Param: param, LittleHolds: true})
		}
		l := SweepLevel{Level: level, ReqPerSec: s.ReqPerSec, LatencyMeanMS: s.LatencyMeanMS, LatencyP50MS: s.LatencyP50MS, MeanInFlight: s.MeanInFlight}
		if s.LatencyMeanMS > 0 {
			l.LittleReqPerSec = round(s.MeanInFlight/s.LatencyMeanMS*1000, 3)
		}
		out[i].Levels = append(out[i].Levels, l)
	}
	var sweeps []Sweep
	for _, sw := range out {
		if len(sw.Levels) < 2 {
			continue
		}
		for i, l := range sw.Levels {
			if i == 0 || l.ReqPerSec > sw.BestReqPerSec {
				sw.BestReqPerSec, sw.BestLevel = l.ReqPerSec, l.Level
			}
			if l.ReqPerSec > 0 && math.Abs(l.LittleReqPerSec-l.ReqPerSec) > LittleTolerance*l.ReqPerSec {
				sw.LittleHolds = false
			}
		}
		sw.Knee = math.Inf(1)
		for _, l := range sw.Levels {
			if l.ReqPerSec >= KneeShare*sw.BestReqPerSec {
				sw.Knee = min(sw.Knee, l.Level)
			}
		}
		if lo, hi := sw.bounds(); sw.Knee == hi.Level || sw.BestLevel == lo.Level {
			sw.Knee = 0
		}
		sweeps = append(sweeps, sw)
	}
	return sweeps
}

// sweepLevel is the parameter a sweep of s's strategy varies ("c" or "r") and s's level of
// it; ok is false for a strategy without one.
func sweepLevel(s Summary) (param string, level float64, ok bool) {
	level, ok = s.Strategy.SweepLevel(s.Limits())
	return s.Strategy.SweepParam(), level, ok
}

// bounds are the sweep's lowest and highest levels.
func (sw Sweep) bounds() (lo, hi SweepLevel) {
	lo, hi = sw.Levels[0], sw.Levels[0]
	for _, l := range sw.Levels {
		if l.Level < lo.Level {
			lo = l
		}
		if l.Level > hi.Level {
			hi = l
		}
	}
	return lo, hi
}

// at is the sweep's level x.
func (sw Sweep) at(x float64) SweepLevel {
	for _, l := range sw.Levels {
		if l.Level == x {
			return l
		}
	}
	return sw.Levels[0]
}

// KneeText names the knee in a few words: "knee c=8", "no knee up to c=16", or "no knee:
// best at the lowest level, c=1".
func (sw Sweep) KneeText() string {
	p := func(x float64) string { return sw.Param + "=" + num(x) }
	lo, hi := sw.bounds()
	switch {
	case sw.Knee != 0:
		return "knee " + p(sw.Knee)
	case sw.BestLevel != lo.Level:
		return "no knee up to " + p(hi.Level)
	}
	return "no knee: best at the lowest level, " + p(lo.Level)
}

// Describe says in plain words what the sweep shows: its knee, whether more than the knee only
// queued, and whether Little's law held; or, without a knee, that throughput still grows at
// the highest level, or was best at the lowest. Its text is for a terminal.
func (sw Sweep) Describe() string {
	p := func(x float64) string { return sw.Param + "=" + num(x) }
	lo, hi := sw.bounds()
	best := sw.at(sw.BestLevel)
	example := best
	var b strings.Builder
	switch {
	case sw.Knee != 0:
		knee := sw.at(sw.Knee)
		example = knee
		fmt.Fprintf(&b, "%s sweep: the knee is %s, the smallest level with %d%% of the best throughput (%s of %s req/s)",
			sw.Strategy, p(sw.Knee), percent(KneeShare), rateString(knee.ReqPerSec), rateString(sw.BestReqPerSec))
		if hi.Level > sw.Knee {
			if knee.LatencyP50MS > 0 && hi.LatencyP50MS > 1.5*knee.LatencyP50MS {
				fmt.Fprintf(&b, "; beyond it p50 latency grows from %s to %s at %s while throughput stays: the extra requests only queue",
					humanMS(knee.LatencyP50MS), humanMS(hi.LatencyP50MS), p(hi.Level))
			} else {
				fmt.Fprintf(&b, "; beyond it throughput gains less than %d%%", percent(1-KneeShare))
			}
		}
	case sw.BestLevel != lo.Level:
		fmt.Fprintf(&b, "%s sweep: no knee up to %s: throughput still grows (%s req/s at %s, %s at %s) — try higher levels",
			sw.Strategy, p(hi.Level), rateString(hi.ReqPerSec), p(hi.Level), rateString(lo.ReqPerSec), p(lo.Level))
	default:
		fmt.Fprintf(&b, "%s sweep: no knee: the best throughput is at the lowest level, %s (%s req/s); higher levels do not raise it (%s req/s at %s)",
			sw.Strategy, p(lo.Level), rateString(lo.ReqPerSec), rateString(hi.ReqPerSec), p(hi.Level))
	}
	b.WriteString("\n")
	verdict := "holds at every level"
	if !sw.LittleHolds {
		verdict = fmt.Sprintf("does not hold within %d%% at every level", percent(LittleTolerance))
	}
	fmt.Fprintf(&b, "%s sweep: Little's law (throughput = mean in flight / mean latency) %s, e.g. %s: %s req/s, %.1f in flight / %s = %s req/s",
		sw.Strategy, verdict, p(example.Level), rateString(example.ReqPerSec), example.MeanInFlight, humanMS(example.LatencyMeanMS), rateString(example.LittleReqPerSec))
	return b.String()
}
