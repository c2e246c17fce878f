package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestParseThresholds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []Threshold
		wantErr string
	}{
		{in: "", want: nil},
		{in: "errors>0,p99>500ms,efficiency<0.9,rps<50", want: []Threshold{
			{Metric: "errors", Op: ">", Value: 0, Text: "errors>0"},
			{Metric: "p99", Op: ">", Value: 500, Text: "p99>500ms"},
			{Metric: "efficiency", Op: "<", Value: 0.9, Text: "efficiency<0.9"},
			{Metric: "rps", Op: "<", Value: 50, Text: "rps<50"},
		}},
		{in: " wall >= 1.5s , error_rate<=1% ", want: []Threshold{
			{Metric: "wall", Op: ">=", Value: 1500, Text: "wall>=1.5s"},
			{Metric: "error_rate", Op: "<=", Value: 0.01, Text: "error_rate<=1%"},
		}},
		{in: "p99>500", wantErr: "duration"},
		{in: "latency>1s", wantErr: "unknown metric"},
		{in: "errors=0", wantErr: "want metric>value"},
		{in: "rps<fast", wantErr: "number"},
		{in: "rps<NaN", wantErr: "number"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseThresholds(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckThresholds(t *testing.T) {
	t.Parallel()
	ths, err := ParseThresholds("errors>0,p99>500ms,efficiency<0.9,rps<50")
	if err != nil {
		t.Fatal(err)
	}
	sums := []Summary{
		{Strategy: "sequential", Errors: 0, LatencyP99MS: 100, Efficiency: 0.99, ReqPerSec: 9.5},
		{Strategy: "semaphore", Errors: 2, LatencyP99MS: 612, Efficiency: 0.95, ReqPerSec: 80},
	}
	var got []string
	for _, b := range CheckThresholds(ths, sums) {
		got = append(got, b.String())
	}
	want := []string{
		"sequential: rps<50 (rps = 9.5)",
		"semaphore: errors>0 (errors = 2)",
		"semaphore: p99>500ms (p99 = 612ms)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("breaches (-want +got):\n%s", diff)
	}
}

func FuzzParseThresholds(f *testing.F) {
	for _, s := range []string{"errors>0,p99>500ms,efficiency<0.9,rps<50", "error_rate<=1%", "p99>", ">", "wall>=-1s", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ths, err := ParseThresholds(s)
		if err != nil {
			return
		}
		sum := Summary{Requests: 1}
		for _, th := range ths {
			if _, ok := metrics[th.Metric]; !ok {
				t.Fatalf("accepted unknown metric %q", th.Metric)
			}
			_ = th.Holds(&sum)
		}
		_ = CheckThresholds(ths, []Summary{sum})
	})
}

func TestComparisonFailures(t *testing.T) {
	t.Parallel()
	ths, err := ParseThresholds("errors>0")
	if err != nil {
		t.Fatal(err)
	}
	c := NewComparison([]Summary{
		{Strategy: fetcher.Sequential, Requests: 20, Cancelled: 15, DeadlineExceeded: true},
		{Strategy: fetcher.Semaphore, Requests: 20, Errors: 1},
		{Strategy: fetcher.Unbounded, Requests: 20},
		{Strategy: fetcher.RateLimit, Requests: 1, Cancelled: 1, DeadlineExceeded: true},
	})
	want := []string{
		"sequential: deadline exceeded (15 of 20 requests cancelled)",
		"ratelimit: deadline exceeded (1 of 1 request cancelled)",
		"threshold breached: semaphore: errors>0 (errors = 1)",
	}
	if diff := cmp.Diff(want, c.Failures(ths)); diff != "" {
		t.Errorf("Failures (-want +got):\n%s", diff)
	}
	if got := NewComparison(nil).Failures(ths); got != nil {
		t.Errorf("Failures of nothing = %q, want none", got)
	}
}
