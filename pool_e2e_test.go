//go:build e2e

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/internal/redistest"
)

// These tests run real worker processes and a real coordinator against the redis-server in
// FETCHBENCH_REDIS_URL (.ci/run starts one); each uses a database of its own.

// poolRedis is redistest.URL.
var poolRedis = redistest.URL

// lockedBuffer is a bytes.Buffer safe for a process's output and a test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startPoolWorkers starts n worker processes on url and waits until all are in the pool;
// they are interrupted (or killed) when the test ends.
func startPoolWorkers(t *testing.T, url string, n int, args ...string) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for i := range n {
		var logs lockedBuffer
		cmd := exec.Command(binary(t), append([]string{"worker", "--redis", url, "--name", fmt.Sprintf("w%d", i+1)}, args...)...)
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				t.Logf("worker w%d:\n%s", i+1, logs.String())
			}
		})
	}
	opts, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, _ := rdb.ZCard(context.Background(), "fetchbench:workers").Result(); c >= int64(n) {
			return cmds
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d workers did not join the pool", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fetchbench runs the binary with args and returns its stdout, stderr and exit code.
func fetchbench(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return fetchbenchEnv(t, nil, args...)
}

// fetchbenchEnv runs the binary with args and env added to the test's environment.
func fetchbenchEnv(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// poolRecord is what these tests read of a record.
type poolRecord struct {
	Seq     int     `json:"seq"`
	URL     string  `json:"url"`
	Kind    string  `json:"kind"`
	Worker  string  `json:"worker"`
	StartNS int64   `json:"start_unix_ns"`
	StartMS float64 `json:"start_ms"`
	// IntendedMS is the slot the global pacer granted (on Redis's clock, from the run's start).
	IntendedMS float64 `json:"intended_ms"`
	Class      string  `json:"error_class"`
	Limit      int     `json:"limit"` // the adaptive limit it was admitted under
}

// readRecords parses NDJSON records and checks that seqs 0..n-1 appear once each.
func readRecords(t *testing.T, ndjson string, n int) []poolRecord {
	t.Helper()
	var recs []poolRecord
	seen := map[int]bool{}
	sc := bufio.NewScanner(strings.NewReader(ndjson))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r poolRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("record %q: %v", sc.Text(), err)
		}
		if seen[r.Seq] {
			t.Errorf("seq %d recorded twice", r.Seq)
		}
		seen[r.Seq] = true
		recs = append(recs, r)
	}
	if len(recs) != n {
		t.Errorf("%d records, want %d", len(recs), n)
	}
	for seq := range n {
		if !seen[seq] {
			t.Errorf("seq %d has no record", seq)
			break
		}
	}
	return recs
}

