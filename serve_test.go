package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// serveBuffer is a goroutine-safe stderr for runServe.
type serveBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *serveBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *serveBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listeningRE = regexp.MustCompile(`fake SWAPI listening on (http://\S+/api/)\n`)

// startServe runs runServe with args in the background and returns the API base URL it
// announced, a stop function returning runServe's error, and its stdout and stderr.
func startServe(t *testing.T, args ...string) (base string, stop func() error, stdout, stderr *serveBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &serveBuffer{}, &serveBuffer{}
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, osEnv(nil, stdout, stderr), args) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("runServe returned %v before listening; stderr %q", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("runServe did not announce its address; stderr %q", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("runServe did not return within 5s of cancelling its context")
			return nil
		}
	}
	t.Cleanup(func() { stop() }) //nolint:errcheck // the test checks it when it matters
	return base, stop, stdout, stderr
}

// serveClient returns a client whose idle connections are closed when the test ends.
func serveClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestServeRunsAndStops(t *testing.T) {
	t.Parallel()
	base, stop, stdout, stderr := startServe(t, "--addr", "127.0.0.1:0", "--fake-latency", "0", "-v")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("base URL %q, want http://127.0.0.1:PORT/api/", base)
	}
	client := serveClient(t)
	resp, err := client.Get(base + "people/1/")
	if err != nil {
		t.Fatal(err)
	}
	var person struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	err = json.NewDecoder(resp.Body).Decode(&person)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Luke Skywalker", base + "people/1/"}, []string{person.Name, person.URL}); diff != "" {
		t.Errorf("people/1 name and url mismatch (-want +got):\n%s", diff)
	}
	client.CloseIdleConnections()
	if err := stop(); err != nil {
		t.Errorf("runServe after cancel = %v, want nil", err)
	}
	if stdout.String() != "" {
		t.Errorf("stdout = %q, want empty", stdout.String())
	}
	if !strings.Contains(stderr.String(), "GET /api/people/1/ 200 ") {
		t.Errorf("stderr %q: want a -v log line for GET /api/people/1/", stderr.String())
	}
}

func TestServeDialect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		path string // after the base URL
		want string // the start of the body, BASE for the base URL without its slash
	}{
		{nil, "people/1/", `{"name":"Luke Skywalker",`},
		{[]string{"--dialect", "dev"}, "people/1/", `{"name":"Luke Skywalker",`},
		{[]string{"--dialect", "py4e"}, "people/1/", `{"name":"Luke Skywalker",`},
		{[]string{"--dialect=tech"}, "people/1", `{"message":"ok","result":{"properties":{"height":"172","mass":"77",`},
		{[]string{"--dialect", "tech"}, "people?page=1&limit=1", `{"message":"ok","total_records":82,"total_pages":82,` +
			`"previous":null,"next":"BASE/people?page=2&limit=1","results":[{"uid":"1","name":"Luke Skywalker","url":"BASE/people/1"}]}`},
		{[]string{"--dialect", "info"}, "people", `[{"name":"Luke Skywalker",`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append([]string{"args"}, tt.args...), " "), func(t *testing.T) {
			t.Parallel()
			base, stop, _, _ := startServe(t, append([]string{"--addr", "127.0.0.1:0", "--fake-latency", "0"}, tt.args...)...)
			client := serveClient(t)
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := client.Get(base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tt.want, "BASE", strings.TrimSuffix(base, "/"))
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), want) {
				t.Errorf("GET %s: %d %.200s\nwant 200 and a body starting %s", tt.path, resp.StatusCode, b, want)
			}
			client.CloseIdleConnections()
			if err := stop(); err != nil {
				t.Errorf("runServe after cancel = %v, want nil", err)
			}
		})
	}
}

func TestServeStopCancelsSlowRequests(t *testing.T) {
	t.Parallel()
	base, stop, _, _ := startServe(t, "--addr", "127.0.0.1:0", "--fake-latency", "1m")
	client := serveClient(t)
	done := make(chan error, 1)
	go func() {
		resp, err := client.Get(base + "films/1/")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitStats := func() fakeswapi.Stats {
		resp, err := client.Get(strings.TrimSuffix(base, "api/") + "__stats")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st fakeswapi.Stats
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	for deadline := time.Now().Add(5 * time.Second); waitStats().InFlight != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the slow request never arrived")
		}
	}
	// That the stop is prompt is fakeswapi's TestServeCancelsRequestsAtOnce, on a fake clock.
	if err := stop(); err != nil {
		t.Errorf("runServe = %v, want nil", err)
	}
	if err := <-done; err == nil {
		t.Errorf("the request cut by shutdown got a response, want a connection error")
	}
}

func TestServeDefaultAddrIsLoopback(t *testing.T) {
	t.Parallel()
	var o serveOptions
	if err := newServeFlags(&o).Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := fakeswapi.CheckAddr(o.fg.Addr, false); err != nil || o.public {
		t.Errorf("default --addr %q (public %v): want a loopback address, not public", o.fg.Addr, o.public)
	}
	if err := checkAddr(o.fg.Addr, o.public); err != nil {
		t.Errorf("checkAddr(default) = %v, want nil", err)
	}
}

func TestServeAddrCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr   string
		public bool
		ok     bool
	}{
		{"127.0.0.1:8080", false, true},
		{"127.0.0.1:0", false, true},
		{"127.1.2.3:0", false, true},
		{"localhost:0", false, true},
		{"[::1]:0", false, true},
		{"0.0.0.0:0", false, false},
		{":8080", false, false},
		{"[::]:0", false, false},
		{"192.168.1.10:80", false, false},
		{"example.com:80", false, false},
		{"0.0.0.0:0", true, true},
		{":8080", true, true},
		{"127.0.0.1", false, false},
		{"127.0.0.1:http", false, false},
		{"127.0.0.1:70000", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := checkAddr(tt.addr, tt.public)
			if tt.ok != (err == nil) {
				t.Fatalf("checkAddr(%q, public=%v) = %v, want ok=%v", tt.addr, tt.public, err, tt.ok)
			}
			if err != nil && exitCode(err) != exitUsage {
				t.Errorf("exit code %d, want %d", exitCode(err), exitUsage)
			}
		})
	}
}

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string // the whole one-line message
	}{
		{[]string{"--addr", "0.0.0.0:0"},
			"--addr 0.0.0.0:0 is not a loopback address; add --public to serve on the network"},
		{[]string{"--addr", "nope"}, "--addr nope: want host:port, e.g. 127.0.0.1:8080"},
		{[]string{"--nope"}, "serve: unknown flag: --nope (see fetchbench serve --help)"},
		{[]string{"extra"}, `serve: unexpected argument "extra" (see fetchbench serve --help)`},
		{[]string{"--fake-error-rate", "1.5"}, "--fake-error-rate 1.5 out of range [0,1]"},
		{[]string{"--fake-latency", "-1s"}, "--fake-latency -1s is negative"},
		{[]string{"--fake-workers", "-2"}, "--fake-workers -2 is negative"},
		{[]string{"--dialect", "x"}, `--dialect: unknown dialect "x" (want dev, py4e, tech or info)`},
		{[]string{"--dialect", "TECH"}, `--dialect: unknown dialect "TECH" (want dev, py4e, tech or info)`},
		{[]string{"--dialect="}, `--dialect: unknown dialect "" (want dev, py4e, tech or info)`},
		{[]string{"--fake-oversize-bytes", "3"}, "--fake-oversize-bytes 3 out of range (0 or at least 14)"},
		{[]string{"--fake-error-rate", "0.6", "--fake-reset-rate", "0.6"},
			"the --fake-*-rate fault shares sum to 1.2, more than 1 " +
				"(error, reset, malformed, slow body and oversize exclude each other)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runServe(context.Background(), osEnv(nil, &stdout, &stderr), tt.args)
			if err == nil {
				t.Fatal("runServe succeeded, want a usage error")
			}
			if got := exitCode(err); got != exitUsage {
				t.Errorf("exit code %d, want %d", got, exitUsage)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s", diff)
			}
			if stdout.Len()+stderr.Len() != 0 {
				t.Errorf("runServe wrote stdout %q stderr %q, want nothing", stdout.String(), stderr.String())
			}
		})
	}
}

func TestServePortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = runServe(context.Background(), osEnv(nil, &bytes.Buffer{}, &bytes.Buffer{}), []string{"--addr", ln.Addr().String()})
	if err == nil || exitCode(err) != exitFailed || strings.Contains(err.Error(), "\n") {
		t.Errorf("runServe on a busy port = %v (exit %d), want a one-line error with exit %d",
			err, exitCode(err), exitFailed)
	}
}

func TestServeHelp(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	if err := runServe(context.Background(), osEnv(nil, &stdout, &bytes.Buffer{}), []string{"--help"}); err != nil && !errors.Is(err, errHelp) {
		t.Fatalf("--help = %v, want nil", err)
	}
	for _, want := range []string{"Usage:", "--addr", "--public", "--dialect", "fetchbench serve --dialect tech", "--fake-latency", "--fake-oversize-bytes"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestServeFakeFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want fakeswapi.Options
	}{
		{"defaults", nil, fakeswapi.Options{
			Latency: 250 * time.Millisecond, Burst: 1, Seed: 1,
			SlowBody: fakeswapi.DefaultSlowBody, OversizeBytes: fakeswapi.DefaultOversizeBytes,
		}},
		{"all", []string{
			"--fake-latency", "5ms", "--fake-jitter", "2ms", "--fake-error-rate", "0.1", "--fake-workers", "3",
			"--fake-rate", "7.5", "--fake-burst", "4", "--fake-seed", "-9", "--fake-reset-rate", "0.2",
			"--fake-malformed-rate", "0.3", "--fake-slow-body-rate", "0.15", "--fake-slow-body", "3s",
			"--fake-oversize-rate", "0.05", "--fake-oversize-bytes", "64KiB",
		}, fakeswapi.Options{
			Latency: 5 * time.Millisecond, Jitter: 2 * time.Millisecond, ErrorRate: 0.1, Workers: 3,
			Rate: 7.5, Burst: 4, Seed: -9, ResetRate: 0.2, MalformedRate: 0.3, SlowBodyRate: 0.15,
			SlowBody: 3 * time.Second, OversizeRate: 0.05, OversizeBytes: 64 << 10,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f fakeFlags
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			addFakeFlags(fs, &f, 250*time.Millisecond)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			got, err := f.options()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
