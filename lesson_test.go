package main

import (
	"strings"
	"testing"
)

// TestLessonCommand checks the wiring of the lesson command: the name and --time-scale reach
// package lesson, which writes to stdout. What the lessons print is package lesson's test,
// on fake time; the usage and bad input are CLI goldens.
func TestLessonCommand(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "lesson", "gather", "--time-scale", "0.001")
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", res.code, res.stderr)
	}
	for _, want := range []string{"(asyncio.gather)", "Each answer takes 400µs ± 100µs here", "\nsequential ", "\nunbounded ", "█ on the wire"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
}