func TestPoolThousandTargets(t *testing.T) {
	t.Parallel()
	url := poolRedis(t, 1)
	fake, srv := faketest.Start(t, fakeswapi.Options{Latency: time.Millisecond})
	startPoolWorkers(t, url, 3)
	out, errs, code := fetchbench(t, "--redis", url, "--url-template", srv.API()+"people/{id}/", "-n", "1000",
		"-s", "semaphore", "-c", "30", "--records", "-", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs := readRecords(t, out, 1000)
	workers := map[string]int{}
	for _, r := range recs {
		workers[r.Worker]++
	}
	if len(workers) != 3 {
		t.Errorf("records from %v, want the 3 workers", workers)
	}
	if n := fake.Stats().Requests; n < 1000 {
		t.Errorf("the fake saw %d requests, want at least 1000", n)
	}
}

func TestPoolGlobalLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		db    int
		args  []string
		n     int
		check func(t *testing.T, st fakeswapi.Stats, recs []poolRecord)
	}{
		{"ratelimit 50/s across 3 workers", 2, []string{"-s", "ratelimit", "-r", "50"}, 150, func(t *testing.T, st fakeswapi.Stats, recs []poolRecord) {
			// The limit is on the slots the pacer grants, exact on Redis's clock: at most
			// burst + R·w in any window w, and back to back while there is work. Arrivals at
			// the server add each worker's scheduling delay, which a loaded machine stretches:
			// they get a sanity bound only.
			slots := make([]int64, len(recs))
			for i, r := range recs {
				slots[i] = r.StartNS - int64(math.Round(r.StartMS*1e6)) + int64(math.Round(r.IntendedMS*1e6))
			}
			slices.Sort(slots)
			for i, j := 0, 0; i < len(slots); i++ {
				// A slot's wall time is rebuilt from offsets kept to the microsecond: a window
				// a millisecond short of a second keeps a boundary slot from counting twice.
				for slots[i]-slots[j] >= int64(time.Second-time.Millisecond) {
					j++
				}
				if i-j+1 > 51 {
					t.Fatalf("%d slots granted within one second, want at most 50 + burst 1", i-j+1)
				}
			}
			// Back to back only while some worker has asked for its next slot before the last
			// one came: a worker starved of CPU asks late, and its slot is then its asking
			// moment. The exact spacing is TestGCRASchedule's (redispool, on a set clock); here
			// the rate only has to show that the workers kept the pacer busy (46.4/s once, on a
			// 2-core machine running two test suites and a CPU hog at once).
			rate := float64(len(slots)-1) / (float64(slots[len(slots)-1]-slots[0]) / 1e9)
			if rate < 0.9*50 {
				t.Errorf("the pacer granted %.2f slots/s, want at least %.2f", rate, 0.9*50)
			}
			if st.MaxArrivalsPerSecond > 75 {
				t.Errorf("the fake saw %d arrivals in one second, far past 50/s", st.MaxArrivalsPerSecond)
			}
		}},
		{"semaphore c=6 across 3 workers", 3, []string{"-s", "semaphore", "-c", "6"}, 120, func(t *testing.T, st fakeswapi.Stats, _ []poolRecord) {
			if st.PeakConcurrent > 6 {
				t.Errorf("the fake saw %d requests at once, want at most 6", st.PeakConcurrent)
			}
		}},
		{"sequential across 3 workers", 8, []string{"-s", "sequential"}, 15, func(t *testing.T, st fakeswapi.Stats, _ []poolRecord) {
			if st.PeakConcurrent > 1 {
				t.Errorf("the fake saw %d requests at once, want 1", st.PeakConcurrent)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := poolRedis(t, tt.db)
			fake, srv := faketest.Start(t, fakeswapi.Options{Latency: 30 * time.Millisecond})
			startPoolWorkers(t, url, 3)
			args := append([]string{"--redis", url, "--url-template", srv.API() + "people/{id}/", "-n", fmt.Sprint(tt.n), "--records", "-", "-q"}, tt.args...)
			out, errs, code := fetchbench(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			tt.check(t, fake.Stats(), readRecords(t, out, tt.n))
		})
	}
}

// TestPoolAdaptive: -s adaptive across 3 worker processes against a server that serves 8 at
// once: every target once, each record under the pool's limit (within the floor and the
// ceiling), and the server never sees more than the ceiling at once. Where the limit settles
// is redispool's TestAdaptiveSettlesAcrossWorkers' to say: here the latencies are those of a
// loaded machine.
func TestPoolAdaptive(t *testing.T) {
	t.Parallel()
	const n, ceiling = 300, 32
	url := poolRedis(t, 15) // every database is taken by a test; 15 is otherwise redispool's benchmarks
	fake, srv := faketest.Start(t, fakeswapi.Options{Workers: 8, Latency: 50 * time.Millisecond})
	startPoolWorkers(t, url, 3, "--max-in-flight", "20")
	out, errs, code := fetchbench(t, "--redis", url, "--url-template", srv.API()+"people/{id}/", "-n", fmt.Sprint(n),
		"-s", "adaptive", "-c", fmt.Sprint(ceiling), "--records", "-", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var limits []int
	for _, r := range readRecords(t, out, n) {
		if r.Limit < 1 || r.Limit > ceiling {
			t.Errorf("seq %d: limit %d, want 1..%d", r.Seq, r.Limit, ceiling)
		}
		limits = append(limits, r.Limit)
	}
	if peak := fake.Stats().PeakInFlight; peak > ceiling {
		t.Errorf("the fake saw %d at once, want at most %d", peak, ceiling)
	}
	slices.Sort(limits)
	t.Logf("median limit %d across 3 workers (the fake serves 8 at once)", limits[len(limits)/2])
}

// TestPoolWorkerKilled: a worker SIGKILLed mid-run; the others claim its items after the
// lease and every target is recorded once.
func TestPoolWorkerKilled(t *testing.T) {
	t.Parallel()
	url := poolRedis(t, 4)
	fake, srv := faketest.Start(t, fakeswapi.Options{Latency: 100 * time.Millisecond})
	workers := startPoolWorkers(t, url, 3)
	var stdout lockedBuffer
	var stderr bytes.Buffer
	cmd := exec.Command(binary(t), "--redis", url, "--redis-lease", "1s", "--url-template", srv.API()+"people/{id}/",
		"-n", "600", "-s", "semaphore", "-c", "30", "--records", "-", "-q")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for strings.Count(stdout.String(), "\n") < 60 {
		select {
		case err := <-waited:
			t.Fatalf("the coordinator ended before 60 records: %v: %s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := workers[0].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	recs := readRecords(t, stdout.String(), 600)
	for _, r := range recs {
		if r.Class == "cancelled" {
			t.Errorf("seq %d cancelled", r.Seq)
		}
	}
	if n := fake.Stats().Requests; n < 600 {
		t.Errorf("the fake saw %d requests, want at least 600", n)
	}
}

// TestPoolWorkerInterrupted: a worker interrupted mid-run (Ctrl-C, SIGTERM) hands its items
// back to the others: every target has one record and none is cancelled, and the
// coordinator, which has no deadline, exits 0.
func TestPoolWorkerInterrupted(t *testing.T) {
	t.Parallel()
	url := poolRedis(t, 11)
	_, srv := faketest.Start(t, fakeswapi.Options{Latency: 100 * time.Millisecond})
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			workers := startPoolWorkers(t, url, 3)
			var stdout lockedBuffer
			var stderr bytes.Buffer
			cmd := exec.Command(binary(t), "--redis", url, "--url-template", srv.API()+"people/{id}/",
				"-n", "300", "-s", "semaphore", "-c", "30", "--records", "-", "-q")
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			for strings.Count(stdout.String(), "\n") < 30 {
				select {
				case err := <-waited:
					t.Fatalf("the coordinator ended before 30 records: %v: %s", err, stderr.String())
				case <-time.After(10 * time.Millisecond):
				}
			}
			if err := workers[0].Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := <-waited; err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			for _, r := range readRecords(t, stdout.String(), 300) {
				if r.Class == "cancelled" {
					t.Errorf("seq %d cancelled by worker %s", r.Seq, r.Worker)
				}
			}
		})
	}
}

// TestPoolGetExpand: get --all --expand through the pool prints what a local run prints, and
// fetches each distinct link once.
func TestPoolGetExpand(t *testing.T) {
	t.Parallel()
	url := poolRedis(t, 5)
	_, srv := faketest.Start(t, fakeswapi.Options{Latency: 2 * time.Millisecond})
	startPoolWorkers(t, url, 3)
	recFile := t.TempDir() + "/records.ndjson"
	args := []string{"get", "--base-url", srv.API(), "--all", "--expand", "homeworld", "--fields", "name,homeworld", "-q", "-o", "ndjson"}
	local, errs, code := fetchbench(t, args...)
	if code != 0 {
		t.Fatalf("local: exit %d: %s", code, errs)
	}
	pooled, errs, code := fetchbench(t, append(args, "--redis", url, "--records", recFile)...)
	if code != 0 {
		t.Fatalf("pooled: exit %d: %s", code, errs)
	}
	if pooled != local || strings.Count(local, "\n") < 80 {
		t.Errorf("the pool printed other documents than a local run (%d and %d lines)", strings.Count(pooled, "\n"), strings.Count(local, "\n"))
	}
	b, err := os.ReadFile(recFile)
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]int{}
	for _, r := range readRecords(t, string(b), strings.Count(string(b), "\n")) {
		if r.Kind == "link" {
			links[r.URL]++
		}
	}
	for u, n := range links {
		if n != 1 {
			t.Errorf("link %s fetched %d times", u, n)
		}
	}
	if len(links) == 0 {
		t.Error("no link was fetched")
	}
}

// TestPoolTransportOptions: against the fake over TLS offering HTTP/2, worker processes
// trust the CA of the coordinator's --cacert and speak HTTP/1.1 under its --http1.
func TestPoolTransportOptions(t *testing.T) {
	t.Parallel()
	url := poolRedis(t, 9)
	cert, err := fakeswapi.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, fakeswapi.CertificatePEM(&cert), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := faketest.New(t, fakeswapi.Options{}).StartWire(ln, fakeswapi.Wire{Cert: &cert})
	t.Cleanup(srv.Close)
	startPoolWorkers(t, url, 2)
	tests := []struct {
		name  string
		args  []string
		proto string
	}{
		{"cacert http1", []string{"--cacert", ca, "--http1"}, "HTTP/1.1"},
		{"insecure http1", []string{"--insecure", "--http1"}, "HTTP/1.1"},
		{"cacert", []string{"--cacert", ca}, "HTTP/2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := fetchbench(t, append([]string{"--redis", url, "--base-url", srv.URL, "-n", "3", "-s", "sequential", "--records", "-", "-q"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				var r struct {
					Seq    int    `json:"seq"`
					Status int    `json:"status"`
					Proto  string `json:"proto"`
					Worker string `json:"worker"`
				}
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("record %q: %v", line, err)
				}
				if r.Status != 200 || r.Proto != tt.proto || r.Worker == "" {
					t.Errorf("seq %d: status %d proto %q worker %q; want 200 over %s from a worker", r.Seq, r.Status, r.Proto, r.Worker, tt.proto)
				}
			}
			readRecords(t, out, 3)
		})
	}
}

