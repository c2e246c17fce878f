package verdict_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fetchbench/fetchbench/internal/verdict"
)

func TestKinds(t *testing.T) {
	for _, tc := range []struct {
		err              error
		msg              string
		interrupted, bad bool
	}{
		{verdict.Interrupted("interrupted; the output above is partial"), "interrupted; the output above is partial", true, false},
		{fmt.Errorf("x: %w", verdict.Interrupted("")), "x: ", true, false},
		{verdict.Breached(""), "", false, true},
		{fmt.Errorf("%w during discovery", verdict.ErrInterrupted), "interrupted during discovery", true, false},
		{errors.New("interrupted"), "interrupted", false, false},
	} {
		if got := tc.err.Error(); got != tc.msg {
			t.Errorf("Error() = %q, want %q", got, tc.msg)
		}
		if got := errors.Is(tc.err, verdict.ErrInterrupted); got != tc.interrupted {
			t.Errorf("%q Is ErrInterrupted = %v", tc.msg, got)
		}
		if got := errors.Is(tc.err, verdict.ErrBreached); got != tc.bad {
			t.Errorf("%q Is ErrBreached = %v", tc.msg, got)
		}
	}
}

func ExampleInterrupted() {
	err := verdict.Interrupted("interrupted; the report above is partial")
	fmt.Println(err, errors.Is(err, verdict.ErrInterrupted))
	// Output: interrupted; the report above is partial true
}
