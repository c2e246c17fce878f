package redispool

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestUnfinishedRun: a run the pool could not finish says that its records are written and
// Is fetcher.ErrUnfinished (so that a command does not call it a failed write); any other
// error is not one.
func TestUnfinishedRun(t *testing.T) {
	t.Parallel()
	lost := &UnreachableError{URL: "redis://127.0.0.1:1", Err: errors.New("connection refused"), MidRun: true}
	for _, tt := range []struct {
		err  error
		want string // "" for not unfinished
	}{
		{lost, lost.Error() + "; the records received are written"},
		{fmt.Errorf("job: %w", ErrNoWorker), "job: no worker in the pool; the records received are written"},
		{errors.New("write /dev/full: no space left on device"), ""},
		{nil, ""},
	} {
		got := unfinishedRun(tt.err)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("unfinishedRun(%v) = %v, want nil", tt.err, got)
		case tt.want != "" && (got == nil || got.Error() != tt.want || !errors.Is(got, fetcher.ErrUnfinished) || !errors.Is(got, tt.err)):
			t.Errorf("unfinishedRun(%v) = %v, want %q, Is fetcher.ErrUnfinished and the error", tt.err, got, tt.want)
		}
	}
}
