package compare

// This file owns how a run's error ends a command.

import (
	"errors"
	"fmt"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
)

// RunError is a command's error for err, a run's: bad input for an invalid config, a pool's
// error (fetcher.ErrUnfinished) as it is, anything else a write's, after write and ": ".
func RunError(err error, write string) error {
	switch {
	case errors.Is(err, fetcher.ErrConfig):
		return badinput.Errorf("%v", err)
	case errors.Is(err, fetcher.ErrUnfinished):
		return err
	}
	return fmt.Errorf("%s: %w", write, err)
}
