package fetcher

// This file owns every fact about a strategy: its name, its limits, its parameter string,
// what a sweep of it varies, whether it is serial, how many requests it can have in flight,
// how it reads in plain words and whether it has an ideal wall, and the gates a run of it
// waits on, built from its limits by a GateKit. Nothing else switches on a strategy's name.
//
// A sixth strategy is one more entry in facts (and in Strategies): its gates follow from the
// Limits it resolves. A new kind of limit is, besides, a Limits field, a case in
// Limits.Gates, a GateKit method and one file in package ratelimit (LocalGates makes it;
// redispool's jobGates shares it across a pool or refuses it).

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Strategy names a concurrency strategy.
type Strategy string

// The five strategies, in their canonical order.
const (
	Sequential Strategy = "sequential" // one request at a time, in input order
	Unbounded  Strategy = "unbounded"  // every request started at once
	Semaphore  Strategy = "semaphore"  // at most Limits.Slots requests in progress
	RateLimit  Strategy = "ratelimit"  // starts paced by one global token bucket (Limits.Rate, Limits.Burst), optional Limits.Slots cap
	Adaptive   Strategy = "adaptive"   // a limit between Limits.Floor and Limits.Slots that follows the server
)

// Strategies lists every strategy in canonical order.
var Strategies = []Strategy{Sequential, Unbounded, Semaphore, RateLimit, Adaptive}

// DefaultCeiling is adaptive's ceiling when -c is not given.
const DefaultCeiling = 256

// StrategyNames is the strategy names joined for help texts: "sequential|unbounded|...".
func StrategyNames(sep string) string {
	names := make([]string, len(Strategies))
	for i, s := range Strategies {
		names[i] = string(s)
	}
	return strings.Join(names, sep)
}

