package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputsNameDistinctFiles: two outputs (or an output and an input) naming one file are
// refused before anything is written, with one line naming both flags, and the file is left
// as it was.
func TestOutputsNameDistinctFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x := filepath.Join(dir, "x")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(x, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(x, link); err != nil {
		t.Fatal(err)
	}
	dotted := filepath.Join(dir, ".", "sub", "..", "x")
	tests := []struct {
		name  string
		args  []string
		flags []string
	}{
		{"records and html", []string{"--offline", "-n", "2", "--records", x, "--html", x}, []string{"--records", "--html"}},
		{"records and html, unclean path", []string{"--offline", "-n", "2", "--records", x, "--html", dotted}, []string{"--records", "--html"}},
		{"records and html, symlink", []string{"--offline", "-n", "2", "--records", link, "--html", x}, []string{"--records", "--html"}},
		{"urls and records", []string{"--urls", x, "--records", x}, []string{"--urls", "--records"}},
		{"get urls and records", []string{"get", "--urls", x, "--records", x}, []string{"--urls", "--records"}},
		{"report input and html", []string{"report", x, "--html", x}, []string{"--html", "record file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, "", tc.args...)
			if res.code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", res.code, res.stderr)
			}
			ls := lines(res.stderr)
			if len(ls) != 1 {
				t.Fatalf("stderr %q: want one line", res.stderr)
			}
			for _, f := range tc.flags {
				if !strings.Contains(ls[0], f) {
					t.Errorf("stderr %q: want it to name %s", ls[0], f)
				}
			}
			if b, _ := os.ReadFile(x); string(b) != "keep\n" {
				t.Errorf("the file now holds %q: it was written", b)
			}
		})
	}
}
