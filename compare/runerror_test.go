package compare_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
)

func TestRunError(t *testing.T) {
	t.Parallel()
	unfinished := fmt.Errorf("redis lost: %w", fetcher.ErrUnfinished)
	for _, tt := range []struct {
		err      error
		want     string
		badInput bool
	}{
		{fmt.Errorf("%w: -c must be at least 1", fetcher.ErrConfig), fetcher.ErrConfig.Error() + ": -c must be at least 1", true},
		{unfinished, unfinished.Error(), false},
		{errors.New("no space left on device"), "write records: no space left on device", false},
	} {
		got := compare.RunError(tt.err, "write records")
		var be *badinput.Error
		if got.Error() != tt.want || errors.As(got, &be) != tt.badInput {
			t.Errorf("RunError(%v) = %v (bad input %v), want %q (bad input %v)", tt.err, got, errors.As(got, &be), tt.want, tt.badInput)
		}
	}
}
