package fetcher

import (
	"os/exec"
	"strings"
	"testing"
)

// TestKnowsNoAPI: the scheduler knows no API; the SWAPI name scan reaches it through
// Config.Namer alone. It asks the go tool for the package's dependencies (tests aside).
func TestKnowsNoAPI(t *testing.T) {
	t.Parallel()
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	out, err := exec.Command(gotool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/swapi") || strings.HasSuffix(pkg, "/fakeswapi") {
			t.Errorf("fetcher depends on %s", pkg)
		}
	}
}
