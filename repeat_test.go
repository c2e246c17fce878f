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
// line that says latency grew with run order: its slow-down grows with every request, so
// each run's p50 is a second above the previous one's. On the fake clock of a synctest
// bubble the p50s are exact.
func TestOrderBiasHint(t *testing.T) {
	t.Parallel()
	res := invokeBubble(t, "", "--offline", "--api", "tech", "--fake-profile", "live",
		"--fake-latency", "20ms", "-n", "10", "-s", "sequential,unbounded,semaphore")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "run order: p50 latency grew with every run (20ms → 1.0s → 2.0s, running sequential, unbounded, semaphore in that order)") ||
		!strings.Contains(res.stdout, "--repeat 3") {
		t.Errorf("no run-order line under the table:\n%s", res.stdout)
	}
	// A steady 50 ms server: no line.
	calm := invokeBubble(t, "", "--offline", "--fake-latency", "50ms", "-n", "4")
	if strings.Contains(calm.stdout, "run order") {
		t.Errorf("a run-order line without a stateful server:\n%s", calm.stdout)
	}
}
