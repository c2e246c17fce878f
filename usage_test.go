package main

import (
	"strings"
	"testing"
)

// TestUsageTexts checks that every command has its usage text and that --help prints it.
func TestUsageTexts(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"compare", "get", "crawl", "report", "lesson", "serve", "worker"} {
		text := usage(name)
		if !strings.HasPrefix(text, "fetchbench ") {
			t.Errorf("usage(%q) = %.40q, want a text starting with fetchbench", name, text)
			continue
		}
		args := []string{name, "--help"}
		if name == "compare" {
			args = args[1:]
		}
		if r := invoke(t, "", args...); r.code != 0 || !strings.HasPrefix(r.stdout, strings.TrimRight(text, "\n")) {
			t.Errorf("%v: exit %d, stdout starts %.60q, want the usage text", args, r.code, r.stdout)
		}
	}
}
