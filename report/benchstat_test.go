package report

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/perf/benchfmt"
)

// TestWriteBenchstat parses the output with benchfmt, as benchstat does: one result per run,
// named with the strategy's parameters, with every unit, in two files' worth of repeats.
func TestWriteBenchstat(t *testing.T) {
	t.Parallel()
	c, _, _ := recordedRuns(t, recordedCompare)
	var buf bytes.Buffer
	if err := WriteBenchstat(&buf, c, true); err != nil {
		t.Fatal(err)
	}
	if err := WriteBenchstat(&buf, c, false); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.benchstat.golden", buf.Bytes())

	r := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "run.txt")
	var names []string
	units := map[string]bool{}
	for r.Scan() {
		switch rec := r.Result(); rec := rec.(type) {
		case *benchfmt.Result:
			names = append(names, string(rec.Name))
			if rec.Iters != 1 {
				t.Errorf("%s: %d iterations, want 1", rec.Name, rec.Iters)
			}
			for _, v := range rec.Values {
				units[v.Unit] = true
			}
			if got := rec.GetConfig("goos"); got == "" {
				t.Errorf("%s: no goos configuration", rec.Name)
			}
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	// benchfmt names results without the Benchmark prefix.
	one := []string{"Sequential", "Unbounded", "Semaphore/c=4", "Ratelimit/r=40/burst=1/c=4"}
	if d := cmp.Diff(append(one, one...), names); d != "" {
		t.Errorf("names (-want +got):\n%s", d)
	}
	for _, u := range []string{"sec/op", "p50-sec", "p90-sec", "p99-sec", "max-sec", "req/s", "efficiency", "errors"} {
		if !units[u] {
			t.Errorf("no %s values (units: %v)", u, units)
		}
	}
}
