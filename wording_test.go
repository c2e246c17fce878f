package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/swapi"
	"github.com/fetchbench/fetchbench/targets"
)

func TestWordError(t *testing.T) {
	t.Parallel()
	cause := errors.New("open x: permission denied")
	files := func(s fetcher.Strategy, limit uint64, offline bool) error {
		return compare.FilesError(compare.Files{Need: 664, InFlight: 600, Strategy: s}, limit, 1<<20, offline)
	}
	tests := []struct {
		name string
		err  error
		want string
		code int
	}{
		{"bad field", badinput.Field("report.Records", cause), "--records: open x: permission denied", exitUsage},
		{"bad field with arg", &badinput.FieldError{Field: "get.Shape.Fields", Arg: `"x"`, Err: errors.New("empty name"), Bad: true},
			`--field "x": empty name`, exitUsage},
		{"failure keeps its chain", fmt.Errorf("run: %w", &badinput.FieldError{Field: "report.HTML", Err: cause}),
			"run: --html: open x: permission denied", exitFailed},
		{"prefix kept", fmt.Errorf("serve: %w", badinput.Field("fakeswapi.Foreground.CertFile", cause)),
			"serve: --cert: open x: permission denied", exitUsage},
		{"unknown field as it is", badinput.Field("nowhere.Field", cause), "nowhere.Field: open x: permission denied", exitUsage},
		{"targets", &targets.InputError{Field: "URLs", Arg: "stdin", Err: errors.New(`line 1: bad`)}, "--urls stdin: line 1: bad", exitUsage},
		{"floor", &fetcher.FloorError{Floor: 8, Ceiling: 4}, "--min-c 8 is above the adaptive ceiling -c 4", exitUsage},
		{"files semaphore", files(fetcher.Semaphore, 512, false),
			"semaphore with up to 600 requests in flight needs about 664 open files but the limit is 512; lower -c to 448, or raise the hard limit as root (ulimit -Hn 664)", exitFailed},
		{"files unbounded", files(fetcher.Unbounded, 512, false), "unbounded with up to 600 requests in flight needs about 664 open files but the limit is 512; use -s semaphore -c 448, or raise the hard limit as root (ulimit -Hn 664)", exitFailed},
		{"files ratelimit", files(fetcher.RateLimit, 512, false), "ratelimit with up to 600 requests in flight needs about 664 open files but the limit is 512; lower -r, or cap it with -c 448, or raise the hard limit as root (ulimit -Hn 664)", exitFailed},
		{"files adaptive", files(fetcher.Adaptive, 512, false), "adaptive with up to 600 requests in flight needs about 664 open files but the limit is 512; lower the ceiling: -c 448, or raise the hard limit as root (ulimit -Hn 664)", exitFailed},
		{"unreachable", fmt.Errorf("discover: %w", &targets.UnreachableError{Err: fmt.Errorf("down: %w", fetcher.ErrNoAnswer), Others: []*swapi.Dialect{swapi.Info}}),
			"discover: down: " + fetcher.ErrNoAnswer.Error() + "; is it up? try --offline (the built-in fake SWAPI), or another SWAPI: --api info for heavy runs (static files on a CDN, no limit)", exitFailed},
		{"worded in a field", badinput.Field("get.Shape.Fields", &get.ColumnError{Name: "name"}),
			`--field: "name" is both a --fields member and a --field name, or named twice`, exitUsage},
		{"worded, words kept around it", fmt.Errorf("discovery: %w; refused", shapeError()),
			`discovery: not a list page of --api dev: want a JSON object with "count" and "results", got a JSON array as swapi.info serves: try --api info; refused`, exitFailed},
		{"pool refusal", badinput.Field("redispool.CoordinatorConfig.URL", errors.New("adaptive adapts its limit")), "--redis: adaptive adapts its limit", exitUsage},
		{"other errors as they are", cause, "open x: permission denied", exitFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := wordError(tc.err)
			if got.Error() != tc.want || exitCode(got) != tc.code {
				t.Errorf("wordError = %q (exit %d), want %q (exit %d)", got, exitCode(got), tc.want, tc.code)
			}
			if tc.code == exitFailed && !errors.Is(got, tc.err) {
				t.Errorf("wordError(%v) lost its chain", tc.err)
			}
		})
	}
}

// shapeError is swapi's error for a swapi.info list page read as swapi.dev's.
func shapeError() error {
	_, err := swapi.Dev.ParsePage([]byte("[]"))
	return err
}

// TestFieldFlagsAreFlags: every flag that flagName names is a flag of a command.
func TestFieldFlagsAreFlags(t *testing.T) {
	t.Parallel()
	long, short := flagNames()
	for field, flag := range fieldFlags {
		if name := flagName(field); !long[strings.TrimPrefix(name, "--")] && !short[strings.TrimPrefix(name, "-")] {
			t.Errorf("flagName(%q) = %q, not a flag", field, flag)
		}
	}
	if got := flagName("nowhere.Field"); got != "" {
		t.Errorf("flagName of an unknown field = %q, want \"\"", got)
	}
}

func TestWordFakeOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		o    fakeswapi.Options
		want string
	}{
		{fakeswapi.Options{ErrorRate: 1.5, Dialect: "dev"}, "--fake-error-rate 1.5 out of range [0,1]"},
		{fakeswapi.Options{ErrorRate: 0.6, ResetRate: 0.6, Dialect: "dev"}, "the --fake-*-rate fault shares sum to 1.2, more than 1 (error, reset, malformed, slow body and oversize exclude each other)"},
	} {
		err := wordFakeOptions(tc.o, tc.o.Validate())
		if err == nil || err.Error() != tc.want || exitCode(err) != exitUsage {
			t.Errorf("wordFakeOptions(%+v) = %v, want %q as bad input", tc.o, err, tc.want)
		}
	}
}