// ParseStrategies parses a comma-separated list of strategy names or "all".
// Duplicates are dropped; order is the order given.
func ParseStrategies(s string) ([]Strategy, error) {
	if strings.TrimSpace(s) == "all" {
		return append([]Strategy(nil), Strategies...), nil
	}
	var out []Strategy
	seen := map[Strategy]bool{}
	for _, f := range strings.Split(s, ",") {
		name := Strategy(strings.TrimSpace(f))
		if name == "all" {
			return nil, fmt.Errorf("%q: \"all\" cannot be combined with other strategies", s)
		}
		if !name.Valid() {
			return nil, fmt.Errorf("unknown strategy %q (want %s or all)", string(name), strings.Join(names(), ", "))
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

func names() []string {
	out := make([]string, len(Strategies))
	for i, s := range Strategies {
		out[i] = string(s)
	}
	return out
}

// Valid reports whether s is one of the strategies.
func (s Strategy) Valid() bool {
	_, ok := facts[s]
	return ok
}

// Knobs are the user's concurrency settings, which Strategy.Limits resolves per strategy.
type Knobs struct {
	Concurrency int     // semaphore slots; the ratelimit in-flight cap and the adaptive ceiling when CapRate is set
	Rate        float64 // ratelimit requests per second
	Burst       int     // ratelimit bucket size; < 1 means 1
	// CapRate: Concurrency was given as one level; ratelimit applies it as an in-flight cap,
	// adaptive as its ceiling (else DefaultCeiling).
	CapRate bool
	// MinConcurrency is adaptive's floor; < 1 means 1.
	MinConcurrency int
}

// Limits are the scheduling parameters of one strategy run, with every default applied. The
// scheduler, the ideal-wall computation and the reports all read this one value, so the ideal
// is computed from exactly the parameters the scheduler ran under. The zero value is no limit
// at all (unbounded).
type Limits struct {
	// Slots caps the requests in progress; a retrying request keeps its slot through its
	// backoff. 0 means no cap.
	Slots int
	// Rate paces request starts with one global token bucket, in requests per second; every
	// attempt, retries included, takes a token. 0 means no pacing.
	Rate float64
	// Burst is the token-bucket size: ≥ 1 when Rate > 0, else 0.
	Burst int
	// Floor, when ≥ 1, makes Slots a ceiling: the limit adapts during the run between Floor
	// and Slots (Limits.Gates). 0 means the limit is fixed.
	Floor int
}

// strategyFacts is what differs between strategies.
type strategyFacts struct {
	limits func(k Knobs) Limits
	serial bool   // one request at a time, inline, in input order
	sweep  string // the parameter a sweep varies: "c", "r" or ""
	// describe is the plain-words opening of the line under the table.
	describe func(l Limits, requests, peak int) string
	// showSlots: the slots are a parameter of the strategy (sequential's one slot is not).
	showSlots bool
	// baseline: the strategy others' speedup is measured against.
	baseline bool
	// cutFiles is what to change when its requests in flight need more open files than
	// allowed; fits is how many requests in flight would.
	cutFiles func(fits int) Cut
	// adapts: its limit changes during the run (records carry it); no ideal wall follows
	// from its limits alone.
	adapts bool
	// quota: it respects the server's quota headers unless told otherwise, in a comparison too.
	quota bool
}

var facts = map[Strategy]strategyFacts{
	Sequential: {
		limits:   func(Knobs) Limits { return Limits{Slots: 1} },
		serial:   true,
		baseline: true,
		describe: func(Limits, int, int) string { return "one at a time" },
		cutFiles: func(fits int) Cut { return Cut{Kind: CutLower, Knob: KnobConcurrency, Value: fits} },
	},
	Unbounded: {
		limits: func(Knobs) Limits { return Limits{} },
		describe: func(_ Limits, requests, peak int) string {
			return fmt.Sprintf("all %d at once (peak %d in flight)", requests, peak)
		},
		cutFiles: func(fits int) Cut { return Cut{Kind: CutSwitch, Knob: KnobConcurrency, Value: fits, Use: Semaphore} },
	},
	Semaphore: {
		limits:    func(k Knobs) Limits { return Limits{Slots: k.Concurrency} },
		sweep:     "c",
		showSlots: true,
		describe:  func(l Limits, _, _ int) string { return fmt.Sprintf("at most %d in flight", l.Slots) },
		cutFiles:  func(fits int) Cut { return Cut{Kind: CutLower, Knob: KnobConcurrency, Value: fits} },
	},
	RateLimit: {
		limits: func(k Knobs) Limits {
			l := Limits{Rate: k.Rate, Burst: max(k.Burst, 1)}
			if k.CapRate {
				l.Slots = k.Concurrency
			}
			return l
		},
		sweep:     "r",
		showSlots: true,
		describe: func(l Limits, _, _ int) string {
			s := fmt.Sprintf("%s req/s (burst %d)", num(l.Rate), max(l.Burst, 1))
			if l.Slots > 0 {
				s += fmt.Sprintf(", at most %d in flight", l.Slots)
			}
			return s
		},
		cutFiles: func(fits int) Cut { return Cut{Kind: CutCap, Knob: KnobConcurrency, Value: fits, Lower: KnobRate} },
	},
	Adaptive: {
		limits: func(k Knobs) Limits {
			ceiling := DefaultCeiling
			if k.CapRate {
				ceiling = k.Concurrency
			}
			return Limits{Slots: ceiling, Floor: max(k.MinConcurrency, 1)}
		},
		showSlots: true,
		adapts:    true,
		quota:     true,
		describe: func(l Limits, _, _ int) string {
			return fmt.Sprintf("a limit between %d and %d that follows the server", l.Floor, l.Slots)
		},
		cutFiles: func(fits int) Cut { return Cut{Kind: CutCeiling, Knob: KnobConcurrency, Value: fits} },
	},
}

func (s Strategy) facts() strategyFacts { return facts[s] }

// Limits resolves k for s: sequential is one slot, unbounded nothing, semaphore
// k.Concurrency slots, ratelimit k.Rate with burst max(k.Burst, 1), capped at k.Concurrency
// slots when k.CapRate is set, adaptive a limit from max(k.MinConcurrency, 1) up to
// k.Concurrency when k.CapRate is set, else DefaultCeiling.
func (s Strategy) Limits(k Knobs) Limits {
	if f, ok := facts[s]; ok {
		return f.limits(k)
	}
	return Limits{}
}

// Pooled reports whether s can run across the processes of a pool (fetchbench worker): its
// limits can be shared through Redis. Every strategy can (an adapting limit too: redispool
// keeps one for the whole pool).
func (s Strategy) Pooled() bool { return s.Valid() }

// Serial reports whether s runs one request at a time, inline and in input order.
func (s Strategy) Serial() bool { return s.facts().serial }

// Baseline reports whether s is the strategy speedups are measured against (sequential).
func (s Strategy) Baseline() bool { return s.facts().baseline }

// HasIdeal reports whether an ideal wall can be computed for s from its limits and the
// measured latencies: every fixed strategy can, adaptive cannot (its limit is what it
// finds out).
func (s Strategy) HasIdeal() bool { return s.Valid() && !s.facts().adapts }

// Adapts reports whether the limit of s changes during a run (Record.Limit carries it).
func (s Strategy) Adapts() bool { return s.facts().adapts }

// RespectsQuota reports whether s respects the server's quota headers by default even in a
// comparison, where the fixed strategies stay what they claim to be.
func (s Strategy) RespectsQuota() bool { return s.facts().quota }

// SweepParam is the parameter a sweep of s varies, "c" (slots) or "r" (rate), or "" when s
// has none.
func (s Strategy) SweepParam() string { return s.facts().sweep }

// SweepLevel is l's level of the parameter a sweep of s varies; ok is false when s has none.
func (s Strategy) SweepLevel(l Limits) (level float64, ok bool) {
	switch s.facts().sweep {
	case "c":
		return float64(l.Slots), true
	case "r":
		return l.Rate, true
	}
	return 0, false
}

// Levels is the knobs of each run of s in a sweep: one per slot level when s sweeps "c",
// one per rate level when it sweeps "r", k alone otherwise.
func (s Strategy) Levels(k Knobs, slots []int, rates []float64) []Knobs {
	var out []Knobs
	switch s.facts().sweep {
	case "c":
		for _, c := range slots {
			k.Concurrency = c
			out = append(out, k)
		}
	case "r":
		for _, r := range rates {
			k.Rate = r
			out = append(out, k)
		}
	default:
		out = append(out, k)
	}
	return out
}

// ShownSlots is the concurrency a report shows for l: its slots, or 0 for sequential, whose
// one slot is the strategy itself, not a parameter.
func (s Strategy) ShownSlots(l Limits) int {
	if !s.facts().showSlots {
		return 0
	}
	return l.Slots
}

// Params is the short form of l's parameters under s: "-", "c=10", "r=10/s b=1",
// "r=10/s b=1 c=5", "c=1..256" (an adaptive limit's floor and ceiling). ParseParams reads it
// back.
func (s Strategy) Params(l Limits) string {
	var parts []string
	if l.Rate > 0 {
		parts = append(parts, "r="+num(l.Rate)+"/s", "b="+strconv.Itoa(max(l.Burst, 1)))
	}
	if n := s.ShownSlots(l); n > 0 && l.Floor > 0 {
		parts = append(parts, "c="+strconv.Itoa(l.Floor)+".."+strconv.Itoa(n))
	} else if n > 0 {
		parts = append(parts, "c="+strconv.Itoa(n))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// BenchName is the sub-benchmark path of l under s: "", "/c=10", "/r=10/burst=1/c=5",
// "/minc=1/c=256".
func (s Strategy) BenchName(l Limits) string {
	var b strings.Builder
	if l.Rate > 0 {
		b.WriteString("/r=" + num(l.Rate) + "/burst=" + strconv.Itoa(max(l.Burst, 1)))
	}
	if l.Floor > 0 {
		b.WriteString("/minc=" + strconv.Itoa(l.Floor))
	}
	if n := s.ShownSlots(l); n > 0 {
		b.WriteString("/c=" + strconv.Itoa(n))
	}
	return b.String()
}

// ParseParams reads the parameter string Params writes back into the limits of s.
func (s Strategy) ParseParams(p string) (Limits, error) {
	if !s.Valid() {
		return Limits{}, fmt.Errorf("unknown strategy %q", string(s))
	}
	var l Limits
	if p = strings.TrimSpace(p); p != "-" && p != "" {
		for _, f := range strings.Fields(p) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				return Limits{}, fmt.Errorf("params %q: %q is not name=value", p, f)
			}
			var err error
			switch k {
			case "c":
				if lo, hi, ok := strings.Cut(v, ".."); ok {
					if l.Floor, err = strconv.Atoi(lo); err == nil {
						l.Slots, err = strconv.Atoi(hi)
					}
					break
				}
				l.Slots, err = strconv.Atoi(v)
			case "r":
				l.Rate, err = strconv.ParseFloat(strings.TrimSuffix(v, "/s"), 64)
			case "b":
				l.Burst, err = strconv.Atoi(v)
			default:
				err = errors.New("unknown parameter")
			}
			if err != nil {
				return Limits{}, fmt.Errorf("params %q: %s: %v", p, f, err)
			}
		}
	}
	if s.Serial() {
		l.Slots = 1
	}
	if err := s.check(l); err != nil {
		return Limits{}, fmt.Errorf("params %q: %w", p, err)
	}
	return l, nil
}

// check reports limits that contradict s or are out of range.
func (s Strategy) check(l Limits) error {
	switch {
	case s.Serial() && (l.Slots != 1 || l.Rate != 0):
		return fmt.Errorf("%s runs one request at a time, got %+v", s, l)
	case s.facts().sweep == "c" && l.Slots < 1:
		return fmt.Errorf("%s needs slots ≥ 1, got %+v", s, l)
	case s.facts().sweep == "r" && !(l.Rate > 0):
		return fmt.Errorf("%s needs rate > 0, got %+v", s, l)
	case s == Unbounded && (l.Slots != 0 || l.Rate != 0):
		return fmt.Errorf("%s has no limits, got %+v", s, l)
	case s.Adapts() && (l.Floor < 1 || l.Slots < l.Floor || l.Rate != 0):
		return fmt.Errorf("%s needs 1 ≤ floor ≤ ceiling and no rate, got %+v", s, l)
	case !s.Adapts() && l.Floor != 0:
		return fmt.Errorf("%s has a fixed limit, got a floor: %+v", s, l)
	case l.Slots < 0 || !(l.Rate >= 0) || math.IsInf(l.Rate, 0) || (l.Rate > 0) != (l.Burst > 0) || l.Burst < 0:
		return fmt.Errorf("limits %+v: slots and rate must not be negative, burst ≥ 1 exactly when rate > 0", l)
	}
	return nil
}

// Describe is the plain-words opening of the line under the table for a run of s under l
// that sent requests with peak in flight: "one at a time", "at most 10 in flight",
// "10 req/s (burst 1)"; "" for an unknown strategy.
func (s Strategy) Describe(l Limits, requests, peak int) string {
	if f, ok := facts[s]; ok {
		return f.describe(l, requests, peak)
	}
	return ""
}

// MaxInFlight bounds the requests a run of s under l may have on the wire at once over n
// requests, each attempt bounded by timeout: at most its slots; without slots every request
// when unpaced, and when paced the requests its rate starts within one timeout plus its burst.
func (s Strategy) MaxInFlight(l Limits, n int, timeout time.Duration) int {
	switch {
	case l.Slots > 0:
		return min(l.Slots, n)
	case l.Rate > 0:
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		started := l.Rate*timeout.Seconds() + float64(l.Burst)
		if started >= float64(n) {
			return n
		}
		return int(math.Ceil(started))
	}
	return n
}

// OpenDocuments is how many documents (targets and list pages, not links) a run of s under l
// that keeps what it fetches may hold at once, from request to output (Frontier.SetMaxOpen):
// its slots plus one being shaped or written while they are fetched; without slots, for a
// paced run, the requests its rate starts in a second plus its burst; 0 (no bound) for an
// unbounded run, which asked for every request at once.
func (s Strategy) OpenDocuments(l Limits) int {
	switch {
	case l.Slots > 0:
		return l.Slots + 1
	case l.Rate > 0:
		return int(math.Ceil(l.Rate)) + l.Burst
	}
	return 0
}

// Gates builds the gates a run of s under l waits on from k (LocalGates in one process):
// the gates of l (Limits.Gates), once l is checked against s. An error is limits that
// contradict s, or a gate k cannot make.
func (s Strategy) Gates(l Limits, k GateKit) (Gates, error) {
	if !s.Valid() {
		return Gates{}, fmt.Errorf("unknown strategy %q", string(s))
	}
	if err := s.check(l); err != nil {
		return Gates{}, err
	}
	g, err := l.Gates(k)
	if err != nil {
		return Gates{}, fmt.Errorf("%s gates: %w", s, err)
	}
	return g, nil
}

// Gates builds one gate of k per kind of limit l sets: an adaptive limit between Floor and
// Slots (k.Adapt) when Floor is set, else Slots fixed slots (k.Slots) when set; a pacer of
// Rate starts per second with bursts of max(Burst, 1) (k.Pace) when Rate is set. The zero
// Limits have no gates.
func (l Limits) Gates(k GateKit) (Gates, error) {
	var g Gates
	var err error
	switch {
	case l.Floor > 0:
		g.Admission, err = k.Adapt(l.Floor, max(l.Slots, l.Floor))
	case l.Slots > 0:
		g.Admission, err = k.Slots(l.Slots)
	}
	if err != nil {
		return Gates{}, err
	}
	if l.Rate > 0 {
		if g.Pacer, err = k.Pace(l.Rate, max(l.Burst, 1)); err != nil {
			return Gates{}, err
		}
	}
	return g, nil
}

// PacedWall is the least time the starts of n requests take under l's rate: its burst
// starts at once, every later request one 1/Rate after the one before. 0 when l is not paced
// or n is within the burst; retries take tokens too, so a run lasts at least this long.
// Past math.MaxInt64 nanoseconds it is math.MaxInt64.
func (l Limits) PacedWall(n int) time.Duration {
	if l.Rate <= 0 || n <= max(l.Burst, 1) {
		return 0
	}
	s := float64(n-max(l.Burst, 1)) / l.Rate * float64(time.Second)
	if s >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s)
}

// CutFiles is what to change so that a run of s needs fewer open files, fits being the
// requests in flight that would fit.
func (s Strategy) CutFiles(fits int) Cut {
	if f, ok := facts[s]; ok {
		return f.cutFiles(fits)
	}
	return Cut{Kind: CutLower, Knob: KnobConcurrency, Value: fits}
}

// Knob names a field of Knobs, for advice a front end words as its users set that field.
type Knob string

// The knobs advice names.
const (
	KnobConcurrency    Knob = "Concurrency"
	KnobRate           Knob = "Rate"
	KnobMinConcurrency Knob = "MinConcurrency"
)

// CutKind is how a Cut lowers the requests in flight.
type CutKind int

// The kinds of Cut.
const (
	CutLower   CutKind = iota // set Knob to Value
	CutSwitch                 // switch to the strategy Use, with Knob at Value
	CutCap                    // lower the knob Lower, or cap the requests in flight with Knob at Value
	CutCeiling                // lower the ceiling, Knob, to Value
)

// Cut is advice to lower a run's requests in flight to Value, as data a front end words.
type Cut struct {
	Kind  CutKind
	Knob  Knob
	Value int
	Use   Strategy // CutSwitch's strategy
	Lower Knob     // CutCap's knob to lower instead
}

// String words c in the terms of Knobs: "lower Concurrency to 96".
func (c Cut) String() string {
	switch c.Kind {
	case CutSwitch:
		return fmt.Sprintf("use %s with %s %d", c.Use, c.Knob, c.Value)
	case CutCap:
		return fmt.Sprintf("lower %s, or cap it with %s %d", c.Lower, c.Knob, c.Value)
	case CutCeiling:
		return fmt.Sprintf("lower the ceiling: %s %d", c.Knob, c.Value)
	}
	return fmt.Sprintf("lower %s to %d", c.Knob, c.Value)
}

// Politest is the strategy and limits that are at least as polite as every one of configs
// (the work around a comparison, such as its discovery, runs under them): paced at the
// smallest rate, with the smallest burst, when ratelimit is among them; else adaptive, from
// the smallest floor up to the smallest slots, when adaptive is among them; capped at the
// smallest slots any of them has; unbounded only when all of them are.
func Politest(configs []Config) (Strategy, Limits) {
	var l Limits
	for _, c := range configs {
		if c.Limits.Floor > 0 && (l.Floor == 0 || c.Limits.Floor < l.Floor) {
			l.Floor = c.Limits.Floor
		}
		if c.Limits.Rate > 0 && (l.Rate == 0 || c.Limits.Rate < l.Rate) {
			l.Rate = c.Limits.Rate
		}
		if c.Limits.Burst > 0 && (l.Burst == 0 || c.Limits.Burst < l.Burst) {
			l.Burst = c.Limits.Burst
		}
		if c.Limits.Slots > 0 && (l.Slots == 0 || c.Limits.Slots < l.Slots) {
			l.Slots = c.Limits.Slots
		}
	}
	switch {
	case l.Rate > 0:
		l.Floor = 0
		return RateLimit, l
	case l.Floor > 0:
		return Adaptive, Limits{Slots: max(l.Slots, l.Floor), Floor: l.Floor}
	case l.Slots > 0:
		return Semaphore, Limits{Slots: l.Slots}
	}
	return Unbounded, Limits{}
}

// num formats a configuration number without exponent or trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ParseStrategy parses the name of one strategy.
func ParseStrategy(s string) (Strategy, error) {
	if st := Strategy(s); st.Valid() {
		return st, nil
	}
	n := names()
	return "", fmt.Errorf("unknown strategy %q (want %s or %s)", s, strings.Join(n[:len(n)-1], ", "), n[len(n)-1])
}

// FloorError is an adaptive floor (Knobs.MinConcurrency) above its ceiling (Knobs.Concurrency,
// or DefaultCeiling): bad input in the knobs.
type FloorError struct{ Floor, Ceiling int }

func (e *FloorError) Error() string {
	return fmt.Sprintf("%s %d is above the adaptive ceiling %s %d", KnobMinConcurrency, e.Floor, KnobConcurrency, e.Ceiling)
}

// CheckFloor reports an adaptive floor above its ceiling among strategies as a *FloorError.
func CheckFloor(k Knobs, strategies ...Strategy) error {
	for _, s := range strategies {
		if !s.Adapts() {
			continue
		}
		if l := s.Limits(k); l.Floor > l.Slots {
			return &FloorError{Floor: l.Floor, Ceiling: l.Slots}
		}
	}
	return nil
}
