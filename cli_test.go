package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/fetchbench/fetchbench/internal/golden"
)

// golden compares got with testdata/cli/name.golden, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "cli", name+".golden"), []byte(got))
}

// recordedRuns are records of a real run against the fake, written once with --records (see
// report/main_test.go for the command) and replayed by the report goldens; recordedHead is
// its first line.
const recordedRuns = "report/testdata/runs/compare.ndjson"

// recordedHead is the first record line of recordedRuns.
func recordedHead(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(recordedRuns)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return line + "\n"
}

// TestCLIGolden pins what users see: help texts, every bad-input message with its exit code,
// and each output format, exactly: the runs go on an in-memory network in a synctest bubble.
func TestCLIGolden(t *testing.T) {
	t.Parallel()
	fast := []string{"--offline", "--fake-latency", "1ms"}
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{name: "help", args: []string{"--help"}},
		{name: "serve-help", args: []string{"serve", "--help"}},
		{name: "lesson-help", args: []string{"lesson", "--help"}},
		{name: "worker-help", args: []string{"worker", "--help"}},
		{name: "err-worker-no-redis", args: []string{"worker"}},
		{name: "err-worker-redis-url", args: []string{"worker", "--redis", "http://:s3cret@127.0.0.1:6379"}},
		{name: "err-redis-url", args: []string{"--redis", "redis//:s3cret@host"}},
		{name: "err-lesson-name", args: []string{"lesson"}},
		{name: "err-lesson-unknown", args: []string{"lesson", "cafe"}},
		{name: "err-lesson-scale", args: []string{"lesson", "gather", "--time-scale", "100"}},
		{name: "err-lesson-argument", args: []string{"lesson", "gather", "extra"}},

		{name: "err-concurrency", args: []string{"-c", "0"}},
		{name: "err-rate", args: []string{"-r", "0"}},
		{name: "err-rate-syntax", args: []string{"-r", "fast"}},
		{name: "err-sweep-down", args: []string{"-c", "8..1"}},
		{name: "err-sweep-twice", args: []string{"-r", "5,10,5"}},
		{name: "err-repeat", args: []string{"--repeat", "3", "-o", "json"}},
		{name: "err-serve-absolute-links", args: []string{"serve", "--absolute-links"}},
		{name: "err-timeline", args: []string{"--timeline=wide"}},
		{name: "err-html", args: []string{"--html", "/nonexistent/dir/report.html"}},
		{name: "err-repeat-zero", args: []string{"--repeat", "0", "-o", "benchstat"}},
		{name: "err-rate-tiny", args: []string{"-r", "1e-300"}},
		{name: "err-burst", args: []string{"--burst", "0"}},
		{name: "err-timeout", args: []string{"-t", "0"}},
		{name: "err-timeout-syntax", args: []string{"-t", "soon"}},
		{name: "err-deadline", args: []string{"--deadline", "-1s"}},
		{name: "err-retries", args: []string{"--retries", "101"}},
		{name: "err-backoff", args: []string{"--backoff-base", "0"}},
		{name: "err-max-body", args: []string{"--max-body", "0"}},
		{name: "err-max-body-syntax", args: []string{"--max-body", "lots"}},
		{name: "err-count", args: []string{"-n", "0"}},
		{name: "err-count-max", args: []string{"-n", "20000000"}},
		{name: "err-strategy", args: []string{"-s", "nope"}},
		{name: "err-strategy-all", args: []string{"-s", "all,sequential"}},
		{name: "err-resource", args: []string{"--resource", "droids"}},
		{name: "err-output", args: []string{"-o", "yaml"}},
		{name: "err-records-format", args: []string{"--records", "-", "--records-format", "xml"}},
		{name: "err-order", args: []string{"--records", "-", "--order", "random"}},
		{name: "err-progress", args: []string{"--progress", "sometimes"}},
		{name: "err-order-without-records", args: []string{"--order", "input"}},
		{name: "err-fail-on", args: []string{"--fail-on", "p99>fast"}},
		{name: "err-fake-error-rate", args: []string{"--offline", "--fake-error-rate", "2"}},
		{name: "err-fake-rate-sum", args: []string{"--offline", "--fake-error-rate", "0.6", "--fake-reset-rate", "0.6"}},
		{name: "err-fake-workers", args: []string{"--offline", "--fake-workers", "-1"}},
		{name: "err-fake-workers-steps", args: []string{"--offline", "--fake-workers", "8@0s,2@5s,8@3s"}},
		{name: "err-min-c", args: []string{"--offline", "-s", "adaptive", "-c", "8", "--min-c", "16"}},
		{name: "err-get-min-c", args: []string{"get", "--offline", "-s", "adaptive", "--min-c", "300"}},
		{name: "err-ids-and-count", args: []string{"--ids", "1", "-n", "3"}},
		{name: "err-urls-and-ids", args: []string{"--ids", "1", "--urls", "x.txt"}},
		{name: "err-template-and-resource", args: []string{"--url-template", "http://127.0.0.1:1/{id}/", "--resource", "films"}},
		{name: "err-offline-base-url", args: []string{"--offline", "--base-url", "http://127.0.0.1:1/api/"}},
		{name: "err-stdin-twice", args: []string{"--ids", "-", "--urls", "-"}},
		{name: "err-ids-backwards", args: []string{"--ids", "5-1"}},
		{name: "err-ids-syntax", args: []string{"--ids", "abc"}},
		{name: "err-ids-overflow", args: []string{"--ids", "9223372036854775800-9223372036854775807,1-10000000"}},
		{name: "err-ids-int64-range", args: []string{"--ids", "1-9223372036854775807"}},
		{name: "err-ids-newline", args: []string{"--ids", "1\n2x"}},
		{name: "err-stdin-ids-overflow", stdin: "9223372036854775807\n1-9223372036854775807\n", args: []string{"--ids", "-"}},
		{name: "err-stdin-line-too-long", stdin: "1\n" + strings.Repeat("2 ", 600_000) + "\n", args: []string{"--ids", "-"}},
		{name: "err-stdin-id", stdin: "1\n2\nx\n", args: []string{"--ids", "-"}},
		{name: "err-url-line", stdin: "http://127.0.0.1:1/a\nnot a url\n", args: []string{"--urls", "-"}},
		{name: "err-urls-missing", args: []string{"--urls", "/nonexistent/urls.txt"}},
		{name: "err-template-no-id", args: []string{"--url-template", "http://127.0.0.1:1/x/"}},
		{name: "err-base-url", args: []string{"--base-url", "ftp://x/"}},
		{name: "err-base-url-query", args: []string{"--base-url", "http://127.0.0.1:1/api?x=1"}},
		{name: "err-base-url-port", args: []string{"--base-url", "http://127.0.0.1:99999/api/"}},
		{name: "err-url-credentials", stdin: "http://127.0.0.1:1/a\nhttp://user:s3cret@127.0.0.1:70000/b\n", args: []string{"--urls", "-"}},
		{name: "err-unknown-flag", args: []string{"--frobnicate"}},
		{name: "err-stray-argument", args: []string{"people"}},
		{name: "err-serve-addr", args: []string{"serve", "--addr", "0.0.0.0:0"}},
		{name: "err-serve-addr-syntax", args: []string{"serve", "--addr", "localhost"}},
		{name: "err-serve-flag", args: []string{"serve", "--frobnicate"}},
		{name: "err-serve-argument", args: []string{"serve", "now"}},
		{name: "err-serve-fake-latency", args: []string{"serve", "--fake-latency", "-1s"}},
		{name: "err-serve-dialect", args: []string{"serve", "--dialect", "swapi.co"}},
		{name: "err-api", args: []string{"--api", "swapi.co"}},
		{name: "err-fake-h2-online", args: []string{"--fake-h2"}},
		{name: "err-serve-tls-h2c", args: []string{"serve", "--tls", "--h2c"}},
		{name: "err-serve-cert", args: []string{"serve", "--cert", "x.pem"}},
		{name: "err-cacert", args: []string{"--cacert", "/nonexistent/ca.pem"}},
		{name: "err-all-and-ids", args: []string{"--all", "--ids", "1-3"}},
		{name: "get-help", args: []string{"get", "--help"}},
		{name: "err-get-records-stdout", args: []string{"get", "--records", "-"}},
		{name: "err-get-field", args: []string{"get", "--field", "homeworld"}},
		{name: "err-get-field-name", args: []string{"get", "--fields", "name", "--field", "name=title"}},
		{name: "err-get-fields-twice", args: []string{"get", "--fields", "name,height,name"}},
		{name: "err-get-output", args: []string{"get", "-o", "yaml"}},
		{name: "err-get-strategy", args: []string{"get", "-s", "sequential,unbounded"}},
		{name: "err-get-all-urls", args: []string{"get", "--all", "--urls", "-"}},
		{name: "get-ndjson", args: append([]string{"get"}, append(fast, "-n", "3", "--fields", "name,height,films.0", "--field", "first_film=films.0", "-q")...)},
		{name: "get-csv-summary", args: append([]string{"get"}, append(fast, "--api", "tech", "--all", "--resource", "films", "--fields", "title,episode_id,uid", "-o", "csv")...)},

		{name: "report-help", args: []string{"report", "--help"}},
		{name: "err-report-no-file", args: []string{"report"}},
		{name: "err-report-missing", args: []string{"report", "/nonexistent/r.ndjson"}},
		{name: "err-report-stdin-twice", args: []string{"report", "-", "-"}},
		{name: "err-report-empty", stdin: "\n", args: []string{"report", "-"}},
		{name: "err-report-malformed", stdin: recordedHead(t) + `{"strategy":"semaphore","seq":"9"}` + "\n", args: []string{"report", "-"}},
		{name: "err-report-params", stdin: `{"strategy":"semaphore","params":"c=0"}` + "\n", args: []string{"report", "-"}},
		{name: "err-report-format", args: []string{"report", "-o", "yaml", "x"}},
		{name: "report-table", args: []string{"report", recordedRuns, "--timeline"}},
		{name: "report-csv", args: []string{"report", recordedRuns, "-o", "csv"}},

		{name: "unreachable", args: []string{"--base-url", "http://127.0.0.1:1/api/", "-n", "3", "-s", "sequential,unbounded"}},
		{name: "get-unreachable", args: []string{"get", "--base-url", "http://127.0.0.1:1/api/", "-n", "3", "-q"}},
		{name: "records-input-order", args: append(fast, "-n", "5", "-s", "sequential,semaphore", "-c", "2", "--records", "-", "--order", "input", "-q")},
		{name: "records-csv-stdin-ids", stdin: "3 1\n17\n", args: append(fast, "--ids", "-", "-s", "sequential", "--records", "-", "--records-format", "csv", "-o", "markdown")},
		{name: "summary-json", args: append(fast, "--ids", "1-3,17", "-s", "sequential,ratelimit", "-r", "1000", "--burst", "2", "-c", "3", "-o", "json")},
		{name: "summary-table", args: append([]string{"--offline", "--fake-latency", "20ms"}, "-n", "4", "-s", "sequential,unbounded,semaphore,ratelimit", "-r", "100")},
		{name: "summary-csv", args: append(fast, "--resource", "films", "-n", "7", "-s", "semaphore", "-c", "3", "-o", "csv")},
		{name: "threshold-breach", args: append(fast, "-n", "20", "-s", "semaphore", "--fail-on", "errors>0,ok<100")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := invokeBubble(t, tc.stdin, tc.args...)
			out := "--- stdout\n" + res.stdout + "--- stderr\n" + res.stderr
			got := fmt.Sprintf("$ fetchbench %s\nexit %d\n%s", strings.Join(tc.args, " "), res.code, out)
			golden(t, tc.name, got)
		})
	}
}
