package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestWriteGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format string
		file   string
	}{
		{"table", "summary.table.golden"},
		{"markdown", "summary.markdown.golden"},
		{"csv", "summary.csv.golden"},
		{"json", "summary.json.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			c, _, _ := recordedRuns(t, recordedCompare)
			if err := Write(&buf, tt.format, c, false); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, buf.Bytes())
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	t.Parallel()
	err := Write(&bytes.Buffer{}, "xml", Comparison{}, false)
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Write(xml) error = %v, want ErrUnknownFormat", err)
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, NewComparison(fixtureSummaries())); err != nil {
		t.Fatal(err)
	}
	var got Document
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := Document{Version: JSONVersion, Strategies: NewComparison(fixtureSummaries()).Summaries}
	for i := range want.Strategies {
		want.Strategies[i].NeverConnected = 0 // not part of the document
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteJSONEmpty(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, NewComparison([]Summary{{Strategy: fetcher.Unbounded}})); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"status_counts": {}`, `"error_classes": {}`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("WriteJSON output lacks %s:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	if err := WriteJSON(&buf, Comparison{}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"version\": 1,\n  \"strategies\": []\n}\n"; buf.String() != want {
		t.Errorf("WriteJSON(nil) = %q, want %q", buf.String(), want)
	}
}

func TestWriteCSVParses(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, NewComparison(fixtureSummaries()), false); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("got %d rows, want header + 4", len(rows))
	}
	var doc bytes.Buffer
	if err := WriteJSON(&doc, NewComparison([]Summary{{}})); err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(doc.Bytes(), &struct{ Strategies []*map[string]any }{[]*map[string]any{&fields}}); err != nil {
		t.Fatal(err)
	}
	delete(fields, "limit_trajectory") // a list: JSON only
	if len(fields) != len(rows[0]) {
		t.Errorf("CSV has %d columns, JSON summary %d fields", len(rows[0]), len(fields))
	}
	for _, name := range rows[0] {
		if _, ok := fields[name]; !ok {
			t.Errorf("CSV column %q is not a JSON field", name)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			if err := Write(failWriter{}, format, NewComparison(fixtureSummaries()), false); !errors.Is(err, os.ErrClosed) {
				t.Errorf("Write(%s) to a failing writer = %v, want os.ErrClosed", format, err)
			}
		})
	}
}

func TestNewComparison(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []Summary
		want []float64
	}{
		{
			name: "with sequential",
			in:   []Summary{{Strategy: fetcher.Sequential, WallMS: 1000}, {Strategy: fetcher.Semaphore, WallMS: 250}, {Strategy: fetcher.RateLimit, WallMS: 2000}},
			want: []float64{1, 4, 0.5},
		},
		{
			name: "sequential not first",
			in:   []Summary{{Strategy: fetcher.Unbounded, WallMS: 100}, {Strategy: fetcher.Sequential, WallMS: 500}},
			want: []float64{5, 1},
		},
		{
			name: "no sequential",
			in:   []Summary{{Strategy: fetcher.Unbounded, WallMS: 100, Speedup: 7}, {Strategy: fetcher.Semaphore, WallMS: 50}},
			want: []float64{0, 0},
		},
		{
			name: "zero walls",
			in:   []Summary{{Strategy: fetcher.Sequential}, {Strategy: fetcher.Semaphore, WallMS: 50}, {Strategy: fetcher.Unbounded}},
			want: []float64{0, 0, 0},
		},
		{name: "empty", in: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := append([]Summary(nil), tt.in...)
			var got []float64
			for _, s := range NewComparison(tt.in).Summaries {
				got = append(got, s.Speedup)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("speedups mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, tt.in); diff != "" {
				t.Errorf("Compare modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

func TestHuman(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0"},
		{400 * time.Nanosecond, "0"},
		{time.Microsecond, "1µs"},
		{850 * time.Microsecond, "850µs"},
		{999499 * time.Nanosecond, "999µs"},
		{999500 * time.Nanosecond, "1.00ms"},
		{1234 * time.Microsecond, "1.23ms"},
		{9994 * time.Microsecond, "9.99ms"},
		{9995 * time.Microsecond, "10.0ms"},
		{12345 * time.Microsecond, "12.3ms"},
		{99949 * time.Microsecond, "99.9ms"},
		{99950 * time.Microsecond, "100ms"},
		{102 * time.Millisecond, "102ms"},
		{999499 * time.Microsecond, "999ms"},
		{999500 * time.Microsecond, "1.00s"},
		{2050 * time.Millisecond, "2.05s"},
		{43800 * time.Millisecond, "43.80s"},
		{-5 * time.Millisecond, "-5.00ms"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := human(tt.d); got != tt.want {
				t.Errorf("human(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Summary
		want string
	}{
		{Summary{Strategy: fetcher.Sequential}, "-"},
		{Summary{Strategy: fetcher.Unbounded}, "-"},
		{Summary{Strategy: fetcher.Semaphore, Concurrency: 10}, "c=10"},
		{Summary{Strategy: fetcher.RateLimit, Rate: 10, Burst: 1}, "r=10/s b=1"},
		{Summary{Strategy: fetcher.RateLimit, Rate: 2.5, Burst: 0}, "r=2.5/s b=1"},
		{Summary{Strategy: fetcher.RateLimit, Rate: 10, Burst: 3, Concurrency: 5}, "r=10/s b=3 c=5"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := Params(tt.s); got != tt.want {
				t.Errorf("Params(%+v) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Summary
		want string
	}{
		{
			name: "sequential",
			s:    Summary{Strategy: fetcher.Sequential, Requests: 20, WallMS: 2050, Speedup: 1, Efficiency: 0.99},
			want: "sequential: one at a time, 20 requests in 2.05s, 99% of ideal",
		},
		{
			name: "unbounded",
			s:    Summary{Strategy: fetcher.Unbounded, Requests: 20, PeakInFlight: 20, WallMS: 110, Speedup: 18.64, Efficiency: 0.95},
			want: "unbounded: all 20 at once (peak 20 in flight), 20 requests in 110ms, 18.6x faster than sequential, 95% of ideal",
		},
		{
			name: "semaphore with errors",
			s: Summary{Strategy: fetcher.Semaphore, Concurrency: 10, Requests: 20, WallMS: 420, Speedup: 4.88, Efficiency: 0.97,
				Errors: 4, ErrorClasses: map[fetcher.ErrorClass]int{fetcher.ClassTimeout: 1, fetcher.ClassHTTP4xx: 3}},
			want: "semaphore: at most 10 in flight, 20 requests in 420ms, 4.9x faster than sequential, 97% of ideal; errors: 1 timeout, 3 http 4xx",
		},
		{
			name: "ratelimit slower, capped, retried, interrupted",
			s: Summary{Strategy: fetcher.RateLimit, Rate: 1, Burst: 1, Concurrency: 5, Requests: 20, WallMS: 20000, Speedup: 0.1,
				Retried: 2, Attempts: 22, Interrupted: true},
			want: "ratelimit: 1 req/s (burst 1), at most 5 in flight, 20 requests in 20.00s, 10.0x slower than sequential; 2 retried (22 attempts); interrupted",
		},
		{
			name: "unknown classes sanitized, deadline",
			s: Summary{Strategy: fetcher.Semaphore, Concurrency: 1, WallMS: 1, Errors: 3, DeadlineExceeded: true,
				ErrorClasses: map[fetcher.ErrorClass]int{"zz\x1b[2J": 1, "aa": 1, "": 1}},
			want: "semaphore: at most 1 in flight, 0 requests in 1.00ms; errors: 1 unclassified, 1 aa, 1 zz\\x1b[2J; deadline exceeded",
		},
		{
			name: "one request",
			s:    Summary{Strategy: fetcher.Sequential, Requests: 1, WallMS: 12, Speedup: 1},
			want: "sequential: one at a time, 1 request in 12.0ms",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Describe(tt.s); got != tt.want {
				t.Errorf("Describe =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestRenderSanitizes(t *testing.T) {
	t.Parallel()
	sums := []Summary{{Strategy: "evil\x1b[2J|x\xff", Requests: 1, WallMS: 1,
		Errors: 1, ErrorClasses: map[fetcher.ErrorClass]int{"\u009b31m": 1}}}
	for _, format := range []string{"table", "markdown"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Write(&buf, format, NewComparison(sums), false); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.IndexByte(out, 0x1b) >= 0 || strings.IndexByte(out, 0xff) >= 0 || strings.Contains(out, "\u009b") {
				t.Errorf("%s output has raw control bytes: %q", format, out)
			}
			if !strings.Contains(out, `evil\x1b[2J`) || format == "table" && !strings.Contains(out, `\u009b31m`) {
				t.Errorf("%s output lacks the escaped name: %q", format, out)
			}
		})
	}
}

func ExampleWriteTable() {
	sums := []Summary{
		{Strategy: fetcher.Sequential, Requests: 20, OK: 20, WallMS: 2050, ReqPerSec: 9.756, IdealMS: 2040, Efficiency: 0.995,
			LatencyP50MS: 101, LatencyP90MS: 118, LatencyP99MS: 131, LatencyMaxMS: 131, PeakInFlight: 1},
		{Strategy: fetcher.Semaphore, Concurrency: 5, Requests: 20, OK: 19, Errors: 1, WallMS: 431.5, ReqPerSec: 46.35,
			IdealMS: 420, Efficiency: 0.973, LatencyP50MS: 104, LatencyP90MS: 121, LatencyP99MS: 140, LatencyMaxMS: 140,
			PeakInFlight: 5, ErrorClasses: map[fetcher.ErrorClass]int{fetcher.ClassHTTP4xx: 1}},
	}
	c := NewComparison(sums)
	c.Discovery = []Summary{{Strategy: fetcher.Semaphore, Concurrency: 5, Requests: 9, OK: 8, Errors: 1, WallMS: 310, LatencyP50MS: 98,
		ErrorClasses: map[fetcher.ErrorClass]int{fetcher.ClassHTTP5xx: 1}}}
	if err := WriteTable(os.Stdout, c); err != nil {
		panic(err)
	}
	// Output:
	// strategy    params  requests  ok  errors   wall  req/s  speedup  ideal  efficiency    p50    p90    p99    max  peak
	// sequential  -             20  20       0  2.05s   9.76     1.0x  2.04s        1.00  101ms  118ms  131ms  131ms     1
	// semaphore   c=5           20  19       1  432ms   46.4     4.8x  420ms        0.97  104ms  121ms  140ms  140ms     5
	//
	// sequential: one at a time, 20 requests in 2.05s, 100% of ideal
	// semaphore: at most 5 in flight, 20 requests in 432ms, 4.8x faster than sequential, 97% of ideal; errors: 1 http 4xx
	// discovery: 9 list requests as semaphore c=5, 8 ok, 1 failed (1 http 5xx), in 310ms (p50 98.0ms)
}

// TestServerStringsInSummaries renders a summary whose error sample is hostile: CSV for a
// terminal and JSON carry no raw control, C1 or bidi character; CSV for a file gives the
// string back, defused when it would start a formula; JSON gives it back exactly.
func TestServerStringsInSummaries(t *testing.T) {
	t.Parallel()
	raw := func(s string) int {
		return strings.IndexFunc(s, func(r rune) bool { return r != '\n' && (r < 0x20 || r == 0x7f || unsafeRune(r)) })
	}
	for _, sample := range []string{hostileEscapes, "=1+1" + hostileEscapes} {
		sums := fixtureSummaries()
		sums[0].ErrorSample = sample
		c := NewComparison(sums)

		var term, file, js bytes.Buffer
		if err := WriteCSV(&term, c, true); err != nil {
			t.Fatal(err)
		}
		if i := raw(term.String()); i >= 0 {
			t.Errorf("CSV for a terminal has a raw %q", term.String()[i])
		}
		if err := WriteCSV(&file, c, false); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&file).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := sample
		if strings.HasPrefix(sample, "=") {
			want = "'" + sample
		}
		if got := rows[1][slices.Index(rows[0], "error_sample")]; got != want {
			t.Errorf("CSV for a file: error_sample %q, want %q", got, want)
		}
		if err := WriteJSON(&js, c); err != nil {
			t.Fatal(err)
		}
		if i := raw(js.String()); i >= 0 {
			t.Errorf("JSON has a raw %q", js.String()[i])
		}
		if !strings.Contains(js.String(), `\u009b31m\u202eevil`) {
			t.Errorf("JSON does not escape C1 and bidi controls:\n%s", js.String())
		}
		var doc Document
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if got := doc.Strategies[0].ErrorSample; got != sample {
			t.Errorf("JSON error_sample %q, want %q", got, sample)
		}
	}
}
