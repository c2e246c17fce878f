// Command fetchbench fetches N resources with several concurrency strategies and compares them.
package main

// This file owns the entry point: signals, the dispatch to a subcommand, the exit code.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/redispool"
)

func main() {
	// net/http and colly log through the standard logger (a server's unsolicited response, a
	// COLLY_ variable they do not know); fetchbench reports what matters in its records.
	log.SetOutput(io.Discard)
	redispool.SilenceClientLogs()
	// A run's live heap is small (histograms, one small record at a time), and its garbage is
	// per request: collecting at 4x the live heap instead of 2x halves the GC work for a few
	// megabytes. GOGC, when set, wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	// A hang-up (the terminal closed) stops the run as SIGTERM does: records are flushed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		<-ctx.Done()
		stop() // a second signal gets Go's default behaviour: exit at once
	}()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err != nil && err.Error() != "" {
		fmt.Fprintln(os.Stderr, "fetchbench: "+textsafe.Redact(err.Error()))
	}
	os.Exit(exitCode(err))
}

// gcPercent is the GC target of a run (see runtime/debug.SetGCPercent).
const gcPercent = 400

// softMemoryLimit sets the process's soft memory limit (runtime/debug.SetMemoryLimit) to n
// bytes, unless n ≤ 0 or GOMEMLIMIT is set, until the returned function is called: a command
// whose live heap grows (a crawl's frontier, get's documents) keeps gcPercent's slack within it.
func softMemoryLimit(n int64) (restore func()) {
	if n <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetMemoryLimit(n)
	return func() { debug.SetMemoryLimit(old) }
}

// command is one subcommand: its run function gets the arguments after its name.
type command func(ctx context.Context, e *env, args []string) error

// commands maps a first argument to its subcommand; anything else runs the comparison.
var commands = map[string]command{
	"serve":  runServe,
	"lesson": runLesson,
	"get":    runGet,
	"crawl":  runCrawl,
	"report": runReport,
	"worker": runWorker,
}

// run dispatches on the first argument, in the process's environment with these streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runIn(ctx, osEnv(stdin, stdout, stderr), args)
}

// runIn dispatches on the first argument, in e.
func runIn(ctx context.Context, e *env, args []string) error {
	cmd, rest := runCompare, args
	if len(args) > 0 {
		if c, ok := commands[args[0]]; ok {
			cmd, rest = c, args[1:]
		}
	}
	err := cmd(ctx, e, rest)
	if errors.Is(err, errHelp) {
		return nil
	}
	return worded(wordError(err))
}
