package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// ErrUnknownFormat is wrapped by the errors for an output or record format name not supported.
var ErrUnknownFormat = errors.New("unknown format")

// Formats lists the summary formats Write accepts.
var Formats = []string{"table", "markdown", "csv", "json", "benchstat"}

// Write renders c to w in format, one of Formats; terminal says whether w is a terminal (see
// WriteCSV).
func Write(w io.Writer, format string, c Comparison, terminal bool) error {
	switch format {
	case "table":
		return WriteTable(w, c)
	case "markdown":
		return WriteMarkdown(w, c)
	case "csv":
		return WriteCSV(w, c, terminal)
	case "json":
		return WriteJSON(w, c)
	case "benchstat":
		return WriteBenchstat(w, c, true)
	}
	return fmt.Errorf("%w %q (want table, markdown, csv, json or benchstat)", ErrUnknownFormat, format)
}

// tableHeader names the columns of the table and markdown renderings; the first two hold
// text, the rest numbers.
var tableHeader = []string{
	"strategy", "params", "requests", "ok", "errors", "wall", "req/s", "speedup",
	"ideal", "efficiency", "p50", "p90", "p99", "max", "peak",
}

// tableRow formats one summary for the table and markdown renderings.
func tableRow(s Summary) []string {
	return []string{
		strategyCell(s),
		Params(s),
		strconv.Itoa(s.Requests),
		strconv.Itoa(s.OK),
		strconv.Itoa(s.Errors),
		humanMS(s.WallMS),
		rateString(s.ReqPerSec),
		speedupString(s.Speedup),
		idealString(s.IdealMS),
		efficiencyString(s.Efficiency),
		humanMS(s.LatencyP50MS),
		humanMS(s.LatencyP90MS),
		humanMS(s.LatencyP99MS),
		humanMS(s.LatencyMaxMS),
		strconv.Itoa(s.PeakInFlight),
	}
}

