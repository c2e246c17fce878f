package main

// This file owns the lesson command: its usage and flags (package lesson runs the lessons).

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/lesson"
	"github.com/fetchbench/fetchbench/report"
)

const lessonUsage = `fetchbench lesson reproduces a classic lesson on concurrency with the built-in fake: it
says what the lesson claims, runs it, and prints the measured table and the timeline.

Usage:
  fetchbench lesson restaurant|gather|workers [--time-scale 0.1]

Lessons:
  restaurant  four orders of burgers (7.5 s), frites (4 s), sodas (1 s) and beers (1.2 s):
              one waiter at a time, two waiters, and the async waiter who never waits
  gather      SWAPI people 1..9 one by one, then all at once (asyncio.gather)
  workers     a 5 s blocking resource behind a sync server with 1, 5 and unlimited workers,
              1, 4 and 10 clients at once, each with a 7 s limit: who gets an answer in time

Every duration is multiplied by --time-scale so that a lesson runs in seconds; the tables
give real times and the lesson's own (unscaled) ones.

Flags:
`

// lessonOptions are the parsed flags of the lesson command.
type lessonOptions struct {
	name  string
	scale float64
}

// runLesson is the lesson command: it runs the named lesson of package lesson into stdout.
func runLesson(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	var o lessonOptions
	fs := pflag.NewFlagSet("fetchbench lesson", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.Var(cliflag.Scale(&o.scale, 0.1), "time-scale", "multiply every duration of the lesson by this (0.001..10)")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		o.name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args, lessonUsage, "lesson: ", "see fetchbench lesson --help", stdout); err != nil {
		return err
	}
	if o.name == "" {
		return usagef("lesson: name one of restaurant, gather or workers")
	}
	if !slices.Contains(lesson.Names, o.name) {
		return usagef("lesson: unknown lesson %q (want restaurant, gather or workers)", o.name)
	}
	err := lesson.Run(ctx, o.name, lesson.Config{Scale: o.scale, Color: report.IsTerminal(stdout)}, stdout)
	if errors.Is(err, lesson.ErrInterrupted) {
		return &exitErr{code: exitInterrupted}
	}
	return err
}
