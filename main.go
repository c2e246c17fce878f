// Command fetchbench fetches N resources with several concurrency strategies and compares them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal gets Go's default behaviour: exit at once
	}()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	code := exitCode(err)
	if err != nil && !errors.Is(err, errSilent) && err.Error() != "" {
		fmt.Fprintln(os.Stderr, "fetchbench: "+err.Error())
	}
	os.Exit(code)
}

// run dispatches on the first argument: "serve" runs the fake SWAPI, anything else a benchmark.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "serve" {
		return runServe(ctx, args[1:], stdout, stderr)
	}
	return runBench(ctx, args, stdin, stdout, stderr)
}
