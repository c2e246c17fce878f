package crawl

import (
	"errors"
	"testing"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/internal/verdict"
)

func TestResultErr(t *testing.T) {
	t.Parallel()
	seeds := []string{"http://127.0.0.1:1/"}
	var unreachable, interruptedAndFailed, failed, left, late Result
	unreachable.Outcome.Unreachable = "connection refused"
	interruptedAndFailed.Interrupted, interruptedAndFailed.Failed = true, 2
	failed.Failed = 1
	left.Left = 3
	late.Outcome.Stats.DeadlineExceeded = true
	unreachableErr := errors.New("unreachable")
	tests := []struct {
		name string
		r    Result
		want error // nil, verdict.ErrInterrupted, verdict.ErrBreached or unreachableErr
	}{
		{"done", Result{}, nil},
		{"interrupted wins", interruptedAndFailed, verdict.ErrInterrupted},
		{"unreachable", unreachable, unreachableErr},
		{"failed", failed, verdict.ErrBreached},
		{"left", left, verdict.ErrBreached},
		{"deadline", late, verdict.ErrBreached},
	}
	for _, tt := range tests {
		err := tt.r.Err(seeds)
		var ue *compare.UnreachableError
		var ok bool
		switch tt.want {
		case nil:
			ok = err == nil
		case unreachableErr:
			ok = errors.As(err, &ue) && ue.Host == "127.0.0.1:1"
		default:
			ok = errors.Is(err, tt.want) && !errors.As(err, &ue)
		}
		if !ok {
			t.Errorf("%s: Err = %v; want %v", tt.name, err, tt.want)
		}
	}
}
