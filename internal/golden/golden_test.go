package golden_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fetchbench/fetchbench/internal/golden"
)

// recorder is a testing.TB that keeps whether an error was reported.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheck(t *testing.T) {
	t.Parallel()
	if golden.Updating() {
		t.Skip("-update rewrites files; this test checks comparing")
	}
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		got  string
		fail bool
	}{{"same\n", false}, {"other\n", true}} {
		r := &recorder{TB: t}
		golden.Check(r, path, []byte(tc.got))
		if r.failed != tc.fail {
			t.Errorf("Check(%q): failed %v, want %v", tc.got, r.failed, tc.fail)
		}
	}
}
