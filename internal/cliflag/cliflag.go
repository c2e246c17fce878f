// Package cliflag provides pflag values that check their input as it is parsed, and renders a
// parse error as one line naming the flag.
package cliflag

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Error is a value's own complaint about its input, rendered by Message after the flag's names
// and Sep: "-c/--concurrency must be at least 1, got 0", "-o/--output: unknown format ...".
type Error struct{ Sep, Msg string }

func (e *Error) Error() string { return e.Msg }

// Rangef is the complaint about a number out of range: "-c/--concurrency must be ...".
func Rangef(format string, a ...any) error {
	return &Error{Sep: " ", Msg: fmt.Sprintf(format, a...)}
}

// Valuef is the complaint about a value not accepted: "-o/--output: unknown format ...".
func Valuef(format string, a ...any) error {
	return &Error{Sep: ": ", Msg: fmt.Sprintf(format, a...)}
}

// Names is "-c/--concurrency" or "--burst".
func Names(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + "/--" + f.Name
	}
	return "--" + f.Name
}

// Message is the one-line form of a pflag parse error whose cause is an *Error
// ("-c/--concurrency must be at least 1, got 0"), and ok false for any other error.
func Message(err error) (msg string, ok bool) {
	var ive *pflag.InvalidValueError
	var e *Error
	if errors.As(err, &ive) && errors.As(err, &e) {
		return Names(ive.GetFlag()) + e.Sep + e.Msg, true
	}
	return "", false
}

// Int returns an int flag value storing into p, set to def, that accepts min..max
// (max math.MaxInt: no upper bound). It complains "must be at least min, got n" (or "at most",
// or "between min and max" when min is 0 and max bounded).
func Int(p *int, def, min, max int) pflag.Value {
	*p = def
	return &intValue{p: p, min: min, max: max}
}

type intValue struct {
	p        *int
	min, max int
}

func (v *intValue) String() string { return strconv.Itoa(*v.p) }
func (v *intValue) Type() string   { return "int" }

func (v *intValue) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return err
	}
	switch {
	case (n < int64(v.min) || n > int64(v.max)) && v.min == 0 && v.max < math.MaxInt:
		return Rangef("must be between %d and %d, got %d", v.min, v.max, n)
	case n < int64(v.min):
		return Rangef("must be at least %d, got %d", v.min, n)
	case n > int64(v.max):
		return Rangef("must be at most %d, got %d", v.max, n)
	}
	*v.p = int(n)
	return nil
}

// The range a Rate accepts: one request in about 17 minutes to a billion a second. Below
// MinRate a run would wait for hours before its second request.
const (
	MinRate = 0.001
	MaxRate = 1e9
)

// Rate returns a float flag value storing into p, set to def, for a number of requests per
// second from MinRate to MaxRate.
func Rate(p *float64, def float64) pflag.Value {
	*p = def
	return floatValue{p: p, min: MinRate, max: MaxRate, unit: " requests per second", typ: "float64"}
}

// Scale returns a float flag value storing into p, set to def, for a factor from 0.001 to 10.
func Scale(p *float64, def float64) pflag.Value {
	*p = def
	return floatValue{p: p, min: 0.001, max: 10, typ: "float"}
}

// floatValue is a float flag value that accepts min..max.
type floatValue struct {
	p         *float64
	min, max  float64
	unit, typ string
}

func (v floatValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v floatValue) Type() string   { return v.typ }

func (v floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	if !(f >= v.min && f <= v.max) {
		return Rangef("must be between %g and %g%s, got %s", v.min, v.max, v.unit, s)
	}
	*v.p = f
	return nil
}

// Duration returns a duration flag value storing into p, set to def, that must be greater
// than 0, or with zeroOK, not negative.
func Duration(p *time.Duration, def time.Duration, zeroOK bool) pflag.Value {
	*p = def
	return durationValue{p: p, zeroOK: zeroOK}
}

type durationValue struct {
	p      *time.Duration
	zeroOK bool
}

func (v durationValue) String() string {
	if *v.p == 0 {
		return "0" // pflag shows no default for "0"
	}
	return v.p.String()
}

func (v durationValue) Type() string { return "duration" }

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	switch {
	case v.zeroOK && d < 0:
		return Rangef("must not be negative, got %v", d)
	case !v.zeroOK && d <= 0:
		return Rangef("must be greater than 0, got %v", d)
	}
	*v.p = d
	return nil
}

