package main

// This file owns the lesson command: its usage and flags (package lesson runs the lessons).

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/internal/cliflag"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/lesson"
	"github.com/fetchbench/fetchbench/report"
)

func newLessonFlags(scale *float64) *pflag.FlagSet {
	fs := pflag.NewFlagSet("fetchbench lesson", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.Var(cliflag.Scale(scale, 0.1), "time-scale", "multiply every duration of the lesson by this (0.001..10)")
	return fs
}

// runLesson is the lesson command: it runs the named lesson of package lesson into stdout.
func runLesson(ctx context.Context, e *env, args []string) error {
	stdout := e.stdout
	var name string
	var scale float64
	fs := newLessonFlags(&scale)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args, usage("lesson"), "lesson: ", "see fetchbench lesson --help", stdout); err != nil {
		return err
	}
	if err := lesson.CheckName(name); err != nil {
		return err
	}
	err := lesson.Run(ctx, name, lesson.Config{Scale: scale, Color: report.IsTerminal(stdout), Listen: e.listen, Transport: e.transport}, stdout)
	switch {
	case errors.Is(err, lesson.ErrInterrupted):
		return verdict.Interrupted("")
	case errors.Is(err, lesson.ErrScale):
		return usagef("--time-scale %s: %v", strconv.FormatFloat(scale, 'f', -1, 64), err)
	case errors.Is(err, lesson.ErrContradicted):
		return verdict.Breached("") // said in the lesson's last line
	}
	return err
}
