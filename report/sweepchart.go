package report

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/guptarohit/asciigraph"
)

// WriteSweepCharts draws each sweep as two terminal charts, one column group per level in the
// order run: throughput, then p50 latency, so that the knee shows where the first flattens
// while the second climbs. Colour only with color.
func WriteSweepCharts(w io.Writer, sweeps []Sweep, color bool) error {
	var b strings.Builder
	for _, sw := range sweeps {
		n := len(sw.Levels)
		rps := make([]float64, n)
		p50 := make([]float64, n)
		for i, l := range sw.Levels {
			rps[i], p50[i] = l.ReqPerSec, l.LatencyP50MS
		}
		label := func(v float64) string {
			i := min(max(int(math.Round(v)), 0), n-1)
			return sw.Param + "=" + num(sw.Levels[i].Level)
		}
		opts := func(caption string, c asciigraph.AnsiColor) []asciigraph.Option {
			o := []asciigraph.Option{
				asciigraph.Height(8), asciigraph.Width(max(8*n, 24)),
				asciigraph.XAxisRange(0, float64(n-1)), asciigraph.XAxisTickCount(n), asciigraph.XAxisValueFormatter(label),
				asciigraph.LowerBound(0), asciigraph.Caption(caption),
			}
			if color {
				o = append(o, asciigraph.SeriesColors(c))
			}
			return o
		}
		fmt.Fprintf(&b, "\n%s\n\n", asciigraph.Plot(rps, opts(fmt.Sprintf("%s: req/s by %s (%s)", sw.Strategy, sw.Param, sw.KneeText()), asciigraph.Cyan)...))
		fmt.Fprintf(&b, "%s\n", asciigraph.Plot(p50, opts(fmt.Sprintf("%s: p50 latency ms by %s", sw.Strategy, sw.Param), asciigraph.Yellow)...))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write sweep chart: %w", err)
	}
	return nil
}
