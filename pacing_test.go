package main

import (
	"strings"
	"testing"
)

// TestLongPacingIsAnnounced: a rate that makes the run long says so in one line before it
// starts (here cut short by --deadline); a quick one says nothing.
func TestLongPacingIsAnnounced(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string // "" none
	}{
		{"comparison", []string{"--offline", "--fake-latency", "0", "-n", "3", "-s", "ratelimit", "-r", "0.001", "--deadline", "50ms"},
			"fetchbench: ratelimit at 0.001 req/s (burst 1) takes at least 33m20s for 3 requests"},
		{"get", []string{"get", "--offline", "--fake-latency", "0", "-n", "3", "-s", "ratelimit", "-r", "0.001", "--deadline", "50ms"},
			"fetchbench: ratelimit at 0.001 req/s (burst 1) takes at least 33m20s for 3 requests"},
		{"get --all", []string{"get", "--offline", "--fake-latency", "0", "--all", "-s", "ratelimit", "-r", "0.001", "--deadline", "50ms"},
			"fetchbench: ratelimit at 0.001 req/s: every request after the first request waits 16m40s for its start"},
		{"quick", []string{"--offline", "--fake-latency", "0", "-n", "3", "-s", "ratelimit", "-r", "1000"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, "", tc.args...)
			got := strings.Contains(res.stderr, "req/s (burst") || strings.Contains(res.stderr, "for its start")
			switch {
			case tc.want == "" && got:
				t.Errorf("stderr announces a long run:\n%s", res.stderr)
			case tc.want != "" && !strings.HasPrefix(res.stderr, tc.want+"\n"):
				t.Errorf("stderr:\n%s\nwant it to open with %q", res.stderr, tc.want)
			}
		})
	}
}