// WriteTable writes the comparison for people: an aligned table, text columns left-aligned and
// numbers right-aligned, then a blank line and one plain-words line per strategy (Describe).
// Strings are sanitized for a terminal.
func WriteTable(w io.Writer, c Comparison) error {
	sums := c.Summaries
	rows := [][]string{tableHeader}
	for _, s := range sums {
		rows = append(rows, tableRow(s))
	}
	widths := make([]int, len(tableHeader))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			switch {
			case i == 0:
			case i < 2:
				b.WriteString("  ")
			default:
				b.WriteString("  ")
				b.WriteString(pad)
			}
			b.WriteString(cell)
			if i < 2 {
				b.WriteString(pad)
			}
		}
		b.WriteByte('\n')
	}
	if len(sums) > 0 {
		b.WriteByte('\n')
	}
	for _, s := range sums {
		b.WriteString(Describe(s))
		b.WriteByte('\n')
	}
	for _, sw := range Sweeps(c) {
		b.WriteString(sw.Describe())
		b.WriteByte('\n')
	}
	for _, s := range c.Discovery {
		b.WriteString(DescribeDiscovery(s))
		b.WriteByte('\n')
	}
	if line := c.ProxyLine(); line != "" {
		b.WriteString(line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// WriteMarkdown writes the table of WriteTable as a GitHub-flavoured markdown table, numbers
// right-aligned, without the plain-words lines.
func WriteMarkdown(w io.Writer, c Comparison) error {
	sums := c.Summaries
	var b strings.Builder
	writeRow := func(row []string) {
		b.WriteByte('|')
		for _, cell := range row {
			b.WriteByte(' ')
			b.WriteString(strings.ReplaceAll(Sanitize(cell), "|", `\|`))
			b.WriteString(" |")
		}
		b.WriteByte('\n')
	}
	writeRow(tableHeader)
	b.WriteByte('|')
	for i := range tableHeader {
		if i < 2 {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteByte('\n')
	for _, s := range sums {
		writeRow(tableRow(s))
	}
	for i, s := range c.Discovery {
		if i == 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.ReplaceAll(DescribeDiscovery(s), "|", `\|`))
		b.WriteString("  \n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// csvHeader is the header row of WriteCSV: the JSON field names of Summary, in order.
var csvHeader = []string{
	"strategy", "concurrency", "rate", "burst", "requests", "ok", "errors",
	"wall_ms", "req_per_sec", "speedup", "ideal_ms", "efficiency",
	"latency_min_ms", "latency_mean_ms", "latency_p50_ms", "latency_p90_ms", "latency_p95_ms",
	"latency_p99_ms", "latency_p999_ms", "latency_max_ms", "latency_stddev_ms",
	"ttfb_p50_ms", "ttfb_p99_ms", "queue_p50_ms", "queue_p99_ms", "queue_max_ms",
	"response_p50_ms", "response_p99_ms", "response_max_ms", "late_starts", "start_rate",
	"peak_in_flight", "mean_in_flight", "bytes", "status_counts", "error_classes", "error_sample",
	"attempts", "retried", "cancelled", "deadline_exceeded", "interrupted",
	"connections", "protocols", "proxy", "proxied",
	"min_concurrency", "limit_settled", "capacity",
}

// WriteCSV writes a header row (the Summary JSON field names, in order) and one row per
// summary. Numbers are plain (durations in milliseconds, booleans true/false); status_counts
// is "200=18;404=2" by status, error_classes "http 4xx=2;timeout=1" by name. error_sample,
// which comes from a server, is escaped for a terminal when terminal is set, and otherwise
// kept but defused against spreadsheet formulas (a leading ' before = + - @).
func WriteCSV(w io.Writer, c Comparison, terminal bool) error {
	sums := c.Summaries
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	d := strconv.Itoa
	for _, s := range sums {
		_ = cw.Write([]string{
			csvString(string(s.Strategy)), d(s.Concurrency), f(s.Rate), d(s.Burst),
			d(s.Requests), d(s.OK), d(s.Errors),
			f(s.WallMS), f(s.ReqPerSec), f(s.Speedup), f(s.IdealMS), f(s.Efficiency),
			f(s.LatencyMinMS), f(s.LatencyMeanMS), f(s.LatencyP50MS), f(s.LatencyP90MS),
			f(s.LatencyP95MS), f(s.LatencyP99MS), f(s.LatencyP999MS), f(s.LatencyMaxMS),
			f(s.LatencyStddevMS),
			f(s.TTFBP50MS), f(s.TTFBP99MS), f(s.QueueP50MS), f(s.QueueP99MS), f(s.QueueMaxMS),
			f(s.ResponseP50MS), f(s.ResponseP99MS), f(s.ResponseMaxMS), d(s.LateStarts), f(s.StartRate),
			d(s.PeakInFlight), f(s.MeanInFlight), strconv.FormatInt(s.Bytes, 10),
			statusList(s.StatusCounts), classList(s.ErrorClasses), csvCell(s.ErrorSample, terminal),
			d(s.Attempts), d(s.Retried), d(s.Cancelled),
			strconv.FormatBool(s.DeadlineExceeded), strconv.FormatBool(s.Interrupted),
			d(s.Connections), protocolList(s.Protocols), csvCell(s.Proxy, terminal), d(s.Proxied),
			d(s.MinConcurrency), d(s.LimitSettled), d(s.Capacity),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func statusList(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Itoa(k) + "=" + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ";")
}

// protocolList is "HTTP/1.1=18;HTTP/2.0=2" by name.
func protocolList(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = csvString(k) + "=" + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ";")
}

func classList(m map[fetcher.ErrorClass]int) string {
	keys := make([]fetcher.ErrorClass, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = csvString(string(k)) + "=" + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ";")
}

// Document is the JSON document WriteJSON writes:
//
//	{"version": 1, "strategies": [Summary, ...]}
//
// status_counts and error_classes are always objects, never null.
type Document struct {
	Version    int       `json:"version"`
	Strategies []Summary `json:"strategies"`
	// Sweeps are the strategies run at several levels (see Sweeps); absent when none was.
	Sweeps []Sweep `json:"sweeps,omitempty"`
	// Discovery is the run that read the list pages before the strategies ran (--all);
	// absent when there was none.
	Discovery []Summary `json:"discovery,omitempty"`
}

// WriteJSON writes sums as one Document (version JSONVersion), indented two spaces, followed
// by a newline. Strings escape what encoding/json escapes plus C1 and bidi controls
// (U+009B as \u009b, U+202E as \u202e).
func WriteJSON(w io.Writer, c Comparison) error {
	sums := slices.Clone(c.Summaries)
	if sums == nil {
		sums = []Summary{}
	}
	for i := range sums {
		if sums[i].StatusCounts == nil {
			sums[i].StatusCounts = map[int]int{}
		}
		if sums[i].ErrorClasses == nil {
			sums[i].ErrorClasses = map[fetcher.ErrorClass]int{}
		}
		if sums[i].Protocols == nil {
			sums[i].Protocols = map[string]int{}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Document{Version: JSONVersion, Strategies: sums, Sweeps: Sweeps(c), Discovery: c.Discovery}); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(textsafe.EscapeJSON(buf.Bytes())); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