// TestPoolInterrupt: Ctrl-C on the coordinator stops the job on every worker; every target
// has its record and the exit code is 130.
func TestPoolInterrupt(t *testing.T) {
	t.Parallel()
	url := poolRedis(t, 6)
	_, srv := faketest.Start(t, fakeswapi.Options{Latency: 100 * time.Millisecond})
	startPoolWorkers(t, url, 2)
	var stdout lockedBuffer
	var stderr bytes.Buffer
	cmd := exec.Command(binary(t), "--redis", url, "--url-template", srv.API()+"people/{id}/", "-n", "200",
		"-s", "semaphore", "-c", "4", "--records", "-", "--progress", "never")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(stdout.String(), "\n") {
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("err %v, want exit 130: %s", err, stderr.String())
	}
	var recs strings.Builder
	for _, line := range strings.SplitAfter(stdout.String(), "\n") {
		if strings.HasPrefix(line, "{") {
			recs.WriteString(line)
		}
	}
	readRecords(t, recs.String(), 200)
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say interrupted:\n%s", stderr.String())
	}
}

// poolRediss is redistest.TLS's URL and CA file.
func poolRediss(t *testing.T, db int) (string, string) {
	t.Helper()
	url, ca, _ := redistest.TLS(t, db)
	return url, ca
}

