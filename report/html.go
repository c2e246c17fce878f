package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

// The HTML report's parts, inlined into one file: uPlot (MIT, see html/uPlot.LICENSE), the
// report's own script and style, and the page template.
var (
	//go:embed html/uPlot.iife.min.js
	uplotJS string
	//go:embed html/uPlot.min.css
	uplotCSS string
	//go:embed html/report.js
	reportJS string
	//go:embed html/report.css
	reportCSS string
	//go:embed html/report.html.tmpl
	reportPage string
)

var reportTemplate = template.Must(template.New("report").Parse(reportPage))

// The HTML report's bounds: a run's waterfall shows at most WaterfallRows requests (every
// k-th by input position past that), its in-flight curve has at most 512 buckets, its
// latency histogram 20 bins per decade from 1 µs to 1 h.
const (
	WaterfallRows = 2000
	histPerDecade = 20
	histBins      = 10 * histPerDecade // 1µs .. 10^10 µs, beyond any timeout
)

// HTMLRun is the Consumer that keeps what one run's part of the HTML report draws, in memory
// bounded whatever the number of requests: a latency histogram, the time-weighted mean number
// of requests in flight per time bucket (see flight: the buckets widen as the run goes on),
// with an adaptive run's lowest and highest limit per bucket, and a sample of the waterfall.
type HTMLRun struct {
	label   string
	n, step int
	hist    [histBins]int64
	flight  flight
	zero    int64        // µs on the records' time base: the run's start (StartAt − Start of a record)
	zeroSet bool         // zero is set
	rows    [][5]float64 // seq, queued ms, start ms, end ms, failed (1)
}

// NewHTMLRun returns the report part of a run labelled label over n requests.
func NewHTMLRun(label string, n int) *HTMLRun {
	n = max(n, 1)
	return &HTMLRun{label: label, n: n, step: (n + WaterfallRows - 1) / WaterfallRows}
}

// Add counts r.
func (h *HTMLRun) Add(r fetcher.Record) {
	if s, e, ok := wireInterval(&r); ok {
		us := max(r.Latency.Microseconds(), 1)
		h.hist[min(int(math.Log10(float64(us))*histPerDecade), histBins-1)]++
		h.flight.add(s, e)
	}
	if r.Limit > 0 {
		at := int64(r.Start.Round(time.Microsecond))
		if !r.StartAt.IsZero() {
			at = r.StartAt.UnixNano()
		}
		h.flight.limit(floorDiv(at+500, 1000), r.Limit)
	}
	if !h.zeroSet {
		h.zeroSet = true
		if !r.StartAt.IsZero() {
			h.zero = floorDiv(r.StartAt.UnixNano()-int64(r.Start.Round(time.Microsecond))+500, 1000)
		}
	}
	if r.Seq >= 0 && r.Seq < h.n && r.Seq%h.step == 0 {
		failed := 0.0
		if !r.OK() {
			failed = 1
		}
		end := r.Start
		if r.Attempts > 0 {
			end += r.Total
		}
		h.rows = append(h.rows, [5]float64{float64(r.Seq), ms(r.Start - r.Queue), ms(r.Start), ms(end), failed})
	}
}

// Close ends the stream; it never fails.
func (h *HTMLRun) Close() error { return nil }

// htmlData is the report's data, read by html/report.js.
type htmlData struct {
	Runs   []htmlRunData   `json:"runs"`
	Sweeps []htmlSweepData `json:"sweeps"`
}

type htmlRunData struct {
	Label   string    `json:"label"`
	HistMS  []float64 `json:"hist_ms"`  // bin centres
	HistPct []float64 `json:"hist_pct"` // share of the run's requests
	// TimeMS are the in-flight buckets' starts, in ms from the run's start, then the end of
	// the last; InFlight the time-weighted mean number of requests on the wire in each
	// bucket (the integral of the count over the bucket / BucketMS), then 0.
	TimeMS   []float64 `json:"time_ms"`
	InFlight []float64 `json:"in_flight"`
	BucketMS float64   `json:"bucket_ms"`
	// LimitMin and LimitMax are, per in-flight bucket, the lowest and highest adaptive limit
	// the requests started in it were admitted under (Record.Limit), null for a bucket
	// where none started (and for the closing point); absent for a run without limits.
	LimitMin     []*int32     `json:"limit_min,omitempty"`
	LimitMax     []*int32     `json:"limit_max,omitempty"`
	LimitSettled int          `json:"limit_settled,omitempty"` // Summary.LimitSettled
	Peak         int          `json:"peak"`
	MeanInFlight float64      `json:"mean_in_flight"`
	Rows         [][5]float64 `json:"rows"`
	Requests     int          `json:"requests"`
	EveryKth     int          `json:"every_kth"`
	WallMS       float64      `json:"wall_ms"`
	ErrorRows    int          `json:"error_rows"`
}

