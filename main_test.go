package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	"golang.org/x/perf/benchfmt"

	"github.com/fetchbench/fetchbench/internal/memnet"
	"github.com/fetchbench/fetchbench/redispool"
	"github.com/fetchbench/fetchbench/report"
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	// The package's tests mostly wait (the fakes' latency, workers' leases, child processes),
	// so more of them run at once than there are CPUs, unless -parallel says otherwise.
	flag.Parse()
	parallel := false
	flag.Visit(func(f *flag.Flag) { parallel = parallel || f.Name == "test.parallel" })
	if !parallel {
		flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0)))) //nolint:errcheck // a valid int
	}
	redispool.SilenceClientLogs() // as main does: the in-process pool tests' failed dials
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goroutine leak: " + err.Error() + "\n")
			return 1
		}
	}
	for _, f := range afterTests {
		f()
	}
	return code
}

// afterTests run once every test has ended (the e2e tests' binary is removed so).
var afterTests []func()

// result is one invocation of run.
type result struct {
	code           int
	stdout, stderr string
}

func invoke(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	if err != nil && !strings.Contains(errb.String(), err.Error()) {
		errb.WriteString("fetchbench: " + err.Error() + "\n")
	}
	return result{code: exitCode(err), stdout: out.String(), stderr: errb.String()}
}

// invokeIn runs the command line args in e, whose streams it sets (stdin empty), and returns
// how it ended.
func invokeIn(t *testing.T, e *env, args ...string) result {
	t.Helper()
	return invokeInStdin(t, e, "", args...)
}

// invokeBubble runs the command line args, stdin given, in a testing/synctest bubble on an
// in-memory network: what it prints depends on nothing but its arguments.
func invokeBubble(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var res result
	synctest.Test(t, func(t *testing.T) {
		res = invokeInStdin(t, memEnv(new(memnet.Network)), stdin, args...)
	})
	return res
}

// invokeInStdin is invokeIn with stdin.
func invokeInStdin(t *testing.T, e *env, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e.stdin, e.stdout, e.stderr = strings.NewReader(stdin), &out, &errb
	err := runIn(context.Background(), e, args)
	if err != nil && !strings.Contains(errb.String(), err.Error()) {
		errb.WriteString("fetchbench: " + err.Error() + "\n")
	}
	return result{code: exitCode(err), stdout: out.String(), stderr: errb.String()}
}

// memEnv is an environment whose fakes listen on nw and whose requests dial it: no socket
// is opened, so a command can run in a testing/synctest bubble, on its fake clock.
func memEnv(nw *memnet.Network) *env {
	return &env{listen: nw.Listen, transport: &http.Transport{DialContext: nw.DialContext}, getenv: func(string) string { return "" }}
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

type recordLine struct {
	Strategy  string  `json:"strategy"`
	Seq       int     `json:"seq"`
	ID        int     `json:"id"`
	URL       string  `json:"url"`
	LatencyMS float64 `json:"latency_ms"`
	QueueMS   float64 `json:"queue_ms"`
	Status    int     `json:"status"`
	Error     string  `json:"error"`
	Class     string  `json:"error_class"`
	Attempts  int     `json:"attempts"`
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	Phase     string  `json:"phase"`
}

func parseRecords(t *testing.T, stdout string) []recordLine {
	t.Helper()
	var recs []recordLine
	for i, l := range lines(stdout) {
		var r recordLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("stdout line %d is not a JSON record: %v\n%s", i+1, err, l)
		}
		recs = append(recs, r)
	}
	return recs
}

func TestPipeNamesToJQ(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "-n", "9", "-s", "unbounded", "--records", "-", "-q")
	if res.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", res.code, res.stderr)
	}
	recs := parseRecords(t, res.stdout)
	if len(recs) != 9 {
		t.Fatalf("got %d records, want 9", len(recs))
	}
	names := map[string]bool{}
	for _, r := range recs {
		names[r.Name] = true
	}
	for _, want := range []string{"Luke Skywalker", "C-3PO", "R2-D2", "Darth Vader"} {
		if !names[want] {
			t.Errorf("names %v lack %q", names, want)
		}
	}
}

