package report_test

import (
	"testing"

	"github.com/fetchbench/fetchbench/report"
)

func TestShowProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                    string
		mode                    string
		stderrTTY, recordsOnTTY bool
		want                    bool
	}{
		{"auto on a terminal", "auto", true, false, true},
		{"auto with the records on the terminal", "auto", true, true, false},
		{"auto off a terminal", "auto", false, false, false},
		{"always", "always", false, true, true},
		{"never", "never", true, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := report.ShowProgress(tc.mode, tc.stderrTTY, tc.recordsOnTTY); got != tc.want {
				t.Errorf("ShowProgress(%q, %v, %v) = %v, want %v", tc.mode, tc.stderrTTY, tc.recordsOnTTY, got, tc.want)
			}
		})
	}
}