type htmlSweepData struct {
	Title  string    `json:"title"`
	Param  string    `json:"param"`
	Levels []float64 `json:"levels"`
	RPS    []float64 `json:"rps"`
	P99MS  []float64 `json:"p99_ms"`
	Knee   string    `json:"knee"` // what the sweep says of its knee, e.g. "knee: c=8"
}

func (h *HTMLRun) data(s Summary) htmlRunData {
	d := htmlRunData{Label: h.label, Rows: h.rows, Requests: h.n, EveryKth: h.step, WallMS: s.WallMS,
		Peak: s.PeakInFlight, MeanInFlight: s.MeanInFlight, LimitSettled: s.LimitSettled}
	var total int64
	for _, c := range h.hist {
		total += c
	}
	for i, c := range h.hist {
		if c > 0 {
			d.HistMS = append(d.HistMS, math.Round(math.Pow(10, (float64(i)+0.5)/histPerDecade))/1e3)
			d.HistPct = append(d.HistPct, math.Round(float64(c)/float64(total)*1e5)/1e3)
		}
	}
	starts, areas, lo, hi := h.flight.series()
	width := h.flight.width
	d.BucketMS = float64(width) / 1e3
	for i, a := range areas {
		d.TimeMS = append(d.TimeMS, float64(starts[i]-h.zero)/1e3)
		// Rounded down to three decimals: a mean never shows above the largest count; nor
		// above the peak, which forgives overlaps within the clock's resolution (see sweep).
		d.InFlight = append(d.InFlight, min(math.Floor(float64(a)*1e3/float64(width))/1e3, float64(d.Peak)))
	}
	if len(starts) > 0 {
		d.TimeMS = append(d.TimeMS, float64(starts[len(starts)-1]+width-h.zero)/1e3)
		d.InFlight = append(d.InFlight, 0)
	}
	if slices.ContainsFunc(hi, func(l int32) bool { return l > 0 }) {
		for i := range hi {
			var a, b *int32
			if hi[i] > 0 {
				a, b = &lo[i], &hi[i]
			}
			d.LimitMin, d.LimitMax = append(d.LimitMin, a), append(d.LimitMax, b)
		}
		d.LimitMin, d.LimitMax = append(d.LimitMin, nil), append(d.LimitMax, nil)
	}
	for _, r := range h.rows {
		if r[4] == 1 {
			d.ErrorRows++
		}
	}
	if d.Rows == nil {
		d.Rows = [][5]float64{}
	}
	return d
}

// WriteHTML writes the comparison as one self-contained HTML page: the table, the plain-words
// lines, then, drawn with uPlot, each run's latency distribution, requests in flight over
// time and waterfall, and each sweep's throughput and p99 by level. runs are the HTMLRun
// consumers of the comparison's runs, in order. Nothing is fetched when the page is opened;
// it marks its body data-charts-drawn="true" once every chart has drawn.
func WriteHTML(w io.Writer, c Comparison, runs []*HTMLRun) error {
	var data htmlData
	for i, r := range runs {
		var s Summary
		if i < len(c.Summaries) {
			s = c.Summaries[i]
		}
		data.Runs = append(data.Runs, r.data(s))
	}
	sweeps := Sweeps(c)
	for _, sw := range sweeps {
		sd := htmlSweepData{Title: fmt.Sprintf("%s: throughput and p99 latency by %s", sw.Strategy, sw.Param), Param: sw.Param, Knee: sw.KneeText()}
		for _, l := range sw.Levels {
			sd.Levels = append(sd.Levels, l.Level)
			sd.RPS = append(sd.RPS, l.ReqPerSec)
		}
		for _, s := range c.Summaries { // the sweep's runs, in the same order as its levels
			if _, _, ok := sweepLevel(s); ok && s.Strategy == sw.Strategy {
				sd.P99MS = append(sd.P99MS, s.LatencyP99MS)
			}
		}
		data.Sweeps = append(data.Sweeps, sd)
	}
	js, err := json.Marshal(data) // escapes <, > and &: safe inside a script element
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	var rows [][]string
	for _, s := range c.Summaries {
		rows = append(rows, tableRow(s))
	}
	var lines []string
	for _, s := range c.Summaries {
		lines = append(lines, Describe(s))
	}
	for _, sw := range sweeps {
		lines = append(lines, sw.Describe())
	}
	if line := c.ProxyLine(); line != "" {
		lines = append(lines, line)
	}
	var buf bytes.Buffer
	err = reportTemplate.Execute(&buf, map[string]any{
		"Header": tableHeader, "Rows": rows, "Lines": lines,
		"UplotJS": template.JS(uplotJS), "UplotCSS": template.CSS(uplotCSS),
		"ReportJS": template.JS(reportJS), "ReportCSS": template.CSS(reportCSS),
		"Data": template.JS(js),
	})
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}
