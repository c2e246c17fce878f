//go:build e2e

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeGetPipelines runs the console block of README's "Get the data" section as printed,
// with the fetchbench binary built from this tree first on PATH, and compares the outputs.
func TestReadmeGetPipelines(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("jq"); err != nil {
		if os.Getenv("FETCHBENCH_CI") != "" {
			t.Fatal("jq is needed by the README pipelines; .ci/run installs it")
		}
		t.Skip("jq not installed")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Get the data\n")
	if !ok {
		t.Fatal(`README has no "## Get the data" section`)
	}
	_, block, ok := strings.Cut(section, "```console\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal("the section has no console block")
	}
	type pipeline struct{ cmd, want string }
	var ps []pipeline
	for _, line := range strings.SplitAfter(block, "\n") {
		if cmd, isCmd := strings.CutPrefix(line, "$ "); isCmd {
			ps = append(ps, pipeline{cmd: strings.TrimSpace(cmd)})
		} else if len(ps) > 0 {
			ps[len(ps)-1].want += line
		}
	}
	if len(ps) < 3 {
		t.Fatalf("%d pipelines in the console block, want 3", len(ps))
	}
	bin := filepath.Dir(binary(t))
	for _, p := range ps {
		t.Run(p.cmd, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("bash", "-c", p.cmd)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v", err)
			}
			if string(out) != p.want {
				t.Errorf("output:\n%s\nREADME says:\n%s", out, p.want)
			}
		})
	}
}
