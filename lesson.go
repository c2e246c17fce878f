package main

// This file owns the lesson command: its usage and flags (package lesson runs the lessons).

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/lesson"
	"github.com/fetchbench/fetchbench/report"
)

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
	if err := lesson.CheckName(o.name); err != nil {
		return err
	}
	err := lesson.Run(ctx, o.name, lesson.Config{Scale: o.scale, Color: report.IsTerminal(stdout)}, stdout)
	switch {
	case errors.Is(err, lesson.ErrInterrupted):
		return &exitErr{code: exitInterrupted}
	case errors.Is(err, lesson.ErrScale):
		return usagef("--time-scale %s: %v", strconv.FormatFloat(o.scale, 'f', -1, 64), err)
	case errors.Is(err, lesson.ErrContradicted):
		return &exitErr{code: exitThreshold} // said in the lesson's last line
	}
	return err
}
