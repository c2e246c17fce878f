package cliflag

import (
	"errors"
	"io"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/internal/badinput"
)

// ErrHelp is returned by Parse after it wrote the usage because it was asked to (-h/--help).
var ErrHelp = errors.New("help printed")

// Parse parses args into fs, leaving positional arguments in fs.Args. For -h/--help it writes
// usage then the flags to stdout and returns ErrHelp (or the write's error); every other
// problem is bad input: a value the flag checked itself after valuePrefix (see Message), any
// other with prefix before and " (hint)" after pflag's own message.
func Parse(fs *pflag.FlagSet, args []string, usage, valuePrefix, prefix, hint string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pflag.ErrHelp):
		if _, err := io.WriteString(stdout, usage+fs.FlagUsagesWrapped(100)); err != nil {
			return err
		}
		return ErrHelp
	}
	if msg, ok := Message(err); ok {
		return badinput.Errorf("%s%s", valuePrefix, msg)
	}
	return badinput.Errorf("%s%v (%s)", prefix, err, hint)
}
