package report

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
)

// WriteBenchstat writes c in the Go benchmark format, one line per run, so that
// `benchstat before.txt after.txt` compares two invocations (repeat them for statistics):
//
//	BenchmarkSemaphore/c=10  1  203512000 ns/op  101230000 p50-ns  ...  98.3 req/s  0.997 efficiency  1 errors
//
// The name is the strategy with its parameters as key=value parts (c, r, burst); one iteration is the whole run, so ns/op is its wall time. The other
// values are the latency percentiles p50-ns, p90-ns, p99-ns, max-ns, then req/s, efficiency
// and errors. With header, the configuration lines (goos, goarch, pkg) and the unit metadata
// (req/s and efficiency are better higher) come first: write them once per file.
func WriteBenchstat(w io.Writer, c Comparison, header bool) error {
	var b strings.Builder
	if header {
		fmt.Fprintf(&b, "goos: %s\ngoarch: %s\npkg: fetchbench\n", runtime.GOOS, runtime.GOARCH)
		b.WriteString("Unit req/s better=higher\nUnit efficiency better=higher\n")
	}
	ns := func(ms float64) string { return strconv.FormatInt(dur(ms).Nanoseconds(), 10) }
	for _, s := range c.Summaries {
		fmt.Fprintf(&b, "%s\t1\t%s ns/op\t%s p50-ns\t%s p90-ns\t%s p99-ns\t%s max-ns\t%s req/s\t%s efficiency\t%d errors\n",
			benchName(s), ns(s.WallMS),
			ns(s.LatencyP50MS), ns(s.LatencyP90MS), ns(s.LatencyP99MS), ns(s.LatencyMaxMS),
			num(s.ReqPerSec), num(s.Efficiency), s.Errors)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write benchstat: %w", err)
	}
	return nil
}

// benchName is "Benchmark" and the strategy capitalised, with its parameters as sub-benchmark
// parts: BenchmarkSemaphore/c=10, BenchmarkRatelimit/r=10/burst=1/c=5.
func benchName(s Summary) string {
	name := string(s.Strategy)
	name = "Benchmark" + strings.ToUpper(name[:1]) + name[1:]
	return name + s.Strategy.BenchName(s.Limits())
}
