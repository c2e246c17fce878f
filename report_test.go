package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/report"
)

// summaries decodes a -o json document's strategies.
func summaries(t *testing.T, stdout string) []report.Summary {
	t.Helper()
	return document(t, stdout).Strategies
}

// document decodes a -o json document.
func document(t *testing.T, stdout string) report.Document {
	t.Helper()
	var doc report.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not a JSON summary: %v\n%s", err, stdout)
	}
	return doc
}

// TestReportReplaysTheRun checks that fetchbench report gives back, from the records alone,
// every summary field the live run printed.
func TestReportReplaysTheRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"unpaced", []string{"-n", "50", "-s", "sequential,unbounded"}},
		{"every strategy", []string{"-n", "50", "-r", "500", "--burst", "2"}},
		{"sweep", []string{"-n", "50", "-s", "semaphore", "-c", "1,4"}},
		{"discovery", []string{"--all", "--resource", "planets", "-s", "unbounded,ratelimit", "-r", "500"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, ext := range []string{"ndjson", "csv"} {
				path := filepath.Join(t.TempDir(), "r."+ext)
				live := invoke(t, "", append([]string{"--offline", "--fake-latency", "1ms", "--records", path, "-o", "json"}, tc.args...)...)
				if live.code != 0 {
					t.Fatalf("exit %d: %s", live.code, live.stderr)
				}
				replay := invoke(t, "", "report", path, "-o", "json")
				if replay.code != 0 {
					t.Fatalf("report %s: exit %d: %s", ext, replay.code, replay.stderr)
				}
				want, got := document(t, live.stdout), document(t, replay.stdout)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("report %s (-live +replayed):\n%s", ext, diff)
				}
				if all := slices.Contains(tc.args, "--all"); all != (len(got.Discovery) == 1) {
					t.Errorf("--all %v, but %d discovery summaries", all, len(got.Discovery))
				} else if all && (got.Discovery[0].Requests != 6 || got.Discovery[0].Strategy != "ratelimit") {
					t.Errorf("discovery %+v, want planets' 6 list pages read as ratelimit", got.Discovery[0])
				}
			}
		})
	}
}

// TestReportMergesHalves checks that two record files over halves of the targets make one row
// per strategy with the combined counts.
func TestReportMergesHalves(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var paths []string
	var halves [][]report.Summary
	for i, ids := range []string{"1-25", "26-50"} {
		path := filepath.Join(dir, []string{"a.ndjson", "b.csv"}[i])
		res := invoke(t, "", "--offline", "--fake-latency", "1ms", "--ids", ids, "-s", "sequential,unbounded", "--records", path, "-o", "json")
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		paths = append(paths, path)
		halves = append(halves, summaries(t, res.stdout))
	}
	res := invoke(t, "", append([]string{"report", "-o", "json"}, paths...)...)
	if res.code != 0 {
		t.Fatalf("report: exit %d: %s", res.code, res.stderr)
	}
	got := summaries(t, res.stdout)
	if len(got) != 2 {
		t.Fatalf("%d rows, want one per strategy: %+v", len(got), got)
	}
	for i, s := range got {
		a, b := halves[0][i], halves[1][i]
		type counts struct {
			Strategy                string
			Requests, OK, Errors    int
			Attempts                int
			Bytes                   int64
			Status404, Status200    int
			LatencyMin, LatencyMax  float64
			PeakAtLeast, IdealAbove bool
		}
		want := counts{string(a.Strategy), a.Requests + b.Requests, a.OK + b.OK, a.Errors + b.Errors, a.Attempts + b.Attempts,
			a.Bytes + b.Bytes, a.StatusCounts[404] + b.StatusCounts[404], a.StatusCounts[200] + b.StatusCounts[200],
			min(a.LatencyMinMS, b.LatencyMinMS), max(a.LatencyMaxMS, b.LatencyMaxMS), true, true}
		have := counts{string(s.Strategy), s.Requests, s.OK, s.Errors, s.Attempts, s.Bytes, s.StatusCounts[404], s.StatusCounts[200],
			s.LatencyMinMS, s.LatencyMaxMS, s.PeakInFlight >= max(a.PeakInFlight, b.PeakInFlight),
			s.IdealMS >= max(a.IdealMS, b.IdealMS)}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("merged %s (-want +got):\n%s", s.Strategy, diff)
		}
		if s.Requests != 50 || s.Efficiency > 1 {
			t.Errorf("merged %s: %d requests, efficiency %v; want 50 and at most 1", s.Strategy, s.Requests, s.Efficiency)
		}
	}
}