// TestPoolRediss: a worker and a coordinator on a rediss:// Redis with a password, the URL in
// FETCHBENCH_REDIS (out of ps) and the CA in --redis-cacert: the job runs, and no output
// shows the password.
func TestPoolRediss(t *testing.T) {
	t.Parallel()
	raw, ca := poolRediss(t, 2)
	password, _ := mustURL(t, raw).User.Password()
	env := []string{"FETCHBENCH_REDIS=" + raw}
	var logs lockedBuffer
	worker := exec.Command(binary(t), "worker", "--redis-cacert", ca, "--name", "tls1")
	worker.Env = append(os.Environ(), env...)
	worker.Stderr = &logs
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = worker.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = worker.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = worker.Process.Kill()
			<-done
			t.Error("the worker did not leave within 10 s of an interrupt")
		}
		if out := logs.String(); !strings.Contains(out, "joined the pool at rediss://:xxxxx@") || strings.Contains(out, password) {
			t.Errorf("worker's stderr: %q; want the URL without its password", out)
		}
	}()
	out, errs, code := fetchbenchEnv(t, env, "--offline", "-n", "20", "-s", "semaphore", "-c", "4", "--redis-cacert", ca, "--records", "-", "-q")
	if code != 0 || strings.Contains(errs, password) {
		t.Fatalf("exit %d, stderr %q; want 0 and no password\nworker: %s", code, errs, logs.String())
	}
	readRecords(t, out, 20)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