// Choice returns a string flag value storing into p, set to def, that accepts one of choices;
// bad says what is wrong with any other input.
func Choice(p *string, def string, choices []string, bad func(s string) error) pflag.Value {
	*p = def
	return &choiceValue{p: p, choices: choices, bad: bad}
}

type choiceValue struct {
	p       *string
	choices []string
	bad     func(s string) error
}

func (v *choiceValue) String() string { return *v.p }
func (v *choiceValue) Type() string   { return "string" }

func (v *choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return v.bad(s)
	}
	*v.p = s
	return nil
}

// Parsed returns a string flag value whose text is parsed into p by parse; def is the text
// shown as the default (p keeps what it holds until the flag is given). A parse error is
// shown after the flag's names and sep(text).
func Parsed[T any](p *T, def string, sep func(text string) string, parse func(text string) (T, error)) pflag.Value {
	return &parsedValue[T]{text: def, p: p, sep: sep, parse: parse}
}

// Colon is the usual sep of Parsed: "--fail-on: bad threshold ...".
func Colon(string) string { return ": " }

type parsedValue[T any] struct {
	text  string
	p     *T
	sep   func(s string) string
	parse func(s string) (T, error)
}

func (v *parsedValue[T]) String() string { return v.text }
func (v *parsedValue[T]) Type() string   { return "string" }

func (v *parsedValue[T]) Set(s string) error {
	x, err := v.parse(s)
	if err != nil {
		return &Error{Sep: v.sep(s), Msg: err.Error()}
	}
	v.text, *v.p = s, x
	return nil
}

// Size returns a byte-count flag value storing into p, set to def, accepting plain bytes or a
// K, KB, KiB, M, MB, MiB, G, GB, GiB or B suffix (K, M, G are binary), at least min and at
// most 1 TiB.
func Size(p *int64, def, min int64) pflag.Value {
	*p = def
	return sizeValue{p: p, min: min}
}

type sizeValue struct {
	p   *int64
	min int64
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
}

func (s sizeValue) String() string {
	v := *s.p
	for _, u := range slices.Backward(sizeUnits[:3]) { // GiB, MiB, KiB
		if v >= u.mult && v%u.mult == 0 {
			return strconv.FormatInt(v/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(v, 10)
}

func (s sizeValue) Set(v string) error {
	num, mult := strings.TrimSpace(v), int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return errors.New("want a size such as 512KiB or 10MiB")
	}
	if n*mult < s.min {
		return Rangef("must be at least %d byte", s.min)
	}
	*s.p = n * mult
	return nil
}

func (s sizeValue) Type() string { return "size" }

// MaxLevels is how many levels a Levels flag accepts.
const MaxLevels = 32

// Levels returns a flag value storing into p, set to [def], for one level or a sweep of them:
// "8", "1,2,4,8", or "1..64" (1, 2, 4, … doubling up to 64, which ends the range even when
// the doubling misses it); items of a list may be ranges. Each level is checked by one, a flag
// value of a single level (such as Int or Rate) whose pointer is elem; levels must be distinct
// and at most MaxLevels.
func Levels[T int | float64](p *[]T, def T, elem *T, one pflag.Value) pflag.Value {
	*p = []T{def}
	return &levelsValue[T]{p: p, elem: elem, one: one, text: one.String()}
}

type levelsValue[T int | float64] struct {
	p    *[]T
	elem *T
	one  pflag.Value
	text string
}

func (v *levelsValue[T]) String() string { return v.text }
func (v *levelsValue[T]) Type() string   { return "levels" }

func (v *levelsValue[T]) Set(s string) error {
	var out []T
	add := func(x T) error {
		if slices.Contains(out, x) {
			return Valuef("level %v given twice", x)
		}
		if out = append(out, x); len(out) > MaxLevels {
			return Valuef("more than %d levels", MaxLevels)
		}
		return nil
	}
	level := func(s string) (T, error) {
		if err := v.one.Set(strings.TrimSpace(s)); err != nil {
			return 0, err
		}
		return *v.elem, nil
	}
	for _, item := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(item, "..")
		a, err := level(lo)
		if err != nil {
			return err
		}
		if !isRange {
			if err := add(a); err != nil {
				return err
			}
			continue
		}
		b, err := level(hi)
		if err != nil {
			return err
		}
		if b < a {
			return Valuef("%s: a range must go up", strings.TrimSpace(item))
		}
		for x := a; x < b; x *= 2 {
			if err := add(x); err != nil {
				return err
			}
		}
		if err := add(b); err != nil {
			return err
		}
	}
	*v.p, v.text = out, s
	return nil
}
