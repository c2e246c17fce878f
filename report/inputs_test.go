package report_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/report"
)

func TestJoinNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		names []string
		want  string
	}{
		{"one", []string{"a.ndjson"}, "a.ndjson"},
		{"two", []string{"a.ndjson", "b.csv"}, "a.ndjson and b.csv"},
		{"three", []string{"a", "b", "c"}, "a, b and c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := report.JoinNames(tc.names); got != tc.want {
				t.Errorf("JoinNames(%q) = %q, want %q", tc.names, got, tc.want)
			}
		})
	}
}

func TestOpenInputsStdinTwice(t *testing.T) {
	t.Parallel()
	_, cleanup, err := report.OpenInputs(context.Background(), []string{"-", "x", "-"}, strings.NewReader(""))
	defer cleanup()
	if !errors.Is(err, report.ErrStdinTwice) {
		t.Errorf("err = %v, want ErrStdinTwice", err)
	}
}
