package main

import (
	"errors"
	"io"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/internal/cliflag"
)

// parseFlags parses args into fs. For -h/--help it writes the usage (header, then the flags)
// to stdout and returns errHelp; every other problem is a usage error naming the flag, with
// prefix before and hint after pflag's own messages.
func parseFlags(fs *pflag.FlagSet, args []string, usage, prefix, hint string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil && fs.NArg() > 0:
		return usagef("%sunexpected argument %q (%s)", prefix, fs.Arg(0), hint)
	case err == nil:
		return nil
	case errors.Is(err, pflag.ErrHelp):
		if _, err := io.WriteString(stdout, usage+fs.FlagUsagesWrapped(100)); err != nil {
			return err
		}
		return errHelp
	}
	if msg, ok := cliflag.Message(err); ok {
		return usagef("%s", msg)
	}
	return usagef("%s%v (%s)", prefix, err, hint)
}
