package main

import (
	"runtime/debug"
	"testing"
)

// TestSoftMemoryLimit: the limit holds until restored, and GOMEMLIMIT, when set, wins.
func TestSoftMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	restore := softMemoryLimit(123 << 20)
	if got := debug.SetMemoryLimit(-1); got != 123<<20 {
		t.Errorf("limit %d, want %d", got, 123<<20)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("restored limit %d, want %d", got, before)
	}
	for _, tc := range []struct {
		name, env string
		n         int64
	}{{"no limit asked", "", 0}, {"GOMEMLIMIT set", "1GiB", 123 << 20}} {
		t.Setenv("GOMEMLIMIT", tc.env)
		restore := softMemoryLimit(tc.n)
		if got := debug.SetMemoryLimit(-1); got != before {
			t.Errorf("%s: limit %d, want it untouched (%d)", tc.name, got, before)
		}
		restore()
	}
}
