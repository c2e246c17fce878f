package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRepeatRotates checks that --repeat rotates the strategy order between repetitions.
func TestRepeatRotates(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "--fake-latency", "0", "-n", "2", "-o", "benchstat", "--repeat", "3")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^Benchmark(\w+)`).FindAllStringSubmatch(res.stdout, -1) {
		got = append(got, m[1])
	}
	want := []string{
		"Sequential", "Unbounded", "Semaphore", "Ratelimit", "Adaptive",
		"Unbounded", "Semaphore", "Ratelimit", "Adaptive", "Sequential",
		"Semaphore", "Ratelimit", "Adaptive", "Sequential", "Unbounded",
	}
	if !slices.Equal(got, want) {
		t.Errorf("benchstat runs in the order %v, want %v", got, want)
	}
	table := invoke(t, "", "--offline", "--fake-latency", "0", "-n", "2", "-s", "sequential,unbounded", "--repeat", "2")
	if table.code != 0 || !strings.Contains(table.stdout, "repetition 1 of 2: sequential, unbounded") ||
		!strings.Contains(table.stdout, "repetition 2 of 2: unbounded, sequential") {
		t.Errorf("exit %d, tables:\n%s\n%s", table.code, table.stdout, table.stderr)
	}
}

// TestOrderBiasHint runs three strategies against swapi.tech's live limits and expects the
// line that says latency grew with run order. At half the real time its slow-down grows by
// 50 ms with every request, so the p50s are about 25 ms, 525 ms and 1,025 ms: the hint's 20 %
// per run and twofold in all hold until a request's own cost passes about a second (a race
// run on a loaded 2-core machine added 170 ms, which broke the test at a fifth of real time).
func TestOrderBiasHint(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "--api", "tech", "--fake-profile", "live", "--fake-time-scale", "0.5",
		"--fake-latency", "0", "-n", "10", "-s", "sequential,unbounded,semaphore")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "run order: p50 latency grew with every run") || !strings.Contains(res.stdout, "--repeat 3") {
		t.Errorf("no run-order line under the table:\n%s", res.stdout)
	}
	// A steady 50 ms server: a loaded machine's jitter (0.2 → 2 → 3 → 9 → 77 ms against a
	// server answering at once, in a race run) would have to double it, in steps of 10 ms.
	calm := invoke(t, "", "--offline", "--fake-latency", "50ms", "-n", "4")
	if strings.Contains(calm.stdout, "run order") {
		t.Errorf("a run-order line without a stateful server:\n%s", calm.stdout)
	}
}