func TestRecordOrder(t *testing.T) {
	t.Parallel()
	jitter := []string{"--offline", "-n", "30", "-s", "unbounded", "--fake-latency", "40ms", "--fake-jitter", "35ms", "--fake-seed", "7", "--records", "-", "-q"}
	increasing := func(recs []recordLine) bool {
		for i := 1; i < len(recs); i++ {
			if recs[i].Seq <= recs[i-1].Seq {
				return false
			}
		}
		return true
	}
	in := invokeBubble(t, "", append(jitter, "--order", "input")...)
	if recs := parseRecords(t, in.stdout); len(recs) != 30 || !increasing(recs) {
		t.Errorf("--order input: %d records, increasing=%v; want 30 in seq order", len(recs), increasing(recs))
	}
	done := invokeBubble(t, "", jitter...)
	if recs := parseRecords(t, done.stdout); len(recs) != 30 || increasing(recs) {
		t.Errorf("--order completion: %d records, increasing=%v; want 30 out of seq order", len(recs), increasing(recs))
	}
}

func TestRecordsCSVFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "runs.csv")
	res := invoke(t, "", "--offline", "--fake-latency", "1ms", "--ids", "1-3,17,3", "-s", "sequential,semaphore", "--records", path)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("records CSV does not parse: %v", err)
	}
	wantHeader := []string{"strategy", "seq", "id", "url", "start_ms", "queue_ms", "latency_ms", "ttfb_ms", "total_ms", "status", "bytes", "error", "error_class", "attempts", "name", "note", "intended_ms", "response_ms", "late",
		"params", "start_unix_ns", "kind", "depth", "parent", "worker", "phase", "proto", "conn_reused", "proxy", "limit"}
	if diff := cmp.Diff(wantHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows) != 1+2*5 {
		t.Errorf("got %d data rows, want 10 (5 ids × 2 strategies)", len(rows)-1)
	}
	for _, row := range rows[1:] {
		if row[2] == "17" && (row[9] != "404" || row[12] != "http 4xx") {
			t.Errorf("people/17 row %v: want status 404, class http 4xx", row)
		}
	}
	if !strings.Contains(res.stdout, "sequential") || !strings.Contains(res.stdout, "semaphore") {
		t.Errorf("summary table missing from stdout:\n%s", res.stdout)
	}
}

func TestJSONSummary(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "-n", "20", "--fake-latency", "20ms", "-r", "100", "-o", "json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var doc report.Document
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("summary JSON: %v\n%s", err, res.stdout)
	}
	var got []string
	for _, s := range doc.Strategies {
		got = append(got, string(s.Strategy))
		if s.Requests != 20 || s.OK != 19 || s.Errors != 1 || s.StatusCounts[404] != 1 {
			t.Errorf("%s: requests %d ok %d errors %d statuses %v; want 20/19/1 with one 404", s.Strategy, s.Requests, s.OK, s.Errors, s.StatusCounts)
		}
		for name, v := range map[string]float64{"wall_ms": s.WallMS, "req_per_sec": s.ReqPerSec, "speedup": s.Speedup,
			"ideal_ms": s.IdealMS, "efficiency": s.Efficiency, "latency_p50_ms": s.LatencyP50MS, "latency_max_ms": s.LatencyMaxMS,
			"ttfb_p50_ms": s.TTFBP50MS, "peak_in_flight": float64(s.PeakInFlight), "bytes": float64(s.Bytes)} {
			if none := (name == "ideal_ms" || name == "efficiency") && !s.Strategy.HasIdeal(); none != (v <= 0) {
				t.Errorf("%s: %s = %v, want > 0 exactly when the strategy has an ideal", s.Strategy, name, v)
			}
		}
	}
	if diff := cmp.Diff([]string{"sequential", "unbounded", "semaphore", "ratelimit", "adaptive"}, got); diff != "" {
		t.Errorf("strategies (-want +got):\n%s", diff)
	}
	var raw struct{ Strategies []map[string]any }
	if err := json.Unmarshal([]byte(res.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for _, s := range raw.Strategies {
		if e, ok := s["efficiency"]; ok && (e == nil) == (s["strategy"] != "adaptive") {
			t.Errorf("%s: efficiency %v, want null exactly for adaptive (no ideal against a real server)", s["strategy"], e)
		}
	}
}

func TestTableAndMarkdown(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "-n", "20", "--fake-latency", "10ms", "-r", "200")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	ls := lines(res.stdout)
	if len(ls) < 5 || !strings.HasPrefix(ls[0], "strategy") {
		t.Fatalf("want a header and four rows, got:\n%s", res.stdout)
	}
	for i, s := range []string{"sequential", "unbounded", "semaphore", "ratelimit"} {
		if !strings.HasPrefix(ls[i+1], s) {
			t.Errorf("row %d = %q, want %s", i+1, ls[i+1], s)
		}
	}
	md := invoke(t, "", "--offline", "-n", "5", "--fake-latency", "1ms", "-s", "semaphore", "-o", "markdown")
	if ls := lines(md.stdout); len(ls) < 3 || !strings.HasPrefix(ls[0], "| strategy") || !strings.HasPrefix(ls[1], "|--") && !strings.HasPrefix(ls[1], "| --") && !strings.HasPrefix(ls[1], "|:") && !strings.HasPrefix(ls[1], "| :") {
		t.Errorf("markdown table malformed:\n%s", md.stdout)
	}
}

