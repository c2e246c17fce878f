package main

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/fetchbench/fetchbench/internal/memnet"
)

// TestLessonCommand checks the wiring of the lesson command: the name and --time-scale reach
// package lesson, which writes to stdout. It runs on an in-memory network in a synctest
// bubble, so the machine's load neither refuses the scale nor contradicts the lesson. What the
// lessons print is package lesson's test; the usage and bad input are CLI goldens.
func TestLessonCommand(t *testing.T) {
	t.Parallel()
	var res result
	synctest.Test(t, func(t *testing.T) {
		res = invokeIn(t, memEnv(new(memnet.Network)), "lesson", "gather", "--time-scale", "1")
	})
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", res.code, res.stderr)
	}
	for _, want := range []string{"(asyncio.gather)", "Each answer takes 400ms ± 100ms here", "\nsequential ", "\nunbounded ", "█ on the wire"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
}

// TestLessonScaleRefused: at the smallest scale gather's 400 ms answer lasts 400 µs, less
// than ten times what a request over loopback costs beyond its delay: refused with one line
// naming --time-scale, exit 2, before the lesson prints anything.
func TestLessonScaleRefused(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "lesson", "gather", "--time-scale", "0.001")
	if ls := lines(res.stderr); res.code != 2 || len(ls) != 1 || !strings.HasPrefix(ls[0], "fetchbench: --time-scale 0.001: lesson gather: time scale too small for this machine") {
		t.Errorf("exit %d, stderr %q; want 2 and one line naming --time-scale", res.code, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("stdout %q, want nothing", res.stdout)
	}
}
