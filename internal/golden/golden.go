// Package golden compares a test's output with a golden file, or rewrites the file when the
// test binary runs with its update flag set. It registers that flag; import it from tests only.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool(UpdateFlag, false, "rewrite the golden files in testdata/")

// UpdateFlag names the test binary's flag that rewrites the golden files.
const UpdateFlag = "update"

// Updating reports whether the test binary runs with its update flag set.
func Updating() bool { return *update }

// Check compares got with the file at path, or when updating writes got there (creating its
// directory). A mismatch is a test error with a diff: the golden file's lines marked with a
// minus, got's with a plus.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with its %s flag set to create it)", err, UpdateFlag)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (golden lines marked with a minus, got's with a plus):\n%s", path, diff)
	}
}