func TestStdinTargets(t *testing.T) {
	t.Parallel()
	res := invoke(t, "4 1\n2-3\n", "--offline", "--fake-latency", "0", "--ids", "-", "-s", "sequential", "--records", "-", "-q")
	var got []int
	for _, r := range parseRecords(t, res.stdout) {
		got = append(got, r.ID)
	}
	if diff := cmp.Diff([]int{4, 1, 2, 3}, got); diff != "" {
		t.Errorf("ids from stdin (-want +got):\n%s\nstderr: %s", diff, res.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string // in the one stderr line
	}{
		{"backwards range", []string{"--ids", "5-1"}, "", "--ids"},
		{"not a number", []string{"--ids", "abc"}, "", "--ids"},
		{"zero concurrency", []string{"-c", "0"}, "", "--concurrency"},
		{"negative rate", []string{"-r", "-1"}, "", "--rate"},
		{"unknown strategy", []string{"--strategy", "nope"}, "", "--strategy"},
		{"template without id", []string{"--url-template", "http://127.0.0.1:1/x/"}, "", "{id}"},
		{"ids and urls", []string{"--ids", "1", "--urls", "x.txt"}, "", "--urls"},
		{"unreadable urls", []string{"--urls", "/nonexistent/urls.txt"}, "", "--urls"},
		{"bad url line", []string{"--urls", "-"}, "http://127.0.0.1:1/a\nnot a url\n", "line 2"},
		{"bad stdin id", []string{"--ids", "-"}, "1\n2\nx\n", "line 3"},
		{"unknown flag", []string{"--frobnicate"}, "", "frobnicate"},
		{"bad output", []string{"-o", "yaml"}, "", "--output"},
		{"bad threshold", []string{"--fail-on", "p99>fast"}, "", "--fail-on"},
		{"bad resource", []string{"--resource", "droids"}, "", "--resource"},
		{"bad timeout", []string{"-t", "soon"}, "", "timeout"},
		{"offline with urls", []string{"--offline", "--urls", "-"}, "", "--offline"},
		{"bad max body", []string{"--max-body", "lots"}, "", "max-body"},
		{"bad fake rate", []string{"--offline", "--fake-error-rate", "2"}, "", "error"},
		{"stray argument", []string{"people"}, "", "people"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, tc.stdin, tc.args...)
			if res.code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", res.code, res.stderr)
			}
			if ls := lines(res.stderr); len(ls) != 1 || !strings.Contains(ls[0], tc.want) {
				t.Errorf("stderr %q: want one line mentioning %q", res.stderr, tc.want)
			}
			if res.stdout != "" {
				t.Errorf("stdout %q, want nothing", res.stdout)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--help")
	if res.code != 0 || !strings.Contains(res.stdout, "Examples:") || strings.Count(res.stdout, "\n  fetchbench ") < 5 {
		t.Errorf("--help: exit %d, stdout:\n%s", res.code, res.stdout)
	}
}

func TestUnreachableTarget(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--base-url", "http://127.0.0.1:1/api/", "-n", "3", "-s", "sequential,unbounded")
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	if ls := lines(res.stderr); len(ls) != 1 || !strings.Contains(ls[0], "--offline") || !strings.Contains(ls[0], "127.0.0.1:1") {
		t.Errorf("stderr %q: want one line naming the host and suggesting --offline", res.stderr)
	}
}

func TestDeadlineAndThresholdExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"deadline", []string{"--offline", "--fake-latency", "200ms", "-s", "sequential", "-n", "20", "--deadline", "1s"}, 3, "deadline exceeded"},
		{"threshold breached", []string{"--offline", "--fake-latency", "1ms", "-s", "semaphore", "-n", "20", "--fail-on", "errors>0"}, 3, "errors>0"},
		{"threshold met", []string{"--offline", "--fake-latency", "1ms", "-s", "semaphore", "-n", "10", "--fail-on", "errors>0,p99>5s"}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invokeBubble(t, "", tc.args...)
			if res.code != tc.wantCode || !strings.Contains(res.stderr, tc.wantErr) {
				t.Errorf("exit %d stderr %q; want %d mentioning %q", res.code, res.stderr, tc.wantCode, tc.wantErr)
			}
			if !strings.HasPrefix(res.stdout, "strategy") {
				t.Errorf("the table must still be printed, stdout:\n%s", res.stdout)
			}
		})
	}
}

