package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
)

// TestOutputsNamer: the lines under a summary that Outputs writes name the options as its
// Namer does, and word them without one.
func TestOutputsNamer(t *testing.T) {
	t.Parallel()
	flags := naming.Namer(func(field string) string {
		return map[string]string{"fetcher.Config.NoProxy": "--no-proxy", "session.Plan.Repeat": "--repeat"}[field]
	})
	var sums []Summary
	for i, p50 := range []float64{10, 20, 40} {
		sums = append(sums, Summary{Strategy: fetcher.Strategies[i], LatencyP50MS: p50, Requests: 3, Proxied: 3, Proxy: "http://127.0.0.1:3128"})
	}
	for _, tc := range []struct {
		name string
		n    naming.Namer
		want []string
	}{
		{"flags", flags, []string{"; --no-proxy ignores them)", "rerun with --repeat 3, which rotates the order"}},
		{"no namer", nil, []string{"; the no-proxy setting ignores them)", "rerun with 3 repetitions, which rotates the order"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			o := &Outputs{OptionNamer: tc.n}
			if err := o.FinishRepetition(NewComparison(sums), 0, 1, Destination{Format: "table", Summary: &buf, Stderr: &buf}); err != nil {
				t.Fatal(err)
			}
			var html bytes.Buffer
			if err := o.WriteHTML(&html, NewComparison(sums)); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("summary holds no %q:\n%s", want, buf.String())
				}
			}
			if !strings.Contains(html.String(), tc.want[0]) {
				t.Errorf("HTML report holds no %q", tc.want[0])
			}
		})
	}
}
