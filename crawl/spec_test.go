package crawl

import (
	"errors"
	"testing"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/internal/badinput"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format            string
		several, terminal bool
		want              string
		bad               bool
	}{
		{"", true, false, "table", false},
		{"ndjson", true, false, "", true},
		{"markdown", true, false, "markdown", false},
		{"markdown", false, false, "", true},
		{"", false, true, "table", false},
		{"", false, false, "ndjson", false},
		{"csv", false, true, "csv", false},
	}
	for _, tt := range tests {
		got, err := Format(tt.format, tt.several, tt.terminal)
		var be *badinput.Error
		if got != tt.want || (err != nil) != tt.bad || (err != nil && !errors.As(err, &be)) {
			t.Errorf("Format(%q, %v, %v) = %q, %v; want %q, bad input %v", tt.format, tt.several, tt.terminal, got, err, tt.want, tt.bad)
		}
	}
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	seeds := []string{"http://127.0.0.1:1/"}
	var unreachable, interruptedAndFailed, failed, left, late Result
	unreachable.Outcome.Unreachable = "connection refused"
	interruptedAndFailed.Interrupted, interruptedAndFailed.Failed = true, 2
	failed.Failed = 1
	left.Left = 3
	late.Outcome.Stats.DeadlineExceeded = true
	tests := []struct {
		name string
		r    Result
		want Verdict
	}{
		{"done", Result{}, Done},
		{"interrupted wins", interruptedAndFailed, Interrupted},
		{"unreachable", unreachable, Unreachable},
		{"failed", failed, Incomplete},
		{"left", left, Incomplete},
		{"deadline", late, Incomplete},
	}
	for _, tt := range tests {
		got, err := tt.r.Verdict(seeds)
		var ue *compare.UnreachableError
		if got != tt.want || (got == Unreachable) != errors.As(err, &ue) {
			t.Errorf("%s: Verdict = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}