// TestDeadlineRun is the "run_clients -n 4 must finish in 7 s" exercise at small scale, on
// the fake clock of a synctest bubble: at 200 ms a request, exactly 5 of the 20 finish
// within 1.1 s, and the other 15 are cancelled.
func TestDeadlineRun(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "records.ndjson")
	res := invokeBubble(t, "", "--offline", "--fake-latency", "200ms", "-s", "sequential", "-n", "20", "--deadline", "1.1s", "--records", path)
	if res.code != 3 || !strings.Contains(res.stderr, "deadline exceeded (15 of 20 requests cancelled)") {
		t.Errorf("exit %d, stderr %q; want 3 and a deadline line", res.code, res.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := parseRecords(t, string(data))
	cancelled := 0
	for _, r := range recs {
		if r.Class == "cancelled" {
			cancelled++
		}
	}
	if len(recs) != 20 || cancelled != 15 {
		t.Errorf("%d records, %d cancelled; want 20 with 15 cancelled", len(recs), cancelled)
	}
	if !strings.Contains(res.stdout, "sequential (deadline)") {
		t.Errorf("table must mark the strategy, got:\n%s", res.stdout)
	}
}

func TestSummaryCSV(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "-n", "4", "--fake-latency", "1ms", "-s", "unbounded,semaphore", "-o", "csv")
	rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("summary CSV: %v\n%s", err, res.stdout)
	}
	if len(rows) != 3 || rows[0][0] != "strategy" || rows[1][0] != "unbounded" || rows[2][0] != "semaphore" {
		t.Errorf("rows %v: want a header then unbounded and semaphore", rows)
	}
	for _, r := range rows[1:] {
		if len(r) != len(rows[0]) {
			t.Errorf("row %v has %d fields, header %d", r, len(r), len(rows[0]))
		}
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	args := []string{"--offline", "-n", "6", "-s", "sequential", "--fake-latency", "100ms"}
	always := invokeBubble(t, "", append(args, "--progress", "always")...)
	if !strings.Contains(always.stderr, "\r\x1b[Ksequential [") || !strings.Contains(always.stderr, "/6") {
		t.Errorf("--progress always: stderr %q, want a status line", always.stderr)
	}
	if strings.ContainsRune(always.stdout, '\r') {
		t.Error("progress leaked into stdout")
	}
	for _, mode := range []string{"never", "auto"} { // auto: stderr is not a terminal here
		if res := invokeBubble(t, "", append(args, "--progress", mode)...); res.stderr != "" {
			t.Errorf("--progress %s: stderr %q, want nothing", mode, res.stderr)
		}
	}
}

// TestSweepKnee: a sweep's table names its knee in one line, and says whether Little's law
// holds (compare's TestSweepFindsTheKnee finds the knee of a real sweep on a fake clock).
func TestSweepKnee(t *testing.T) {
	t.Parallel()
	// On the bubble's clock c=2 doubles the throughput of c=1 exactly: no knee yet.
	table := invokeBubble(t, "", "--offline", "--fake-latency", "5ms", "-s", "semaphore", "-c", "1,2", "-n", "4")
	if !strings.Contains(table.stdout, "semaphore sweep: no knee up to c=2: throughput still grows (400 req/s at c=2, 200 at c=1)") ||
		!strings.Contains(table.stdout, "semaphore sweep: Little's law") {
		t.Errorf("table does not name the knee:\n%s", table.stdout)
	}
}

// TestBenchstatRepeat parses -o benchstat --repeat 2 as benchstat does: two results per run,
// the configuration once.
func TestBenchstatRepeat(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "--fake-latency", "5ms", "-n", "5", "-s", "sequential,semaphore", "-c", "2,4", "-o", "benchstat", "--repeat", "2")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := benchfmt.NewReader(strings.NewReader(res.stdout), "run.txt")
	count := map[string]int{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			count[string(rec.Name)]++
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		}
	}
	want := map[string]int{"Sequential": 2, "Semaphore/c=2": 2, "Semaphore/c=4": 2}
	if d := cmp.Diff(want, count); d != "" {
		t.Errorf("results per benchmark (-want +got):\n%s", d)
	}
	if n := strings.Count(res.stdout, "goos:"); n != 1 {
		t.Errorf("%d goos lines, want 1:\n%s", n, res.stdout)
	}
}

// TestTimelineFlag draws the waterfalls after a table on stdout, on stderr after JSON (stdout
// stays one JSON document), with one axis or one per run, never in colour off a terminal.
func TestTimelineFlag(t *testing.T) {
	t.Parallel()
	base := []string{"--offline", "--fake-latency", "5ms", "-n", "4", "-s", "sequential,semaphore", "-c", "2"}
	tests := []struct {
		name       string
		args       []string
		onStdout   bool
		sharedAxis bool
	}{
		{"table", []string{"--timeline"}, true, true},
		{"own axes", []string{"--timeline=own"}, true, false},
		{"json", []string{"--timeline", "-o", "json"}, false, true},
		{"quiet", []string{"--timeline", "-q"}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, "", append(base, tc.args...)...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			out := res.stderr
			if tc.onStdout {
				out = res.stdout
			}
			for _, want := range []string{"\nsequential\n", "\nsemaphore c=2\n", "   4 │", "█ on the wire"} {
				if !strings.Contains("\n"+out, want) {
					t.Errorf("timeline lacks %q:\n%s", want, out)
				}
			}
			if got := strings.Contains(out, "one time axis for all"); got != tc.sharedAxis {
				t.Errorf("shared axis %v, want %v:\n%s", got, tc.sharedAxis, out)
			}
			if strings.Contains(res.stdout+res.stderr, "\x1b[") {
				t.Error("colour off a terminal")
			}
			if tc.args[len(tc.args)-1] == "json" && !json.Valid([]byte(res.stdout)) {
				t.Errorf("stdout is not one JSON document:\n%s", res.stdout)
			}
		})
	}
}

// TestTimelineColour draws in colour on a terminal, and not when NO_COLOR is set.
func TestTimelineColour(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		t.Setenv("NO_COLOR", map[bool]string{false: "", true: "1"}[noColor]) // empty: no effect
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pty: %v", err)
		}
		done := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(ptmx)
			done <- b
		}()
		var errb bytes.Buffer
		err = run(context.Background(), []string{"--offline", "--fake-latency", "2ms", "-n", "3", "-s", "semaphore", "-c", "1", "--timeline"}, strings.NewReader(""), tty, &errb)
		tty.Close()
		out := string(<-done)
		ptmx.Close()
		if err != nil {
			t.Fatalf("%v: %s", err, errb.String())
		}
		if got := strings.Contains(out, "\x1b[36m█"); got == noColor {
			t.Errorf("NO_COLOR set %v: coloured bars %v:\n%q", noColor, got, out)
		}
	}
}

// TestHTMLFlag writes the HTML report of a run: one self-contained page with the table and the
// data of every run (the browser test in report/ opens such a page).
func TestHTMLFlag(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "report.html")
	res := invoke(t, "", "--offline", "--fake-latency", "2ms", "-n", "5", "-s", "sequential,semaphore", "-c", "1,2", "--html", path, "-q")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"<!doctype html>", "<td>semaphore</td>", `"label":"semaphore c=2"`, "data-charts-drawn", "uPlot"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "src=") || strings.Contains(page, "href=") {
		t.Error("the page refers to other files")
	}
}
